/** The flow table: both directions meet, expiry is exact where it shows, memory is reclaimed. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PacketView } from '../../src/decode/packet-view.js';
import { parseAddress } from '../../src/flow/address.js';
import { FlowTable, type ExpiryReason } from '../../src/flow/flow-table.js';

function view(src: string, sport: number, dst: string, dport: number): PacketView {
  const v = new PacketView();
  const s = parseAddress(src)!;
  v.ipVersion = s.version;
  v.src.set(s.words);
  v.dst.set(parseAddress(dst)!.words);
  v.srcPort = sport;
  v.dstPort = dport;
  return v;
}

const S = 1e9;

/** Each flow's state numbers it in order of creation, so tests can say which flow expired. */
interface Numbered {
  n: number;
}

function table(maxFlows = 100): { t: FlowTable<Numbered>; expired: Array<[number, ExpiryReason]> } {
  const expired: Array<[number, ExpiryReason]> = [];
  let created = 0;
  const t = new FlowTable<Numbered>({
    idleTtlNs: 300 * S,
    expTtlNs: 60 * S,
    maxFlows,
    createState: () => ({ n: created++ }),
    onExpire: (flow, reason) => expired.push([flow.state.n, reason]),
  });
  return { t, expired };
}

test('both directions of a connection find one flow, and lookup says which side sent', () => {
  const { t } = table();
  const a = t.lookup(view('10.0.0.1', 40000, '10.0.0.2', 80), 0);
  assert.equal(t.fromA, true);
  const b = t.lookup(view('10.0.0.2', 80, '10.0.0.1', 40000), 1);
  assert.equal(b, a);
  assert.equal(t.fromA, false);
  assert.notEqual(t.lookup(view('10.0.0.2', 80, '10.0.0.1', 40001), 2), a, 'another port is another flow');
  const v6 = t.lookup(view('fd00::1', 40000, 'fd00::2', 80), 3);
  assert.equal(t.lookup(view('fd00::2', 80, 'fd00::1', 40000), 4), v6);
  assert.equal(t.size, 3);
});

test('a flow past its TTL is expired when its next packet arrives, idle or closed', () => {
  const { t, expired } = table();
  const first = t.lookup(view('10.0.0.1', 1, '10.0.0.2', 2), 0);
  const again = t.lookup(view('10.0.0.1', 1, '10.0.0.2', 2), 301 * S);
  assert.notEqual(again, first);
  assert.deepEqual(expired, [[first.state.n, 'idle']]);
  t.markClosed(again);
  const reopened = t.lookup(view('10.0.0.2', 2, '10.0.0.1', 1), 362 * S);
  assert.notEqual(reopened, again);
  assert.deepEqual(expired.at(-1), [again.state.n, 'closed']);
  assert.equal(t.counters.expiredIdle, 1);
  assert.equal(t.counters.expiredClosed, 1);
});

test('the sweep frees idle flows within two TTLs, and keeps active ones', () => {
  const { t } = table();
  t.lookup(view('10.0.0.1', 1, '10.0.0.2', 2), 0);
  const busy = t.lookup(view('10.0.0.1', 3, '10.0.0.2', 4), 0);
  for (let s = 10; s <= 900; s += 10) {
    t.lookup(view('10.0.0.1', 3, '10.0.0.2', 4), s * S);
    t.expire(s * S);
  }
  assert.equal(t.size, 1, 'the idle flow was freed');
  assert.equal(t.lookup(view('10.0.0.2', 4, '10.0.0.1', 3), 901 * S), busy);
});

test('flush counts a flow whose TTL ran out as expired, others as ending with the input', () => {
  const { t, expired } = table();
  const old = t.lookup(view('10.0.0.1', 1, '10.0.0.2', 2), 0);
  const recent = t.lookup(view('10.0.0.1', 3, '10.0.0.2', 4), 350 * S);
  t.flush(400 * S);
  assert.deepEqual(expired, [
    [old.state.n, 'idle'],
    [recent.state.n, 'end'],
  ]);
  assert.equal(t.size, 0);
});

test('at --max-flows the least recently listed flow goes, closed ones first', () => {
  const { t, expired } = table(3);
  const f1 = t.lookup(view('10.0.0.1', 1, '10.0.0.2', 9), 1);
  const f2 = t.lookup(view('10.0.0.1', 2, '10.0.0.2', 9), 2);
  t.lookup(view('10.0.0.1', 3, '10.0.0.2', 9), 3);
  t.markClosed(f2);
  t.lookup(view('10.0.0.1', 4, '10.0.0.2', 9), 4);
  assert.deepEqual(expired, [[f2.state.n, 'evicted']]);
  t.lookup(view('10.0.0.1', 5, '10.0.0.2', 9), 5);
  assert.deepEqual(expired.at(-1), [f1.state.n, 'evicted']);
  assert.equal(t.counters.evicted, 2);
  assert.equal(t.counters.peakActive, 3);
});

test('a flow matches its own endpoints only, every IPv6 word and both directions compared', () => {
  const { t } = table();
  const a = '2001:db8::1:ffff:ffff';
  const b = 'fe80::8000:0:0:2';
  const flow = t.lookup(view(a, 443, b, 50000), 1);
  assert.equal(flow.matches(view(a, 443, b, 50000)), 1, 'from A');
  assert.equal(flow.matches(view(b, 50000, a, 443)), 2, 'from B');
  // Word 0 and the ports agree; a later word differs, in either address and either direction.
  for (const [src, dst] of [
    ['2001:db8::2:ffff:ffff', b],
    [a, 'fe80::8000:0:1:2'],
  ] as const) {
    assert.equal(flow.matches(view(src, 443, dst, 50000)), 0, `${src} → ${dst}`);
    assert.equal(flow.matches(view(dst, 50000, src, 443)), 0, `${dst} → ${src}`);
  }
  assert.deepEqual(
    flow.addrs.map((w) => w >>> 0),
    [...parseAddress(a)!.words, ...parseAddress(b)!.words],
  );

  const v4 = t.lookup(view('192.168.1.200', 1, '10.0.0.2', 2), 2);
  assert.deepEqual(
    v4.addrs.map((w) => w >>> 0),
    [...parseAddress('192.168.1.200')!.words, ...parseAddress('10.0.0.2')!.words],
  );
  assert.equal(v4.matches(view('10.0.0.2', 2, '192.168.1.200', 1)), 2);
  const sameWord0 = view('192.168.1.200', 1, '10.0.0.2', 2);
  sameWord0.ipVersion = 6;
  assert.equal(v4.matches(sameWord0), 0, 'an IPv6 packet with the same first words is another flow');
});
