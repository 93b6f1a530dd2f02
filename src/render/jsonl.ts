/**
 * `--jsonl`: one JSON object per sample, one per line (JSON Lines), with the CSV's fields:
 * `{"ts":"1795317623.330949000","src":"10.99.0.1","sport":60380,"dst":"10.99.0.2","dport":8080,"rtt_us":25316,"kind":"syn"}`.
 * ts is a string (epoch nanoseconds do not fit in a JSON number), rtt_us a number with up to three
 * decimals (nanoseconds), as in the --json document.
 */
import { KIND_NAMES, type HalfConnection, type SampleKind } from '../engines/rtt/rtt-engine.js';
import type { SampleEndpoints } from '../stats/collector.js';
import type { TimeBase } from '../time.js';
import { EpochText } from './sample-text.js';
import { roundUs } from './units.js';

export class JsonLines {
  private readonly middle = new WeakMap<HalfConnection, string>();
  private readonly epoch = new EpochText();

  line(base: TimeBase, ackNs: number, rttNs: number, kind: SampleKind, endpoints: SampleEndpoints): string {
    const half = endpoints.half;
    let middle = this.middle.get(half);
    if (middle === undefined) {
      middle = `"src":${JSON.stringify(endpoints.src)},"sport":${endpoints.sport},"dst":${JSON.stringify(endpoints.dst)},"dport":${endpoints.dport}`;
      this.middle.set(half, middle);
    }
    return `{"ts":"${this.epoch.format(base, ackNs)}",${middle},"rtt_us":${roundUs(rttNs / 1000)},"kind":"${KIND_NAMES[kind]}"}\n`;
  }
}
