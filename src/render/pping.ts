/**
 * `--pping`: one line per sample in pping's machine-readable format (`pping -m`), which ppviz
 * and pping users' scripts read:
 *
 *   1700000000.123456 0.025123 0.025001 10.0.0.2:8080+10.0.0.1:51234
 *
 * capture time of the ACK as epoch seconds with six decimals (truncated to the µs, as pping
 * prints it), the RTT and the flow's smallest RTT so far in seconds (%.6f), then the flow as pping
 * names it: the packet that closed the sample, `acknowledger:port+sender:port`, so the first
 * host is the one whose round trip was timed. Addresses are written as pping writes them
 * (IPv6 without brackets). pping's bytes-in-flight variant appends three byte counts of its own
 * (fBytes dBytes pBytes, from frame sizes rttscan does not keep); this is the original
 * four-field line, which ppviz reads as well (its parser takes 4 or 7 fields).
 *
 * Why `--pping` and not pping's own `-m`: rttscan's `-m` is bcc tcprtt's (`--ms`, histogram in
 * milliseconds), which people type from muscle memory; the long name says which format it is.
 */
import type { HalfConnection } from '../engines/rtt/rtt-engine.js';
import type { Sample } from '../stats/collector.js';
import { epochSeconds } from '../time.js';
import type { SampleFormat } from './sample-sink.js';

export class PpingLines implements SampleFormat {
  /** Smallest RTT so far per half-connection (pping's per-flow min); weak, so ended flows go. */
  private readonly minNs = new WeakMap<HalfConnection, number>();

  /** pping's line has no kind: `_kind` is there so that this is a SampleFormat (render/sample-sink.ts). */
  line(sample: Sample): string {
    const { base, ackNs, rttNs } = sample;
    const half = sample.half;
    const min = Math.min(this.minNs.get(half) ?? Infinity, rttNs);
    this.minNs.set(half, min);
    const sec = epochSeconds(base, ackNs);
    const usec = Math.floor((ackNs - (sec - base.baseSec) * 1e9) / 1000);
    const time = `${sec}.${String(usec).padStart(6, '0')}`;
    return `${time} ${(rttNs / 1e9).toFixed(6)} ${(min / 1e9).toFixed(6)} ${sample.dst}:${sample.dport}+${sample.src}:${sample.sport}\n`;
  }
}
