/** Where rendered text goes: stdout for `-` (or no path), otherwise a file. */
import { open, readFile } from 'node:fs/promises';
import { RttscanError } from '../errors.js';

export const STDOUT = '-';

export async function writeOutput(path: string, text: string): Promise<void> {
  if (path === STDOUT) {
    await new Promise<void>((resolve, reject) => {
      process.stdout.write(text, (err) => (err ? reject(err) : resolve()));
    });
    return;
  }
  try {
    await writeFileRefusingCaptures(path, text);
  } catch (err) {
    if (err instanceof RttscanError) throw err;
    throw new RttscanError('input', `${path}: cannot write (${(err as Error).message})`);
  }
}

const CAPTURE_MAGICS = [0xa1b2c3d4, 0xd4c3b2a1, 0xa1b23c4d, 0x4d3cb2a1, 0x0a0d0d0a];

/**
 * `rttscan --json trace.pcap` reads as "write JSON to trace.pcap": refuse to overwrite what
 * looks like a capture, and say how to write the command instead.
 */
async function writeFileRefusingCaptures(path: string, text: string): Promise<void> {
  let head: Buffer | undefined;
  try {
    head = (await readFile(path)).subarray(0, 4);
  } catch {
    head = undefined;
  }
  if (head !== undefined && head.length === 4) {
    const magic = head.readUInt32BE(0);
    if (CAPTURE_MAGICS.includes(magic) || (head[0] === 0x1f && head[1] === 0x8b)) {
      throw new RttscanError(
        'usage',
        `${path}: refusing to overwrite a capture file with output (name the inputs before the option, or give an output path: --json=-)`,
      );
    }
  }
  const handle = await open(path, 'w');
  try {
    await handle.writeFile(text);
  } finally {
    await handle.close();
  }
}
