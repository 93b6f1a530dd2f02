/**
 * `--samples`: one line per sample in pping's shape — time, RTT and the flow's minimum so far
 * (both in seconds), then `src:port+dst:port` — plus the kind. Times are UTC, nanoseconds.
 */
import { KIND_NAMES, type SampleKind } from '../engines/rtt/rtt-engine.js';
import type { HalfRoute } from '../stats/collector.js';
import { epochSeconds, type TimeBase } from '../time.js';

function endpoint(addr: string, port: number): string {
  return addr.includes(':') ? `[${addr}]:${port}` : `${addr}:${port}`;
}

export class SampleLines {
  private readonly minNs = new Map<HalfRoute, number>();

  line(base: TimeBase, ackNs: number, rttNs: number, kind: SampleKind, route: HalfRoute): string {
    const min = Math.min(this.minNs.get(route) ?? Infinity, rttNs);
    this.minNs.set(route, min);
    const sec = epochSeconds(base, ackNs);
    const nsec = ackNs - (sec - base.baseSec) * 1e9;
    const clock = new Date(sec * 1000).toISOString().slice(11, 19);
    const time = `${clock}.${String(Math.round(nsec)).padStart(9, '0')}`;
    return `${time} ${(rttNs / 1e9).toFixed(9)} ${(min / 1e9).toFixed(9)} ${endpoint(route.src, route.sport)}+${endpoint(route.dst, route.dport)} ${KIND_NAMES[kind]}\n`;
  }
}
