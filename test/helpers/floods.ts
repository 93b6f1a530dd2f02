/**
 * Generated captures of hostile or unlucky traffic (issue 16), small enough to write in a test:
 * nothing is fetched, every byte is made here.
 */
import { ethernet, ipv4, pcapFile, record, SYN, tcp, type PcapRecord } from './capture-writer.js';

/**
 * `count` SYNs to `server`:`port`, each from its own client port, spread evenly over `spanSec`
 * seconds of capture time (a port scan, or a quiet service, seen over hours): the capture's
 * span is long, its packets few.
 */
export function spreadSynCapture(count: number, spanSec: number, port = 80, server = '10.0.0.2'): Uint8Array {
  const records: PcapRecord[] = [];
  const stepNs = Math.floor((spanSec * 1e9) / Math.max(1, count - 1));
  for (let i = 0; i < count; i++) {
    const ns = i * stepNs;
    const frame = ethernet(ipv4(tcp({ srcPort: 1024 + (i % 60000), dstPort: port, seq: 1000 + i, flags: SYN }), { src: '10.0.0.1', dst: server }));
    records.push(record(frame, 1_700_000_000 + Math.floor(ns / 1e9), ns % 1e9));
  }
  return pcapFile(records, { nanos: true });
}
