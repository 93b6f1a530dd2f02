/**
 * Ports and port ranges as people write them, one rule everywhere (the RTT filters --lport and
 * --rport, TCP-RT's --lports/--pports/--*-range and tcprt.yaml's `port`):
 *   - a port is a decimal number from 0 to 65535 (at most 5 digits, nothing else);
 *   - a list is comma-separated, and an option given twice adds to it: `80,443`;
 *   - a range is `lo,hi` (the kernel's syntax: `lports_range=8000,8099`) or `lo-hi`, low to
 *     high; ranges in one list are pairs in order: `8000,8099,9000,9099` or `8000-8099,9000-9099`.
 * Errors name where the text came from (`what`: an option, or a file's field path).
 */
import { RttscanError } from '../errors.js';

export interface PortRange {
  lo: number;
  hi: number;
}

export const MAX_PORT = 65535;

function usage(message: string): RttscanError {
  return new RttscanError('usage', message);
}

/** The comma-separated items of each value, trimmed, empty ones dropped. */
function items(values: readonly string[]): string[] {
  return values.flatMap((v) => v.split(',')).map((v) => v.trim()).filter((v) => v !== '');
}

/** One port; `what` names the option or field in the error. */
export function parsePort(text: string, what: string): number {
  if (!/^\d{1,5}$/.test(text) || Number(text) > MAX_PORT) throw usage(`${what}: '${text}' is not a port (0-${MAX_PORT})`);
  return Number(text);
}

/** A list of ports (repeated values add up); each port once, in the order first given. */
export function parsePortList(values: readonly string[], what: string): number[] {
  return [...new Set(items(values).map((text) => parsePort(text, what)))];
}

/** Ranges: `lo,hi` pairs or `lo-hi` items, in the order given. */
export function parsePortRanges(values: readonly string[], what: string): PortRange[] {
  const ranges: PortRange[] = [];
  const list = items(values);
  for (let i = 0; i < list.length; i++) {
    const text = list[i]!;
    const dash = /^(\d+)\s*-\s*(\d+)$/.exec(text);
    let range: PortRange;
    let written: string;
    if (dash) {
      range = { lo: parsePort(dash[1]!, what), hi: parsePort(dash[2]!, what) };
      written = text;
    } else {
      if (!/^\d+$/.test(text)) throw usage(`${what}: '${text}' is not a range lo,hi (8000,8099) or lo-hi (8000-8099)`);
      const lo = parsePort(text, what);
      const next = list[i + 1];
      if (next === undefined || next.includes('-')) {
        throw usage(`${what}: '${text}' has no upper end: a range is lo,hi (8000,8099) or lo-hi (8000-8099)`);
      }
      range = { lo, hi: parsePort(next, what) };
      written = `${text},${next}`;
      i++;
    }
    if (range.lo > range.hi) throw usage(`${what}: '${written}' runs from high to low`);
    ranges.push(range);
  }
  return ranges;
}
