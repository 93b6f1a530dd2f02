/**
 * Ports and port ranges as people write them, one rule everywhere (the RTT filters --lport and
 * --rport, TCP-RT's --lports/--pports/--*-range and tcprt.yaml's `port`):
 *   - a port is a decimal number from 0 to 65535 (at most 5 digits, nothing else);
 *   - a list is comma-separated, and an option given twice adds to it: `80,443`;
 *   - a range is `lo,hi` (the kernel's syntax: `lports_range=8000,8099`) or `lo-hi`, low to
 *     high; ranges in one list are pairs in order: `8000,8099,9000,9099` or `8000-8099,9000-9099`.
 *   - an endpoint is `host:port` or `[v6]:port` (parseHostPort).
 * Errors name where the text came from (`what`: an option, or a file's field path).
 */
import { usageError } from '../errors.js';
import { listItems } from './lists.js';

export interface PortRange {
  lo: number;
  hi: number;
}

export const MAX_PORT = 65535;

/** One port; `what` names the option or field in the error. */
export function parsePort(text: string, what: string): number {
  if (!/^\d{1,5}$/.test(text) || Number(text) > MAX_PORT) throw usageError(`${what}: '${text}' is not a port (0-${MAX_PORT})`);
  return Number(text);
}

/** A list of ports (repeated values add up); each port once, in the order first given. */
export function parsePortList(values: readonly string[], what: string): number[] {
  return [...new Set(listItems(values).map((text) => parsePort(text, what)))];
}

/** Ranges: `lo,hi` pairs or `lo-hi` items, in the order given. */
export function parsePortRanges(values: readonly string[], what: string): PortRange[] {
  const ranges: PortRange[] = [];
  const list = listItems(values);
  for (let i = 0; i < list.length; i++) {
    const text = list[i]!;
    const dash = /^(\d+)\s*-\s*(\d+)$/.exec(text);
    let range: PortRange;
    let written: string;
    if (dash) {
      range = { lo: parsePort(dash[1]!, what), hi: parsePort(dash[2]!, what) };
      written = text;
    } else {
      if (!/^\d+$/.test(text)) throw usageError(`${what}: '${text}' is not a range lo,hi (8000,8099) or lo-hi (8000-8099)`);
      const lo = parsePort(text, what);
      const next = list[i + 1];
      if (next === undefined || next.includes('-')) {
        throw usageError(`${what}: '${text}' has no upper end: a range is lo,hi (8000,8099) or lo-hi (8000-8099)`);
      }
      range = { lo, hi: parsePort(next, what) };
      written = `${text},${next}`;
      i++;
    }
    if (range.lo > range.hi) throw usageError(`${what}: '${written}' runs from high to low`);
    ranges.push(range);
  }
  return ranges;
}

export interface HostPort {
  host: string;
  port: number;
}

/**
 * `host:port` or `[v6]:port`, the port by the rule above; undefined when it is not one.
 * `anyHost`: the host may be left out (`:9464`) and is this; `portZero`: port 0 (any free
 * port, for a listener) is allowed.
 */
export function parseHostPort(text: string, options: { anyHost?: string; portZero?: boolean } = {}): HostPort | undefined {
  const m = /^(?:\[([^\]]+)\]|([^:\s]*)):(\d{1,5})$/.exec(text);
  if (!m) return undefined;
  const host = m[1] ?? m[2]!;
  const port = Number(m[3]);
  if (port > MAX_PORT || (port === 0 && options.portZero !== true)) return undefined;
  if (host === '') return options.anyHost === undefined ? undefined : { host: options.anyHost, port };
  return { host, port };
}
