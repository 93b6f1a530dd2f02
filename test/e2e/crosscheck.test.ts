/**
 * rttscan against tshark (tcp.analysis.ack_rtt) and tcptrace (-r) on the real samples. Where
 * the numbers differ, the reason is known and asserted here:
 *   - retransmissions: tshark times an ACK from the original transmission even when it answers
 *     a retransmission (an RTO or a recovery inside the value); rttscan gives a `ts` sample from
 *     the transmission the TSecr names, so it is smaller than tshark's and never larger;
 *   - zero: on µs captures an ACK can carry the same timestamp as its segment; tshark shows no
 *     ack_rtt for 0, rttscan reports the 0 µs sample;
 *   - tcptrace applies Karn's rule and drops what rttscan recovers through timestamps, so per
 *     direction rttscan's non-`ts` samples are exactly tcptrace's, count and extremes.
 * CI installs both tools; on a machine without them these tests skip and say so.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { hasCommand, parseCsv, runCliInProcess, type CsvSample } from '../helpers/cli.js';
import { sampleCaptures } from '../helpers/paths.js';
import { tsharkTimedAcks } from '../helpers/tshark.js';

// The lab captures of samples/vantage/ (reordering, TSO, loss at several points) are judged
// sample by sample against their oracle in test/e2e/vantage.test.ts instead: there rttscan and
// the other tools differ, and the oracle says who is right.
const captures = sampleCaptures().filter((p) => !p.endsWith('.gz') && !p.includes('/samples/vantage/'));

/** rttscan's samples of each capture: one run serves its tshark, tcptrace and RTO tests here. */
const oursByPath = new Map<string, Promise<CsvSample[]>>();

function ours(path: string): Promise<CsvSample[]> {
  let samples = oursByPath.get(path);
  if (samples === undefined) oursByPath.set(path, (samples = analyzed(path)));
  return samples;
}

async function analyzed(path: string): Promise<CsvSample[]> {
  const run = await runCliInProcess([path, '--include-local', '--csv', '-', '-q']);
  assert.equal(run.status, 0, run.stderr);
  return parseCsv(run.stdout);
}

/** ACK time (to the µs, as tshark prints it for µs files) → RTT in µs. */
function tsharkSamples(path: string): Map<string, number> {
  return new Map(tsharkTimedAcks(path).map((f) => [key(f.epoch), Math.round(Number(f.ackRtt) * 1e9) / 1000]));
}

/** A capture time to microseconds: the key both tools agree on. */
function key(epoch: string): string {
  const [sec, frac = ''] = epoch.split('.');
  return `${sec}.${frac.padEnd(9, '0').slice(0, 6)}`;
}

for (const path of captures) {
  const name = path.slice(path.indexOf('samples/'));
  test(`tshark agrees with rttscan on ${name}, except where rttscan is right and tshark is not`, { skip: !hasCommand('tshark') && 'tshark is not installed' }, async () => {
    const theirs = tsharkSamples(path);
    const mine = await ours(path);
    const mineByAck = new Map(mine.map((s) => [key(s.ts), s]));
    for (const [ack, rtt] of theirs) {
      const s = mineByAck.get(ack);
      assert.ok(s, `${name}: tshark has a sample at ${ack} (${rtt} µs) that rttscan does not`);
      if (s.kind === 'ts') assert.ok(s.rttUs <= rtt + 1, `${name}: ts sample at ${ack} is ${s.rttUs} µs, tshark ${rtt} µs`);
      else assert.ok(Math.abs(s.rttUs - rtt) <= 1, `${name}: at ${ack} rttscan ${s.rttUs} µs, tshark ${rtt} µs`);
    }
    for (const s of mine) {
      if (!theirs.has(key(s.ts))) assert.equal(s.rttUs, 0, `${name}: rttscan-only sample at ${s.ts} (${s.rttUs} µs)`);
    }
  });
}

interface TcptraceDirection {
  samples: number;
  minMs: number;
  maxMs: number;
}

/** Per direction "src:port>dst:port": tcptrace's RTT sample count, min and max (0.1 ms). */
function tcptraceRtt(path: string): Map<string, TcptraceDirection> {
  const r = spawnSync('tcptrace', ['-r', '-l', '-n', path], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  assert.equal(r.status, 0, r.stderr);
  const out = new Map<string, TcptraceDirection>();
  const blocks = r.stdout.split(/^TCP connection \d+:/m).slice(1);
  for (const block of blocks) {
    const hosts = [...block.matchAll(/^\s+host \w+:\s+(\S+)$/gm)].map((m) => m[1]!);
    const two = (label: string): [number, number] => {
      const m = new RegExp(`^\\s+${label}:\\s+([\\d.]+)(?: ms)?\\s+${label}:\\s+([\\d.]+)`, 'm').exec(block);
      assert.ok(m, `tcptrace output lacks "${label}"`);
      return [Number(m[1]), Number(m[2])];
    };
    const [samplesAB, samplesBA] = two('RTT samples');
    const [minAB, minBA] = two('RTT min');
    const [maxAB, maxBA] = two('RTT max');
    const [a, b] = hosts as [string, string];
    out.set(`${a}>${b}`, { samples: samplesAB, minMs: minAB, maxMs: maxAB });
    out.set(`${b}>${a}`, { samples: samplesBA, minMs: minBA, maxMs: maxBA });
  }
  return out;
}

const ipv4Captures = captures.filter((p) => !p.includes('v6') && !p.includes('loopback'));
for (const path of ipv4Captures) {
  const name = path.slice(path.indexOf('samples/'));
  test(`tcptrace -r and rttscan agree per direction on ${name} (Karn's rule)`, { skip: !hasCommand('tcptrace') && 'tcptrace is not installed' }, async () => {
    const theirs = tcptraceRtt(path);
    const byDirection = new Map<string, number[]>();
    for (const s of await ours(path)) {
      if (s.kind === 'ts') continue;
      const dir = `${s.src}:${s.sport}>${s.dst}:${s.dport}`;
      byDirection.set(dir, [...(byDirection.get(dir) ?? []), s.rttUs]);
    }
    assert.ok(theirs.size > 0);
    for (const [dir, t] of theirs) {
      const rtts = byDirection.get(dir) ?? [];
      assert.equal(rtts.length, t.samples, `${name} ${dir}: sample count`);
      if (rtts.length === 0) continue;
      assert.ok(Math.abs(Math.min(...rtts) / 1000 - t.minMs) <= 0.051, `${name} ${dir}: min ${Math.min(...rtts)} µs vs ${t.minMs} ms`);
      assert.ok(Math.abs(Math.max(...rtts) / 1000 - t.maxMs) <= 0.051, `${name} ${dir}: max ${Math.max(...rtts)} µs vs ${t.maxMs} ms`);
    }
  });
}

test('on mixed-loss/client.pcap tshark reports an RTO-inflated 256 ms; rttscan times the retransmission', {
  skip: !hasCommand('tshark') && 'tshark is not installed',
}, async () => {
  const path = captures.find((p) => p.endsWith('mixed-loss/client.pcap'));
  assert.ok(path, 'samples/mixed-loss/client.pcap is missing');
  const theirs = tsharkSamples(path);
  const inflated = [...theirs].find(([, rtt]) => rtt > 200_000);
  assert.ok(inflated, 'tshark no longer reports the inflated sample');
  const mine = (await ours(path)).find((s) => key(s.ts) === inflated[0]);
  assert.equal(mine?.kind, 'ts');
  assert.ok(mine.rttUs > 20_000 && mine.rttUs < 25_000, `${mine.rttUs} µs`);
});
