/**
 * Network interfaces for live mode: which can be captured (--list-interfaces) and the host's
 * own addresses on one, which are the local side (vantage) unless --local says otherwise.
 */
import { spawnSync } from 'node:child_process';
import { networkInterfaces } from 'node:os';
import { loadLibpcap } from './libpcap.js';
import type { CaptureBackend } from './live-capture.js';

export interface CaptureInterface {
  name: string;
  description: string | undefined;
  addresses: string[];
}

/** libpcap's pseudo-interface that captures on all of them. */
export const ANY_INTERFACE = 'any';

/** The addresses of `iface` (all interfaces' for `any`), IPv4 first, without zone suffixes. */
export function interfaceAddresses(iface: string): string[] {
  const all = networkInterfaces();
  const infos = iface === ANY_INTERFACE ? Object.values(all).flat() : (all[iface] ?? []);
  const v4 = infos.filter((i) => i?.family === 'IPv4').map((i) => i!.address);
  const v6 = infos.filter((i) => i?.family === 'IPv6').map((i) => i!.address.replace(/%.*$/, ''));
  return [...new Set([...v4, ...v6])];
}

/** What libpcap can capture on, as the binding or `tcpdump -D` sees it. */
export async function listInterfaces(backend: CaptureBackend): Promise<CaptureInterface[]> {
  const libpcap = await loadLibpcap();
  if (backend === 'libpcap' && 'binding' in libpcap) {
    return libpcap.binding.findalldevs().map((dev) => ({
      name: dev.name,
      description: dev.description,
      addresses: dev.addresses.map((a) => a.addr).filter((a): a is string => a !== undefined),
    }));
  }
  const run = spawnSync('tcpdump', ['-D'], { encoding: 'utf8' });
  if (run.status !== 0) return [];
  // "1.eth0 [Up, Running]" or "2.any (Pseudo-device that captures on all interfaces) [Up, Running]"
  return run.stdout
    .split('\n')
    .map((line) => /^\d+\.(\S+)(?: \((.*)\))?(?: \[[^\]]*\])?$/.exec(line))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ name: m[1]!, description: m[2], addresses: m[1] === ANY_INTERFACE ? [] : interfaceAddresses(m[1]!) }));
}
