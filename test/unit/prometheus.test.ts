/**
 * The Prometheus export's parts: log buckets (every value lands in the first bucket whose bound
 * is at or above it), the cap on labelled series (idle eviction, the aggregate), content
 * negotiation, and a scrape of the endpoint in both formats over real HTTP on loopback.
 */
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { test } from 'node:test';
import { Analysis } from '../../src/analyze.js';
import { CappedSeries, OTHER_LABEL } from '../../src/export/capped-series.js';
import { BUCKET_BOUNDS_US, bucketIndex, FINITE_BUCKETS, LogHistogram } from '../../src/export/log-histogram.js';
import { negotiateFormat, PrometheusEndpoint } from '../../src/export/prometheus.js';
import { RttMetrics } from '../../src/export/rtt-metrics.js';

test('bucketIndex: the first bound at or above the value, exact at the bounds; 4 buckets an octave from 1 µs to 67 s', () => {
  assert.equal(FINITE_BUCKETS, 105);
  assert.equal(BUCKET_BOUNDS_US[0], 1);
  assert.equal(BUCKET_BOUNDS_US[4], 2);
  assert.equal(BUCKET_BOUNDS_US[104], 2 ** 26);
  for (let k = 0; k < FINITE_BUCKETS; k++) {
    const bound = BUCKET_BOUNDS_US[k]!;
    assert.equal(bucketIndex(bound), k, `at ${bound}`);
    assert.equal(bucketIndex(bound * (1 + 1e-9)), k + 1, `just above ${bound}`);
    if (k > 0) assert.ok(bound / BUCKET_BOUNDS_US[k - 1]! < 1.19 + 1e-3);
  }
  assert.equal(bucketIndex(0), 0);
  assert.equal(bucketIndex(0.3), 0);
  assert.equal(bucketIndex(1e12), FINITE_BUCKETS, '+Inf');
  for (let i = 0; i < 10000; i++) {
    const us = Math.exp(Math.random() * 20);
    const k = bucketIndex(us);
    assert.ok(k === FINITE_BUCKETS || BUCKET_BOUNDS_US[k]! >= us);
    assert.ok(k === 0 || BUCKET_BOUNDS_US[k - 1]! < us);
  }
  const h = new LogHistogram();
  h.observeUs(25000);
  h.observeUs(25000);
  assert.equal(h.count, 2);
  assert.equal(h.sumUs, 50000);
});

test('CappedSeries: up to the cap each label has its own series; past it an idle one is evicted, else the aggregate takes it', () => {
  const family = new CappedSeries(2, 1000, () => ({ n: 0 }));
  const a = family.get('a', 0);
  assert.equal(family.get('a', 10), a);
  family.get('b', 500);
  // At the cap, and 'a' (last used at 0) has been idle 900 < 1000: the aggregate.
  assert.equal(family.get('c', 900), family.other);
  assert.equal(family.other.label, OTHER_LABEL);
  assert.equal(family.overflows, 1);
  // At 1000 'a' has been idle long enough: evicted, 'c' takes its slot.
  const c = family.get('c', 1000);
  assert.notEqual(c, family.other);
  assert.ok(a.evicted);
  assert.equal(family.evictions, 1);
  assert.deepEqual([...family.entries.keys()], ['b', 'c']);
});

test('negotiateFormat: OpenMetrics when the Accept header ranks it first (as Prometheus sends), text otherwise', () => {
  const prometheus = 'application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1';
  assert.equal(negotiateFormat(prometheus), 'openmetrics');
  assert.equal(negotiateFormat(undefined), 'text');
  assert.equal(negotiateFormat('*/*'), 'text');
  assert.equal(negotiateFormat('text/plain;q=0.9,application/openmetrics-text;q=0.5'), 'text');
  assert.equal(negotiateFormat('application/openmetrics-text;q=0'), 'text');
  assert.equal(negotiateFormat('application/json'), 'text');
});

function get(url: string, accept?: string): Promise<{ status: number; type: string; body: string }> {
  return new Promise((resolve, reject) => {
    request(url, { headers: accept ? { accept } : {} }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (s: string) => (body += s));
      res.on('end', () => resolve({ status: res.statusCode!, type: String(res.headers['content-type']), body }));
    })
      .on('error', reject)
      .end();
  });
}

test('PrometheusEndpoint: the numbers the metrics hold, in the text format and in OpenMetrics, counters named _total in both', async () => {
  const metrics = new RttMetrics({ cap: 10, idleNs: 1e9 });
  for (const us of [1, 3, 25000]) metrics.all.observeUs(us);
  const counters = new Analysis({}).counterSnapshot();
  counters.flows.created = 7;
  const endpoint = await PrometheusEndpoint.listen('127.0.0.1', 0, { metrics, snapshot: () => ({ inputs: [], counters }) }, (err) => assert.fail(err));
  try {
    for (let scrape = 0; scrape < 2; scrape++) {
      const text = await get(endpoint.url);
      assert.equal(text.status, 200);
      assert.match(text.type, /^text\/plain; version=0\.0\.4/);
      assert.match(text.body, /^rttscan_flows_created_total 7$/m);
      assert.match(text.body, /^rttscan_rtt_seconds_bucket\{le="0\.000001"\} 1$/m);
      assert.match(text.body, /^rttscan_rtt_seconds_bucket\{le="0\.00000336359"\} 2$/m);
      assert.match(text.body, /^rttscan_rtt_seconds_bucket\{le="\+Inf"\} 3$/m);
      assert.match(text.body, /^rttscan_rtt_seconds_count 3$/m);
      assert.match(text.body, /^rttscan_rtt_seconds_sum 0\.025004$/m);
      const open = await get(endpoint.url, 'application/openmetrics-text;version=1.0.0');
      assert.match(open.type, /^application\/openmetrics-text; version=1\.0\.0/);
      assert.match(open.body, /^# TYPE rttscan_flows_created counter$/m);
      assert.match(open.body, /^rttscan_flows_created_total 7$/m);
      assert.ok(open.body.endsWith('# EOF\n'));
    }
    assert.equal((await get(endpoint.url.replace('/metrics', '/nope'))).status, 404);
  } finally {
    await endpoint.close();
  }
});
