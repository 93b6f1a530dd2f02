/**
 * The two numbers every per-sample line carries, formatted without toFixed or padStart (which
 * cost about 230 ns a sample, a third of --csv's time on the bench capture): the capture time
 * as `seconds.nanoseconds`, whose seconds part changes rarely and is kept, and an RTT in µs
 * with three decimals from its whole nanoseconds.
 */
import type { TimeBase } from '../time.js';

/** `rttNs` (whole nanoseconds) in µs with exactly three decimals: 25316000 → `25316.000`. */
export function usWithNanos(rttNs: number): string {
  const us = Math.floor(rttNs / 1000);
  const ns = rttNs - us * 1000;
  return `${us}.${ns < 10 ? '00' : ns < 100 ? '0' : ''}${ns}`;
}

/** formatEpoch() for times that come in order: the `seconds.` prefix is made once per second. */
export class EpochText {
  /** The epoch second of the prefix (runs of several capture points have different bases). */
  private second = NaN;
  private prefix = '';

  format(base: TimeBase, ns: number): string {
    const whole = Math.floor(ns / 1e9);
    const second = base.baseSec + whole;
    if (second !== this.second) {
      this.second = second;
      this.prefix = `${second}.`;
    }
    // 1e9 + fraction has ten digits: its last nine are the fraction, zero-padded.
    return this.prefix + String(1e9 + Math.round(ns - whole * 1e9)).slice(1);
  }
}
