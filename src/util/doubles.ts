/**
 * A plain array of `n` doubles (V8 stores it as a double array: 8 bytes an element),
 * filled with NaN until written. For the small per-connection records and rings: a typed array
 * costs some 250 bytes of object headers and a separately allocated backing store before its
 * first element, a plain array 16 (bench/run.ts measures bytes per active flow).
 */
export function doubles(n: number): number[] {
  // Exactly n elements: building it with push() would leave growth slack (~40 bytes here).
  return new Array<number>(n).fill(NaN);
}
