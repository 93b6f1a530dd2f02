/**
 * TCP-RT records as data: what the engine emits and the renderer (render/tcprt.ts) prints.
 * A task's figures are named (TaskFigures); a record's fields are those figures in the
 * kernel's order (shared/reference/tcprt.md):
 *   R  sent_bytes total_us minrtt_us retrans_segs task_no server_us upload_us recv_bytes reorder mss
 *      (V7 adds srtt_us cwnd_segs)
 *   P  sent_bytes total_us minrtt_us retrans_segs task_no server_us download_us resp_bytes reorder mss
 *   W  sent_bytes elapsed_us minrtt_us retrans_segs task_no server_us upload_us unacked_bytes reorder mss
 *   N  task_no elapsed_us recv_bytes reorder mss
 *   E  last_task_no conn_sent_bytes unacked_bytes conn_recv_bytes conn_retrans_segs minrtt_us
 */
import { endpointText, formatAddress } from '../../flow/address.js';
import type { PortSide } from './config.js';

export type RecordType = 'R' | 'P' | 'W' | 'N' | 'E';

/** The two ends of a watched connection; labels are formatted once, when first printed. */
export class TaskEndpoints {
  private peerText: string | undefined;
  private localText: string | undefined;

  constructor(
    readonly ipVersion: number,
    /** Local address in words 0..3, the peer's in 4..7. */
    readonly addrs: Uint32Array,
    readonly localPort: number,
    readonly peerPort: number,
  ) {}

  /** `addr:port`, IPv6 as `[addr]:port`. */
  get peer(): string {
    return (this.peerText ??= this.label(4, this.peerPort));
  }

  get local(): string {
    return (this.localText ??= this.label(0, this.localPort));
  }

  private label(at: number, port: number): string {
    return endpointText(formatAddress(this.ipVersion, this.addrs, at), port);
  }
}

/**
 * A task's figures when its record is written, by name, from the local end's side (sent is
 * what the capture host sent). `kernelFields` lays them out in the kernel's order per type.
 */
export interface TaskFigures {
  /** The task's number in its connection; E: the last task's. */
  taskNo: number;
  /** R, W: response bytes sent; P: request bytes sent; E: the connection's bytes sent. */
  sentBytes: number;
  /** R, P: the task's start to its end (total_us); W, N: its start to the close (elapsed_us). */
  totalUs: number;
  minRttUs: number;
  /** Segments retransmitted during the task; E: during the connection. */
  retransSegs: number;
  /** R, W: the last request byte to the first response byte; P: the same, seen from the client. */
  serverUs: number;
  /** R, W: the first to the last request byte. */
  uploadUs: number;
  /** P: the first to the last response byte. */
  downloadUs: number;
  /** R, N: request bytes received; P: response bytes received; E: the connection's bytes received. */
  recvBytes: number;
  /** W, E: sequence space sent and not acknowledged (an unacknowledged FIN counts one). */
  unackedBytes: number;
  /** 1 if data arrived out of order during the task. */
  reorder: number;
  mss: number;
  /** V7 R: the smoothed RTT at the task's end, and the most segments in flight during the task. */
  srttUs: number;
  cwndSegs: number;
}

/** A record's numbers after the header, in the kernel's order (see the top of this file). */
export function kernelFields(type: RecordType, f: TaskFigures, v7: boolean): number[] {
  switch (type) {
    case 'R': {
      const fields = [f.sentBytes, f.totalUs, f.minRttUs, f.retransSegs, f.taskNo, f.serverUs, f.uploadUs, f.recvBytes, f.reorder, f.mss];
      if (v7) fields.push(f.srttUs, f.cwndSegs);
      return fields;
    }
    case 'P':
      return [f.sentBytes, f.totalUs, f.minRttUs, f.retransSegs, f.taskNo, f.serverUs, f.downloadUs, f.recvBytes, f.reorder, f.mss];
    case 'W':
      return [f.sentBytes, f.totalUs, f.minRttUs, f.retransSegs, f.taskNo, f.serverUs, f.uploadUs, f.unackedBytes, f.reorder, f.mss];
    case 'N':
      return [f.taskNo, f.totalUs, f.recvBytes, f.reorder, f.mss];
    case 'E':
      return [f.taskNo, f.sentBytes, f.unackedBytes, f.recvBytes, f.retransSegs, f.minRttUs];
  }
}

export interface TaskRecord {
  type: RecordType;
  /** 6, or 7 for R lines in http/https mode or with first-frame times. */
  version: 6 | 7;
  /** Extended-type letters of a V7 R line, in the order C H Z A F ('' for none): `R.AF`. */
  ext: string;
  /** Capture time (ns from the run's base) of the task's start; for E, of the last task's. */
  startNs: number;
  endpoints: TaskEndpoints;
  /**
   * No end of the connection is the capture host: read by its ports alone, as if captured at
   * the end whose port matched (set by the engine when the record comes out).
   */
  assumed?: boolean;
  /** The side whose port the connection matched, and that port (what stats are kept by). */
  side: PortSide;
  port: number;
  /** The task's figures by name (the fields of its type are the ones that mean something). */
  figures: TaskFigures;
  /** The numbers after the header, in the kernel's order: `kernelFields(type, figures, v7)`. */
  fields: number[];
  /**
   * R and P: from the task's start to the first response byte, µs (R: upload + server time,
   * the server's time to first byte; P: total − download, the client's). Not on the line.
   */
  firstByteUs?: number;
  /** R.H of TLS 1.3: ClientHello to the client's Finished, µs (trailing `H <us>`). */
  handshakeUs?: number;
  /**
   * R.F, one pair per threshold reached: [the response bytes the ACK that reached it
   * acknowledged (at least the threshold), µs from the task's start to that ACK].
   */
  firstFrame?: Array<[number, number]>;
}

/** The name of each field of `TaskRecord.fields`, per type (V7 R lines add the last two). */
export const FIELD_NAMES: Readonly<Record<RecordType, readonly string[]>> = {
  R: ['sent_bytes', 'total_us', 'minrtt_us', 'retrans_segs', 'task_no', 'server_us', 'upload_us', 'recv_bytes', 'reorder', 'mss', 'srtt_us', 'cwnd_segs'],
  P: ['sent_bytes', 'total_us', 'minrtt_us', 'retrans_segs', 'task_no', 'server_us', 'download_us', 'resp_bytes', 'reorder', 'mss'],
  W: ['sent_bytes', 'elapsed_us', 'minrtt_us', 'retrans_segs', 'task_no', 'server_us', 'upload_us', 'unacked_bytes', 'reorder', 'mss'],
  N: ['task_no', 'elapsed_us', 'recv_bytes', 'reorder', 'mss'],
  E: ['last_task_no', 'conn_sent_bytes', 'unacked_bytes', 'conn_recv_bytes', 'conn_retrans_segs', 'minrtt_us'],
};
