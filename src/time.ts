/**
 * Capture time. Epoch nanoseconds do not fit in a double, so the run keeps the whole seconds
 * of its first packet (`baseSec`) and measures everything else in ns from there: exact for
 * 104 days of capture. These helpers turn that back into exact text.
 */

export interface TimeBase {
  baseSec: number;
}

export function relativeNs(base: TimeBase, tsSec: number, tsNsec: number): number {
  return (tsSec - base.baseSec) * 1e9 + tsNsec;
}

/** `seconds.nanoseconds` with nine decimals, exact. */
export function formatEpoch(base: TimeBase, ns: number): string {
  const whole = Math.floor(ns / 1e9);
  const frac = ns - whole * 1e9;
  return `${base.baseSec + whole}.${String(Math.round(frac)).padStart(9, '0')}`;
}

/** Whole epoch seconds of a time relative to the base. */
export function epochSeconds(base: TimeBase, ns: number): number {
  return base.baseSec + Math.floor(ns / 1e9);
}

const UNITS: Record<string, number> = { ns: 1, us: 1e3, µs: 1e3, ms: 1e6, s: 1e9, m: 60e9, min: 60e9, h: 3600e9 };

/** `10s`, `500ms`, `1.5m`, `2h`, or a bare number of seconds, in ns; undefined if not a duration. */
export function parseDurationNs(text: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|min|h)?$/.exec(text.trim());
  if (!m) return undefined;
  return Math.round(Number(m[1]) * UNITS[m[2] ?? 's']!);
}

/** An absolute capture time: epoch seconds with up to nine decimals, or an ISO 8601 date-time. */
export interface EpochTime {
  sec: number;
  nsec: number;
}

export function parseEpochTime(text: string): EpochTime | undefined {
  const m = /^(\d+)(?:\.(\d{1,9}))?$/.exec(text.trim());
  if (m) return { sec: Number(m[1]), nsec: Number((m[2] ?? '').padEnd(9, '0')) };
  if (!/^\d{4}-\d{2}-\d{2}/.test(text)) return undefined;
  const ms = Date.parse(text);
  if (Number.isNaN(ms)) return undefined;
  const sec = Math.floor(ms / 1000);
  return { sec, nsec: (ms - sec * 1000) * 1e6 };
}

/** ISO 8601 UTC with milliseconds, for labels people read. */
export function formatIso(base: TimeBase, ns: number): string {
  const ms = base.baseSec * 1000 + Math.floor(ns / 1e6);
  return new Date(ms).toISOString();
}
