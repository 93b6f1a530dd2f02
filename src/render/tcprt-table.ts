/**
 * The TCP-RT table under the RTT table (--table), apart from render/tcprt.ts so that the
 * `tcprt` section of --json does not load cli-table3.
 */
import type CliTable3 from 'cli-table3';
import { requireCjs } from '../util/cjs.js';
import type { PortSummary } from '../engines/tcprt/port-stats.js';
import { formatUs } from './units.js';

const Table = requireCjs('cli-table3') as typeof CliTable3;

const TABLE_HEAD = ['tcp-rt port', 'tasks', 'server p50', 'server p99', 'total p50', 'total p99', 'first byte p50', 'first byte p99', 'failures'];

/**
 * The table under the RTT table (--table): per TCP-RT port, the tasks timed, server, total
 * and first-byte times (p50, p99 from the sketches), and failures (W records).
 */
export function renderTcprtTable(ports: readonly PortSummary[]): string {
  const table = new Table({ head: TABLE_HEAD, style: { head: [], border: [] } });
  for (const p of ports) {
    const c = p.counters;
    table.push([
      p.side === 'peer' ? `P${p.port}` : String(p.port),
      String(c.count),
      formatUs(c.server.quantile(0.5)),
      formatUs(c.server.quantile(0.99)),
      formatUs(c.total.quantile(0.5)),
      formatUs(c.total.quantile(0.99)),
      formatUs(c.firstByte.quantile(0.5)),
      formatUs(c.firstByte.quantile(0.99)),
      String(c.fail),
    ]);
  }
  return table.toString() + '\n';
}
