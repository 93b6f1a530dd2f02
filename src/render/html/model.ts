/**
 * What the HTML report shows, as plain data: the page (browser/report.ts) draws it and nothing
 * else. Built from a run (its result and its SampleStore) or from merged summaries. Every
 * statistic is the --json document's own figure (statsJson), so the page and the JSON agree.
 */

import type { StatsFigures } from '../../schema/stats-figures.js';

/** A statistics row: the --json fields of a group (sketches and merge state left out). */
export interface StatsRow extends StatsFigures {
  key: string;
}

/** A log-binned histogram: bins of equal width in log10(µs), from the group's DDSketch. */
export interface LogHistogram {
  key: string;
  /** Bins per decade; bin b covers [10^(b/perDecade), 10^((b+1)/perDecade)) µs. */
  perDecade: number;
  /** The first bin's index b, and the counts from there (zeros included). */
  firstBin: number;
  counts: number[];
  /** Samples of 0 µs (below the sketch's smallest bin). */
  zeroCount: number;
}

export interface HeaderModel {
  title: string;
  /** What made the page: `rttscan VERSION`, and the command line when known. */
  generator: string;
  command: string[];
  mode: 'run' | 'merge';
  inputs: Array<{ path: string; format: string; linktype: string; packets: number; tcp_packets: number; warnings: string[] }>;
  /** Capture span, epoch `seconds.nanoseconds` as in --json, and its length in seconds. */
  start: string;
  end: string;
  spanSec: number;
  vantage: { local: string[]; inferred: boolean; midPath: boolean; evidence: string[] };
  groupBy: string;
  /** The --json counters, as nested objects of numbers. */
  counters: Record<string, Record<string, number | Record<string, number>>>;
  notes: string[];
}

/**
 * The samples the scatter draws, column by column: each a little-endian typed array, deflated
 * (zlib) and in base64. Times and frames are sent as differences (whole numbers, which deflate
 * to a byte or two); the page adds them back up, exactly, since they stay below 2^53.
 */
export interface PointsModel {
  count: number;
  /** Float64: ACK capture time, whole ns from `baseSec`, each as the difference from the previous. */
  tNs: string;
  /** Float64: RTT in ns. */
  rttNs: string;
  /** Uint8: 0 data, 1 syn, 2 ts. */
  kind: string;
  /** Uint32: index into `flows`. */
  flow: string;
  /** Float64: the ACK's frame reference less the segment's (input index * 2^36 + frame number). */
  segFrame: string;
  /** Float64: the ACK's frame reference, as the difference from the previous. */
  ackFrame: string;
}

export interface SeriesModel {
  /** Epoch second the ns times count from. */
  baseSec: number;
  points: PointsModel;
  /** Flow labels and the index of each flow's group in `groups`. */
  flows: string[];
  flowGroups: number[];
  /** Input paths, for frame references with several inputs. */
  inputs: string[];
  decimation: { total: number; kept: number; columns: number; p99Us: number | null; outliers: number; outliersCut: boolean };
  /** p50/p99 per time bin: all samples, then the groups `groups` names (by index into the page's groups). */
  bins: Array<{ group: number | null; tSec: number[]; p50Us: Array<number | null>; p99Us: Array<number | null>; counts: number[] }>;
}

export interface WorstFlow {
  flow: string;
  group: string;
  samples: number;
  p50_us: number;
  p99_us: number;
  max_us: number;
  data_segments: number;
  retransmitted_segments: number;
}

export interface TcprtModel {
  /** Epoch second the task start times count from. */
  baseSec: number;
  /** Per port (`8080` local, `P443` peer): each task's start (s from baseSec), server and total time (µs). */
  ports: Array<{ port: string; startSec: number[]; serverUs: number[]; totalUs: number[] }>;
  /** The --json tcprt section (per-port stats, record counts). */
  summary: unknown;
}

export interface PageModel {
  header: HeaderModel;
  unit: 'usecs' | 'msecs';
  summary: StatsRow;
  /** Every group, busiest first. */
  groups: StatsRow[];
  /** The summary's histogram, then the busiest groups'. */
  histograms: LogHistogram[];
  /** bcc tcprtt's text of the same histograms (what --histogram prints). */
  bcc: string;
  series: SeriesModel | null;
  /** Without samples (merge): p50/p99 of each summary over its span. */
  spans: Array<{ name: string; startSec: number; endSec: number; p50Us: number | null; p99Us: number | null; samples: number }>;
  worstFlows: WorstFlow[];
  tcprt: TcprtModel | null;
}
