/**
 * The `--json` document as a type: what render/json.ts writes and what merge/ reads back, one
 * definition for both. The published JSON Schema (schema/summary-schema.ts, written out as
 * schema/rttscan-summary.schema.json) describes the same shape with its bounds; tests validate
 * every document rttscan writes against it.
 */

import type { InputSummary } from '../analyze.js';
import type { StatsFigures } from './stats-figures.js';

/** Bumped whenever a document's shape changes in a way an older reader would misread. */
export const SCHEMA_VERSION = 1;

/** A capture time: epoch seconds with nine decimals (`-` before 1970), exact. */
export type EpochText = string;

export interface SketchJson {
  relative_accuracy: number;
  zero_count: number;
  min_key: number;
  counts: number[];
}

/** What merging needs beyond the printed figures, at full precision. */
export interface MergeStateJson {
  sum_ns: number;
  m2_us2: number;
  first_ns: number;
  last_ns: number;
  srtt_us: number;
  jitter_sum_ns: number;
  histogram_unit: 'usecs' | 'msecs';
  histogram_counts: number[];
}

/** The statistics of a group (or of all samples); figures are null when there are no samples. */
export interface StatsJson extends StatsFigures {
  sketch: SketchJson;
  merge_state: MergeStateJson;
}

export interface GroupJson extends StatsJson {
  key: string;
  /** With --by process (live): the process the group names, null when it is not known. */
  process?: ProcessJson | null;
}

export interface ProcessJson {
  pid: number;
  command: string;
  cgroup: string;
  container_id: string | null;
  pod_uid: string | null;
}

export interface HistogramJson {
  unit: 'usecs' | 'msecs';
  buckets: { low: number; high: number; count: number }[];
}

/** An input as the document lists it: the summary analyze() returns (live inputs add `live`). */
export type InputJson = InputSummary;

/** One host's answers, as the vantage inference weighed them (flow/vantage.ts). */
export interface VantageEvidenceJson {
  address: string;
  answers: number;
  /** Answers within host_stack_us. */
  host_stack: number;
  fastest_us: number | null;
  local: boolean;
}

/** A run's decision, as a merge keeps it for each run it merged. */
export interface VantageDecisionJson {
  inputs: string[];
  local: string[];
  mid_path: boolean;
  decided_by: string;
  confidence: string;
}

export interface VantageJson {
  local: string[];
  inferred: boolean;
  mid_path: boolean;
  /**
   * given, host-stack, no-host-stack, no-answers; merge for a merged document. The keys below
   * are absent from documents written before the inference kept its evidence.
   */
  decided_by?: string;
  /** high, low, none. */
  confidence?: string;
  /** The bound on an answer in host-stack time. */
  host_stack_us?: number;
  evidence?: VantageEvidenceJson[];
  /** A merged document: every run's decision, in capture-time order. */
  decisions?: VantageDecisionJson[];
}

/** Counters by section (decode, flows, rtt, ...), each a flat map of counts, one level deeper at most. */
export type CountersJson = Record<string, Record<string, number | Record<string, number>>>;

/** A TCP-RT time distribution of a port (whole µs): figures, exact sum, and its sketch. */
export interface TcprtTimesJson {
  min: number | null;
  p50: number | null;
  p90: number | null;
  p99: number | null;
  max: number | null;
  sum: number;
  sketch: SketchJson;
}

export interface TcprtPortJson {
  port: number;
  side: 'local' | 'peer';
  tasks: number;
  count: number;
  avg_total_us: number;
  avg_server_us: number;
  drop_permille: number;
  avg_minrtt_us: number;
  fail_permille: number;
  failures: number;
  avg_sent_bytes: number;
  avg_upload_us: number;
  avg_recv_bytes: number;
  server_us: TcprtTimesJson;
  total_us: TcprtTimesJson;
  first_byte_us: TcprtTimesJson;
  /** The sums behind the averages, which merge adds up. */
  merge_state: {
    minrtt_us_sum: number;
    upload_us_sum: number;
    sent_bytes_sum: number;
    recv_bytes_sum: number;
    retrans_segs: number;
    packets: number;
  };
}

export interface TcprtJson {
  ports: TcprtPortJson[];
  records: { R: number; P: number; W: number; N: number; E: number };
  connections: { matched: number; assumed: number; remote_only: number; closed: number; open_unreported: number; flushed: number };
}

/** The statistics of a span of capture time: a whole run's, or one --interval line. */
export interface ReportJson {
  schema_version: number;
  start: EpochText;
  end: EpochText;
  summary: StatsJson;
  group_by: 'all' | 'laddr' | 'raddr' | 'lport' | 'rport' | 'flow' | 'process';
  groups: GroupJson[];
  histogram: HistogramJson;
  /** TCP-RT's ports over the same span, when it ran. */
  tcprt?: { ports: TcprtPortJson[] };
}

/** An --interval line: the report, and (live, or whenever the run counts them) what the interval added to each input and counter. */
export interface IntervalLineJson extends ReportJson {
  inputs?: InputJson[];
  counters?: CountersJson;
}

/** One run's (or one merge's) whole document. */
export interface SummaryDocumentJson {
  tool: 'rttscan';
  version: string;
  schema_version: number;
  inputs: InputJson[];
  vantage: VantageJson;
  start: EpochText;
  end: EpochText;
  summary: StatsJson;
  group_by: ReportJson['group_by'];
  groups: GroupJson[];
  histogram: HistogramJson;
  tcprt?: TcprtJson;
  counters: CountersJson;
}
