/**
 * Which hosts are local, that is where the capture was taken. Samples acknowledged by a local
 * host time the local stack (its ACK delay), not the network, so they are left out by default.
 *
 * Given (`--local`, or live mode's interface addresses) it is simply a set of CIDRs. Offline
 * without it, it is inferred from how fast each host answers. An answer is an ACK that gives
 * an RTT sample, or any packet echoing (TSecr) the newest TSval its peer sent, timed from where
 * the capture saw what it answers. Wherever the capture point is, an answer takes at least the
 * round trip from there to the host and back; only at the host itself can it take host-stack
 * time, microseconds. So a host is local when at least two of its answers (its only one, if it
 * gave one) came within HOST_STACK_NS, an absolute bound: a router 1 ms from a host sees that
 * host answer in 1 ms at best, never within it. Several addresses can qualify (a client using
 * several source addresses, loopback) and so can none (a router, a tap: mid-path). Answers
 * are counted over the whole capture, whatever the filters and time window select, so slices
 * of one capture get the answer the whole does as long as the local host answers in each.
 */
import { cidrContains, formatAddress, parseCidr, type Cidr } from './address.js';

/**
 * The most an answer may take to count as host-stack time. In every lab capture the local
 * hosts' kernels answered in 1-21 µs at the fastest, on a loaded 2-core machine, and an
 * application answering at once (a close after the peer's FIN) in 150 µs; a router 1 ms from
 * a host sees it answer in 1.05 ms at best (README, Vantage). A switch and a cable each way
 * take less than this bound, so on a fast LAN a neighbour one hop away is taken as local too.
 */
export const HOST_STACK_NS = 200_000;
/** Answers within the bound a host needs (or all of its answers, if it gave fewer). */
const HOST_STACK_ANSWERS = 2;
/** Host-stack answers behind a confident decision that a host is local. */
const CONFIDENT_ANSWERS = 5;
/** Answers behind a confident decision that none is (mid-path). */
const CONFIDENT_MID_PATH_ANSWERS = 10;
/** Hosts remembered one by one (some 10 MB); beyond this, all others count together. */
const MAX_HOSTS = 65536;
/** Hosts listed as evidence in the JSON: the local ones first, then the busiest others. */
const EVIDENCE_HOSTS = 8;
const EVIDENCE_LOCAL_HOSTS = 32;

export type VantageHow = 'given' | 'host-stack' | 'no-host-stack' | 'no-answers';
export type Confidence = 'high' | 'low' | 'none';

/** A host's fastest answer, for a note. */
export interface FastestAnswer {
  address: string;
  fastestNs: number;
}

/**
 * How the vantage was inferred, as data. `boundNs` is HOST_STACK_NS; `unnamedLocal`: some of
 * the hosts beyond the first `maxHosts` (counted together, not by name) answered as local.
 */
export type VantageNote =
  | {
      code: 'vantage-local';
      /** The local hosts, in the order the capture first showed them. */
      hosts: string[];
      /** Their answers within the bound, and all their answers. */
      hostStackAnswers: number;
      answers: number;
      boundNs: number;
      /** The other hosts' fastest answer, if any answered. */
      fastestOther: FastestAnswer | undefined;
      unnamedLocal: boolean;
      maxHosts: number;
    }
  | { code: 'vantage-no-answers' }
  | {
      code: 'vantage-mid-path';
      boundNs: number;
      fastest: FastestAnswer;
      /** Hosts whose data was acknowledged but that answered nothing: one may be the capture host. */
      silent: string[];
      unnamedLocal: boolean;
      maxHosts: number;
    };

/** How one host answered, over the capture. */
export class HostEvidence {
  answers = 0;
  /** Answers within HOST_STACK_NS. */
  hostStack = 0;
  fastestNs = Infinity;
  /** Samples of this host's data (acknowledged by its peers). */
  acked = 0;
  constructor(readonly address: string) {}

  answer(delayNs: number): void {
    this.answers++;
    if (delayNs <= HOST_STACK_NS) this.hostStack++;
    if (delayNs < this.fastestNs) this.fastestNs = delayNs;
  }

  get local(): boolean {
    return this.answers > 0 && this.hostStack >= Math.min(HOST_STACK_ANSWERS, this.answers);
  }

  /** Local whatever comes next: answers within the bound only ever add up. */
  get surelyLocal(): boolean {
    return this.hostStack >= HOST_STACK_ANSWERS;
  }
}

/** One host's line in the evidence (JSON `vantage.evidence`). */
export interface HostSummary {
  address: string;
  answers: number;
  hostStack: number;
  fastestNs: number | null;
  local: boolean;
}

export interface Vantage {
  local: Cidr[];
  /** The local hosts as given or inferred, for output. */
  localLabels: string[];
  inferred: boolean;
  how: VantageHow;
  confidence: Confidence;
  /** The hosts the inference weighed (inferred only), local ones first, then by answers. */
  evidence: HostSummary[];
  /** What explains an inference, if one was made (src/cli words it for stderr). */
  note: VantageNote | undefined;
  /** `local` for lookup (isLocal). */
  readonly index: LocalIndex;
}

/** The local CIDRs split for lookup: single addresses in sets, prefixes in a list. */
interface LocalIndex {
  v4: Set<number>;
  v6: Set<string>;
  prefixes: Cidr[];
}

function indexOf(local: readonly Cidr[]): LocalIndex {
  const index: LocalIndex = { v4: new Set(), v6: new Set(), prefixes: [] };
  for (const cidr of local) {
    if (cidr.version === 4 && cidr.prefix === 32) index.v4.add(cidr.words[0]! >>> 0);
    else if (cidr.version === 6 && cidr.prefix === 128) index.v6.add(formatAddress(6, cidr.words, 0));
    else index.prefixes.push(cidr);
  }
  return index;
}

/**
 * Whether the address at `at` in `words` is local. Once per half-connection (the collector
 * caches the answer), and an inference can name thousands of hosts: a set lookup, not a scan.
 */
export function isLocal(vantage: Vantage, version: number, words: ArrayLike<number>, at: number): boolean {
  const index = vantage.index;
  if (version === 4 ? index.v4.has(words[at]! >>> 0) : index.v6.size > 0 && index.v6.has(formatAddress(6, words, at))) return true;
  for (const cidr of index.prefixes) if (cidrContains(cidr, version, words, at)) return true;
  return false;
}

/** Local addresses given by the caller (empty: none, a capture taken mid-path), or live mode's. */
export function givenVantage(local: Cidr[], labels: string[]): Vantage {
  return { local, localLabels: labels, inferred: false, how: 'given', confidence: 'high', evidence: [], note: undefined, index: indexOf(local) };
}

export class VantageInference {
  /** By address: IPv4 as its number (no string per flow), IPv6 as its text. */
  private readonly v4 = new Map<number, HostEvidence>();
  private readonly v6 = new Map<string, HostEvidence>();
  /** Every host, in the order the capture first showed them. */
  private readonly hosts: HostEvidence[] = [];
  /** Every host beyond MAX_HOSTS, counted together. */
  private readonly others = new HostEvidence('');

  /** The record of the host at `at` in `words` (called once per new flow and endpoint). */
  host(version: number, words: ArrayLike<number>, at: number): HostEvidence {
    const key4 = version === 4 ? words[at]! >>> 0 : 0;
    const key6 = version === 4 ? '' : formatAddress(version, words, at);
    let host = version === 4 ? this.v4.get(key4) : this.v6.get(key6);
    if (host === undefined) {
      if (this.hosts.length >= MAX_HOSTS) return this.others;
      host = new HostEvidence(version === 4 ? formatAddress(4, words, at) : key6);
      if (version === 4) this.v4.set(key4, host);
      else this.v6.set(key6, host);
      this.hosts.push(host);
    }
    return host;
  }

  /** The vantage from the answers counted so far. */
  decide(): Vantage {
    const hosts = this.hosts;
    const local = hosts.filter((h) => h.local);
    const byAnswers = (a: HostEvidence, b: HostEvidence): number => b.answers - a.answers || (a.address < b.address ? -1 : 1);
    const others = hosts.filter((h) => !h.local && h.answers > 0).sort(byAnswers);
    // Local hosts in the order the capture first showed them, the others busiest first.
    const evidence = [...local.slice(0, EVIDENCE_LOCAL_HOSTS), ...others.slice(0, EVIDENCE_HOSTS)]
      .map((h) => ({ address: h.address, answers: h.answers, hostStack: h.hostStack, fastestNs: h.answers > 0 ? h.fastestNs : null, local: h.local }));
    const unnamedLocal = this.others.local;
    const quickest = (list: HostEvidence[]): FastestAnswer => {
      const h = list.reduce((a, b) => (b.fastestNs < a.fastestNs ? b : a));
      return { address: h.address, fastestNs: h.fastestNs };
    };
    if (local.length > 0) {
      const labels = local.map((h) => h.address);
      const hostStack = local.reduce((n, h) => n + h.hostStack, 0);
      const answers = local.reduce((n, h) => n + h.answers, 0);
      const cidrs = labels.map((a) => parseCidr(a)!);
      return {
        local: cidrs,
        index: indexOf(cidrs),
        localLabels: labels,
        inferred: true,
        how: 'host-stack',
        confidence: local.every((h) => h.hostStack >= CONFIDENT_ANSWERS) ? 'high' : 'low',
        evidence,
        note: {
          code: 'vantage-local',
          hosts: labels,
          hostStackAnswers: hostStack,
          answers,
          boundNs: HOST_STACK_NS,
          fastestOther: others.length > 0 ? quickest(others) : undefined,
          unnamedLocal,
          maxHosts: MAX_HOSTS,
        },
      };
    }
    if (others.length === 0 && this.others.answers === 0) {
      return {
        local: [],
        index: indexOf([]),
        localLabels: [],
        inferred: true,
        evidence: [],
        how: 'no-answers',
        confidence: 'none',
        note: hosts.length === 0 ? undefined : { code: 'vantage-no-answers' },
      };
    }
    // A host whose data was acknowledged but which answered nothing may be the capture host
    // (a sender with no timestamps, in a slice of a one-way transfer): say so.
    const silent = hosts.filter((h) => h.acked > 0 && h.answers === 0).map((h) => h.address);
    const answers = hosts.reduce((sum, h) => sum + h.answers, this.others.answers);
    return {
      local: [],
      index: indexOf([]),
      localLabels: [],
      inferred: true,
      evidence,
      how: 'no-host-stack',
      confidence: silent.length === 0 && answers >= CONFIDENT_MID_PATH_ANSWERS ? 'high' : 'low',
      note: {
        code: 'vantage-mid-path',
        boundNs: HOST_STACK_NS,
        fastest: quickest(others.length > 0 ? others : [this.others]),
        silent,
        unnamedLocal,
        maxHosts: MAX_HOSTS,
      },
    };
  }
}
