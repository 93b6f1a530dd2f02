/**
 * `--fail-if` conditions: `METRIC OP VALUE[UNIT]`, comma-separated, e.g. `p99>30ms,samples<100`.
 *
 *   metric  samples min mean p50 p90 p99 max stddev jitter srtt retrans
 *   op      <  <=  >  >=
 *   value   30ms, 1.5s, 800us (times need a unit: ns us µs ms s) · 100 (samples) · 1% (retrans)
 *           +10% / -10%   the change from the --baseline, in percent
 *           +2ms / -50    the difference from the --baseline, in the metric's own unit
 *           +0.5pp        retrans only: the difference in percentage points
 *
 * A bad expression is a usage error whose message says what is wrong, gives the column, and
 * draws a caret under the offending token.
 */
import { usageError, type Wording } from '../errors.js';
import { METRICS, metricKind, type Metric } from './figures.js';

export type Comparison = '<' | '<=' | '>' | '>=';

/**
 * How the value is compared: the figure itself, its difference from the baseline (in the
 * metric's unit), or its change from the baseline in percent.
 */
export type Reference = 'absolute' | 'difference' | 'change';

export interface FailCondition {
  /** The expression as written, for messages. */
  text: string;
  metric: Metric;
  op: Comparison;
  /** µs for times, a count for samples, percent (or points) for retrans and changes. */
  threshold: number;
  reference: Reference;
}

const TIME_UNITS_US: Record<string, number> = { ns: 0.001, us: 1, µs: 1, ms: 1000, s: 1e6 };

export function compare(value: number, op: Comparison, threshold: number): boolean {
  switch (op) {
    case '<':
      return value < threshold;
    case '<=':
      return value <= threshold;
    case '>':
      return value > threshold;
    case '>=':
      return value >= threshold;
  }
}

/** Levenshtein distance, for "did you mean": metric names are short. */
function distance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row.push(Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1)));
    }
    prev = row;
  }
  return prev[b.length]!;
}

class Parser {
  private at = 0;
  constructor(private readonly text: string) {}

  /** A usage error pointing at text[from, to). */
  private fail(from: number, to: number, what: string | Wording): never {
    const width = Math.max(1, to - from);
    const pointer = `  ${this.text}\n  ${' '.repeat(from)}${'^'.repeat(width)}`;
    throw usageError((name) => `${name('failIf')} '${this.text}', column ${from + 1}: ${typeof what === 'string' ? what : what(name)}\n${pointer}`, 'failIf');
  }

  private skipSpaces(): void {
    while (this.text[this.at] === ' ') this.at++;
  }

  private match(re: RegExp): string {
    re.lastIndex = this.at;
    const m = re.exec(this.text);
    if (!m) return '';
    this.at += m[0].length;
    return m[0];
  }

  parseAll(): FailCondition[] {
    const conditions: FailCondition[] = [];
    for (;;) {
      conditions.push(this.parseOne());
      this.skipSpaces();
      if (this.at >= this.text.length) return conditions;
      if (this.text[this.at] !== ',') {
        const token = /^\S+/.exec(this.text.slice(this.at))![0];
        this.fail(this.at, this.at + token.length, `unexpected '${token}' after a condition (separate conditions with commas)`);
      }
      this.at++;
    }
  }

  private parseOne(): FailCondition {
    this.skipSpaces();
    const start = this.at;
    const name = this.match(/[A-Za-z_][A-Za-z0-9_]*/y);
    if (name === '') {
      const found = this.text[this.at];
      this.fail(this.at, this.at + 1, found === undefined ? `expected a metric (${METRICS.join(', ')})` : `expected a metric, found '${found}'`);
    }
    if (!(METRICS as readonly string[]).includes(name)) {
      const best = Math.min(...METRICS.map((m) => distance(m, name.toLowerCase())));
      const close = best <= 2 ? METRICS.filter((m) => distance(m, name.toLowerCase()) === best) : [];
      const hint = close.length > 0 ? `; did you mean ${close.join(' or ')}?` : ` (metrics: ${METRICS.join(', ')})`;
      this.fail(start, this.at, `'${name}' is not a metric${hint}`);
    }
    const metric = name as Metric;
    this.skipSpaces();
    const opAt = this.at;
    const op = this.match(/<=|>=|<|>/y);
    if (op === '') {
      const bad = this.match(/[=!]=?|=>|=</y);
      if (bad !== '') this.fail(opAt, this.at, `'${bad}' is not a comparison: use <, <=, > or >=`);
      this.fail(opAt, opAt + 1, `expected <, <=, > or >= after '${metric}'`);
    }
    this.skipSpaces();
    const valueAt = this.at;
    const sign = this.match(/[+-]/y);
    const digits = this.match(/\d+(?:\.\d+)?/y);
    if (digits === '') {
      const found = this.text[this.at];
      this.fail(this.at, this.at + 1, found === undefined ? `expected a number after '${op}'` : `expected a number, found '${found}'`);
    }
    this.match(/ *(?=[A-Za-zµ%])/y); // '20 ms' reads as '20ms'
    const unitAt = this.at;
    const unit = this.match(/[A-Za-zµ%]+/y);
    const condition = this.value(metric, sign, Number(digits), unit, unitAt, valueAt);
    return { text: this.text.slice(start, this.at).replace(/\s+/g, ''), metric, op: op as Comparison, ...condition };
  }

  /** The threshold and what it is compared with, from the value's sign and unit. */
  private value(metric: Metric, sign: string, number: number, unit: string, unitAt: number, valueAt: number): Pick<FailCondition, 'threshold' | 'reference'> {
    const signed = sign === '-' ? -number : number;
    const unitEnd = unitAt + unit.length;
    if (unit === '%' && sign !== '') return { threshold: signed, reference: 'change' };
    const reference: Reference = sign === '' ? 'absolute' : 'difference';
    switch (metricKind(metric)) {
      case 'time': {
        if (unit === '') this.fail(valueAt, unitAt, `${metric} is a time: give a unit (ns, us, ms or s), e.g. ${sign}${number}ms`);
        if (unit === '%') this.fail(unitAt, unitEnd, (name) => `a percentage of ${metric} needs a sign: +${number}% is a change from the ${name('baseline')}`);
        const scale = TIME_UNITS_US[unit];
        if (scale === undefined) this.fail(unitAt, unitEnd, `unknown unit '${unit}' (use ns, us, ms or s)`);
        return { threshold: signed * scale, reference };
      }
      case 'count':
        if (unit === '%') this.fail(unitAt, unitEnd, (name) => `a percentage of samples needs a sign: +${number}% is a change from the ${name('baseline')}`);
        if (unit !== '') this.fail(unitAt, unitEnd, `samples is a count: no unit ('${unit}')`);
        if (!Number.isInteger(number)) this.fail(valueAt, unitAt, `samples is a count: '${number}' is not a whole number`);
        return { threshold: signed, reference };
      case 'percent':
        if (sign === '' && unit !== '%') this.fail(unit === '' ? valueAt : unitAt, unit === '' ? unitAt : unitEnd, `retrans is a percentage: write ${number}%`);
        if (sign !== '' && unit !== 'pp') {
          this.fail(
            unit === '' ? valueAt : unitAt,
            unit === '' ? unitAt : unitEnd,
            `a difference in retrans is in percentage points: write ${sign}${number}pp (or ${sign}${number}% for a change)`,
          );
        }
        // A condition no run can meet (or none can miss) is a typo, not a check.
        if (sign === '' && number > 100) this.fail(valueAt, unitEnd, `retrans is a share of the data segments: ${number}% is past 100%`);
        if (sign !== '' && number > 100) this.fail(valueAt, unitEnd, `retrans moves by at most 100 percentage points: ${sign}${number}pp is past that`);
        return { threshold: signed, reference };
    }
  }
}

/** The conditions in one `--fail-if` argument. */
export function parseFailIf(text: string): FailCondition[] {
  if (text.trim() === '') throw usageError((name) => `${name('failIf')}: empty; give conditions like 'p99>30ms,samples<100'`, 'failIf');
  return new Parser(text).parseAll();
}
