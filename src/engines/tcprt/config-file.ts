/**
 * The tcprt configuration file (Alibaba Cloud Linux `tcprt.yaml`), read with a real YAML
 * parser:
 *
 *   global:   { peer: false, stats: enable, stats_interval: 60, first_frame_bytes: [100, 2000, 20000, 0] }
 *   per-port:
 *     - { port: 443, mode: https, first_frame: enable }
 *     - { port: "56789,56800", mode: default, peer: true }   # a range lo,hi
 *   init:     { log_buf_num: 8, log_buf_size: 262144, stats_buf_num: 8, stats_buf_size: 16384 }
 *
 * `init` sizes the kernel's ring buffers: accepted and ignored. Anything else unknown is an
 * error naming the file, line and key, so a typo never silently changes what is measured.
 */
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node } from 'yaml';
import { RttscanError, usageError } from '../../errors.js';
import { printable } from '../../util/printable.js';
import { parsePort, parsePortRanges } from '../../util/ports.js';
import { firstFrameThresholds, TCPRT_MODES, type PortRule, type TcprtMode } from './config.js';

export interface TcprtFileConfig {
  rules: PortRule[];
  /** `global.stats`: undefined when not given. */
  stats?: boolean;
  statsIntervalNs?: number;
  firstFrameBytes?: number[];
}

class FileReader {
  constructor(
    private readonly file: string,
    private readonly lines: LineCounter,
  ) {}

  error(node: unknown, message: string): RttscanError {
    const offset = (node as Node | undefined)?.range?.[0];
    const where = offset === undefined ? '' : ` line ${this.lines.linePos(offset).line}:`;
    // Names and values from the file, escaped: the message stays one line.
    return usageError(printable(`${this.file}:${where} ${message}`));
  }

  /** The pairs of a mapping, checking keys against `known`. */
  entries(node: unknown, path: string, known: readonly string[]): Array<[string, unknown]> {
    if (!isMap(node)) throw this.error(node, `${path} must be a mapping ({ key: value, ... })`);
    return node.items.map((pair) => {
      const key = isScalar(pair.key) ? String(pair.key.value) : '';
      if (!known.includes(key)) throw this.error(pair.key, `unknown key '${key}' in ${path} (expected ${known.join(', ')})`);
      return [key, pair.value];
    });
  }

  scalar(node: unknown, path: string): unknown {
    if (!isScalar(node)) throw this.error(node, `${path} must be a single value`);
    return node.value;
  }

  bool(node: unknown, path: string): boolean {
    const value = this.scalar(node, path);
    if (value === true || value === 'enable') return true;
    if (value === false || value === 'disable') return false;
    throw this.error(node, `${path}: '${String(value)}' is not enable/disable (or true/false)`);
  }

  /** `parse()`'s result, its usage error placed at `node`'s line. */
  checked<T>(node: unknown, parse: () => T): T {
    try {
      return parse();
    } catch (err) {
      if (err instanceof RttscanError) throw this.error(node, err.message);
      throw err;
    }
  }

  whole(node: unknown, path: string, max: number): number {
    const value = this.scalar(node, path);
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > max) {
      throw this.error(node, `${path}: '${String(value)}' is not a whole number from 0 to ${max}`);
    }
    return value;
  }
}

export function parseTcprtConfig(text: string, file: string): TcprtFileConfig {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const syntax = doc.errors[0];
  if (syntax !== undefined) {
    const line = lines.linePos(syntax.pos[0]).line;
    throw usageError(`${file}: line ${line}: ${syntax.message.split('\n')[0]}`);
  }
  const r = new FileReader(file, lines);
  const config: TcprtFileConfig = { rules: [] };
  if (doc.contents === null) return config;
  let peerDefault = false;
  const perPort: unknown[] = [];
  for (const [key, value] of r.entries(doc.contents, 'the file', ['global', 'per-port', 'init'])) {
    if (key === 'global') {
      for (const [gkey, gvalue] of r.entries(value, 'global', ['peer', 'stats', 'stats_interval', 'first_frame_bytes'])) {
        const path = `global.${gkey}`;
        if (gkey === 'peer') peerDefault = r.bool(gvalue, path);
        else if (gkey === 'stats') config.stats = r.bool(gvalue, path);
        else if (gkey === 'stats_interval') {
          const seconds = r.whole(gvalue, path, 86400);
          if (seconds === 0) throw r.error(gvalue, `${path} must be at least 1 (seconds)`);
          config.statsIntervalNs = seconds * 1e9;
        } else {
          if (!isSeq(gvalue)) throw r.error(gvalue, `${path} must be a list of byte counts`);
          const bytes = gvalue.items.map((item, i) => r.whole(item, `${path}[${i}]`, 0xffffffff));
          config.firstFrameBytes = r.checked(gvalue, () => firstFrameThresholds(bytes, path));
        }
      }
    } else if (key === 'per-port') {
      if (!isSeq(value)) throw r.error(value, 'per-port must be a list of { port: ..., ... }');
      perPort.push(...value.items);
    } else {
      for (const [ikey, ivalue] of r.entries(value, 'init', ['log_buf_num', 'log_buf_size', 'stats_buf_num', 'stats_buf_size'])) {
        r.whole(ivalue, `init.${ikey}`, 0xffffffff);
      }
    }
  }
  perPort.forEach((item, i) => {
    const path = `per-port[${i}]`;
    let port: [number, number, boolean] | undefined;
    let mode: TcprtMode = 'default';
    let firstFrame = false;
    let peer = peerDefault;
    for (const [pkey, pvalue] of r.entries(item, path, ['port', 'mode', 'first_frame', 'peer'])) {
      const p = `${path}.${pkey}`;
      if (pkey === 'port') port = portOrRange(r, pvalue, p);
      else if (pkey === 'mode') {
        const m = r.scalar(pvalue, p);
        if (!TCPRT_MODES.includes(m as TcprtMode)) throw r.error(pvalue, `${p}: '${String(m)}' is not ${TCPRT_MODES.join(', ')}`);
        mode = m as TcprtMode;
      } else if (pkey === 'first_frame') firstFrame = r.bool(pvalue, p);
      else peer = r.bool(pvalue, p);
    }
    if (port === undefined) throw r.error(item, `${path} has no port`);
    config.rules.push({ side: peer ? 'peer' : 'local', lo: port[0], hi: port[1], range: port[2], mode, firstFrame });
  });
  return config;
}

/** `443`, or a range "lo,hi" (or "lo-hi"): the ports rule of util/ports.ts. */
function portOrRange(r: FileReader, node: unknown, path: string): [number, number, boolean] {
  const value = r.scalar(node, path);
  const text = String(value).trim();
  if (typeof value === 'number' || /^\d+$/.test(text)) {
    const port = r.checked(node, () => parsePort(text, path));
    return [port, port, false];
  }
  const ranges = r.checked(node, () => parsePortRanges([text], path));
  if (ranges.length !== 1) throw r.error(node, `${path}: '${text}' is not one port or one range "lo,hi"`);
  return [ranges[0]!.lo, ranges[0]!.hi, true];
}
