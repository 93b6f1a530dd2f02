/**
 * Plumbing for the live-service tests: delaylab's delay pair (two namespaces, a known delay
 * each way), a real Prometheus server scraping inside a namespace, HTTP from inside one.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { hasCommand } from './cli.js';
import { background } from './live.js';
import { REPO_ROOT, tempDir } from './paths.js';

export interface DelayPair {
  ns_a: string;
  ns_b: string;
  dev_a: string;
  ip_a: string;
  ip_b: string;
}

/** Why the delay lab cannot run here, or undefined (in CI a missing piece is a failure). */
function delayLabMissing(): string | undefined {
  if (!existsSync('/dev/net/tun') || !hasCommand('python3')) return 'delaylab needs /dev/net/tun and python3';
  return undefined;
}

/** Skips (or in CI fails) unless `commands` are installed and the delay lab can run. */
export function skipUnlessService(t: TestContext, commands: readonly string[], delayLab = false): boolean {
  const missing = commands.find((c) => !hasCommand(c));
  const why = missing !== undefined ? `${missing} is not installed` : delayLab ? delayLabMissing() : undefined;
  if (why === undefined) return false;
  if (process.env.CI) throw new Error(`CI must run this test, but ${why}`);
  t.skip(why);
  return true;
}

/** Two namespaces joined by delaylab's forwarder: abMs from A to B, baMs back. */
export async function startDelayPair(t: TestContext, abMs: number, baMs: number): Promise<DelayPair> {
  const lab = join(REPO_ROOT, 'test', 'lab');
  const pair = background('python3', [join(REPO_ROOT, 'test', 'helpers', 'delay-pair.py'), lab, String(abMs), String(baMs)], undefined, { stdin: true });
  t.after(async () => {
    pair.child.stdin!.end(); // delay-pair.py removes its namespaces
    await pair.done;
  });
  await pair.waitFor(/^\{.*\}\n/, 'stdout');
  return JSON.parse(pair.stdout()) as DelayPair;
}

/** GET `url` from inside `netns` with curl; the body. */
export function httpGet(netns: string | undefined, url: string, headers: string[] = []): { status: number; body: string; headers: string } {
  const args = ['-sS', '-D', '-', ...headers.flatMap((h) => ['-H', h]), url];
  const r = netns === undefined ? spawnSync('curl', args, { encoding: 'utf8' }) : spawnSync('ip', ['netns', 'exec', netns, 'curl', ...args], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`curl ${url}: ${r.stderr}`);
  const split = r.stdout.indexOf('\r\n\r\n');
  const head = r.stdout.slice(0, split);
  return { status: Number(/^HTTP\/\S+ (\d+)/.exec(head)?.[1]), headers: head, body: r.stdout.slice(split + 4) };
}

export interface PrometheusServer {
  /** An instant query's result vector. */
  query(expr: string): Array<{ metric: Record<string, string>; value: [number, string] }>;
}

/**
 * A real Prometheus server in `netns`, on 127.0.0.1:9090 there (the namespace is the test's
 * own, so the port is free), scraping `target` every second, with its own temporary storage.
 */
export async function startPrometheus(t: TestContext, netns: string, target: string): Promise<PrometheusServer> {
  const dir = await tempDir(t);
  const config = join(dir, 'prometheus.yml');
  await writeFile(
    config,
    ['global:', '  scrape_interval: 1s', '  evaluation_interval: 1s', 'scrape_configs:', '  - job_name: rttscan', '    static_configs:', `      - targets: ['${target}']`, ''].join('\n'),
  );
  const server = background('prometheus', [`--config.file=${config}`, `--storage.tsdb.path=${join(dir, 'data')}`, '--web.listen-address=127.0.0.1:9090'], netns);
  t.after(async () => {
    server.child.kill('SIGTERM');
    await server.done;
  });
  await server.waitFor(/Server is ready to receive web requests/, 'stderr', 30_000);
  return {
    query(expr) {
      const r = httpGet(netns, `http://127.0.0.1:9090/api/v1/query?query=${encodeURIComponent(expr)}`);
      const answer = JSON.parse(r.body) as { status: string; data: { result: Array<{ metric: Record<string, string>; value: [number, string] }> }; error?: string };
      if (answer.status !== 'success') throw new Error(`prometheus query ${expr}: ${answer.error}`);
      return answer.data.result;
    },
  };
}

/** Polls `check` until it returns a value (not undefined), or fails after `timeoutMs`. */
export async function until<T>(what: string, check: () => T | undefined, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
