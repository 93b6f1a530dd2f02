/**
 * Where things are, from a compiled test (dist/test/<dir>/<file>.js) or from the sources: the
 * repo root is found by walking up to rttscan's package.json, so the depth does not matter.
 */
import { closeSync, existsSync, openSync, readdirSync, readFileSync, readSync, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';

function findRepoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'rttscan') return dir;
    const up = dirname(dir);
    if (up === dir) throw new Error(`no rttscan package.json above ${fileURLToPath(import.meta.url)}`);
    dir = up;
  }
}

export const REPO_ROOT = findRepoRoot();
export const SAMPLES_DIR = join(REPO_ROOT, 'samples');
/** The CLI as users run it: `node bin/rttscan ...` (needs a build). */
export const CLI_PATH = join(REPO_ROOT, 'bin', 'rttscan');
/** The compiled library entry point, for child processes that import it. */
export const LIBRARY_PATH = join(REPO_ROOT, 'dist', 'src', 'index.js');

/** A fresh temporary directory, removed when the test `t` ends. */
export async function tempDir(t: TestContext): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'rttscan-test-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

const CAPTURE_MAGICS = new Set([0xa1b2c3d4, 0xd4c3b2a1, 0xa1b23c4d, 0x4d3cb2a1, 0x0a0d0d0a]);

/** Whether the first bytes are a pcap, pcapng or gzip magic (the name does not matter). */
export function looksLikeCapture(head: Uint8Array): boolean {
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) return true;
  if (head.length < 4) return false;
  return CAPTURE_MAGICS.has(new DataView(head.buffer, head.byteOffset, 4).getUint32(0, false));
}

function readHead(path: string, n: number): Uint8Array {
  const fd = openSync(path, 'r');
  try {
    const head = new Uint8Array(n);
    return head.subarray(0, readSync(fd, head, 0, n, 0));
  } finally {
    closeSync(fd);
  }
}

/** Every capture file under samples/ (recursively, sniffed by magic), sorted; [] if none. */
export function sampleCaptures(): string[] {
  const found: string[] = [];
  const walk = (dir: string): void => {
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      return;
    }
    for (const name of names.sort()) {
      const path = join(dir, name);
      const st = statSync(path);
      if (st.isDirectory()) walk(path);
      else if (st.isFile() && looksLikeCapture(readHead(path, 4))) found.push(path);
    }
  };
  walk(SAMPLES_DIR);
  return found;
}
