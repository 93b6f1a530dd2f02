/**
 * `--jsonl`: one JSON object per sample, one per line (JSON Lines), with the CSV's fields:
 * `{"ts":"1795317623.330949000","src":"10.99.0.1","sport":60380,"dst":"10.99.0.2","dport":8080,"rtt_us":25316,"kind":"syn","seg_frame":1,"ack_frame":2}`
 * (and `seg_input`, `ack_input` when the run reads several inputs). ts is a string (epoch nanoseconds do not fit in a JSON number), rtt_us a number with up to three
 * decimals (nanoseconds), as in the --json document.
 */
import { frameNumber, inputOfFrame } from '../capture/frame-ref.js';
import { KIND_NAMES, type HalfConnection } from '../engines/rtt/rtt-engine.js';
import type { Sample } from '../stats/collector.js';
import type { CsvInputs } from './csv.js';
import { EpochText } from './sample-text.js';
import { roundUs } from './units.js';

export class JsonLines {
  private readonly middle = new WeakMap<HalfConnection, string>();
  private readonly epoch = new EpochText();
  /** `,"seg_input":name` and `,"ack_input":name` per input (undefined: no input fields). */
  private segInputs: string[] | undefined;
  private ackInputs: string[] = [];

  constructor(inputs: CsvInputs) {
    this.useInputs(inputs);
  }

  /** The inputs of the next run's frame numbers (a capture point, a file of --each). */
  useInputs(inputs: CsvInputs): void {
    this.segInputs = inputs?.map((name) => `,"seg_input":${JSON.stringify(name)}`);
    this.ackInputs = inputs?.map((name) => `,"ack_input":${JSON.stringify(name)}`) ?? [];
  }

  line(sample: Sample): string {
    const { base, ackNs, rttNs, kind } = sample;
    const half = sample.half;
    let middle = this.middle.get(half);
    if (middle === undefined) {
      middle = `"src":${JSON.stringify(sample.src)},"sport":${sample.sport},"dst":${JSON.stringify(sample.dst)},"dport":${sample.dport}`;
      this.middle.set(half, middle);
    }
    const frames = `"seg_frame":${frameNumber(sample.segFrame)},"ack_frame":${frameNumber(sample.ackFrame)}`;
    const inputs = this.segInputs === undefined ? '' : `${this.segInputs[inputOfFrame(sample.segFrame)] ?? ''}${this.ackInputs[inputOfFrame(sample.ackFrame)] ?? ''}`;
    return `{"ts":"${this.epoch.format(base, ackNs)}",${middle},"rtt_us":${roundUs(rttNs / 1000)},"kind":"${KIND_NAMES[kind]}",${frames}${inputs}}\n`;
  }
}
