/** Just what the tests use of `pcap-parser` (0.2.x, untyped): an event emitter over a pcap. */
declare module 'pcap-parser' {
  import type { EventEmitter } from 'node:events';
  import type { Readable } from 'node:stream';

  export interface PcapPacketHeader {
    timestampSeconds: number;
    timestampMicroseconds: number;
    capturedLength: number;
    originalLength: number;
  }

  export interface PcapPacket {
    header: PcapPacketHeader;
    data: Buffer;
  }

  /** Emits 'globalHeader', 'packet' (PcapPacket), 'error' and 'end'. */
  export type PcapParser = EventEmitter;

  /** A file path, or a readable stream of the capture's bytes. */
  export function parse(input: string | Readable): PcapParser;
}
