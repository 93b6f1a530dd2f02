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

/** `000` to `999` in ASCII, three bytes each: numbers are written three digits at a time. */
const TRIPLES = new Uint8Array(3000);
for (let i = 0; i < 1000; i++) {
  TRIPLES[3 * i] = ZERO + Math.floor(i / 100);
  TRIPLES[3 * i + 1] = ZERO + (Math.floor(i / 10) % 10);
  TRIPLES[3 * i + 2] = ZERO + (i % 10);
}
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
      pos = this.nineDigits(Math.round(ackNs - whole * 1e9), pos);
      buf.set(middle, pos);
      pos += middle.length;
      const us = Math.floor(rttNs / 1000);
      pos = this.integer(us, pos);
      buf[pos++] = DOT;
      pos = this.triple(rttNs - us * 1000, pos);
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

  /** `value` (0 to 999) in exactly three digits, zero-padded. */
  private triple(value: number, pos: number): number {
    const buf = this.buf;
    const t = 3 * value;
    buf[pos] = TRIPLES[t]!;
    buf[pos + 1] = TRIPLES[t + 1]!;
    buf[pos + 2] = TRIPLES[t + 2]!;
    return pos + 3;
  }

  /** `value` (below 10^9: the nanoseconds of a second) in exactly nine digits, zero-padded. */
  private nineDigits(value: number, pos: number): number {
    const millions = Math.floor(value / 1e6);
    const rest = value - millions * 1e6;
    const thousands = Math.floor(rest / 1000);
    pos = this.triple(millions, pos);
    pos = this.triple(thousands, pos);
    return this.triple(rest - thousands * 1000, pos);
  }

  /** A non-negative integer in as many digits as it has. */
  private integer(value: number, pos: number): number {
    if (value >= 1000) {
      const high = Math.floor(value / 1000);
      return this.triple(value - high * 1000, this.integer(high, pos));
    }
    const buf = this.buf;
    const t = 3 * value;
    if (value >= 100) buf[pos++] = TRIPLES[t]!;
    if (value >= 10) buf[pos++] = TRIPLES[t + 1]!;
    buf[pos++] = TRIPLES[t + 2]!;
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
