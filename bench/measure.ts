/**
 * One measurement in its own process, so each gets a fresh heap, a cold JIT like a real run of
 * the CLI, and its own peak RSS. bench/run.ts spawns it; it can also be run by hand, e.g. under
 * a profiler:
 *
 *   node --cpu-prof dist/bench/measure.js decode bench/data/tcp-2m-s128-ns.pcap
 *
 * Kinds:
 *   floor    the file streamed in CHUNK_SIZE chunks and its 16-byte record headers walked by
 *            caplen; nothing copied or decoded. What any pcap reader must pay at least.
 *   readers  openInputs + readPackets (the library's readers), counting packets.
 *   decode   openInputs + readPackets + PacketDecoder, folding every decoded TCP packet into the
 *            digest of bench/digest.ts and checking counts, counters and digest against what the
 *            generator wrote (the JSON file next to the capture).
 *   decode-chunk=<bytes>
 *            the same loop with the library's reader fed chunks of another size (the chunk-size
 *            sweep of `run.js --chunk-sweep`; CHUNK_SIZE in src/capture/input.ts cites it).
 *   analyze  the whole library: `analyze([file], {})`, what `rttscan FILE --json` computes
 *            before printing. Checks the input's packet and TCP counts against the generator's,
 *            and that the run found RTT samples (at most one per sequence-consuming segment,
 *            and exactly the expected number where the generator knows it).
 *   flows    `analyze([file], { maxFlows: 2_000_000 })`, for the memory per active flow on the
 *            1 M-concurrent-flow capture (bench/generate-flows.ts): also checks that every flow
 *            was active at once (peak active = the generator's flow count) and none evicted.
 *   pcap-parser
 *            the npm pcap-parser package (a dev dependency, CommonJS) on a µs capture, its
 *            'packet' events counted and their lengths summed; the figure README's design
 *            notes quote. It rejects ns captures.
 *
 * Prints one JSON line: the result, wall time of the work itself (open to last packet; process
 * start-up and module loading excluded), RSS before the work and the process's peak RSS.
 */
import { open } from 'node:fs/promises';
import { createReadStream, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CHUNK_SIZE, fileChunks } from '../src/capture/input.js';
import { openInputs, readPackets } from '../src/capture/packet-source.js';
import { readerFor } from '../src/capture/detect.js';
import type { CapturedPacket } from '../src/capture/captured-packet.js';
import { PacketDecoder } from '../src/decode/decoder.js';
import type { analyze as AnalyzeFn } from '../src/analyze.js';
import { FieldSums } from './digest.js';
import type { CaptureMeta } from './generate.js';

export interface MeasureResult {
  kind: string;
  file: string;
  ms: number;
  /** CPU time (user + system) of the work, ms: less disturbed than wall time by other load. */
  cpuMs: number;
  packets: number;
  tcpPackets: number;
  bytes: number;
  rssStartBytes: number;
  maxRssBytes: number;
  /** Minor page faults of the whole process: fresh memory touched (each new chunk buffer costs some). */
  minorPageFaults: number;
  /** Checks that failed; empty when the result matched the generator's record. */
  errors: string[];
  /** analyze and flows: RTT samples kept, flows created, the most flows in the table at once. */
  samples?: number;
  flowsCreated?: number;
  peakActiveFlows?: number;
}

/** What measure reads from the JSON next to a capture: bench/generate.ts's or generate-flows.ts's. */
interface MetaLike {
  bytes: number;
  packets: number;
  tcpPackets: number;
  /** generate-flows.ts: connections in the capture, all active at once, and the samples they give. */
  flows?: number;
  expectedSamples?: number;
}

interface AnalyzeTally {
  packets: number;
  tcpPackets: number;
  samples: number;
  flowsCreated: number;
  peakActiveFlows: number;
  errors: string[];
}

/**
 * The library end to end, checked against the generator's record. `analyze` is imported by the
 * caller before the clock starts, and only for these kinds, so that the other measurements keep
 * the RSS of a process that never loaded the stats modules.
 */
async function analyzeRun(analyze: typeof AnalyzeFn, file: string, meta: MetaLike, maxFlows: number | undefined): Promise<AnalyzeTally> {
  const result = await analyze([file], maxFlows === undefined ? {} : { maxFlows });
  const input = result.inputs[0];
  const errors: string[] = [];
  const expect = (what: string, got: number, want: number): void => {
    if (got !== want) errors.push(`${what}: got ${got}, generator wrote ${want}`);
  };
  expect('packets', input?.packets ?? -1, meta.packets);
  expect('TCP packets', input?.tcp_packets ?? -1, meta.tcpPackets);
  expect('decoded packets', result.decode.packets as number, meta.packets);
  // The samples the engine found, before the vantage leaves out those a local host
  // acknowledged: the generators' taps sit microseconds from their clients, which the inference
  // (rightly) takes as local, so what is kept depends on the inference, what is found does not.
  const samples = result.rtt.samples;
  const kept = result.summary.count;
  // Each ACK gives at most one sample. (Not the data segments of result.summary: since the
  // vantage work those count only the groups kept, and the local hosts' halves are left out.)
  const tcpPackets = result.decode.tcp_packets as number;
  if (meta.expectedSamples !== undefined) expect('RTT samples', samples, meta.expectedSamples);
  else if (!(samples > 0 && samples <= tcpPackets)) errors.push(`RTT samples: ${samples}, expected 1..${tcpPackets} (one at most per TCP packet)`);
  if (kept + result.localAcked + result.filtered !== samples)
    errors.push(`RTT samples kept (${kept}), local (${result.localAcked}) and filtered (${result.filtered}) are not the ${samples} found`);
  if (meta.flows !== undefined) {
    expect('flows created', result.flows.created, meta.flows);
    expect('peak active flows', result.flows.peakActive, meta.flows);
    expect('flows evicted', result.flows.evicted, 0);
    expect('flows expired idle', result.flows.expiredIdle, 0);
  }
  return {
    packets: result.decode.packets as number,
    tcpPackets: input?.tcp_packets ?? 0,
    samples,
    flowsCreated: result.flows.created,
    peakActiveFlows: result.flows.peakActive,
    errors,
  };
}

interface PcapParserPacket {
  header: { timestampSeconds: number; timestampMicroseconds: number; capturedLength: number; originalLength: number };
  data: Buffer;
}

type PcapParse = (input: NodeJS.ReadableStream) => NodeJS.EventEmitter;

/** The npm pcap-parser package, as its README uses it: parse(stream), one 'packet' event each. */
async function pcapParser(parse: PcapParse, file: string): Promise<{ packets: number; bytes: number; fieldSum: number }> {
  // The same read size as the floor, so the two differ only in what they do per record.
  const stream = createReadStream(file, { highWaterMark: CHUNK_SIZE });
  let packets = 0;
  let captured = 0;
  // Header fields a consumer would read, so that the handler does what a real one does.
  let fieldSum = 0;
  await new Promise<void>((resolve, reject) => {
    const parser = parse(stream);
    parser.on('packet', (p: PcapParserPacket) => {
      packets++;
      captured += p.data.length;
      fieldSum = (fieldSum + p.header.timestampMicroseconds + p.header.originalLength) | 0;
    });
    parser.on('error', reject);
    parser.on('end', resolve);
  });
  return { packets, bytes: PCAP_FILE_HEADER_LEN + packets * RECORD_HEADER_LEN + captured, fieldSum };
}

const PCAP_FILE_HEADER_LEN = 24;
const RECORD_HEADER_LEN = 16;

/**
 * The floor: read the file the way the library does (fileChunks: reused buffers, read-ahead)
 * and walk record headers, handling headers split across chunks.
 */
async function floor(file: string): Promise<{ packets: number; bytes: number }> {
  const handle = await open(file, 'r');
  const stream = fileChunks(handle);
  const header = new Uint8Array(RECORD_HEADER_LEN);
  let headerHave = 0;
  /** Bytes of the current record (or the file header) still to pass over in later chunks. */
  let skip = PCAP_FILE_HEADER_LEN;
  let records = 0;
  let bytes = 0;
  for await (const chunk of stream) {
    const len = chunk.length;
    bytes += len;
    let pos = skip;
    if (headerHave > 0) {
      const take = Math.min(RECORD_HEADER_LEN - headerHave, len);
      header.set(chunk.subarray(0, take), headerHave);
      headerHave += take;
      if (headerHave < RECORD_HEADER_LEN) continue;
      headerHave = 0;
      records++;
      const caplen = (header[8]! | (header[9]! << 8) | (header[10]! << 16) | (header[11]! << 24)) >>> 0;
      pos = take + caplen;
    }
    while (pos + RECORD_HEADER_LEN <= len) {
      records++;
      const caplen = (chunk[pos + 8]! | (chunk[pos + 9]! << 8) | (chunk[pos + 10]! << 16) | (chunk[pos + 11]! << 24)) >>> 0;
      pos += RECORD_HEADER_LEN + caplen;
    }
    if (pos >= len) {
      skip = pos - len;
    } else {
      skip = 0;
      header.set(chunk.subarray(pos), 0);
      headerHave = len - pos;
    }
  }
  return { packets: records, bytes };
}

async function readers(file: string): Promise<{ packets: number }> {
  let packets = 0;
  const inputs = await openInputs([file]);
  await readPackets(inputs, () => {
    packets++;
  });
  return { packets };
}

interface DecodeTally {
  packets: number;
  tcpPackets: number;
  payloadBytes: number;
  digest: number;
  decoder: PacketDecoder;
}

/** The per-packet work of the decode measurement, shared by both ways of driving the reader. */
function decodeLoop(expectedTcp: number): { onPacket: (pkt: CapturedPacket) => void; tally: () => DecodeTally } {
  const decoder = new PacketDecoder();
  const v = decoder.view;
  let tcp = 0;
  let payload = 0;
  const sums = new FieldSums();
  const onPacket = (pkt: CapturedPacket): void => {
    if (!decoder.decode(pkt)) return;
    if (++tcp > expectedTcp) throw new Error(`decoded more TCP packets than the ${expectedTcp} written (record ${pkt.record})`);
    payload += v.payloadLen;
    sums.add(v);
  };
  const tally = (): DecodeTally => ({ packets: decoder.counters.packets, tcpPackets: tcp, payloadBytes: payload, digest: sums.digest(), decoder });
  return { onPacket, tally };
}

async function decode(file: string, meta: CaptureMeta): Promise<DecodeTally> {
  const { onPacket, tally } = decodeLoop(meta.tcpPackets);
  const inputs = await openInputs([file]);
  await readPackets(inputs, onPacket);
  return tally();
}

/** The library's reader driven directly, with chunks of `chunkSize` bytes. */
async function decodeWithChunks(file: string, meta: CaptureMeta, chunkSize: number): Promise<DecodeTally> {
  const { onPacket, tally } = decodeLoop(meta.tcpPackets);
  const handle = await open(file, 'r');
  const stream = handle.createReadStream({ highWaterMark: chunkSize });
  let reader: ReturnType<typeof readerFor> | undefined;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    if (reader === undefined) reader = readerFor(file, chunk);
    reader.push(chunk);
    const pkt = reader.packet;
    while (reader.next()) onPacket(pkt);
  }
  reader?.finish();
  return tally();
}

function checkDecode(tally: DecodeTally, meta: CaptureMeta): string[] {
  const errors: string[] = [];
  const expect = (what: string, got: number, want: number): void => {
    if (got !== want) errors.push(`${what}: got ${got}, generator wrote ${want}`);
  };
  const c = tally.decoder.counters;
  expect('packets', tally.packets, meta.packets);
  expect('TCP packets', tally.tcpPackets, meta.tcpPackets);
  expect('TCP payload bytes', tally.payloadBytes, meta.tcpPayloadBytes);
  expect('digest of decoded TCP fields', tally.digest, meta.digest);
  expect('non-IP (ARP) packets', c.nonIp, meta.arpPackets);
  expect('non-TCP (UDP) packets', c.nonTcp, meta.udpPackets);
  for (const [name, value] of Object.entries(c.toJSON())) {
    if (typeof value !== 'number' || ['packets', 'tcp_packets', 'non_ip', 'non_tcp'].includes(name)) continue;
    expect(`counter ${name}`, value, 0);
  }
  return errors;
}

export async function measure(kind: string, file: string): Promise<MeasureResult> {
  const metaFile = file.replace(/\.pcap$/, '.json');
  const meta = JSON.parse(readFileSync(metaFile, 'utf8')) as CaptureMeta & MetaLike;
  // Modules only some kinds need, loaded before the clock and the RSS baseline.
  const analyze = kind === 'analyze' || kind === 'flows' ? (await import('../src/analyze.js')).analyze : undefined;
  const parse = kind === 'pcap-parser' ? (createRequire(import.meta.url)('pcap-parser') as { parse: PcapParse }).parse : undefined;
  const rssStartBytes = process.memoryUsage.rss();
  const cpuStarted = process.cpuUsage();
  const started = process.hrtime.bigint();
  let packets = 0;
  let tcpPackets = 0;
  let errors: string[] = [];
  let tally: AnalyzeTally | undefined;
  if (kind === 'floor') {
    const r = await floor(file);
    packets = r.packets;
    if (r.bytes !== meta.bytes) errors.push(`bytes: read ${r.bytes}, generator wrote ${meta.bytes}`);
  } else if (kind === 'readers') {
    packets = (await readers(file)).packets;
  } else if (kind === 'decode' || kind.startsWith('decode-chunk=')) {
    const chunk = kind === 'decode' ? 0 : Number(kind.slice('decode-chunk='.length));
    if (kind !== 'decode' && !(chunk > 0)) throw new Error(`bad chunk size in ${kind}`);
    const tally = chunk === 0 ? await decode(file, meta) : await decodeWithChunks(file, meta, chunk);
    packets = tally.packets;
    tcpPackets = tally.tcpPackets;
    errors = checkDecode(tally, meta);
  } else if (kind === 'analyze' || kind === 'flows') {
    tally = await analyzeRun(analyze!, file, meta, kind === 'flows' ? 2_000_000 : undefined);
    packets = tally.packets;
    tcpPackets = tally.tcpPackets;
    errors = tally.errors;
  } else if (kind === 'pcap-parser') {
    const r = await pcapParser(parse!, file);
    packets = r.packets;
    if (r.bytes !== meta.bytes) errors.push(`bytes: pcap-parser's records add up to ${r.bytes}, generator wrote ${meta.bytes}`);
  } else {
    throw new Error(`unknown measurement ${kind} (floor, readers, decode, decode-chunk=<bytes>, analyze, flows, pcap-parser)`);
  }
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  const cpu = process.cpuUsage(cpuStarted);
  const cpuMs = (cpu.user + cpu.system) / 1000;
  if (packets !== meta.packets && !errors.some((e) => e.startsWith('packets'))) {
    errors.push(`packets: got ${packets}, generator wrote ${meta.packets}`);
  }
  return {
    kind,
    file,
    ms,
    cpuMs,
    packets,
    tcpPackets,
    bytes: meta.bytes,
    rssStartBytes,
    maxRssBytes: process.resourceUsage().maxRSS * 1024,
    minorPageFaults: process.resourceUsage().minorPageFault,
    errors,
    ...(tally === undefined ? {} : { samples: tally.samples, flowsCreated: tally.flowsCreated, peakActiveFlows: tally.peakActiveFlows }),
  };
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === resolve(process.argv[1])) {
  const [kind, file] = process.argv.slice(2);
  if (kind === undefined || file === undefined) {
    process.stderr.write('usage: node dist/bench/measure.js floor|readers|decode|decode-chunk=<bytes>|analyze|flows|pcap-parser <capture.pcap>\n');
    process.exitCode = 2;
  } else {
    const result = await measure(kind, file);
    process.stdout.write(`${JSON.stringify(result)}\n`);
    if (result.errors.length > 0) process.exitCode = 1;
  }
}
