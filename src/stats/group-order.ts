import type { Group } from './collector.js';

/** Busiest group first; equal counts in key order, so output is the same on every run. */
export function busiestFirst(groups: readonly Group[]): Group[] {
  return [...groups].sort((a, b) => b.stats.count - a.stats.count || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}
