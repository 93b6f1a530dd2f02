/**
 * TCP-RT text, byte for byte as the kernel module writes it:
 *   rt-network-log    `V6 R <start_sec> <start_usec> <peer>:<port> <local>:<port> <fields>`,
 *                     every number followed by one space (so a line ends with a space);
 *                     V7 R lines may add `H <us> ` and `F <n> [<bytes> <us> ]...` (n counts
 *                     the numbers after it)
 *   rt-network-stats  `<epoch_sec> all <port|P<port>> <avg_total_us> <avg_server_us> <drop‰>
 *                     <avg_minrtt_us> <fail‰> <avg_sent_bytes> <avg_upload_us> <avg_recv_bytes>
 *                     <count>` (no trailing space)
 * and the `tcprt` section of --json and of --interval lines.
 */
import { averages, type PortStatsLine, type PortSummary } from '../engines/tcprt/port-stats.js';
import { SKETCH_RELATIVE_ACCURACY, type Distribution } from '../stats/distribution.js';
import { FIELD_NAMES, type TaskRecord } from '../engines/tcprt/records.js';
import type { TcprtSummary } from '../engines/tcprt/tcprt-engine.js';
import type { TcprtJson, TcprtPortJson, TcprtTimesJson } from '../schema/document.js';
import { isoText, type TimeBase } from '../time.js';

export function tcprtRecordLine(record: TaskRecord, base: TimeBase): string {
  const whole = Math.floor(record.startNs / 1e9);
  const usec = Math.floor((record.startNs - whole * 1e9) / 1000);
  const type = record.ext === '' ? record.type : `${record.type}.${record.ext}`;
  let line = `V${record.version} ${type} ${base.baseSec + whole} ${usec} ${record.endpoints.peer} ${record.endpoints.local} `;
  for (const value of record.fields) line += `${value} `;
  if (record.handshakeUs !== undefined) line += `H ${record.handshakeUs} `;
  if (record.firstFrame !== undefined) {
    // n counts the numbers that follow, two per pair: `F 6 7240 214 63698 311 98436 358`.
    line += `F ${2 * record.firstFrame.length} `;
    for (const [bytes, us] of record.firstFrame) line += `${bytes} ${us} `;
  }
  return `${line}\n`;
}

/** The start of a record as ISO 8601 UTC with its µs (what log shippers index by). */
function isoMicros(base: TimeBase, ns: number): string {
  const whole = Math.floor(ns / 1e9);
  const usec = Math.floor((ns - whole * 1e9) / 1000);
  // Not Date: a capture time past the year 275760 must print too (time.ts).
  return `${isoText(base.baseSec + whole, 0).slice(0, -5)}.${String(usec).padStart(6, '0')}Z`;
}

/**
 * A record as one JSON object with named fields (--tcprt-jsonl): its type and extended letters,
 * when it started (ISO 8601 and the kernel's sec/usec), both ends, the port and side it was
 * watched by, whether that side was assumed (mid-path), then the kernel's fields by name, the
 * H time and the F pairs.
 */
export function tcprtRecordJson(record: TaskRecord, base: TimeBase): Record<string, unknown> {
  const whole = Math.floor(record.startNs / 1e9);
  const json: Record<string, unknown> = {
    type: record.type,
    ext: record.ext,
    version: record.version,
    time: isoMicros(base, record.startNs),
    start_sec: base.baseSec + whole,
    start_usec: Math.floor((record.startNs - whole * 1e9) / 1000),
    peer: record.endpoints.peer,
    local: record.endpoints.local,
    side: record.side,
    port: record.port,
    assumed: record.assumed ?? false,
  };
  const names = FIELD_NAMES[record.type];
  record.fields.forEach((value, i) => {
    json[names[i]!] = value;
  });
  if (record.handshakeUs !== undefined) json.handshake_us = record.handshakeUs;
  if (record.firstFrame !== undefined) json.first_frame = record.firstFrame.map(([bytes, us]) => ({ acked_bytes: bytes, us }));
  return json;
}

/** Stats lines as JSON objects (--tcprt-jsonl), one per port, `type: "stats"`. */
export function tcprtStatsJson(epochSec: number, lines: readonly PortStatsLine[]): Array<Record<string, unknown>> {
  return lines.map((l) => ({
    type: 'stats',
    time: isoText(epochSec, 0),
    epoch_sec: epochSec,
    port: l.port,
    side: l.side,
    avg_total_us: l.avgTotalUs,
    avg_server_us: l.avgServerUs,
    drop_permille: l.dropPermille,
    avg_minrtt_us: l.avgMinRttUs,
    fail_permille: l.failPermille,
    avg_sent_bytes: l.avgSentBytes,
    avg_upload_us: l.avgUploadUs,
    avg_recv_bytes: l.avgRecvBytes,
    count: l.count,
  }));
}

function portLabel(line: PortStatsLine): string {
  return line.side === 'peer' ? `P${line.port}` : String(line.port);
}

export function tcprtStatsLines(epochSec: number, lines: readonly PortStatsLine[]): string {
  let text = '';
  for (const l of lines) {
    text +=
      `${epochSec} all ${portLabel(l)} ${l.avgTotalUs} ${l.avgServerUs} ${l.dropPermille} ${l.avgMinRttUs} ` +
      `${l.failPermille} ${l.avgSentBytes} ${l.avgUploadUs} ${l.avgRecvBytes} ${l.count}\n`;
  }
  return text;
}

function timesJson(d: Distribution): TcprtTimesJson {
  const state = d.toState();
  const q = (x: number): number | null => (d.count > 0 ? d.quantile(x) : null);
  return {
    min: d.count > 0 ? d.minUs : null,
    p50: q(0.5),
    p90: q(0.9),
    p99: q(0.99),
    max: d.count > 0 ? d.maxUs : null,
    sum: d.sumUs,
    sketch: { relative_accuracy: SKETCH_RELATIVE_ACCURACY, zero_count: state.sketch.zeroCount, min_key: state.sketch.minKey, counts: state.sketch.counts },
  };
}

/**
 * One port in --json and in --interval lines: the stats line's figures (the kernel's integer
 * averages), the server, total and first-byte times (percentiles from sketches), and the sums
 * that `merge` adds up (merge/tcprt-section.ts reads it back).
 */
export function tcprtPortJson(p: PortSummary): TcprtPortJson {
  const l = averages(p);
  const c = p.counters;
  return {
    port: l.port,
    side: l.side,
    tasks: l.tasks,
    count: l.count,
    avg_total_us: l.avgTotalUs,
    avg_server_us: l.avgServerUs,
    drop_permille: l.dropPermille,
    avg_minrtt_us: l.avgMinRttUs,
    fail_permille: l.failPermille,
    failures: l.failures,
    avg_sent_bytes: l.avgSentBytes,
    avg_upload_us: l.avgUploadUs,
    avg_recv_bytes: l.avgRecvBytes,
    server_us: timesJson(c.server),
    total_us: timesJson(c.total),
    first_byte_us: timesJson(c.firstByte),
    merge_state: {
      minrtt_us_sum: c.minRttUs,
      upload_us_sum: c.uploadUs,
      sent_bytes_sum: c.sentBytes,
      recv_bytes_sum: c.recvBytes,
      retrans_segs: c.retrans,
      packets: c.packets,
    },
  };
}

/** `tcprt` in --json: the whole run's figures per port, record counts, connections. */
export function tcprtJson(summary: TcprtSummary): TcprtJson {
  const c = summary.counters;
  return {
    ports: summary.ports.map(tcprtPortJson),
    records: { ...c.records },
    connections: {
      matched: c.connections,
      assumed: c.assumed,
      remote_only: c.remoteOnly,
      closed: c.closed,
      open_unreported: c.openUnreported,
      flushed: c.flushed,
    },
  };
}
