/**
 * `--samples`: one line per sample in pping's shape — time, RTT and the flow's minimum so far
 * (both in seconds), then `src:port+dst:port` — plus the kind. Times are UTC, nanoseconds.
 */
import { KIND_NAMES, type HalfConnection } from '../engines/rtt/rtt-engine.js';
import type { Sample } from '../stats/collector.js';
import { clockText, epochSeconds } from '../time.js';
import { endpointText } from '../flow/address.js';

export class SampleLines {
  /** Minimum RTT so far per half-connection (pping's min_rtt). */
  private readonly minNs = new Map<HalfConnection, number>();

  line(sample: Sample): string {
    const { base, ackNs, rttNs, kind } = sample;
    const min = Math.min(this.minNs.get(sample.half) ?? Infinity, rttNs);
    this.minNs.set(sample.half, min);
    const sec = epochSeconds(base, ackNs);
    const nsec = ackNs - (sec - base.baseSec) * 1e9;
    const clock = clockText(sec);
    const time = `${clock}.${String(Math.round(nsec)).padStart(9, '0')}`;
    return `${time} ${(rttNs / 1e9).toFixed(9)} ${(min / 1e9).toFixed(9)} ${endpointText(sample.src, sample.sport)}+${endpointText(sample.dst, sample.dport)} ${KIND_NAMES[kind]}\n`;
  }
}
