/**
 * Generated captures of hostile or unlucky traffic (issue 16), small enough to write in a test:
 * nothing is fetched, every byte is made here.
 */
import { ACK, ethernet, ipv4, pcapFile, record, SYN, tcp, type PcapRecord } from './capture-writer.js';

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

/**
 * `flows` connections (handshake included), each sending `segments` data segments of 100 bytes
 * that stay unacknowledged until one cumulative ACK at the end of the capture: every flow holds
 * a backlog at once.
 */
export function backlogCapture(flows: number, segments: number): Uint8Array {
  const records: PcapRecord[] = [];
  let ns = 0;
  const at = (frame: ReturnType<typeof ethernet>): void => {
    records.push(record(frame, 1_700_000_000 + Math.floor(ns / 1e9), ns % 1e9));
    ns += 1000;
  };
  const c = (f: number, seg: Omit<Parameters<typeof tcp>[0], 'srcPort' | 'dstPort'>): void =>
    at(ethernet(ipv4(tcp({ srcPort: 10000 + f, dstPort: 80, ...seg }), { src: '10.0.0.1', dst: '10.0.0.2' })));
  const s = (f: number, seg: Omit<Parameters<typeof tcp>[0], 'srcPort' | 'dstPort'>): void =>
    at(ethernet(ipv4(tcp({ srcPort: 80, dstPort: 10000 + f, ...seg }), { src: '10.0.0.2', dst: '10.0.0.1' })));
  for (let f = 0; f < flows; f++) {
    c(f, { seq: 1000, flags: SYN });
    s(f, { seq: 5000, ack: 1001, flags: SYN | ACK });
    c(f, { seq: 1001, ack: 5001, flags: ACK });
  }
  for (let i = 0; i < segments; i++) for (let f = 0; f < flows; f++) c(f, { seq: 1001 + i * 100, ack: 5001, flags: ACK, payloadLen: 100 });
  for (let f = 0; f < flows; f++) s(f, { seq: 5001, ack: 1001 + segments * 100, flags: ACK });
  return pcapFile(records, { nanos: true });
}
