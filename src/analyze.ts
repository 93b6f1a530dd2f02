/**
 * The library's entry point: read the inputs, decode every packet, and return what was found.
 * It never prints and never exits; the CLI decides what to show and which exit code to use.
 */
import { openInputs, readPackets } from './capture/packet-source.js';
import type { CaptureInput } from './capture/input.js';
import { PacketDecoder } from './decode/decoder.js';
import { linktypeName } from './decode/link.js';

export interface AnalyzeOptions {
  /** Called with each note meant for a person (e.g. an unsupported link type), once. */
  onNote?: (message: string) => void;
}

export interface InputSummary {
  path: string;
  format: string;
  /** tcpdump's names of the link types in the input, comma-separated. */
  linktype: string;
  packets: number;
  tcp_packets: number;
  warnings: string[];
}

export interface AnalysisResult {
  inputs: InputSummary[];
  decode: ReturnType<PacketDecoder['counters']['toJSON']>;
}

function summarizeInput(input: CaptureInput): InputSummary {
  return {
    path: input.path,
    format: input.reader.format,
    linktype: input.reader.linktypes.map(linktypeName).join(','),
    packets: input.packets,
    tcp_packets: input.tcpPackets,
    warnings: [...input.warnings],
  };
}

export async function analyze(paths: readonly string[], options: AnalyzeOptions = {}): Promise<AnalysisResult> {
  const decoder = new PacketDecoder();
  decoder.onUnsupportedLinktype = (linktype) =>
    options.onNote?.(`link type ${linktypeName(linktype)} (${linktype}) is not supported: its packets are counted and skipped`);
  const inputs = await openInputs(paths);
  await readPackets(inputs, (pkt, input) => {
    input.packets++;
    if (decoder.decode(pkt)) input.tcpPackets++;
  });
  return { inputs: inputs.map(summarizeInput), decode: decoder.counters.toJSON() };
}
