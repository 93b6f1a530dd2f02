/**
 * Every sample of a run, kept for the HTML report: the page draws each one (or, above a budget,
 * the ones decimate.ts keeps), so unlike the statistics they cannot be folded as they come.
 * Columns of numbers in fixed-size chunks (no copying as they grow, ~40 bytes a sample); a
 * flow's label is made once, at its first sample. Only `--html` pays for any of this.
 */
import type { HalfConnection } from '../../engines/rtt/rtt-engine.js';
import type { TaskRecord } from '../../engines/tcprt/records.js';
import type { Group, Sample } from '../../stats/collector.js';
import { endpointText } from '../../flow/address.js';

/** Samples per chunk of each column. */
const CHUNK = 1 << 16;

/** A growable column of numbers in chunks; `at(i)` reads sample i. */
class Column<A extends Float64Array | Uint32Array | Uint8Array> {
  readonly chunks: A[] = [];
  constructor(private readonly make: (n: number) => A) {}

  set(i: number, value: number): void {
    const c = i >>> 16;
    if (c === this.chunks.length) this.chunks.push(this.make(CHUNK));
    this.chunks[c]![i & (CHUNK - 1)] = value;
  }

  at(i: number): number {
    return this.chunks[i >>> 16]![i & (CHUNK - 1)]!;
  }
}

/** One flow (a half-connection: data from `label`'s first endpoint) as the page names it. */
export interface StoredFlow {
  label: string;
  group: Group;
  /** Its sender's data and retransmitted segments as of its last sample. */
  dataSegments: number;
  retransmittedSegments: number;
}

/** One TCP-RT task (R or P record) for the page's server/total time charts. */
export interface StoredTask {
  startNs: number;
  port: number;
  side: string;
  serverUs: number;
  totalUs: number;
}

export class SampleStore {
  length = 0;
  /** ACK capture time, ns from the run's base. */
  readonly ackNs = new Column((n) => new Float64Array(n));
  readonly rttNs = new Column((n) => new Float64Array(n));
  readonly kind = new Column((n) => new Uint8Array(n));
  /** Index into `flows`. */
  readonly flow = new Column((n) => new Uint32Array(n));
  /** Frame references (capture/frame-ref.ts) of the segment and of the ACK. */
  readonly segFrame = new Column((n) => new Float64Array(n));
  readonly ackFrame = new Column((n) => new Float64Array(n));
  readonly flows: StoredFlow[] = [];
  readonly tasks: StoredTask[] = [];
  /** Weak, so that flows the table has forgotten are not kept alive by the page. */
  private readonly flowIds = new WeakMap<HalfConnection, number>();
  private lastHalf: HalfConnection | undefined;
  private lastId = 0;

  add(sample: Sample): void {
    const { ackNs, rttNs, kind } = sample;
    const half = sample.half;
    let id: number;
    if (half === this.lastHalf) id = this.lastId;
    else {
      const known = this.flowIds.get(half);
      if (known === undefined) {
        id = this.flows.length;
        this.flows.push({ label: flowLabel(sample), group: sample.group, dataSegments: 0, retransmittedSegments: 0 });
        this.flowIds.set(half, id);
      } else id = known;
      this.lastHalf = half;
      this.lastId = id;
    }
    const flow = this.flows[id]!;
    flow.dataSegments = half.dataSegments;
    flow.retransmittedSegments = half.retransmittedSegments;
    const i = this.length++;
    this.ackNs.set(i, ackNs);
    this.rttNs.set(i, rttNs);
    this.kind.set(i, kind);
    this.flow.set(i, id);
    this.segFrame.set(i, sample.segFrame);
    this.ackFrame.set(i, sample.ackFrame);
  }

  /** A TCP-RT record: R and P carry server and total time; the other kinds are not charted. */
  addTask(record: TaskRecord): void {
    if (record.type !== 'R' && record.type !== 'P') return;
    this.tasks.push({ startNs: record.startNs, port: record.port, side: record.side, serverUs: record.figures.serverUs, totalUs: record.figures.totalUs });
  }
}

/** `sender:port → acknowledger:port`: whose data, timed by whose ACKs. */
export function flowLabel(sample: Sample): string {
  return `${endpointText(sample.src, sample.sport)} → ${endpointText(sample.dst, sample.dport)}`;
}
