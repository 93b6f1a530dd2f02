/**
 * The `tcprt` section of a --json document, read back and merged: per port (by side and
 * number) the counts and sums add up exactly, so the merged stats-line figures (the kernel's
 * integer averages, drop‰, fail‰) are what one run would print; the server, total and
 * first-byte sketches merge bin by bin, so their percentiles are one run's too. Record and
 * connection counts add up. Every field is checked, as in summary-document.ts.
 */
import type { PortSide } from '../engines/tcprt/config.js';
import { PortCounters, type PortSummary } from '../engines/tcprt/port-stats.js';
import type { RecordType } from '../engines/tcprt/records.js';
import { TcprtCounters, type TcprtSummary } from '../engines/tcprt/tcprt-engine.js';
import { Distribution, SKETCH_RELATIVE_ACCURACY } from '../stats/distribution.js';
import type { Fields } from './summary-document.js';

const RECORD_TYPES: readonly RecordType[] = ['R', 'P', 'W', 'N', 'E'];
const SIDES: readonly PortSide[] = ['local', 'peer'];

function distributionOf(f: Fields, count: number): Distribution {
  const sketch = f.object('sketch');
  const accuracy = sketch.number('relative_accuracy');
  if (accuracy !== SKETCH_RELATIVE_ACCURACY) sketch.fail('relative_accuracy', `${accuracy}, but this rttscan merges sketches of ${SKETCH_RELATIVE_ACCURACY} only`);
  const counts = sketch.counts('counts');
  const zeroCount = sketch.count('zero_count');
  const binned = counts.reduce((a, b) => a + b, 0) + zeroCount;
  if (binned !== count) f.fail('sketch', `holds ${binned} times, but the port counts ${count}`);
  return Distribution.fromState({
    count,
    sumUs: f.count('sum'),
    minUs: count > 0 ? f.number('min') : Infinity,
    maxUs: count > 0 ? f.number('max') : -Infinity,
    sketch: { zeroCount, minKey: sketch.number('min_key'), counts },
  });
}

function portOf(f: Fields): PortSummary {
  const port = f.count('port');
  if (port > 65535) f.fail('port', `${port} is not a port`);
  const c = new PortCounters();
  c.tasks = f.count('tasks');
  c.count = f.count('count');
  c.fail = f.count('failures');
  const state = f.object('merge_state', 'missing: this document was written by an rttscan without mergeable TCP-RT figures; run it again');
  c.minRttUs = state.count('minrtt_us_sum');
  c.uploadUs = state.count('upload_us_sum');
  c.sentBytes = state.count('sent_bytes_sum');
  c.recvBytes = state.count('recv_bytes_sum');
  c.retrans = state.count('retrans_segs');
  c.packets = state.count('packets');
  const server = distributionOf(f.object('server_us'), c.count);
  const total = distributionOf(f.object('total_us'), c.count);
  c.server.merge(server);
  c.total.merge(total);
  c.firstByte.merge(distributionOf(f.object('first_byte_us'), c.count));
  c.serverUs = server.sumUs;
  c.totalUs = total.sumUs;
  return { side: f.oneOf('side', SIDES), port, counters: c };
}

/** The `tcprt` section of a document. */
export function tcprtSectionOf(f: Fields): TcprtSummary {
  const counters = new TcprtCounters();
  const records = f.object('records');
  for (const type of RECORD_TYPES) counters.records[type] = records.count(type);
  const conns = f.object('connections');
  counters.connections = conns.count('matched');
  counters.assumed = conns.count('assumed');
  counters.remoteOnly = conns.count('remote_only');
  counters.closed = conns.count('closed');
  counters.openUnreported = conns.count('open_unreported');
  counters.flushed = conns.count('flushed');
  return { counters, ports: f.objects('ports').map(portOf) };
}

/** Several runs' sections as one: ports in the order first seen, counts and sketches merged. */
export function mergeTcprtSections(sections: readonly TcprtSummary[]): TcprtSummary {
  const counters = new TcprtCounters();
  const ports = new Map<string, PortSummary>();
  for (const section of sections) {
    counters.add(section.counters);
    for (const p of section.ports) {
      const key = `${p.side} ${p.port}`;
      let have = ports.get(key);
      if (have === undefined) ports.set(key, (have = { side: p.side, port: p.port, counters: new PortCounters() }));
      have.counters.add(p.counters);
    }
  }
  return { counters, ports: [...ports.values()] };
}
