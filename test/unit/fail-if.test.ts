/** --fail-if: the expression parser (values, units, references, errors that point) and the checks. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkConditions } from '../../src/ci/check.js';
import { parseFailIf } from '../../src/ci/fail-if.js';
import { figuresOf } from '../../src/ci/figures.js';
import { errorText } from '../../src/cli/error-text.js';
import { RttscanError } from '../../src/errors.js';
import { Group } from '../../src/stats/collector.js';
import { RttStats } from '../../src/stats/rtt-stats.js';

function stats(rttsUs: number[], segments: [number, number] = [0, 0]): RttStats {
  const s = new RttStats();
  for (const r of rttsUs) s.add(Math.round(r * 1000));
  [s.dataSegments, s.retransmittedSegments] = segments;
  return s;
}

/**
 * The usage error a bad expression gives: its first line in the library's words and in the
 * CLI's (which names flags), and the caret line under the echo.
 */
function parseError(text: string): { message: string; cli: string; caret: string } {
  try {
    parseFailIf(text);
  } catch (err) {
    assert.ok(err instanceof RttscanError, String(err));
    assert.equal(err.code, 'usage');
    assert.equal(err.option, 'failIf');
    const [message, echo, caret] = err.message.split('\n');
    assert.equal(echo, `  ${text}`, 'the expression is echoed under the message');
    const [cli, cliEcho, cliCaret] = errorText(err).split('\n');
    assert.deepEqual([cliEcho, cliCaret], [echo, caret], 'the CLI echoes the same expression and caret');
    return { message: message!, cli: cli!, caret: caret!.slice(2) };
  }
  assert.fail(`'${text}' parsed`);
}

test('conditions: metrics, comparisons, units and what each is compared with', () => {
  const parsed = parseFailIf('p99>30ms, min < 1.5 ms,samples<100,retrans>=1%,max<=2s,mean>800us,jitter>500ns,srtt>3µs');
  assert.deepEqual(
    parsed.map((c) => [c.text, c.metric, c.op, c.threshold, c.reference]),
    [
      ['p99>30ms', 'p99', '>', 30000, 'absolute'],
      ['min<1.5ms', 'min', '<', 1500, 'absolute'],
      ['samples<100', 'samples', '<', 100, 'absolute'],
      ['retrans>=1%', 'retrans', '>=', 1, 'absolute'],
      ['max<=2s', 'max', '<=', 2e6, 'absolute'],
      ['mean>800us', 'mean', '>', 800, 'absolute'],
      ['jitter>500ns', 'jitter', '>', 0.5, 'absolute'],
      ['srtt>3µs', 'srtt', '>', 3, 'absolute'],
    ],
  );
  const relative = parseFailIf('p99>+10%,samples<-50%,p50>+2ms,samples<-100,retrans>+0.5pp,retrans>+20%,min<-1ms');
  assert.deepEqual(
    relative.map((c) => [c.metric, c.threshold, c.reference]),
    [
      ['p99', 10, 'change'],
      ['samples', -50, 'change'],
      ['p50', 2000, 'difference'],
      ['samples', -100, 'difference'],
      ['retrans', 0.5, 'difference'],
      ['retrans', 20, 'change'],
      ['min', -1000, 'difference'],
    ],
  );
});

test('a bad expression says what is wrong, at which column, with a caret under the token', () => {
  const cases: Array<[string, RegExp, string]> = [
    ['p95>20ms', /column 1: 'p95' is not a metric; did you mean p90 or p99\?/, '^^^'],
    ['latency>20ms', /column 1: 'latency' is not a metric \(metrics: samples, min, mean/, '^^^^^^^'],
    ['p99>2Oms', /column 6: unknown unit 'Oms' \(use ns, us, ms or s\)/, '     ^^^'],
    ['p99>30', /column 5: p99 is a time: give a unit \(ns, us, ms or s\), e.g\. 30ms/, '    ^^'],
    ['p99=30ms', /column 4: '=' is not a comparison: use <, <=, > or >=/, '   ^'],
    ['p99==30ms', /column 4: '==' is not a comparison/, '   ^^'],
    ['p99 30ms', /column 5: expected <, <=, > or >= after 'p99'/, '    ^'],
    ['p99>ms', /column 5: expected a number, found 'm'/, '    ^'],
    ['p99>', /column 5: expected a number after '>'/, '    ^'],
    ['p99>30ms,', /column 10: expected a metric \(samples/, '         ^'],
    ['p99>30ms;min<1ms', /column 9: unexpected ';min<1ms' after a condition \(separate conditions with commas\)/, '        ^^^^^^^^'],
    ['p99>30ms min<1ms', /column 10: unexpected 'min<1ms' after a condition/, '         ^^^^^^^'],
    ['p99>10%', /column 7: a percentage of p99 needs a sign: \+10% is a change from the baseline$/, '      ^'],
    ['samples>5ms', /column 10: samples is a count: no unit \('ms'\)/, '         ^^'],
    ['samples>1.5', /column 9: samples is a count: '1.5' is not a whole number/, '        ^^^'],
    ['retrans>1', /column 9: retrans is a percentage: write 1%/, '        ^'],
    ['retrans>2ms', /column 10: retrans is a percentage: write 2%/, '         ^^'],
    ['retrans>+1', /column 9: a difference in retrans is in percentage points: write \+1pp \(or \+1% for a change\)/, '        ^^'],
    [',p99>1ms', /column 1: expected a metric, found ','/, '^'],
    ['retrans>200%', /column 9: retrans is a share of the data segments: 200% is past 100%/, '        ^^^^'],
    ['retrans>=100.5%', /column 10: retrans is a share of the data segments: 100.5% is past 100%/, '         ^^^^^^'],
    ['retrans<+150pp', /column 9: retrans moves by at most 100 percentage points: \+150pp is past that/, '        ^^^^^^'],
  ];
  for (const [text, message, caret] of cases) {
    const e = parseError(text);
    assert.match(e.message, message, text);
    assert.ok(e.message.startsWith(`conditions '${text}', column `), e.message);
    assert.ok(!e.message.includes('--'), `the library names no flag: ${e.message}`);
    // The CLI's words: the flag, then the same reason (naming --baseline where the library says baseline).
    assert.equal(e.cli, `--fail-if ${e.message.slice('conditions '.length).replace('from the baseline', 'from the --baseline')}`);
    assert.equal(e.caret, caret, `caret for ${text}`);
  }
  assert.equal(parseError('p99>10%').cli, "--fail-if 'p99>10%', column 7: a percentage of p99 needs a sign: +10% is a change from the --baseline");
  const empty = (): unknown => parseFailIf('  ');
  assert.throws(empty, (err: RttscanError) => err.message === "conditions: empty; give conditions like 'p99>30ms,samples<100'");
  assert.throws(empty, (err: RttscanError) => errorText(err) === "--fail-if: empty; give conditions like 'p99>30ms,samples<100'");
});

test('conditions are checked on the summary; a violation names the figure', () => {
  const summary = stats([1000, 2000, 3000, 40000, 40000], [200, 3]);
  const run = { by: 'all' as const, summary, groups: [new Group('all', summary, undefined)] };
  const outcome = checkConditions(parseFailIf('p99>30ms,min<1ms,samples<10,retrans>1%,max<50ms,mean>1s'), run);
  // p99 is the sketch's estimate (within 1%), clamped to the exact max.
  const p99 = figuresOf(summary).p99!;
  assert.ok(Math.abs(p99 - 40000) <= 400, String(p99));
  assert.deepEqual(outcome.violations, [`p99>30ms: p99 is ${(p99 / 1000).toFixed(2)}ms`, 'samples<10: samples is 5', 'retrans>1%: retrans is 1.50%', 'max<50ms: max is 40.00ms']);
  assert.deepEqual(outcome.unchecked, []);
});

test('with --by every group is checked and named; figures that do not exist are reported unchecked', () => {
  const a = stats([5000, 6000]);
  const b = stats([50000]);
  const empty = stats([]);
  const summary = stats([5000, 6000, 50000]);
  const run = { by: 'raddr' as const, summary, groups: [new Group('10.0.0.1', a, undefined), new Group('10.0.0.2', b, undefined), new Group('10.0.0.3', empty, undefined)] };
  const outcome = checkConditions(parseFailIf('max>=10ms,retrans>0%'), run);
  assert.deepEqual(outcome.violations, ['max>=10ms: max is 50.00ms (group 10.0.0.2)']);
  assert.deepEqual(outcome.unchecked, [
    'retrans>0%: no data segments (group 10.0.0.1), not checked',
    'retrans>0%: no data segments (group 10.0.0.2), not checked',
    'max>=10ms: no samples (group 10.0.0.3), not checked',
    'retrans>0%: no data segments (group 10.0.0.3), not checked',
  ]);
});

test('changes from a baseline: in percent and in the metric unit, per group by key', () => {
  const base = { by: 'raddr' as const, summary: stats([10000, 20000]), groups: [new Group('h1', stats([10000]), undefined), new Group('h2', stats([20000]), undefined)] };
  const now = {
    by: 'raddr' as const,
    summary: stats([11500, 20000, 9000]),
    groups: [new Group('h1', stats([11500]), undefined), new Group('h2', stats([20000]), undefined), new Group('h3', stats([9000]), undefined)],
  };
  const outcome = checkConditions(parseFailIf('p99>+10%,max>+1ms,samples<-50%'), now, base);
  assert.deepEqual(outcome.violations, [
    "p99>+10%: p99 is 11.50ms, +15.0% from the baseline's 10.00ms (group h1)",
    "max>+1ms: max is 11.50ms, +1.50ms from the baseline's 10.00ms (group h1)",
  ]);
  assert.deepEqual(outcome.unchecked, [
    'p99>+10%: not in the baseline (group h3), not checked',
    'max>+1ms: not in the baseline (group h3), not checked',
    'samples<-50%: not in the baseline (group h3), not checked',
  ]);
  // From a baseline of 0, any rise is an infinite change; 0 to 0 is none.
  const zero = { by: 'all' as const, summary: stats([1000], [100, 0]), groups: [] };
  const some = { by: 'all' as const, summary: stats([1000], [100, 2]), groups: [] };
  assert.deepEqual(checkConditions(parseFailIf('retrans>+50%,retrans>+1pp'), some, zero).violations, [
    "retrans>+50%: retrans is 2.00%, +inf% from the baseline's 0.00%",
    "retrans>+1pp: retrans is 2.00%, +2.00pp from the baseline's 0.00%",
  ]);
  assert.deepEqual(checkConditions(parseFailIf('retrans>+0%'), zero, zero).violations, []);
});
