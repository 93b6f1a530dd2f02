/**
 * The JSON Schema (draft 2020-12) of the `--json` document, with every bound a reader needs to
 * treat a document as untrusted: key ranges, sizes, lengths, and names (no `__proto__`). It is
 * the one source: `npm run docs` writes it to schema/rttscan-summary.schema.json (published in
 * the package), schema/validate.ts checks documents against this object at run time, and the
 * tests check rttscan's own output against the file with ajv.
 *
 * Its root is a whole run's document; `$defs` also holds the --interval line
 * (`interval_report`) and the `--each` array (`document_array`).
 */
import type * as Sketches from '@datadog/sketches-js';
import { requireCjs } from '../util/cjs.js';
import { SLOTS } from '../stats/log2-histogram.js';
import { SCHEMA_VERSION } from './document.js';

const { DDSketch } = requireCjs('@datadog/sketches-js') as typeof Sketches;

export const SCHEMA_ID = 'urn:rttscan:schema:summary';

const MAX_COUNT = Number.MAX_SAFE_INTEGER;

/** Sketch keys of the RTTs a run can measure: 1 ns to 2^64 ns (keys of µs values). */
const mapping = new DDSketch({ relativeAccuracy: 0.01 }).mapping;
export const MIN_SKETCH_KEY = mapping.key(0.001);
export const MAX_SKETCH_KEY = mapping.key(2 ** 64 / 1000);

/** Bounds on what one document may hold (each named in the message that refuses it). */
export const LIMITS = {
  /** Inputs of one document (a merge of merges adds them up). */
  inputs: 100_000,
  /** Groups of one document: --by flow over a long capture has many. */
  groups: 2_000_000,
  /** Warnings of one input. */
  warnings: 10_000,
  /** Local addresses of the vantage. */
  localAddresses: 65_536,
  /** Hosts in the vantage's evidence (flow/vantage.ts lists at most 40). */
  evidenceHosts: 1024,
  /** Documents in one --each array. */
  documents: 100_000,
  /** Ports of a tcprt section (each side's 65,536). */
  tcprtPorts: 131_072,
  /** Characters of a path, a warning, a group key and the rest of the strings. */
  pathChars: 4096,
  textChars: 4096,
  keyChars: 256,
  nameChars: 64,
  /** Nesting of any part of a document, unknown sections included. */
  depth: 32,
  /** Bytes of a document file (or stdin). */
  documentBytes: 256 * 1024 * 1024,
} as const;

/** Object keys rttscan writes: never one that names a prototype. */
const NAME = { type: 'string', pattern: '^(?!(?:__proto__|constructor|prototype)$)[A-Za-z0-9_.]{1,64}$' };
const COUNT = { type: 'integer', minimum: 0, maximum: MAX_COUNT };
const NON_NEGATIVE = { type: 'number', minimum: 0 };
const FIGURE = { type: ['number', 'null'], minimum: 0 };
const EPOCH = { type: 'string', pattern: '^-?[0-9]{1,20}\\.[0-9]{9}$', description: 'epoch seconds with nine decimals' };
const UNIT = { enum: ['usecs', 'msecs'] };
const GROUP_BY = { enum: ['all', 'laddr', 'raddr', 'lport', 'rport', 'flow', 'process'] };
/** How a vantage was decided (flow/vantage.ts), `merge` for merged documents; `inferred`/`given` as read from older ones. */
const DECIDED_BY = { enum: ['given', 'host-stack', 'no-host-stack', 'no-answers', 'merge', 'inferred'] };
const CONFIDENCE = { enum: ['high', 'low', 'none', 'unknown'] };
const text = (maxLength: number): object => ({ type: 'string', maxLength });
/** An object with exactly these keys (all required unless listed in `optional`). */
const record = (properties: Record<string, unknown>, optional: readonly string[] = []): object => ({
  type: 'object',
  properties,
  required: Object.keys(properties).filter((k) => !optional.includes(k)),
  additionalProperties: false,
});

const STATS_PROPERTIES = {
  samples: COUNT,
  min_us: FIGURE,
  mean_us: FIGURE,
  p50_us: FIGURE,
  p90_us: FIGURE,
  p99_us: FIGURE,
  max_us: FIGURE,
  stddev_us: FIGURE,
  srtt_us: FIGURE,
  jitter_us: FIGURE,
  data_segments: COUNT,
  retransmitted_segments: COUNT,
  sketch: { $ref: '#/$defs/sketch' },
  merge_state: { $ref: '#/$defs/merge_state' },
};

export const SUMMARY_SCHEMA = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: SCHEMA_ID,
  title: 'rttscan --json summary',
  description: 'One run (or one merge) of rttscan: inputs, vantage, RTT statistics with mergeable sketches, counters.',
  ...record(
    {
      tool: { const: 'rttscan' },
      version: text(LIMITS.nameChars),
      schema_version: { const: SCHEMA_VERSION },
      inputs: { type: 'array', maxItems: LIMITS.inputs, items: { $ref: '#/$defs/input' } },
      vantage: record(
        {
          local: { type: 'array', maxItems: LIMITS.localAddresses, items: text(LIMITS.keyChars) },
          inferred: { type: 'boolean' },
          mid_path: { type: 'boolean' },
          decided_by: DECIDED_BY,
          confidence: CONFIDENCE,
          host_stack_us: NON_NEGATIVE,
          evidence: {
            type: 'array',
            maxItems: LIMITS.evidenceHosts,
            items: record({
              address: text(LIMITS.keyChars),
              answers: COUNT,
              host_stack: COUNT,
              fastest_us: FIGURE,
              local: { type: 'boolean' },
            }),
          },
          decisions: {
            type: 'array',
            maxItems: LIMITS.inputs,
            items: record({
              inputs: { type: 'array', maxItems: LIMITS.inputs, items: text(LIMITS.pathChars) },
              local: { type: 'array', maxItems: LIMITS.localAddresses, items: text(LIMITS.keyChars) },
              mid_path: { type: 'boolean' },
              decided_by: DECIDED_BY,
              confidence: CONFIDENCE,
            }),
          },
        },
        // Absent from documents written before the inference kept its evidence.
        ['decided_by', 'confidence', 'host_stack_us', 'evidence', 'decisions'],
      ),
      start: EPOCH,
      end: EPOCH,
      summary: { $ref: '#/$defs/stats' },
      group_by: GROUP_BY,
      groups: { $ref: '#/$defs/groups' },
      histogram: { $ref: '#/$defs/histogram' },
      tcprt: { $ref: '#/$defs/tcprt' },
      counters: { $ref: '#/$defs/counters' },
    },
    ['tcprt'],
  ),
  $defs: {
    input: record(
      {
        path: text(LIMITS.pathChars),
        format: text(LIMITS.nameChars),
        linktype: text(LIMITS.keyChars),
        packets: COUNT,
        tcp_packets: COUNT,
        warnings: { type: 'array', maxItems: LIMITS.warnings, items: text(LIMITS.textChars) },
        live: record({
          backend: text(LIMITS.nameChars),
          filter: text(LIMITS.textChars),
          snaplen: COUNT,
          kernel_received: { type: ['integer', 'null'], minimum: 0, maximum: MAX_COUNT },
          kernel_dropped: { type: ['integer', 'null'], minimum: 0, maximum: MAX_COUNT },
          interface_dropped: { type: ['integer', 'null'], minimum: 0, maximum: MAX_COUNT },
        }),
      },
      ['live'],
    ),
    sketch: {
      ...record({
        relative_accuracy: { const: 0.01 },
        zero_count: COUNT,
        min_key: { type: 'integer', minimum: MIN_SKETCH_KEY, maximum: MAX_SKETCH_KEY },
        counts: { type: 'array', maxItems: MAX_SKETCH_KEY - MIN_SKETCH_KEY + 1, items: COUNT },
      }),
      description: `DDSketch bins (1% relative accuracy) of the RTTs in µs, from min_key on; keys ${MIN_SKETCH_KEY}..${MAX_SKETCH_KEY} cover 1 ns to 2^64 ns`,
    },
    merge_state: record({
      sum_ns: COUNT,
      m2_us2: NON_NEGATIVE,
      first_ns: COUNT,
      last_ns: COUNT,
      srtt_us: NON_NEGATIVE,
      jitter_sum_ns: COUNT,
      histogram_unit: UNIT,
      histogram_counts: { type: 'array', maxItems: SLOTS, items: COUNT },
    }),
    stats: record(STATS_PROPERTIES),
    groups: { type: 'array', maxItems: LIMITS.groups, items: record({ key: text(LIMITS.keyChars), process: { $ref: '#/$defs/process' }, ...STATS_PROPERTIES }, ['process']) },
    process: {
      anyOf: [
        { type: 'null' },
        record({
          pid: COUNT,
          command: text(LIMITS.textChars),
          cgroup: text(LIMITS.pathChars),
          container_id: { type: ['string', 'null'], maxLength: LIMITS.keyChars },
          pod_uid: { type: ['string', 'null'], maxLength: LIMITS.keyChars },
        }),
      ],
    },
    histogram: record({
      unit: UNIT,
      buckets: { type: 'array', maxItems: SLOTS, items: record({ low: COUNT, high: COUNT, count: COUNT }) },
    }),
    tcprt_times: record({
      min: { type: ['integer', 'null'], minimum: 0, maximum: MAX_COUNT },
      p50: FIGURE,
      p90: FIGURE,
      p99: FIGURE,
      max: { type: ['integer', 'null'], minimum: 0, maximum: MAX_COUNT },
      sum: COUNT,
      sketch: { $ref: '#/$defs/sketch' },
    }),
    tcprt_port: record({
      port: { type: 'integer', minimum: 0, maximum: 65535 },
      side: { enum: ['local', 'peer'] },
      tasks: COUNT,
      count: COUNT,
      avg_total_us: COUNT,
      avg_server_us: COUNT,
      drop_permille: COUNT,
      avg_minrtt_us: COUNT,
      fail_permille: COUNT,
      failures: COUNT,
      avg_sent_bytes: COUNT,
      avg_upload_us: COUNT,
      avg_recv_bytes: COUNT,
      server_us: { $ref: '#/$defs/tcprt_times' },
      total_us: { $ref: '#/$defs/tcprt_times' },
      first_byte_us: { $ref: '#/$defs/tcprt_times' },
      merge_state: record({
        minrtt_us_sum: COUNT,
        upload_us_sum: COUNT,
        sent_bytes_sum: COUNT,
        recv_bytes_sum: COUNT,
        retrans_segs: COUNT,
        packets: COUNT,
      }),
    }),
    tcprt_ports: { type: 'array', maxItems: LIMITS.tcprtPorts, items: { $ref: '#/$defs/tcprt_port' } },
    tcprt: record({
      ports: { $ref: '#/$defs/tcprt_ports' },
      records: record({ R: COUNT, P: COUNT, W: COUNT, N: COUNT, E: COUNT }),
      connections: record({ matched: COUNT, assumed: COUNT, remote_only: COUNT, closed: COUNT, open_unreported: COUNT, flushed: COUNT }),
    }),
    counters: {
      description: 'Counters by section (decode, flows, rtt): counts, or one more level of counts (unsupported_linktypes)',
      type: 'object',
      maxProperties: 64,
      propertyNames: NAME,
      additionalProperties: {
        type: 'object',
        maxProperties: 256,
        propertyNames: NAME,
        additionalProperties: {
          anyOf: [COUNT, { type: 'object', maxProperties: 65536, propertyNames: NAME, additionalProperties: COUNT }],
        },
      },
    },
    interval_report: record(
      {
        inputs: { type: 'array', maxItems: LIMITS.inputs, items: { $ref: '#/$defs/input' } },
        schema_version: { const: SCHEMA_VERSION },
        start: EPOCH,
        end: EPOCH,
        summary: { $ref: '#/$defs/stats' },
        group_by: GROUP_BY,
        groups: { $ref: '#/$defs/groups' },
        histogram: { $ref: '#/$defs/histogram' },
        tcprt: record({ ports: { $ref: '#/$defs/tcprt_ports' } }),
        counters: { $ref: '#/$defs/counters' },
      },
      ['inputs', 'tcprt', 'counters'],
    ),
    document_array: { type: 'array', minItems: 1, maxItems: LIMITS.documents, items: { $ref: '#' } },
  },
} as const;
