/**
 * Captures for tests of scale, quick to write and to read: one connection whose client sends
 * `segments` segments of `payloadLen` bytes, each acknowledged 1.5 ms later, so rttscan finds
 * segments + 1 samples (handshake included) of 1 to 1.5 ms.
 */
import { writeFile } from 'node:fs/promises';
import { ACK, SYN } from './capture-writer.js';
import { TcpScript } from './tcp-script.js';

/** About 54 MB (over the progress line's threshold): 900 TSO-sized segments of 60 000 bytes. */
export async function writeBigCapture(path: string): Promise<void> {
  await writeBulkCapture(path, 900, 60000);
}

/** Many samples: 50 000 segments of 10 bytes (about 5 MB of capture, 4 MB of --samples lines). */
export async function writeManySamplesCapture(path: string): Promise<void> {
  await writeBulkCapture(path, 50000, 10);
}

/** `segments` + 1 samples of 1.5 ms, 10-byte segments (about 150 bytes of capture each). */
export async function writeSamplesCapture(path: string, segments: number): Promise<void> {
  await writeBulkCapture(path, segments, 10);
}

async function writeBulkCapture(path: string, segments: number, payloadLen: number): Promise<void> {
  const script = new TcpScript();
  script
    .c(0, { seq: 999, flags: SYN })
    .s(1, { seq: 4999, ack: 1000, flags: SYN | ACK })
    .c(2, { seq: 1000, ack: 5000 });
  let seq = 1000;
  for (let i = 0; i < segments; i++) {
    const ms = 3 + i * 2;
    script.c(ms, { seq, ack: 5000, payloadLen });
    seq += payloadLen;
    script.s(ms + 1.5, { seq: 5000, ack: seq });
  }
  await writeFile(path, script.file());
}
