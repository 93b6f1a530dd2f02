/**
 * Exact conversion of pcapng timestamps (a 64-bit count of 10^-n or 2^-n second units, given as
 * two u32 halves) into whole seconds and nanoseconds. Doubles hold integers exactly only below
 * 2^53, and epoch nanoseconds are ~2^60, so the 64-bit count is divided in 16-bit limbs: every
 * intermediate stays below 2^46. Units finer than a nanosecond are truncated, never rounded.
 */

export interface TimestampResolution {
  /** true: units are 2^-exponent s; false: 10^-exponent s. */
  binary: boolean;
  exponent: number;
  /** if_tsoffset: whole seconds added to every timestamp. */
  offsetSec: number;
}

export const DEFAULT_RESOLUTION: TimestampResolution = { binary: false, exponent: 6, offsetSec: 0 };

/** if_tsresol's one byte: high bit set means a power of two. */
export function resolutionFromOption(byte: number, offsetSec: number): TimestampResolution {
  return { binary: (byte & 0x80) !== 0, exponent: byte & 0x7f, offsetSec };
}

/** Output of the conversions; reused to avoid an allocation per packet. */
export interface TimeOut {
  tsSec: number;
  tsNsec: number;
}

let quotient = 0;
/** The quotient's two u32 halves: exact even when `quotient` (a double) is not, above 2^53. */
let quotientHi = 0;
let quotientLo = 0;
let remainder = 0;

/** (hi·2^32 + lo) ÷ d for 1 <= d < 2^31, into `quotient`/`quotientHi`/`quotientLo`/`remainder`. */
function divU64(hi: number, lo: number, d: number): void {
  let x = hi >>> 16;
  const q3 = Math.floor(x / d);
  let r = x - q3 * d;
  x = r * 65536 + (hi & 0xffff);
  const q2 = Math.floor(x / d);
  r = x - q2 * d;
  x = r * 65536 + (lo >>> 16);
  const q1 = Math.floor(x / d);
  r = x - q1 * d;
  x = r * 65536 + (lo & 0xffff);
  const q0 = Math.floor(x / d);
  r = x - q0 * d;
  quotientHi = q3 * 65536 + q2;
  quotientLo = q1 * 65536 + q0;
  quotient = quotientHi * 4294967296 + quotientLo;
  remainder = r;
}

const POW10 = [1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9];

export function unitsToTime(hi: number, lo: number, res: TimestampResolution, out: TimeOut): void {
  const n = res.exponent;
  if (!res.binary && n <= 9) {
    const unitsPerSec = POW10[n] as number;
    divU64(hi, lo, unitsPerSec);
    out.tsSec = quotient + res.offsetSec;
    out.tsNsec = remainder * (POW10[9 - n] as number);
  } else if (!res.binary && n <= 18) {
    // Drop the sub-nanosecond digits first, then split seconds from nanoseconds. The count of
    // nanoseconds can pass 2^53 (10^-12 units: after 104 days), so it is split by its halves.
    divU64(hi, lo, POW10[n - 9] as number);
    divU64(quotientHi, quotientLo, 1e9);
    out.tsSec = quotient + res.offsetSec;
    out.tsNsec = remainder;
  } else if (res.binary && n <= 32) {
    // sec = units >> n; frac = low n bits; ns = frac·10^9 / 2^n, with 10^9 = 1953125·2^9 so
    // frac·1953125 < 2^53 stays exact.
    const sec = n === 32 ? hi : hi * 2 ** (32 - n) + (lo >>> n);
    const frac = n === 32 ? lo : lo & (2 ** n - 1);
    const scaled = frac * 1953125;
    out.tsSec = sec + res.offsetSec;
    out.tsNsec = n >= 9 ? Math.floor(scaled / 2 ** (n - 9)) : scaled * 2 ** (9 - n);
  } else {
    unitsToTimeBig(hi, lo, res, out);
  }
}

/** Resolutions nobody uses in practice (2^-33 and finer, 10^-19 and finer): exact, slower. */
function unitsToTimeBig(hi: number, lo: number, res: TimestampResolution, out: TimeOut): void {
  const units = (BigInt(hi) << 32n) | BigInt(lo);
  const exponent = BigInt(res.exponent);
  const unitsPerSec = res.binary ? 1n << exponent : 10n ** exponent;
  const sec = units / unitsPerSec;
  const frac = units % unitsPerSec;
  out.tsSec = Number(sec) + res.offsetSec;
  out.tsNsec = Number((frac * 1_000_000_000n) / unitsPerSec);
}
