/**
 * Scripted TCP conversations for RTT-engine tests: each line is "at t ms, client (or server)
 * sends this segment", written as a nanosecond pcap, then analysed with the library, and the
 * samples come back with their RTT in µs, exact.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { analyze, type AnalysisResult, type AnalyzeOptions } from '../../src/analyze.js';
import { KIND_NAMES } from '../../src/engines/rtt/rtt-engine.js';
import { givenVantage } from '../../src/flow/vantage.js';
import { ethernet, ipv4, ipv6, pcapFile, record, tcp, type Frame, type PcapRecord, type TcpSpec } from './capture-writer.js';
import { tempDir } from './paths.js';

export type Segment = Omit<TcpSpec, 'srcPort' | 'dstPort'>;

export interface ScriptEndpoints {
  client: string;
  server: string;
  clientPort: number;
  serverPort: number;
}

export const DEFAULT_ENDPOINTS: ScriptEndpoints = { client: '10.0.0.1', server: '10.0.0.2', clientPort: 40000, serverPort: 80 };

export class TcpScript {
  readonly records: PcapRecord[] = [];
  constructor(
    readonly endpoints: ScriptEndpoints = DEFAULT_ENDPOINTS,
    /** Wraps each IP packet in a link layer (default Ethernet). */
    readonly link: (ip: Frame) => Frame = ethernet,
  ) {}

  /** The client sends `seg` at `ms` milliseconds (fractions allowed, exact to the ns). */
  c(ms: number, seg: Segment): this {
    return this.send(ms, true, seg);
  }

  s(ms: number, seg: Segment): this {
    return this.send(ms, false, seg);
  }

  private send(ms: number, fromClient: boolean, seg: Segment): this {
    const e = this.endpoints;
    const segment = tcp({
      srcPort: fromClient ? e.clientPort : e.serverPort,
      dstPort: fromClient ? e.serverPort : e.clientPort,
      ...seg,
    });
    const addrs = fromClient ? { src: e.client, dst: e.server } : { src: e.server, dst: e.client };
    const ip = e.client.includes(':') ? ipv6(segment, addrs) : ipv4(segment, addrs);
    const ns = Math.round(ms * 1e6);
    // An arbitrary epoch second, so that times are not small numbers by accident.
    this.records.push(record(this.link(ip), 1_700_000_000 + Math.floor(ns / 1e9), ns % 1e9));
    return this;
  }

  file(linktype = 1): Uint8Array {
    return pcapFile(this.records, { nanos: true, linktype });
  }
}

export interface SeenSample {
  rttUs: number;
  kind: string;
  /** The data sender and the acknowledging host, addr:port. */
  src: string;
  dst: string;
}

/** Runs `analyze` on the script's capture; mid-path unless options say otherwise. */
export async function runScript(
  t: TestContext,
  script: TcpScript | Uint8Array,
  options: AnalyzeOptions = {},
  linktype = 1,
): Promise<{ samples: SeenSample[]; result: AnalysisResult }> {
  const dir = await tempDir(t);
  const path = join(dir, 'script.pcap');
  await writeFile(path, script instanceof TcpScript ? script.file(linktype) : script);
  const samples: SeenSample[] = [];
  const result = await analyze([path], {
    vantage: givenVantage([], []),
    ...options,
    onSample: (s) => {
      samples.push({ rttUs: s.rttNs / 1000, kind: KIND_NAMES[s.kind], src: `${s.src}:${s.sport}`, dst: `${s.dst}:${s.dport}` });
    },
  });
  return { samples, result };
}
