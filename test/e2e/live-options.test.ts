/**
 * Live mode's option checks and small parsers, none of which needs root: misplaced or malformed
 * live options are usage errors (exit 2, one line naming the option), tcpdump's closing counters
 * are read right, and the binding's link-type names map to pcap link types.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sessionLinktype } from '../../src/capture/libpcap.js';
import { parseTcpdumpStats } from '../../src/capture/live-capture.js';
import { renderInterfaces } from '../../src/cli/live.js';
import { hasCommand, runCliInProcess } from '../helpers/cli.js';

const USAGE_ERRORS: Array<[string[], string]> = [
  [['--duration', '10s', 'x.pcap'], '--duration is for live capture: add --live IFACE'],
  [['--statsd', '127.0.0.1:8125', 'x.pcap'], '--statsd is for live capture: add --live IFACE'],
  [['--promisc', 'x.pcap'], '--promisc is for live capture: add --live IFACE'],
  [['--live', 'lo', 'x.pcap'], "--live lo captures from an interface: do not name capture files too ('x.pcap')"],
  [['--live', 'lo', '--snaplen', '10'], "--snaplen: '10' is not a whole number of bytes from 68 to 262144"],
  [['--live', 'lo', '--snaplen', '1e3'], "--snaplen: '1e3' is not a whole number of bytes from 68 to 262144"],
  [['--live', 'lo', '--duration', 'soon'], "--duration: 'soon' is not a duration (e.g. 10s, 500ms, 2m)"],
  [['--live', 'lo', '--filter', ' '], "--filter: empty; leave it out to capture 'tcp'"],
  [['--live', 'lo', '--statsd', 'localhost'], "--statsd: 'localhost' is not HOST:PORT (e.g. 127.0.0.1:8125)"],
  [['--live', 'lo', '--statsd', 'localhost:8125', '--tag', 'a b'], "--tag: 'a b' is not a DogStatsD tag (key:value, without spaces, commas, '|' or '#')"],
  [['--live', 'lo', '--tag', 'env:prod'], '--tag tags the --statsd gauges: add --statsd HOST:PORT'],
  [['--live', 'lo', '--statsd-type', 'distribution'], '--statsd-type is the type of the --statsd metrics: add --statsd HOST:PORT'],
  [['--prometheus', '127.0.0.1:9464', 'x.pcap'], '--prometheus is for live capture: add --live IFACE'],
  [['--live', 'lo', '--prometheus', 'nope'], "--prometheus: 'nope' is not HOST:PORT (e.g. 127.0.0.1:9464)"],
  [['--live', 'lo', '--prometheus', ':9464', '--prometheus-cap', '0'], "--prometheus-cap: '0' is not a positive whole number"],
  [['--live', 'lo', '--prometheus-cap', '5'], '--prometheus-cap caps the --prometheus labels: add --prometheus HOST:PORT'],
  [['--live', 'lo,', '--duration', '1s'], '--live: name an interface (rttscan --list-interfaces shows them)'],
];

for (const [args, message] of USAGE_ERRORS) {
  test(`usage: rttscan ${args.join(' ')}`, async () => {
    const run = await runCliInProcess(args);
    assert.equal(run.status, 2);
    assert.equal(run.stderr, `rttscan: ${message}\n`);
    assert.equal(run.stdout, '');
  });
}

test('usage: --backend takes libpcap or tcpdump only', async () => {
  const run = await runCliInProcess(['--live', 'lo', '--backend', 'pf_ring']);
  assert.equal(run.status, 2);
  assert.match(run.stderr, /--backend <name>' argument 'pf_ring' is invalid. Allowed choices are libpcap, tcpdump/);
});

test('parseTcpdumpStats: the counters tcpdump prints when it stops', () => {
  const stderr =
    'tcpdump: listening on lo, link-type EN10MB (Ethernet), snapshot length 256 bytes\n12 packets captured\n24 packets received by filter\n3 packets dropped by kernel\n';
  assert.deepEqual(parseTcpdumpStats(stderr), { received: 24, dropped: 3, interfaceDropped: undefined });
  assert.deepEqual(parseTcpdumpStats(`${stderr}1 packet dropped by interface\n`), { received: 24, dropped: 3, interfaceDropped: 1 });
  assert.equal(parseTcpdumpStats('tcpdump: listening on lo\n'), undefined);
});

test("sessionLinktype: the binding's names and DLT numbers to pcap link types", () => {
  assert.equal(sessionLinktype('LINKTYPE_ETHERNET'), 1);
  assert.equal(sessionLinktype('LINKTYPE_LINUX_SLL'), 113);
  assert.equal(sessionLinktype('LINKTYPE_RAW'), 101);
  assert.equal(sessionLinktype('Unknown linktype 276'), 276); // SLL2, what `any` gives
  assert.equal(sessionLinktype('Unknown linktype 12'), 101); // DLT_RAW on Linux
  assert.equal(sessionLinktype('something else'), undefined);
});

test('renderInterfaces: names aligned, then addresses and the description', () => {
  assert.equal(
    renderInterfaces([
      { name: 'eth0', description: undefined, addresses: ['192.0.2.2', 'fd00::2'] },
      { name: 'any', description: 'Pseudo-device that captures on all interfaces', addresses: [] },
      { name: 'ifb0', description: undefined, addresses: [] },
    ]),
    'eth0  192.0.2.2, fd00::2\nany   (Pseudo-device that captures on all interfaces)\nifb0\n',
  );
});

test('--list-interfaces lists loopback with its address', async (t) => {
  const run = await runCliInProcess(['--list-interfaces']);
  if (run.status === 2 && /needs libpcap/.test(run.stderr) && !process.env.CI) {
    t.skip('neither the libpcap binding nor tcpdump is installed');
    return;
  }
  assert.equal(run.status, 0, run.stderr);
  assert.match(run.stdout, /^lo +127\.0\.0\.1/m);
  if (hasCommand('tcpdump')) {
    const viaTcpdump = await runCliInProcess(['--list-interfaces', '--backend', 'tcpdump']);
    assert.equal(viaTcpdump.status, 0, viaTcpdump.stderr);
    assert.match(viaTcpdump.stdout, /^lo +127\.0\.0\.1/m);
  }
});
