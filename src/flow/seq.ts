/**
 * 32-bit serial-number arithmetic (RFC 1982, RFC 7323) for TCP sequence numbers, ack numbers
 * and TSvals: `a` is before `b` when the signed 32-bit distance from a to b is positive, so
 * comparisons stay right across wraparound. Values are u32 held in JS numbers.
 */

export function seqLt(a: number, b: number): boolean {
  return ((a - b) | 0) < 0;
}

export function seqLe(a: number, b: number): boolean {
  return ((a - b) | 0) <= 0;
}

export function seqGt(a: number, b: number): boolean {
  return ((a - b) | 0) > 0;
}

export function seqGe(a: number, b: number): boolean {
  return ((a - b) | 0) >= 0;
}

export function seqAdd(a: number, n: number): number {
  return (a + n) >>> 0;
}
