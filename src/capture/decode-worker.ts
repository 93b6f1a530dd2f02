/**
 * The decoding worker (worker-input.ts starts it): reads one capture file (gunzipped when it is
 * gzip), decodes every packet, and writes the TCP ones into the shared ring (packet-ring.ts) for
 * the analysing thread, so that reading, decompression and decoding run on the second core.
 * What the analysis needs besides the packets follows as messages: the input's summary at the
 * end, or the error that stopped the reading (after the packets read before it).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { PacketDecoder } from '../decode/decoder.js';
import { CaptureError, RttscanError } from '../errors.js';
import { CaptureInput } from './input.js';
import { RingWriter, STATUS_END, STATUS_FAILED, type RingMemory } from './packet-ring.js';
import type { WorkerDone, WorkerFailed, WorkerFormat } from './worker-input.js';

const { path, ring } = workerData as { path: string; ring: RingMemory };
const port = parentPort!;
const writer = new RingWriter(ring);
const input = new CaptureInput(path, 0);
const bytesRead = new Float64Array(ring.bytesRead);
const decoder = new PacketDecoder();
decoder.onUnsupportedLinktype = (linktype) => writer.unsupportedLinktype(linktype);

/** The format and the link types seen so far, for the summary of a run interrupted before the end. */
function tellFormat(): void {
  const format: WorkerFormat = { type: 'format', format: input.format, linktypes: [...input.linktypes] };
  port.postMessage(format);
}

async function run(): Promise<void> {
  await input.open();
  const reader = input.reader;
  const pkt = reader.packet;
  const view = decoder.view;
  tellFormat();
  let linktypes = reader.linktypes.length;
  do {
    while (reader.next()) {
      const frame = ++input.packets;
      if (decoder.decode(pkt)) writer.packet(view, frame);
      if (writer.stopped) return;
    }
    bytesRead[0] = input.bytesRead;
    if (reader.linktypes.length !== linktypes) {
      linktypes = reader.linktypes.length;
      tellFormat();
    }
  } while (!writer.stopped && (await input.fill()));
  bytesRead[0] = input.bytesRead;
}

run().then(
  () => {
    if (input.isOpen) input.close();
    const done: WorkerDone = {
      type: 'done',
      format: input.format,
      linktypes: [...input.linktypes],
      warnings: input.warnings,
      packets: input.packets,
      counters: { ...decoder.counters, unsupportedLinktypes: [...decoder.counters.unsupportedLinktypes] },
    };
    port.postMessage(done);
    writer.publish(STATUS_END);
  },
  (err: unknown) => {
    input.close();
    const e = err as Error;
    const failed: WorkerFailed = {
      type: 'failed',
      name: e instanceof CaptureError ? 'CaptureError' : e instanceof RttscanError ? 'RttscanError' : 'Error',
      message: e.message,
      code: e instanceof RttscanError ? e.code : undefined,
      position: e instanceof CaptureError ? { file: e.file, offset: e.offset, record: e.record, reason: e.reason } : undefined,
      stack: e.stack,
    };
    port.postMessage(failed);
    writer.publish(STATUS_FAILED);
  },
);
