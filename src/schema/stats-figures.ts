/**
 * The printed figures of a group's statistics, as the `--json` document names them: the one
 * definition that the document (document.ts StatsJson) and the HTML page's model
 * (render/html/model.ts StatsRow) both extend. No imports: the page script's browser build
 * (tsconfig.browser.json) reads it too.
 */
export interface StatsFigures {
  samples: number;
  min_us: number | null;
  mean_us: number | null;
  p50_us: number | null;
  p90_us: number | null;
  p99_us: number | null;
  max_us: number | null;
  stddev_us: number | null;
  srtt_us: number | null;
  jitter_us: number | null;
  data_segments: number;
  retransmitted_segments: number;
}
