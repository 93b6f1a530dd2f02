/**
 * The service's parsers, without root: config files (rttscan's keys, go-metro's go-metro.yaml
 * as it is, errors that name the line), /proc/net/tcp lines and cgroup paths; and the built
 * CLI refusing what a config file gets wrong and taking flags over the file.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { DEFAULT_LOG_FILE, loadConfigFile } from '../../src/cli/config-file.js';
import { buildProgram } from '../../src/cli/options.js';
import { cgroupPath, containerId, podUid } from '../../src/process/cgroup.js';
import { parseProcNetTcp, procAddress } from '../../src/process/proc-net.js';
import { parseDurationNs } from '../../src/time.js';
import { runCliInProcess } from '../helpers/cli.js';
import { tempDir } from '../helpers/paths.js';

async function load(t: import('node:test').TestContext, text: string): Promise<Awaited<ReturnType<typeof loadConfigFile>>> {
  const path = join(await tempDir(t), 'c.yaml');
  writeFileSync(path, text);
  return loadConfigFile(path, buildProgram(), parseDurationNs);
}

async function loadError(t: import('node:test').TestContext, text: string): Promise<string> {
  try {
    await load(t, text);
  } catch (err) {
    return (err as Error).message.replace(/^.*c\.yaml:/, 'c.yaml:');
  }
  return 'no error';
}

test("rttscan.yaml: long option names as keys, lists for repeatable options, flags as booleans, the whitelist's keys", async (t) => {
  const c = await load(
    t,
    [
      'live: [eth0, lo]',
      'interval: 10s',
      'snaplen: 128',
      'histogram: true',
      'json: true',
      'csv: /tmp/x.csv',
      'tag: env:prod',
      'statsd-type: distribution',
      'hosts: [db.internal]',
      'ips: [10.0.0.5, 10.1.0.0/16]',
      'resolve-interval: 1m',
      '',
    ].join('\n'),
  );
  assert.equal(c.format, 'rttscan');
  assert.deepEqual(Object.fromEntries(c.values), {
    live: ['eth0', 'lo'],
    interval: '10s',
    snaplen: '128',
    histogram: true,
    json: true,
    csv: '/tmp/x.csv',
    tag: ['env:prod'],
    statsdType: 'distribution',
  });
  assert.deepEqual([c.hosts, c.ips, c.resolveIntervalNs], [['db.internal'], ['10.0.0.5', '10.1.0.0/16'], 60e9]);
});

test('rttscan.yaml: errors name the line and the key', async (t) => {
  assert.equal(await loadError(t, 'interval: 10s\nintervall: 1s\n'), "c.yaml: line 2: unknown key 'intervall' (did you mean interval?)");
  assert.equal(await loadError(t, 'histogram: yes please\n'), 'c.yaml: line 1: histogram: is a flag: true or false, not \'"yes please"\'');
  assert.equal(await loadError(t, 'interval: [1s, 2s]\n'), 'c.yaml: line 1: interval: takes one value, not a list');
  assert.equal(await loadError(t, 'by: host\n'), "c.yaml: line 1: by: 'host' is not one of all, laddr, raddr, lport, rport, flow, process");
  assert.equal(await loadError(t, 'config: other.yaml\n'), "c.yaml: line 1: unknown key 'config' (keys are the long option names of rttscan --help)");
  assert.match(await loadError(t, 'live: [eth0\n'), /^c\.yaml: line \d+: not valid YAML/);
  assert.equal(await loadError(t, '- eth0\n'), 'c.yaml: the file must be a mapping of option names to values (e.g. "interval: 10s")');
});

test("go-metro.yaml as go-metro's example has it: init_config and config instances, each key mapped", async (t) => {
  const c = await load(
    t,
    [
      'init_config:',
      '    snaplen: 512',
      '    idle_ttl: 300',
      '    exp_ttl: 60',
      '    statsd_ip: 127.0.0.1',
      '    statsd_port: 8125',
      '    log_to_file: true',
      '    log_level: warning',
      'config:',
      '- interface: eth0',
      '  tags:',
      '    - foo:bar',
      '  ips:',
      '    - 192.168.0.1',
      '  hosts:',
      '    - somehost.somedomain.to',
      '- interface: eth2',
      '  tags: [bla:zap]',
      '  hosts: [datadog.com]',
      '',
    ].join('\n'),
  );
  assert.equal(c.format, 'go-metro');
  assert.deepEqual(Object.fromEntries(c.values), {
    snaplen: '512',
    idleTtl: '300s',
    expTtl: '60s',
    logFile: DEFAULT_LOG_FILE,
    logLevel: 'warning',
    live: ['eth0', 'eth2'],
    statsd: '127.0.0.1:8125',
  });
  assert.deepEqual(Object.fromEntries(c.ifaceTags), { eth0: ['foo:bar'], eth2: ['bla:zap'] });
  assert.deepEqual([c.ips, c.hosts], [['192.168.0.1'], ['somehost.somedomain.to', 'datadog.com']]);
  // The Datadog agent's spelling: instances, and go-metro's code's expired_ttl.
  const agent = await load(t, 'init_config:\n  expired_ttl: 30\ninstances:\n  - interface: lo\n    ips: [127.0.0.2]\n    sample: true\n');
  assert.deepEqual(Object.fromEntries(agent.values), { expTtl: '30s', live: ['lo'] });
  assert.deepEqual(agent.ignored, ['instances.sample']);
  assert.equal(await loadError(t, 'init_config:\n  snaplen: big\n'), 'c.yaml: line 2: snaplen: \'"big"\' is not a number');
  assert.equal(await loadError(t, 'init_config: {}\nconfig:\n  - tags: [a]\n'), 'c.yaml: line 3: config: an instance without an interface');
  assert.equal(await loadError(t, 'init_config:\n  log_level: loud\n'), "c.yaml: line 2: log_level: 'loud' is not one of trace, debug, info, warning, error, critical");
});

test('the built CLI: a bad value from the file names the file and key; a flag overrides the file', async (t) => {
  const dir = await tempDir(t);
  const path = join(dir, 'rttscan.yaml');
  writeFileSync(path, 'interval: soon\ntable: true\n');
  const bad = await runCliInProcess(['samples/http-v4/server.pcap', '--config', path]);
  assert.equal(bad.status, 2);
  assert.equal(bad.stderr, `rttscan: ${path}: interval: 'soon' is not a duration (e.g. 10s, 500ms, 2m)\n`);
  // The file's table and a second stream on stdout: refused, naming the file that asked for the table.
  const clash = await runCliInProcess(['samples/http-v4/server.pcap', '--config', path, '--interval', '500ms', '--json', '-']);
  assert.equal(clash.status, 2);
  assert.match(clash.stderr, new RegExp(`^rttscan: ${path}: table and --json - both write to stdout`));
  const lines = join(dir, 'intervals.jsonl');
  const fixed = await runCliInProcess(['samples/http-v4/server.pcap', '--config', path, '--interval', '500ms', '--json', lines, '-q']);
  assert.equal(fixed.status, 0, fixed.stderr);
  assert.ok(readFileSync(lines, 'utf8').trim().split('\n').length > 1, 'one JSON line per 500 ms interval');
  assert.match(fixed.stdout, /p50/, "the file's table still reaches stdout");
  writeFileSync(path, 'hosts: [localhost]\n');
  const offline = await runCliInProcess(['samples/http-v4/server.pcap', '--config', path]);
  assert.equal(offline.stderr, `rttscan: ${path}: hosts and ips are a whitelist for live capture: add live (or --live IFACE)\n`);
  const byProcess = await runCliInProcess(['samples/http-v4/server.pcap', '--by', 'process']);
  assert.equal(byProcess.stderr, 'rttscan: --by process names the processes that own live connections (from /proc): add --live IFACE\n');
  const missing = await runCliInProcess(['samples/http-v4/server.pcap', '--config', join(dir, 'nope.yaml')]);
  assert.equal(missing.stderr, `rttscan: ${join(dir, 'nope.yaml')}: no such file\n`);
});

test('/proc/net/tcp lines: addresses in host byte order, ports in hex, state and inode', () => {
  const text = [
    '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode',
    '   0: 0100007F:9BC3 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 480868 1 0000000086d07e6d 100 0 0 10 0',
    '   1: 0100007F:E13C 0200007F:9BC3 01 00000000:00000000 00:00000000 00000000     0        0 480999 1 0000000086d07e6d 20 4 30 10 -1',
  ].join('\n');
  assert.deepEqual(parseProcNetTcp(text), [
    { local: '127.0.0.1', localPort: 39875, remote: '0.0.0.0', remotePort: 0, state: 0x0a, inode: 480868 },
    { local: '127.0.0.1', localPort: 57660, remote: '127.0.0.2', remotePort: 39875, state: 1, inode: 480999 },
  ]);
  assert.equal(procAddress('00000000000000000000000001000000'), '::1');
  assert.equal(procAddress('0000000000000000FFFF00000100007F'), '127.0.0.1', 'IPv4-mapped');
  assert.equal(procAddress('B80D0120000000000000000001000000'), '2001:db8::1');
});

test('cgroup paths: the v2 line, Docker/containerd/CRI-O container IDs, Kubernetes pod UIDs (both drivers)', () => {
  const id = 'a'.repeat(12) + '0123456789abcdef'.repeat(3) + 'b'.repeat(4);
  assert.equal(id.length, 64);
  assert.equal(cgroupPath('12:cpu:/x\n0::/system.slice/docker-' + id + '.scope\n'), `/system.slice/docker-${id}.scope`);
  assert.equal(cgroupPath('1:name=systemd:/init.scope\n'), '/init.scope');
  assert.equal(containerId(`/system.slice/docker-${id}.scope`), id);
  assert.equal(containerId(`/docker/${id}`), id);
  assert.equal(containerId(`/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod1234abcd_5678_90ab_cdef_1234567890ab.slice/cri-containerd-${id}.scope`), id);
  assert.equal(containerId('/user.slice/user-0.slice/session-1.scope'), undefined);
  assert.equal(podUid('/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod1234abcd_5678_90ab_cdef_1234567890ab.slice/x'), '1234abcd-5678-90ab-cdef-1234567890ab');
  assert.equal(podUid('/kubepods/besteffort/pod1234abcd-5678-90ab-cdef-1234567890ab/' + id), '1234abcd-5678-90ab-cdef-1234567890ab');
  assert.equal(podUid('/system.slice/sshd.service'), undefined);
});

test('--log-file: notes go to the file, timestamped and levelled, not to stderr; --log-level warning keeps only warnings and errors', async (t) => {
  const dir = await tempDir(t);
  const log = join(dir, 'rttscan.log');
  const run = await runCliInProcess(['samples/http-v4/server.pcap', '--log-file', log, '--table']);
  assert.equal(run.status, 0);
  assert.equal(run.stderr, '');
  const lines = readFileSync(log, 'utf8').trim().split('\n');
  assert.ok(lines.length >= 2);
  for (const line of lines) assert.match(line, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z (INFO|WARNING|ERROR) /);
  assert.ok(lines.some((l) => / INFO \d+ packets, \d+ TCP, /.test(l)));
  const quiet = await runCliInProcess(['samples/http-v4/server.pcap', '--log-level', 'warning', '--table']);
  assert.equal(quiet.stderr, '');
  const error = await runCliInProcess(['nope.pcap', '--log-file', log]);
  assert.equal(error.status, 2);
  assert.match(readFileSync(log, 'utf8'), /ERROR nope\.pcap: /);
});
