/**
 * /proc/net/tcp and /proc/net/tcp6, as the kernel prints them (net/ipv4/tcp_ipv4.c,
 * get_tcp4_sock): per socket, the local and remote address:port in hex, the state, and the
 * socket's inode (0 while no process holds it: TIME_WAIT, or accepted but not yet accept()ed).
 * Addresses are the kernel's words in host byte order, each printed as %08X.
 */
import { endianness } from 'node:os';

export const TCP_LISTEN = 0x0a;

export interface SocketEntry {
  local: string;
  localPort: number;
  remote: string;
  remotePort: number;
  state: number;
  inode: number;
}

const little = endianness() === 'LE';

/** One 32-bit word of a /proc/net address (host byte order) as its 4 bytes in network order. */
function wordBytes(hex: string): number[] {
  const v = parseInt(hex, 16) >>> 0;
  const bytes = [(v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff];
  return little ? bytes.reverse() : bytes;
}

/** `0100007F` → 127.0.0.1; 32 hex digits → an IPv6 address in its short form. */
export function procAddress(hex: string): string {
  if (hex.length === 8) return wordBytes(hex).join('.');
  const bytes = [0, 8, 16, 24].flatMap((i) => wordBytes(hex.slice(i, i + 8)));
  // An IPv4-mapped address (::ffff:a.b.c.d), as an IPv4 socket on a dual-stack listener shows.
  if (bytes.slice(0, 10).every((b) => b === 0) && bytes[10] === 0xff && bytes[11] === 0xff) return bytes.slice(12).join('.');
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((bytes[i]! << 8) | bytes[i + 1]!).toString(16));
  return compressIpv6(groups);
}

function compressIpv6(groups: string[]): string {
  let best = { at: -1, len: 0 };
  for (let i = 0; i < 8; ) {
    if (groups[i] !== '0') {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === '0') j++;
    if (j - i > best.len && j - i > 1) best = { at: i, len: j - i };
    i = j;
  }
  if (best.at < 0) return groups.join(':');
  return `${groups.slice(0, best.at).join(':')}::${groups.slice(best.at + best.len).join(':')}`;
}

/** The sockets of one /proc/net/tcp{,6} text. */
export function parseProcNetTcp(text: string): SocketEntry[] {
  const entries: SocketEntry[] = [];
  for (const line of text.split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length < 10) continue;
    const [localHex, localPortHex] = f[1]!.split(':');
    const [remoteHex, remotePortHex] = f[2]!.split(':');
    if (localHex === undefined || remoteHex === undefined) continue;
    entries.push({
      local: procAddress(localHex),
      localPort: parseInt(localPortHex!, 16),
      remote: procAddress(remoteHex),
      remotePort: parseInt(remotePortHex!, 16),
      state: parseInt(f[3]!, 16),
      inode: Number(f[9]),
    });
  }
  return entries;
}
