/**
 * TCP-RT text, byte for byte as the kernel module writes it:
 *   rt-network-log    `V6 R <start_sec> <start_usec> <peer>:<port> <local>:<port> <fields>`,
 *                     every number followed by one space (so a line ends with a space);
 *                     V7 R lines may add `H <us> ` and `F <n> [<bytes> <us> ]...`
 *   rt-network-stats  `<epoch_sec> all <port|P<port>> <avg_total_us> <avg_server_us> <drop‰>
 *                     <avg_minrtt_us> <fail‰> <avg_sent_bytes> <avg_upload_us> <avg_recv_bytes>
 *                     <count>` (no trailing space)
 * and the `tcprt` section of --json.
 */
import type { PortStatsLine } from '../engines/tcprt/port-stats.js';
import type { TaskRecord } from '../engines/tcprt/records.js';
import type { TcprtSummary } from '../engines/tcprt/tcprt-engine.js';
import type { TcprtJson } from '../schema/document.js';
import type { TimeBase } from '../time.js';

export function tcprtRecordLine(record: TaskRecord, base: TimeBase): string {
  const whole = Math.floor(record.startNs / 1e9);
  const usec = Math.floor((record.startNs - whole * 1e9) / 1000);
  const type = record.ext === '' ? record.type : `${record.type}.${record.ext}`;
  let line = `V${record.version} ${type} ${base.baseSec + whole} ${usec} ${record.endpoints.peer} ${record.endpoints.local} `;
  for (const value of record.fields) line += `${value} `;
  if (record.handshakeUs !== undefined) line += `H ${record.handshakeUs} `;
  if (record.firstFrame !== undefined) {
    line += `F ${record.firstFrame.length} `;
    for (const [bytes, us] of record.firstFrame) line += `${bytes} ${us} `;
  }
  return `${line}\n`;
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

/** `tcprt` in --json: the whole run's stats per port, record counts, connections. */
export function tcprtJson(summary: TcprtSummary): TcprtJson {
  const c = summary.counters;
  return {
    ports: summary.ports.map((l) => ({
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
    })),
    records: { ...c.records },
    connections: { matched: c.connections, closed: c.closed, open_unreported: c.openUnreported, flushed: c.flushed },
  };
}
