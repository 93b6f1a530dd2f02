/**
 * TCP-RT configuration: the tcprt.yaml format (read with the yaml package), errors that name
 * the file, line and key, the port limits and matching order, and how command-line flags
 * combine with a file.
 */
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { tcprtConfigOf, type TcprtCliOptions } from '../../src/cli/tcprt.js';
import { checkRules, PortMatcher, type PortRule } from '../../src/engines/tcprt/config.js';
import { parseTcprtConfig } from '../../src/engines/tcprt/config-file.js';
import { RttscanError } from '../../src/errors.js';
import { tempDir } from '../helpers/paths.js';

const EXAMPLE = `# tcprt.yaml
global:   { peer: false, stats: enable, stats_interval: 60, first_frame_bytes: [100, 2000, 20000, 0] }
per-port:
  - { port: 443, mode: https, first_frame: enable }
  - { port: "56789,56800", mode: default, peer: true }   # a range lo,hi
init:     { log_buf_num: 8, log_buf_size: 262144, stats_buf_num: 8, stats_buf_size: 16384 }
`;

test('the tcprt.yaml example: global settings and per-port rules', () => {
  assert.deepEqual(parseTcprtConfig(EXAMPLE, 'tcprt.yaml'), {
    rules: [
      { side: 'local', lo: 443, hi: 443, range: false, mode: 'https', firstFrame: true },
      { side: 'peer', lo: 56789, hi: 56800, range: true, mode: 'default', firstFrame: false },
    ],
    stats: true,
    statsIntervalNs: 60e9,
    firstFrameBytes: [100, 2000, 20000],
  });
});

test('block style, true/false, global peer as the default side, an empty file', () => {
  const yaml = 'global:\n  peer: true\n  stats: false\nper-port:\n  - port: 3306\n  - port: 80\n    peer: false\n    mode: http\n';
  assert.deepEqual(parseTcprtConfig(yaml, 'f.yaml'), {
    rules: [
      { side: 'peer', lo: 3306, hi: 3306, range: false, mode: 'default', firstFrame: false },
      { side: 'local', lo: 80, hi: 80, range: false, mode: 'http', firstFrame: false },
    ],
    stats: false,
  });
  assert.deepEqual(parseTcprtConfig('', 'empty.yaml'), { rules: [] });
});

function message(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof RttscanError, String(err));
    assert.equal(err.code, 'usage');
    return err.message;
  }
  assert.fail('no error');
}

test('errors name the file, the line and what is wrong', () => {
  assert.equal(
    message(() => parseTcprtConfig('global:\n  stats: maybe\n', 't.yaml')),
    "t.yaml: line 2: global.stats: 'maybe' is not enable/disable (or true/false)",
  );
  assert.equal(
    message(() => parseTcprtConfig('per-port:\n  - { port: 80, mdoe: http }\n', 't.yaml')),
    "t.yaml: line 2: unknown key 'mdoe' in per-port[0] (expected port, mode, first_frame, peer)",
  );
  assert.equal(
    message(() => parseTcprtConfig('per-port:\n  - { port: 80, mode: http2 }\n', 't.yaml')),
    "t.yaml: line 2: per-port[0].mode: 'http2' is not default, http, https",
  );
  assert.equal(
    message(() => parseTcprtConfig('per-port:\n  - { port: "90,80" }\n', 't.yaml')),
    "t.yaml: line 2: per-port[0].port: '90,80' runs from high to low",
  );
  assert.equal(
    message(() => parseTcprtConfig('per-port:\n  - { port: 70000 }\n', 't.yaml')),
    "t.yaml: line 2: per-port[0].port: '70000' is not a port (0-65535)",
  );
  assert.equal(
    message(() => parseTcprtConfig('per-port:\n  - { mode: http }\n', 't.yaml')),
    't.yaml: line 2: per-port[0] has no port',
  );
  assert.equal(
    message(() => parseTcprtConfig('global: { stats_interval: 0 }\n', 't.yaml')),
    't.yaml: line 1: global.stats_interval must be at least 1 (seconds)',
  );
  assert.equal(
    message(() => parseTcprtConfig('global: { first_frame_bytes: [1, 2, 3, 4, 5] }\n', 't.yaml')),
    't.yaml: line 1: global.first_frame_bytes: 5 thresholds given; at most 4 (a trailing 0 included)',
  );
  assert.equal(
    message(() => parseTcprtConfig('lports: [80]\n', 't.yaml')),
    "t.yaml: line 1: unknown key 'lports' in the file (expected global, per-port, init)",
  );
  assert.match(
    message(() => parseTcprtConfig('global: { peer: true\n', 't.yaml')),
    /^t\.yaml: line \d+: /,
  );
  assert.match(
    message(() => parseTcprtConfig('global: {}\nglobal: {}\n', 't.yaml')),
    /^t\.yaml: line 2: .*unique/i,
  );
  assert.equal(
    message(() => parseTcprtConfig('- 1\n- 2\n', 't.yaml')),
    't.yaml: line 1: the file must be a mapping ({ key: value, ... })',
  );
});

const rule = (side: PortRule['side'], lo: number, hi = lo, range = lo !== hi): PortRule => ({ side, lo, hi, range, mode: 'default', firstFrame: false });

test("the kernel's limits: 6 ports and 3 ranges per side", () => {
  checkRules([1, 2, 3, 4, 5, 6].map((p) => rule('local', p)));
  assert.equal(
    message(() => checkRules([1, 2, 3, 4, 5, 6, 7].map((p) => rule('peer', p)))),
    'tcprt: 7 pports given; at most 6',
  );
  assert.equal(
    message(() => checkRules([1, 10, 20, 30].map((p) => rule('local', p, p + 5)))),
    'tcprt: 4 lports ranges given; at most 3',
  );
});

test('matching order: local ports, local ranges, peer ports, peer ranges; the likelier server end first', () => {
  const m = new PortMatcher([rule('peer', 80), rule('peer', 1000, 2000), rule('local', 70, 90), rule('local', 1500)]);
  assert.deepEqual(m.match(80, 1500), { rule: rule('local', 1500), firstIsLocal: false });
  assert.deepEqual(m.match(80, 40000), { rule: rule('local', 70, 90), firstIsLocal: true });
  assert.deepEqual(m.match(443, 1200), { rule: rule('peer', 1000, 2000), firstIsLocal: true });
  assert.equal(m.match(443, 40000), undefined);
  assert.equal(m.watched[1999], 1);
  assert.equal(m.watched[2001], 0);
});

const cli = (over: Partial<TcprtCliOptions>): TcprtCliOptions => ({ tcprt: true, lports: [], pports: [], lportsRange: [], pportsRange: [], ...over });

async function usageOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (err) {
    assert.ok(err instanceof RttscanError);
    return err.message;
  }
  assert.fail('no error');
}

test('flags: ports and ranges, mode, first-frame thresholds, stats interval', async () => {
  const config = await tcprtConfigOf(cli({ lports: ['80,443', '80'], pportsRange: ['3306-3307'], tcprtMode: 'http', firstFrame: '20000,100', statsInterval: '10s' }));
  assert.deepEqual(config, {
    rules: [
      { side: 'local', lo: 80, hi: 80, range: false, mode: 'http', firstFrame: true },
      { side: 'local', lo: 443, hi: 443, range: false, mode: 'http', firstFrame: true },
      { side: 'peer', lo: 3306, hi: 3307, range: true, mode: 'http', firstFrame: true },
    ],
    statsIntervalNs: 10e9,
    firstFrameBytes: [100, 20000],
    flush: false,
  });
  assert.equal((await tcprtConfigOf(cli({ lports: ['80'], statsInterval: '0' })))?.statsIntervalNs, 0);
});

test('flags over a file: flag ports come first, --tcprt-mode and --stats-interval override', async (t) => {
  const dir = await tempDir(t);
  const file = join(dir, 'tcprt.yaml');
  await writeFile(file, EXAMPLE);
  const config = await tcprtConfigOf(cli({ tcprtConfig: file, lports: ['443'], tcprtMode: 'default', statsInterval: '5s' }));
  assert.deepEqual(config?.rules, [
    { side: 'local', lo: 443, hi: 443, range: false, mode: 'default', firstFrame: false },
    { side: 'local', lo: 443, hi: 443, range: false, mode: 'default', firstFrame: true },
    { side: 'peer', lo: 56789, hi: 56800, range: true, mode: 'default', firstFrame: false },
  ]);
  assert.equal(config?.statsIntervalNs, 5e9);
  assert.deepEqual(config?.firstFrameBytes, [100, 2000, 20000]);
  const fileOnly = await tcprtConfigOf(cli({ tcprtConfig: file }));
  assert.equal(fileOnly?.rules[0]?.mode, 'https');
  assert.equal(fileOnly?.statsIntervalNs, 60e9);
});

test('flag errors', async () => {
  assert.equal(await usageOf(tcprtConfigOf(cli({}))), '--tcprt needs ports to watch: --lports, --pports, --lports-range, --pports-range, or per-port in --tcprt-config');
  assert.equal(await usageOf(tcprtConfigOf(cli({ tcprt: undefined, lports: ['80'] }))), '--lports needs --tcprt (records to stdout), --tcprt DIR or --tcprt-jsonl [FILE]');
  assert.equal(await usageOf(tcprtConfigOf(cli({ lports: ['http'] }))), "--lports: 'http' is not a port (0-65535)");
  assert.equal(await usageOf(tcprtConfigOf(cli({ lportsRange: ['9000:9100'] }))), "--lports-range: '9000:9100' is not a range lo,hi (8000,8099) or lo-hi (8000-8099)");
  assert.equal(await usageOf(tcprtConfigOf(cli({ pportsRange: ['9100-9000'] }))), "--pports-range: '9100-9000' runs from high to low");
  assert.equal(await usageOf(tcprtConfigOf(cli({ lports: ['80'], tcprtMode: 'grpc' }))), "--tcprt-mode: 'grpc' is not default, http, https");
  assert.equal(await usageOf(tcprtConfigOf(cli({ lports: ['80'], firstFrame: '1,2,3,4,5' }))), '--first-frame: 5 thresholds given; at most 4 (a trailing 0 included)');
  assert.equal(await usageOf(tcprtConfigOf(cli({ lports: ['80'], firstFrame: '0' }))), '--first-frame: no thresholds before the 0 that ends the list');
  assert.equal(await usageOf(tcprtConfigOf(cli({ lports: ['80'], statsInterval: 'soon' }))), "--stats-interval: 'soon' is not a duration (e.g. 60, 10s, 1m; 0 for no stats lines)");
  assert.equal(await usageOf(tcprtConfigOf(cli({ lports: ['1,2,3,4,5,6,7'] }))), 'tcprt: 7 lports given; at most 6');
  assert.match(await usageOf(tcprtConfigOf(cli({ tcprtConfig: '/nonexistent/tcprt.yaml' }))), /^\/nonexistent\/tcprt\.yaml: no such file$/);
});
