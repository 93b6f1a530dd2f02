/**
 * A SYN scan written to stdout as a classic ns pcap stream, never to disk: one scanner
 * (10.9.0.1) sends a SYN to each of N distinct targets (11.0.0.0/8, port 80 or 443), 1 µs apart,
 * and nothing answers. Every SYN opens a flow that never closes, so a run with `--max-flows M`
 * evicts all but M of them and, until the vantage is decided, must not keep the evicted ones
 * (issue 16, item 1). bench/flood.ts pipes it into `rttscan -`:
 *
 *   node dist/bench/generate-synscan.js 8000000 | node bin/rttscan - --max-flows 100000 --json out.json -q
 */
import { BASE_EPOCH_SEC } from './pcap-writer.js';

const PCAP_MAGIC_NS = 0xa1b23c4d;
const LINKTYPE_ETHERNET = 1;
/** Ethernet (14) + IPv4 (20) + TCP (20), padded to Ethernet's 60-byte minimum. */
const FRAME_LEN = 60;
const RECORD_LEN = 16 + FRAME_LEN;
const RECORDS_PER_WRITE = 65536;
const SCANNER = 0x0a090001; // 10.9.0.1
const TARGETS = 0x0b000000; // 11.0.0.0/8

function template(): Buffer {
  const f = Buffer.alloc(FRAME_LEN);
  f.writeUInt16BE(0x0800, 12); // IPv4
  f[14] = 0x45;
  f.writeUInt16BE(40, 16); // total length: IP + TCP, no payload
  f[22] = 64; // TTL
  f[23] = 6; // TCP
  f.writeUInt32BE(SCANNER, 26);
  f.writeUInt16BE(40000, 34); // source port
  f.writeUInt32BE(1000, 38); // sequence number
  f[46] = 0x50; // data offset 5 words
  f[47] = 0x02; // SYN
  f.writeUInt16BE(1024, 48); // window
  return f;
}

/** Writes the file header and `count` SYN records to `out`, waiting for the reader as it goes. */
export async function writeSynScan(count: number, out: NodeJS.WritableStream): Promise<void> {
  const header = Buffer.alloc(24);
  header.writeUInt32LE(PCAP_MAGIC_NS, 0);
  header.writeUInt16LE(2, 4);
  header.writeUInt16LE(4, 6);
  header.writeUInt32LE(FRAME_LEN, 16);
  header.writeUInt32LE(LINKTYPE_ETHERNET, 20);
  await write(out, header);
  const frame = template();
  for (let done = 0; done < count; ) {
    const n = Math.min(RECORDS_PER_WRITE, count - done);
    const buf = Buffer.allocUnsafe(n * RECORD_LEN);
    for (let i = 0; i < n; i++) {
      const k = done + i;
      const at = i * RECORD_LEN;
      buf.writeUInt32LE(BASE_EPOCH_SEC + Math.floor(k / 1e6), at);
      buf.writeUInt32LE((k % 1e6) * 1000, at + 4);
      buf.writeUInt32LE(FRAME_LEN, at + 8);
      buf.writeUInt32LE(FRAME_LEN, at + 12);
      frame.copy(buf, at + 16);
      // A distinct target per SYN: address from the low 23 bits, port from the next.
      buf.writeUInt32BE((TARGETS | (k & 0x7fffff)) >>> 0, at + 16 + 30);
      buf.writeUInt16BE((k >>> 23) & 1 ? 443 : 80, at + 16 + 36);
    }
    done += n;
    await write(out, buf);
  }
}

function write(out: NodeJS.WritableStream, buf: Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    out.once('error', reject);
    if (out.write(buf)) {
      out.removeListener('error', reject);
      resolve();
    } else {
      out.once('drain', () => {
        out.removeListener('error', reject);
        resolve();
      });
    }
  });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const count = Number(process.argv[2] ?? 8_000_000);
  if (!Number.isInteger(count) || count < 1 || count > 16_777_216) throw new Error('generate-synscan: a count of SYNs, 1 to 2^24');
  writeSynScan(count, process.stdout).catch((err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') throw err;
  });
}
