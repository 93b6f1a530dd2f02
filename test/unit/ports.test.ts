/**
 * One rule for ports and ranges (util/ports.ts), shared by the RTT filters, TCP-RT's flags and
 * tcprt.yaml: the kernel's `lo,hi` pairs and `lo-hi` both, and the same errors everywhere.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { tcprtConfigOf, type TcprtCliOptions } from '../../src/cli/tcprt.js';
import { firstFrameThresholds } from '../../src/engines/tcprt/config.js';
import { parseTcprtConfig } from '../../src/engines/tcprt/config-file.js';
import { RttscanError } from '../../src/errors.js';
import { parsePort, parsePortList, parsePortRanges } from '../../src/util/ports.js';

function usageOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof RttscanError && err.code === 'usage', String(err));
    return err.message;
  }
  assert.fail('no error');
}

test('ports: 0-65535, decimal digits only; lists comma-separated or repeated, each port once', () => {
  assert.equal(parsePort('0', '--lport'), 0);
  assert.equal(parsePort('65535', '--lport'), 65535);
  assert.deepEqual(parsePortList(['80,443', ' 8080 ', '80', ''], '--lports'), [80, 443, 8080]);
  for (const bad of ['65536', '-1', '8o', '0x50', '123456', '80.0', '']) {
    assert.equal(
      usageOf(() => parsePort(bad, '--rport')),
      `--rport: '${bad}' is not a port (0-65535)`,
    );
  }
});

test("ranges: the kernel's lo,hi pairs and lo-hi, in order, mixed", () => {
  assert.deepEqual(parsePortRanges(['8000,8099'], 'r'), [{ lo: 8000, hi: 8099 }]);
  assert.deepEqual(parsePortRanges(['8000-8099'], 'r'), [{ lo: 8000, hi: 8099 }]);
  assert.deepEqual(parsePortRanges(['1000,2000,3500,4000'], 'r'), [
    { lo: 1000, hi: 2000 },
    { lo: 3500, hi: 4000 },
  ]);
  assert.deepEqual(parsePortRanges(['1000-2000,3500,4000', '5000,5000'], 'r'), [
    { lo: 1000, hi: 2000 },
    { lo: 3500, hi: 4000 },
    { lo: 5000, hi: 5000 },
  ]);
  assert.equal(
    usageOf(() => parsePortRanges(['8000'], '--lports-range')),
    "--lports-range: '8000' has no upper end: a range is lo,hi (8000,8099) or lo-hi (8000-8099)",
  );
  assert.equal(
    usageOf(() => parsePortRanges(['8000,9000-9100'], '--lports-range')),
    "--lports-range: '8000' has no upper end: a range is lo,hi (8000,8099) or lo-hi (8000-8099)",
  );
  assert.equal(
    usageOf(() => parsePortRanges(['8099,8000'], '--pports-range')),
    "--pports-range: '8099,8000' runs from high to low",
  );
  assert.equal(
    usageOf(() => parsePortRanges(['8099-8000'], '--pports-range')),
    "--pports-range: '8099-8000' runs from high to low",
  );
  assert.equal(
    usageOf(() => parsePortRanges(['80-70000'], 'r')),
    "r: '70000' is not a port (0-65535)",
  );
  assert.equal(
    usageOf(() => parsePortRanges(['9000:9100'], 'r')),
    "r: '9000:9100' is not a range lo,hi (8000,8099) or lo-hi (8000-8099)",
  );
});

const cli = (o: Partial<TcprtCliOptions>): TcprtCliOptions => ({ tcprt: true, lports: [], pports: [], lportsRange: [], pportsRange: [], ...o });

test('property: the command line and tcprt.yaml read a range the same way, in both spellings', async () => {
  await fc.assert(
    fc.asyncProperty(fc.integer({ min: 0, max: 65535 }), fc.integer({ min: 0, max: 65535 }), fc.boolean(), async (a, b, dash) => {
      const [lo, hi] = a <= b ? [a, b] : [b, a];
      const text = dash ? `${lo}-${hi}` : `${lo},${hi}`;
      const fromFlag = (await tcprtConfigOf(cli({ lportsRange: [text] })))!.rules;
      const fromFile = parseTcprtConfig(`per-port:\n  - { port: "${text}" }\n`, 't.yaml').rules;
      assert.deepEqual(fromFlag, fromFile);
      assert.deepEqual(fromFlag, [{ side: 'local', lo, hi, range: true, mode: 'default', firstFrame: false }]);
    }),
    { numRuns: 200 },
  );
});

test("first-frame thresholds: the guide's 100,2000,20000,0 from the command line and the file alike", async () => {
  const flag = await tcprtConfigOf(cli({ lports: ['80'], firstFrame: '100,2000,20000,0' }));
  const file = parseTcprtConfig('global: { first_frame_bytes: [100, 2000, 20000, 0] }\n', 't.yaml');
  assert.deepEqual(flag!.firstFrameBytes, [100, 2000, 20000]);
  assert.deepEqual(file.firstFrameBytes, [100, 2000, 20000]);
  assert.deepEqual(firstFrameThresholds([20000, 100, 100], 'f'), [100, 20000]);
  assert.deepEqual(firstFrameThresholds([1, 2, 3, 4], 'f'), [1, 2, 3, 4]);
  assert.equal(
    usageOf(() => firstFrameThresholds([100, 0, 2000], 'f')),
    'f: 0 ends the list, but 2000 follows it',
  );
  assert.equal(
    usageOf(() => firstFrameThresholds([1, 2, 3, 4, 0], 'f')),
    'f: 5 thresholds given; at most 4 (a trailing 0 included)',
  );
  assert.equal(
    usageOf(() => firstFrameThresholds([0], 'f')),
    'f: no thresholds before the 0 that ends the list',
  );
  assert.equal(
    usageOf(() => parseTcprtConfig('global: { first_frame_bytes: [100, 0, 5] }\n', 't.yaml')),
    't.yaml: line 1: global.first_frame_bytes: 0 ends the list, but 5 follows it',
  );
});
