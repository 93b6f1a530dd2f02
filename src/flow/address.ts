/** Rendering and parsing addresses held as four u32 words (IPv4 in word 0 only). */

export function formatAddress(version: number, words: ArrayLike<number>, at = 0): string {
  if (version === 4) {
    const w = words[at]! >>> 0;
    return `${w >>> 24}.${(w >>> 16) & 255}.${(w >>> 8) & 255}.${w & 255}`;
  }
  const groups: number[] = [];
  for (let i = 0; i < 4; i++) {
    const w = words[at + i]! >>> 0;
    groups.push(w >>> 16, w & 0xffff);
  }
  // RFC 5952: compress the longest run (two or more) of zero groups, the first if tied.
  let bestStart = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLen).join(':')}`;
}

/** Parses an IPv4 or IPv6 literal into words; undefined when it is neither. */
/**
 * `addr:port`, an IPv6 address in brackets: `[2001:db8::1]:443`. IPv6 is told by its text (it
 * has a colon, IPv4 never does), so every caller brackets the same addresses.
 */
export function endpointText(addr: string, port: number): string {
  return addr.includes(':') ? `[${addr}]:${port}` : `${addr}:${port}`;
}

export function parseAddress(text: string): { version: 4 | 6; words: number[] } | undefined {
  const v4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text);
  if (v4) {
    const parts = v4.slice(1).map(Number);
    if (parts.some((p) => p > 255)) return undefined;
    return { version: 4, words: [((parts[0]! << 24) | (parts[1]! << 16) | (parts[2]! << 8) | parts[3]!) >>> 0, 0, 0, 0] };
  }
  if (!/^[0-9a-fA-F:.]+$/.test(text) || !text.includes(':')) return undefined;
  let head = text;
  let tail = '';
  const dbl = text.indexOf('::');
  if (dbl >= 0) {
    if (text.indexOf('::', dbl + 1) >= 0) return undefined;
    head = text.slice(0, dbl);
    tail = text.slice(dbl + 2);
  }
  const parseGroups = (s: string): number[] | undefined => {
    if (s === '') return [];
    const out: number[] = [];
    const parts = s.split(':');
    for (let i = 0; i < parts.length; i++) {
      const p = parts[i]!;
      if (i === parts.length - 1 && p.includes('.')) {
        const mapped = parseAddress(p);
        if (!mapped || mapped.version !== 4) return undefined;
        out.push(mapped.words[0]! >>> 16, mapped.words[0]! & 0xffff);
      } else {
        if (!/^[0-9a-fA-F]{1,4}$/.test(p)) return undefined;
        out.push(parseInt(p, 16));
      }
    }
    return out;
  };
  const h = parseGroups(head);
  const t = parseGroups(tail);
  if (!h || !t) return undefined;
  const missing = 8 - h.length - t.length;
  if (dbl >= 0 ? missing < 1 : missing !== 0) return undefined;
  const groups = [...h, ...new Array<number>(dbl >= 0 ? missing : 0).fill(0), ...t];
  const words: number[] = [];
  for (let i = 0; i < 4; i++) words.push(((groups[2 * i]! << 16) | groups[2 * i + 1]!) >>> 0);
  return { version: 6, words };
}

/** An address with a prefix length: `10.0.0.0/8`, `fd00::/64`, or a bare address (full length). */
export interface Cidr {
  version: 4 | 6;
  words: number[];
  prefix: number;
}

export function parseCidr(text: string): Cidr | undefined {
  const slash = text.indexOf('/');
  const addr = parseAddress(slash < 0 ? text : text.slice(0, slash));
  if (!addr) return undefined;
  const max = addr.version === 4 ? 32 : 128;
  let prefix = max;
  if (slash >= 0) {
    const p = text.slice(slash + 1);
    if (!/^\d{1,3}$/.test(p) || Number(p) > max) return undefined;
    prefix = Number(p);
  }
  return { ...addr, prefix };
}

export function cidrContains(cidr: Cidr, version: number, words: ArrayLike<number>, at = 0): boolean {
  if (cidr.version !== version) return false;
  let bits = cidr.prefix;
  for (let i = 0; i < 4 && bits > 0; i++, bits -= 32) {
    const mask = bits >= 32 ? 0xffffffff : (0xffffffff << (32 - bits)) >>> 0;
    if (((words[at + i]! ^ cidr.words[i]!) & mask) >>> 0 !== 0) return false;
  }
  return true;
}
