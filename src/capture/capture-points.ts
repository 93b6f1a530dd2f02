/**
 * Capture points: several inputs are one capture only when they were taken at one place, one
 * after another (a rotated capture: `tcpdump -G`, `-C`). Inputs that overlap in time were taken
 * at different places (or on different interfaces), and pairing a segment seen in one with an
 * ACK seen in another gives times that are no round trip at all (the same traffic captured at
 * both ends: "RTTs" of 10 and 15 ms on a 25 ms path). So inputs are grouped into capture points
 * by their time spans, and each point is analysed on its own.
 *
 * Grouping: inputs in order of their first packet (ties in command-line order); each joins the
 * first point, in the order points were made, whose last packet is no later than its own first;
 * otherwise it starts a new point. Rotated slices of two captures (a-0 a-1 b-0 b-1) make two
 * points. An input without packets joins the first point.
 */
import { openInputs, readPackets } from './packet-source.js';

export interface CaptureSpan {
  path: string;
  /** Earliest and latest packet times as [sec, nsec]; undefined for an input without packets. */
  first: readonly [number, number] | undefined;
  last: readonly [number, number] | undefined;
}

export interface CapturePoint {
  /** The inputs of the point, in the order given. */
  paths: string[];
}

function before(a: readonly [number, number], b: readonly [number, number]): boolean {
  return a[0] < b[0] || (a[0] === b[0] && a[1] < b[1]);
}

/** The earliest and latest packet time of a file: its records are read, nothing decoded. */
export async function captureSpan(path: string, signal?: AbortSignal): Promise<CaptureSpan> {
  const inputs = await openInputs([path], signal);
  let first: [number, number] | undefined;
  let last: [number, number] | undefined;
  if (inputs !== undefined) {
    await readPackets(
      inputs,
      (pkt) => {
        if (first === undefined) {
          first = [pkt.tsSec, pkt.tsNsec];
          last = [pkt.tsSec, pkt.tsNsec];
          return;
        }
        if (pkt.tsSec < first[0] || (pkt.tsSec === first[0] && pkt.tsNsec < first[1])) first = [pkt.tsSec, pkt.tsNsec];
        if (pkt.tsSec > last![0] || (pkt.tsSec === last![0] && pkt.tsNsec > last![1])) last = [pkt.tsSec, pkt.tsNsec];
      },
      signal,
    );
  }
  return { path, first, last };
}

/** Groups spans into capture points (see above); points come in the order of their first input. */
export function capturePoints(spans: readonly CaptureSpan[]): CapturePoint[] {
  const order = spans.map((span, index) => ({ span, index })).filter((s) => s.span.first !== undefined);
  order.sort((a, b) => (before(a.span.first!, b.span.first!) ? -1 : before(b.span.first!, a.span.first!) ? 1 : a.index - b.index));
  const points: Array<{ indexes: number[]; last: readonly [number, number] }> = [];
  for (const { span, index } of order) {
    const point = points.find((p) => !before(span.first!, p.last));
    if (point === undefined) {
      points.push({ indexes: [index], last: span.last! });
    } else {
      point.indexes.push(index);
      if (before(point.last, span.last!)) point.last = span.last!;
    }
  }
  const empty = spans.map((span, index) => ({ span, index })).filter((s) => s.span.first === undefined);
  if (points.length === 0) return [{ paths: spans.map((s) => s.path) }];
  points[0]!.indexes.push(...empty.map((e) => e.index));
  return points.map((p) => ({ paths: p.indexes.sort((a, b) => a - b).map((i) => spans[i]!.path) }));
}
