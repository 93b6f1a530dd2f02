/**
 * Labelled series with a cap on how many there are (Prometheus keeps every label set it ever
 * saw, so an unbounded label such as a remote address must be bounded here). Up to `cap`
 * label values get a series of their own; when the cap is reached, a new value takes the slot
 * of the least recently used series if that one has been idle for `idleNs` (it is evicted, and
 * counted), and otherwise goes into the aggregate series `OTHER_LABEL`.
 *
 * An evicted series disappears from the scrape: Prometheus's rate() and increase() see it end
 * as a series ends, and sum(rate(...)) over the family stays right; its counts are not moved
 * into the aggregate, which would be a jump there.
 */

export const OTHER_LABEL = 'other';

export class SeriesEntry<T> {
  /** Set when the series is evicted: holders of this entry must look the label up again. */
  evicted = false;
  constructor(
    readonly label: string,
    readonly value: T,
    public lastNs: number,
  ) {}
}

export class CappedSeries<T> {
  readonly entries = new Map<string, SeriesEntry<T>>();
  readonly other: SeriesEntry<T>;
  /** Series evicted to make room. */
  evictions = 0;
  /** Lookups that went to the aggregate because every slot was taken by an active series. */
  overflows = 0;
  /** Bumped when an eviction frees a slot, so that cached aggregate lookups try again. */
  generation = 0;

  constructor(
    readonly cap: number,
    readonly idleNs: number,
    private readonly make: () => T,
  ) {
    this.other = new SeriesEntry(OTHER_LABEL, make(), 0);
  }

  /** The series of `label` at time `nowNs` (any clock that only moves forward). */
  get(label: string, nowNs: number): SeriesEntry<T> {
    const found = this.entries.get(label);
    if (found !== undefined) return found;
    if (this.entries.size >= this.cap && !this.evictIdle(nowNs)) {
      this.overflows++;
      return this.other;
    }
    const entry = new SeriesEntry(label, this.make(), nowNs);
    this.entries.set(label, entry);
    return entry;
  }

  /** Frees the least recently used slot if it has been idle long enough. */
  private evictIdle(nowNs: number): boolean {
    let oldest: SeriesEntry<T> | undefined;
    for (const entry of this.entries.values()) if (oldest === undefined || entry.lastNs < oldest.lastNs) oldest = entry;
    if (oldest === undefined || nowNs - oldest.lastNs < this.idleNs) return false;
    this.entries.delete(oldest.label);
    oldest.evicted = true;
    this.evictions++;
    this.generation++;
    return true;
  }
}
