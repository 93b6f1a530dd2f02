/**
 * TCP-RT records as data: what the engine emits and the renderer (render/tcprt.ts) prints.
 * Field arrays are in the kernel's order (shared/reference/tcprt.md):
 *   R  sent_bytes total_us minrtt_us retrans_segs task_no server_us upload_us recv_bytes reorder mss
 *      (V7 adds srtt_us cwnd_segs)
 *   P  sent_bytes total_us minrtt_us retrans_segs task_no server_us download_us resp_bytes reorder mss
 *   W  sent_bytes elapsed_us minrtt_us retrans_segs task_no server_us upload_us unacked_bytes reorder mss
 *   N  task_no elapsed_us recv_bytes reorder mss
 *   E  last_task_no conn_sent_bytes unacked_bytes conn_recv_bytes conn_retrans_segs minrtt_us
 */
import { formatAddress } from '../../flow/address.js';
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
    const addr = formatAddress(this.ipVersion, this.addrs, at);
    return this.ipVersion === 6 ? `[${addr}]:${port}` : `${addr}:${port}`;
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
  /** The numbers after the header, in the kernel's order (see above). */
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

/** Index of each field in `TaskRecord.fields`, for the builders of stats. */
export const R_SENT = 0;
export const R_TOTAL = 1;
export const R_MINRTT = 2;
export const R_RETRANS = 3;
export const R_SERVER = 5;
export const R_UPLOAD = 6;
export const R_RECV = 7;
export const R_MSS = 9;
