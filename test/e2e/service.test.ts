/**
 * Live mode as a service, end to end as root: a real Prometheus server scraping rttscan across
 * an injected delay, promtool's lint of a scrape, DogStatsD distributions read by a real UDP
 * socket, and the rest of issue 13 (config files, several interfaces, SIGHUP, streaming, which
 * process). Namespaces are the test's own, named with its pid.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { pingPong, skipUnlessLive, startEchoServer, startLive, stopProcess } from '../helpers/live.js';
import { httpGet, skipUnlessService, startDelayPair, startPrometheus, until } from '../helpers/service.js';

test('--prometheus: a real Prometheus server scrapes rttscan every second; histogram_quantile(0.5) is within 10% of the injected 25 ms; promtool passes a scrape', async (t) => {
  if (skipUnlessLive(t) || skipUnlessService(t, ['prometheus', 'promtool', 'curl'], true)) return;
  const ends = await startDelayPair(t, 10, 15);
  const port = await startEchoServer(t, ends.ip_b, ends.ns_b);
  const live = await startLive(['--live', ends.dev_a, '--prometheus', '127.0.0.1:9464', '--by', 'raddr'], ends.ns_a);
  t.after(() => live.child.kill('SIGKILL'));
  assert.match(live.stderr(), /Prometheus metrics at http:\/\/127\.0\.0\.1:9464\/metrics/);
  const prometheus = await startPrometheus(t, ends.ns_a, '127.0.0.1:9464');
  await until('Prometheus to scrape rttscan', () => (prometheus.query('up{job="rttscan"} == 1').length === 1 ? true : undefined));
  await pingPong(ends.ip_b, port, { count: 60, gapMs: 10, netns: ends.ns_a });
  const samples = await until('the samples to reach Prometheus', () => {
    const r = prometheus.query('rttscan_rtt_samples_total');
    const n = Number(r[0]?.value[1] ?? 0);
    return n >= 60 ? n : undefined;
  });
  const median = Number(prometheus.query('histogram_quantile(0.5, rttscan_rtt_seconds_bucket)')[0]!.value[1]);
  assert.ok(Math.abs(median - 0.025) <= 0.0025, `histogram_quantile(0.5) = ${median} s, not within 10% of 25 ms`);
  // Per remote host: the one peer, with every sample.
  const byHost = prometheus.query('rttscan_rtt_by_host_seconds_count');
  assert.deepEqual(byHost.map((r) => [r.metric.host, Number(r.value[1])]), [[ends.ip_b, samples]]);
  const hostMedian = Number(prometheus.query(`histogram_quantile(0.5, rttscan_rtt_by_host_seconds_bucket{host="${ends.ip_b}"})`)[0]!.value[1]);
  assert.ok(Math.abs(hostMedian - 0.025) <= 0.0025, `per-host median ${hostMedian} s`);
  const packets = Number(prometheus.query(`rttscan_packets_total{interface="${ends.dev_a}"}`)[0]!.value[1]);
  assert.ok(packets >= 2 * 60, `${packets} packets`);
  assert.equal(Number(prometheus.query(`rttscan_kernel_dropped_packets_total{interface="${ends.dev_a}"}`)[0]!.value[1]), 0);

  // The text format passes promtool's lint; OpenMetrics when asked for it (as Prometheus does).
  const text = httpGet(ends.ns_a, 'http://127.0.0.1:9464/metrics');
  assert.match(text.headers, /content-type: text\/plain; version=0\.0\.4/i);
  const lint = spawnSync('promtool', ['check', 'metrics'], { input: text.body, encoding: 'utf8' });
  assert.equal(lint.status, 0, `promtool check metrics: ${lint.stdout}${lint.stderr}`);
  const open = httpGet(ends.ns_a, 'http://127.0.0.1:9464/metrics', ['Accept: application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5']);
  assert.match(open.headers, /content-type: application\/openmetrics-text; version=1\.0\.0/i);
  assert.match(open.body, /^rttscan_rtt_samples_total \d+$/m);
  assert.ok(open.body.endsWith('# EOF\n'));
  assert.equal(await stopProcess(live), 0, live.stderr());
});
