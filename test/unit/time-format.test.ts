/** Capture times as text without Date: the same text as Date where Date can, and text past it. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { clockText, epochText, formatEpoch, isoText } from '../../src/time.js';

const DATE_LIMIT_SEC = 8.64e12;

test("isoText and clockText give toISOString's text over the whole Date range", () => {
  fc.assert(
    fc.property(fc.integer({ min: -DATE_LIMIT_SEC, max: DATE_LIMIT_SEC - 1 }), fc.integer({ min: 0, max: 999 }), (sec, ms) => {
      const iso = new Date(sec * 1000 + ms).toISOString();
      assert.equal(isoText(sec, ms), iso);
      assert.equal(clockText(sec), iso.slice(iso.indexOf('T') + 1, iso.indexOf('T') + 9));
    }),
    { numRuns: 5000 },
  );
  for (const sec of [0, -1, 86399, 86400, 951782400 /* 2000-02-29 */, -62135596800 /* 0001-01-01 */, -62167219200 /* 0000-01-01 */, -62167219201]) {
    assert.equal(isoText(sec, 0), new Date(sec * 1000).toISOString(), String(sec));
  }
});

test('past the Date range: the year grows, the text stays ISO 8601 (expanded year)', () => {
  assert.equal(isoText(DATE_LIMIT_SEC + 86400, 5), '+275760-09-14T00:00:00.005Z');
  // The Gregorian calendar repeats every 400 years (146097 days): a far time reads as the time
  // 400·k years earlier, which Date can still write, with the year moved on by 400·k.
  const periodSec = 146097 * 86400;
  for (const sec of [18446744073709 /* 2^64 µs, the largest default-resolution pcapng time */, 9e12, -9e12, 2 ** 53]) {
    const k = Math.floor(sec / periodSec) - 4;
    const near = new Date((sec - k * periodSec) * 1000 + 551).toISOString();
    const year = Number(near.slice(0, near.indexOf('-', 1))) + 400 * k;
    const sign = year < 0 ? '-' : '+';
    assert.equal(isoText(sec, 551), `${sign}${String(Math.abs(year)).padStart(6, '0')}${near.slice(near.indexOf('-', 1))}`, String(sec));
  }
});

test('epoch text before 1970 counts down: -4.5 s is -4.500000000', () => {
  assert.equal(epochText(-5, 500_000_000), '-4.500000000');
  assert.equal(epochText(-1, 250_000_000), '-0.750000000');
  assert.equal(epochText(-3, 0), '-3.000000000');
  assert.equal(formatEpoch({ baseSec: -10 }, 1.5e9), '-8.500000000');
  assert.equal(formatEpoch({ baseSec: 1_700_000_000 }, 999_999_999.6), '1700000001.000000000');
});
