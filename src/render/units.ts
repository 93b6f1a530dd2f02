/** Durations for people: µs, ms or s chosen per value. Machine formats use fixed `_us` fields. */
export function formatUs(us: number): string {
  if (!Number.isFinite(us)) return '-';
  const abs = Math.abs(us);
  if (abs < 1000) return `${us.toFixed(abs < 10 ? 2 : 1)}µs`;
  if (abs < 1e6) return `${(us / 1000).toFixed(2)}ms`;
  return `${(us / 1e6).toFixed(2)}s`;
}

/** A µs value with nanosecond precision, as a number for JSON. */
export function roundUs(us: number): number {
  return Math.round(us * 1000) / 1000;
}
