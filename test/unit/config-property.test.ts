/**
 * A property over option sets: any set of options means the same in a --config file as on the
 * command line (the built CLI's stdout is byte for byte the same), and a flag given on the
 * command line wins over the file's value for that option.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import fc from 'fast-check';
import { runCli } from '../helpers/cli.js';
import { SAMPLES_DIR, tempDir } from '../helpers/paths.js';

/** An option as a flag (argv words) and as a config-file line. */
interface Opt {
  argv: string[];
  yaml: string;
  name: string;
}

const flag = (name: string): Opt => ({ argv: [`--${name}`], yaml: `${name}: true`, name });
const valued = (name: string, value: string): Opt => ({ argv: [`--${name}`, value], yaml: `${name}: "${value}"`, name });

const option: fc.Arbitrary<Opt> = fc.oneof(
  fc.constantFrom(...['all', 'laddr', 'raddr', 'flow', 'rport'].map((v) => valued('by', v))),
  fc.constantFrom(flag('histogram'), flag('ms'), flag('table'), flag('samples'), flag('include-local'), flag('chart')),
  fc.constantFrom(valued('json', '-'), valued('csv', '-')),
  fc.constantFrom(valued('interval', '300ms'), valued('interval', '1s')),
  fc.constantFrom(valued('raddr', '10.99.0.0/24'), valued('lport', '8080'), valued('idle-ttl', '1s'), valued('max-flows', '3')),
);

/** Options with distinct names (each once), as a person would write them. */
const optionSet = fc.uniqueArray(option, { selector: (o) => o.name, maxLength: 5 });

test('property: options in a --config file give the same output as the same flags; a flag overrides the file', async (t) => {
  const dir = await tempDir(t);
  const capture = join(SAMPLES_DIR, 'mixed-loss', 'server.pcap');
  let run = 0;
  await fc.assert(
    fc.asyncProperty(optionSet, fc.constantFrom('200ms', '2s'), async (opts, other) => {
      const path = join(dir, `c${run++}.yaml`);
      writeFileSync(path, opts.map((o) => o.yaml).join('\n') + '\n');
      const flags = runCli([capture, ...opts.flatMap((o) => o.argv), '-q']);
      const fromFile = runCli([capture, '--config', path, '-q']);
      assert.equal(fromFile.status, flags.status, fromFile.stderr);
      assert.equal(fromFile.stdout, flags.stdout);
      // The file says one interval, the command line another: the command line's.
      const withInterval = opts.some((o) => o.name === 'interval');
      if (withInterval) {
        const overridden = runCli([capture, '--config', path, '--interval', other, '-q']);
        const expected = runCli([capture, ...opts.filter((o) => o.name !== 'interval').flatMap((o) => o.argv), '--interval', other, '-q']);
        assert.equal(overridden.stdout, expected.stdout);
      }
    }),
    { numRuns: 20, seed: 13 },
  );
});
