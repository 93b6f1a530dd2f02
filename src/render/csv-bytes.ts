/**
 * `--csv` rows written as bytes straight into a buffer: no string per sample, so no garbage per
 * sample. The rows are the bytes csv-stringify writes (test/unit/sample-formats.test.ts). With a
 * string per row, --csv took 1.55x the time of a --json run on the bench capture, a third of it
 * in the garbage collector and in encoding strings into bytes (--cpu-prof); this way 1.38x
 * (farm-bench medians, README Performance). The endpoints part of a row is encoded once per
 * half-connection, the `seconds.` part once per second, the kind names once.
 */
import { KIND_NAMES, type HalfConnection } from '../engines/rtt/rtt-engine.js';
import type { Sample } from '../stats/collector.js';
import { frameNumber, inputOfFrame } from '../capture/frame-ref.js';
import { CsvRows, inputFields, NEEDS_QUOTING, type CsvInputs } from './csv.js';
import type { PerSampleSink, SinkStream } from './sample-sink.js';

/** Bytes gathered before a write (a fresh buffer each time: the stream keeps the one written). */
const BUFFER_BYTES = 256 * 1024;
/** Room left for one more row: the longest row (two IPv6 addresses) is under 250 bytes, input names aside. */
const ROW_ROOM = 512;
const COMMA = 0x2c;
const NEWLINE = 0x0a;
const DOT = 0x2e;
const ZERO = 0x30;

const KIND_BYTES = KIND_NAMES.map((k) => Buffer.from(`,${k},`, 'latin1'));
const NO_INPUT = Buffer.from(',', 'latin1');

export class CsvByteSink implements PerSampleSink {
  private buf = Buffer.allocUnsafe(BUFFER_BYTES);
  private pos = 0;
  private full = false;
  /** `,src,sport,dst,dport,` per half-connection; null: its fields need quoting (CsvRows, csv-stringify). */
  private readonly middle = new WeakMap<HalfConnection, Buffer | null>();
  private readonly quoted: CsvRows;
  /** `,name` of each input (undefined: no input columns). */
  private inputBytes: Buffer[] | undefined;
  /** The longest of them, so that a row always fits the room left. */
  private inputRoom = 0;
  private lastHalf: HalfConnection | undefined;
  private lastMiddle: Buffer | null | undefined;
  private second = NaN;
  private prefix = Buffer.alloc(0);
  /** Decimal digits of a number, written backwards. */
  private readonly digits = new Uint8Array(24);

  constructor(
    private readonly out: SinkStream,
    header: string,
    inputs: CsvInputs,
  ) {
    this.pos = this.buf.write(header, 0, 'utf8');
    this.quoted = new CsvRows(inputs);
    this.useInputs(inputs);
  }

  /** The inputs of the next run's frame numbers (a capture point, a file of --each). */
  useInputs(inputs: CsvInputs): void {
    this.quoted.useInputs(inputs);
    this.inputBytes = inputs === undefined ? undefined : inputFields(inputs).map((field) => Buffer.from(field, 'utf8'));
    this.inputRoom = 2 * Math.max(0, ...(this.inputBytes ?? []).map((b) => b.length));
    // A row must fit what is left of a buffer after a flush.
    if (ROW_ROOM + this.inputRoom > BUFFER_BYTES) throw new RangeError('an input name longer than a CSV buffer');
  }

  add(sample: Sample): void {
    const { base, ackNs, rttNs, kind } = sample;
    const half = sample.half;
    // Samples come in runs from one connection: the last half saves the map lookup.
    let middle = half === this.lastHalf ? this.lastMiddle : this.middle.get(half);
    if (middle === undefined) {
      const fields = [sample.src, String(sample.sport), sample.dst, String(sample.dport)];
      middle = fields.some((f) => NEEDS_QUOTING.test(f)) ? null : Buffer.from(`,${fields.join(',')},`, 'utf8');
      this.middle.set(half, middle);
    }
    this.lastHalf = half;
    this.lastMiddle = middle;
    if (middle === null) {
      this.pos += this.buf.write(this.quoted.line(sample), this.pos, 'utf8');
    } else {
      const whole = Math.floor(ackNs / 1e9);
      const second = base.baseSec + whole;
      if (second !== this.second) {
        this.second = second;
        this.prefix = Buffer.from(`${second}.`, 'latin1');
      }
      const buf = this.buf;
      let pos = this.pos;
      // TypedArray.set: Buffer.copy's checks cost more than these few bytes (--cpu-prof).
      buf.set(this.prefix, pos);
      pos += this.prefix.length;
      pos = this.fixedDigits(Math.round(ackNs - whole * 1e9), 9, pos);
      buf.set(middle, pos);
      pos += middle.length;
      const us = Math.floor(rttNs / 1000);
      pos = this.integer(us, pos);
      buf[pos++] = DOT;
      pos = this.fixedDigits(rttNs - us * 1000, 3, pos);
      const kindBytes = KIND_BYTES[kind]!;
      buf.set(kindBytes, pos);
      pos += kindBytes.length;
      pos = this.integer(frameNumber(sample.segFrame), pos);
      buf[pos++] = COMMA;
      pos = this.integer(frameNumber(sample.ackFrame), pos);
      const inputs = this.inputBytes;
      if (inputs !== undefined) {
        const segInput = inputs[inputOfFrame(sample.segFrame)] ?? NO_INPUT;
        buf.set(segInput, pos);
        pos += segInput.length;
        const ackInput = inputs[inputOfFrame(sample.ackFrame)] ?? NO_INPUT;
        buf.set(ackInput, pos);
        pos += ackInput.length;
      }
      buf[pos++] = NEWLINE;
      this.pos = pos;
    }
    if (this.pos > BUFFER_BYTES - ROW_ROOM - this.inputRoom) this.flush();
  }

  /** `value` in exactly `width` digits, zero-padded. */
  private fixedDigits(value: number, width: number, pos: number): number {
    const buf = this.buf;
    for (let i = width - 1; i >= 0; i--) {
      buf[pos + i] = ZERO + (value % 10);
      value = Math.floor(value / 10);
    }
    return pos + width;
  }

  private integer(value: number, pos: number): number {
    const digits = this.digits;
    let n = 0;
    do {
      digits[n++] = ZERO + (value % 10);
      value = Math.floor(value / 10);
    } while (value > 0);
    const buf = this.buf;
    while (n > 0) buf[pos++] = digits[--n]!;
    return pos;
  }

  flush(): void {
    if (this.pos === 0) return;
    const written = this.buf.subarray(0, this.pos);
    this.buf = Buffer.allocUnsafe(BUFFER_BYTES);
    this.pos = 0;
    if (!this.out.write(written)) this.full = true;
  }

  get pending(): Promise<void> | undefined {
    if (!this.full) return undefined;
    this.full = false;
    return this.out.drained();
  }
}
