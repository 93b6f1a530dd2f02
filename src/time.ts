/**
 * Capture time. Epoch nanoseconds do not fit in a double, so the run keeps the whole seconds
 * of its first packet (`baseSec`) and measures everything else in ns from there: exact for
 * 104 days of capture. These helpers turn that back into exact text.
 */

/**
 * The first value of an object field that will hold ns from the start of the run, a TSval or a
 * frame reference, where the field is always written before it is read: NaN, a double. V8 keeps
 * a field that has held only small integers as one, and the first time a number of 2^31 or more
 * is stored there (capture time passing 2.1 s, a second input's frame references) it changes the
 * layout of every object of that class and deoptimises the functions that use them, in the
 * middle of the run: on the bench capture, about 5% of the analysis's CPU time (README,
 * Performance). A field that starts as a double stays one.
 */
export const NOT_YET_SET = Number.NaN;

export interface TimeBase {
  baseSec: number;
}

export function relativeNs(base: TimeBase, tsSec: number, tsNsec: number): number {
  return (tsSec - base.baseSec) * 1e9 + tsNsec;
}

/** `seconds.nanoseconds` with nine decimals, exact; before 1970 (a negative if_tsoffset) with a minus sign. */
export function formatEpoch(base: TimeBase, ns: number): string {
  let whole = Math.floor(ns / 1e9);
  let frac = Math.round(ns - whole * 1e9);
  if (frac === 1e9) {
    whole++;
    frac = 0;
  }
  return epochText(base.baseSec + whole, frac);
}

/** `sec + nsec/1e9` (nsec in [0, 1e9)) as signed decimal text with nine decimals. */
export function epochText(sec: number, nsec: number): string {
  if (sec >= 0 || nsec === 0) return `${sec}.${String(nsec).padStart(9, '0')}`;
  return `-${-(sec + 1)}.${String(1e9 - nsec).padStart(9, '0')}`;
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

const SECONDS_PER_DAY = 86400;

const pad2 = (n: number): string => String(n).padStart(2, '0');

/**
 * `HH:MM:SS` (UTC) of an epoch second. Plain arithmetic rather than Date: a pcapng timestamp
 * can lie past Date's range (±8.64e15 ms, the year 275760), and any capture time must print.
 */
export function clockText(epochSec: number): string {
  const s = ((epochSec % SECONDS_PER_DAY) + SECONDS_PER_DAY) % SECONDS_PER_DAY;
  return `${pad2(Math.floor(s / 3600))}:${pad2(Math.floor(s / 60) % 60)}:${pad2(s % 60)}`;
}

/**
 * The proleptic Gregorian date of a count of days since 1970-01-01 (Howard Hinnant's
 * civil_from_days), exact for any day count a double holds as an integer.
 */
function civilFromDays(days: number): { year: number; month: number; day: number } {
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  return { year: era * 400 + yoe + (month <= 2 ? 1 : 0), month, day };
}

/** Years as toISOString writes them: four digits, or a sign and six (or more) past 0000-9999. */
function yearText(year: number): string {
  if (year >= 0 && year <= 9999) return String(year).padStart(4, '0');
  return `${year < 0 ? '-' : '+'}${String(Math.abs(year)).padStart(6, '0')}`;
}

/** ISO 8601 UTC with milliseconds, the text toISOString gives, for any epoch second. */
export function isoText(epochSec: number, ms: number): string {
  const days = Math.floor(epochSec / SECONDS_PER_DAY);
  const { year, month, day } = civilFromDays(days);
  const ofDay = epochSec - days * SECONDS_PER_DAY;
  return `${yearText(year)}-${pad2(month)}-${pad2(day)}T${clockText(ofDay)}.${String(ms).padStart(3, '0')}Z`;
}

/** ISO 8601 UTC with milliseconds, for labels people read. */
export function formatIso(base: TimeBase, ns: number): string {
  const whole = Math.floor(ns / 1e9);
  return isoText(base.baseSec + whole, Math.floor((ns - whole * 1e9) / 1e6));
}

/** `HH:MM:SS` (UTC) of a capture time, for -T and --samples. */
export function formatClock(base: TimeBase, ns: number): string {
  return clockText(epochSeconds(base, ns));
}
