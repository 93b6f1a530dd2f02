/** Output paths checked before a run. */
import { open } from 'node:fs/promises';
import { RttscanError } from '../errors.js';
import { STDOUT } from './plan.js';

export { STDOUT };

const CAPTURE_MAGICS = [0xa1b2c3d4, 0xd4c3b2a1, 0xa1b23c4d, 0x4d3cb2a1, 0x0a0d0d0a];

/**
 * `rttscan --json trace.pcap` reads as "write JSON to trace.pcap": before anything is read,
 * refuse an output path that holds a capture, and say how to write the command instead.
 */
export async function checkOutputPath(path: string | undefined): Promise<void> {
  if (path === undefined || path === STDOUT) return;
  let head: Buffer | undefined;
  try {
    const handle = await open(path, 'r');
    try {
      head = Buffer.alloc(4);
      const { bytesRead } = await handle.read(head, 0, 4, 0);
      head = head.subarray(0, bytesRead);
    } finally {
      await handle.close();
    }
  } catch {
    return; // absent or unreadable: writing will tell
  }
  if (head.length === 4) {
    const magic = head.readUInt32BE(0);
    if (CAPTURE_MAGICS.includes(magic) || (head[0] === 0x1f && head[1] === 0x8b)) {
      throw new RttscanError('usage', `${path}: refusing to overwrite a capture file with output (name the inputs before the option, or give an output path: --json=-)`);
    }
  }
}
