/**
 * The `tcprt` section of a --json document, read back and merged: per port (by side and
 * number) the counts and sums add up exactly, so the merged stats-line figures (the kernel's
 * integer averages, drop‰, fail‰) are what one run would print; the server, total and
 * first-byte sketches merge bin by bin, so their percentiles are one run's too. Record and
 * connection counts add up. The schema checks every field's form; this, what must agree.
 */
import { PortCounters, type PortSummary } from '../engines/tcprt/port-stats.js';
import { TcprtCounters, type TcprtSummary } from '../engines/tcprt/tcprt-engine.js';
import { RttscanError } from '../errors.js';
import type { TcprtJson, TcprtPortJson, TcprtTimesJson } from '../schema/document.js';
import { MAX_SKETCH_KEY } from '../schema/summary-schema.js';
import { Distribution } from '../stats/distribution.js';

/** `name: path: what` as an input error, as in summary-document.ts. */
type Fail = (path: string, what: string) => never;

/** A distribution read back; the schema has checked the form, this checks what must agree. */
function distributionOf(t: TcprtTimesJson, count: number, path: string, fail: Fail): Distribution {
  const { sketch } = t;
  const binned = sketch.counts.reduce((a, b) => a + b, 0) + sketch.zero_count;
  if (binned !== count) fail(`${path}.sketch`, `holds ${binned} times, but the port counts ${count}`);
  const lastKey = sketch.min_key + sketch.counts.length - 1;
  if (sketch.counts.length > 0 && lastKey > MAX_SKETCH_KEY) fail(`${path}.sketch.counts`, `bins from key ${sketch.min_key} to ${lastKey}, past the largest key ${MAX_SKETCH_KEY}`);
  if (count > 0 && (t.min === null || t.max === null)) fail(`${path}.${t.min === null ? 'min' : 'max'}`, `null, but the port counts ${count}`);
  return Distribution.fromState({
    count,
    sumUs: t.sum,
    minUs: count > 0 ? t.min! : Infinity,
    maxUs: count > 0 ? t.max! : -Infinity,
    sketch: { zeroCount: sketch.zero_count, minKey: sketch.min_key, counts: sketch.counts },
  });
}

function portOf(p: TcprtPortJson, path: string, fail: Fail): PortSummary {
  const c = new PortCounters();
  c.tasks = p.tasks;
  c.count = p.count;
  c.fail = p.failures;
  const state = p.merge_state;
  c.minRttUs = state.minrtt_us_sum;
  c.uploadUs = state.upload_us_sum;
  c.sentBytes = state.sent_bytes_sum;
  c.recvBytes = state.recv_bytes_sum;
  c.retrans = state.retrans_segs;
  c.packets = state.packets;
  const server = distributionOf(p.server_us, c.count, `${path}.server_us`, fail);
  const total = distributionOf(p.total_us, c.count, `${path}.total_us`, fail);
  c.server.merge(server);
  c.total.merge(total);
  c.firstByte.merge(distributionOf(p.first_byte_us, c.count, `${path}.first_byte_us`, fail));
  c.serverUs = server.sumUs;
  c.totalUs = total.sumUs;
  return { side: p.side, port: p.port, counters: c };
}

/**
 * The `tcprt` section of a document (already checked against the schema); `name` is the
 * document's, for messages.
 */
export function tcprtSectionOf(name: string, t: TcprtJson): TcprtSummary {
  const fail: Fail = (path, what) => {
    throw new RttscanError('input', `${name}: ${path}: ${what}`);
  };
  const counters = new TcprtCounters();
  for (const type of ['R', 'P', 'W', 'N', 'E'] as const) counters.records[type] = t.records[type];
  const conns = t.connections;
  counters.connections = conns.matched;
  counters.assumed = conns.assumed;
  counters.remoteOnly = conns.remote_only;
  counters.closed = conns.closed;
  counters.openUnreported = conns.open_unreported;
  counters.flushed = conns.flushed;
  return { counters, ports: t.ports.map((p, i) => portOf(p, `tcprt.ports[${i}]`, fail)) };
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
