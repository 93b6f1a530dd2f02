/**
 * The table of live TCP connections. Both directions of a connection meet in one Flow: the
 * key hash is symmetric in its two endpoints, computed from numbers (no strings), and lookups
 * allocate nothing. Expiry, by capture time:
 *   - idle: no packet for idleTtl; closed (FIN/RST seen): no packet for expTtl;
 *   - a cap on the number of flows, evicting the least recently listed (closed ones first).
 * A flow that is looked up after its TTL ran out is expired right then, so what a packet finds
 * is exact. Memory is reclaimed by a sweep that only looks at list heads: flows sit in two
 * lists (open, closed) ordered by the time they were listed, and a packet does not move its
 * flow (that cost more than the rest of the lookup); instead the sweep, finding a head that
 * was active since it was listed, lists it again at the tail. So an idle flow is freed between
 * one and two TTLs after its last packet, and each flow is relisted at most once per TTL.
 * Engines keep their per-connection state in `Flow.state`, made by the table's factory.
 */
import type { PacketView } from '../decode/packet-view.js';
import { NOT_YET_SET } from '../time.js';

export type ExpiryReason = 'idle' | 'closed' | 'evicted' | 'reused' | 'end';

const NO_MATCH = 0;
const FROM_A = 1;
const FROM_B = 2;

/** Flow.versionBits: above the IP version (4 or 6), the flag of a closed flow. */
const CLOSED = 8;

export class Flow<S> {
  /*
   * Addresses as int32 words (`| 0`): V8 keeps a small integer in the object itself but boxes a
   * larger number in a heap number of its own, and a million flows make every byte count
   * (bench/run.ts, bytes per active flow). Word 0 of each endpoint is a field; IPv6 keeps all
   * eight words in `addrs6` as well, which IPv4 flows do without.
   */
  /** Word 0 of endpoint A's address (A is the sender of the first packet seen), and of B's. */
  readonly addrA: number;
  readonly addrB: number;
  /** IPv6: A's words 0..3, then B's; undefined for IPv4. */
  readonly addrs6: number[] | undefined;
  /** portA in the high 16 bits, portB in the low 16, as an int32 (`| 0`): one field, not two. */
  private readonly ports: number;
  readonly hash: number;
  state!: S;
  /** Capture time (ns from the start of the run) of the latest packet (set as the flow is listed). */
  lastSeenNs = NOT_YET_SET;
  /**
   * When the flow was put at the tail of its list (lists are in this order), in ms rounded up:
   * a small integer for 24 days of capture, where ns would be a boxed double. Only the sweep
   * reads it, and a millisecond later only delays when memory is reclaimed (rounding down
   * could make a flow just relisted look due again, with a TTL under 1 ms).
   */
  listedMs = 0;
  /** The IP version, plus CLOSED once a FIN or RST was seen: one field, not two. */
  private versionBits: number;
  nextInBucket: Flow<S> | undefined = undefined;
  prev: Flow<S> | undefined = undefined;
  next: Flow<S> | undefined = undefined;

  constructor(view: PacketView, hash: number) {
    this.versionBits = view.ipVersion;
    this.addrA = view.src[0]! | 0;
    this.addrB = view.dst[0]! | 0;
    if (view.ipVersion === 6) {
      const s = view.src;
      const d = view.dst;
      // A literal, sized exactly: push() would leave growth slack in every IPv6 flow.
      this.addrs6 = [s[0]! | 0, s[1]! | 0, s[2]! | 0, s[3]! | 0, d[0]! | 0, d[1]! | 0, d[2]! | 0, d[3]! | 0];
    } else {
      this.addrs6 = undefined;
    }
    this.ports = (view.srcPort << 16) | view.dstPort;
    this.hash = hash;
  }

  get ipVersion(): number {
    return this.versionBits & ~CLOSED;
  }

  /** A FIN or RST was seen: the flow expires expTtl after its last packet (FlowTable.markClosed). */
  get closed(): boolean {
    return (this.versionBits & CLOSED) !== 0;
  }

  /** Endpoint A's port (A sent the first packet seen), and B's. */
  get portA(): number {
    return this.ports >>> 16;
  }
  get portB(): number {
    return this.ports & 0xffff;
  }

  /** Marks the flow closed; only the table calls this (FlowTable.markClosed). */
  close(): void {
    this.versionBits |= CLOSED;
  }

  /** Both addresses as words: A's in 0..3, B's in 4..7 (made on each call: not for the hot path). */
  get addrs(): readonly number[] {
    return this.addrs6 ?? [this.addrA, 0, 0, 0, this.addrB, 0, 0, 0];
  }

  /**
   * The same words without allocating: IPv6's own array, or IPv4's written into words 0 and 4 of
   * `scratch` (eight words, the others 0), valid until `scratch` is used again. For what runs
   * once per flow or half: `addrs` there made 300 bytes of garbage a flow.
   */
  addrsInto(scratch: number[]): readonly number[] {
    if (this.addrs6 !== undefined) return this.addrs6;
    scratch[0] = this.addrA;
    scratch[4] = this.addrB;
    return scratch;
  }

  /** Whether the packet in `view` belongs to this flow: FROM_A, FROM_B or NO_MATCH. */
  matches(view: PacketView): number {
    if (view.ipVersion !== (this.versionBits & ~CLOSED)) return NO_MATCH;
    const s0 = view.src[0]! | 0;
    const d0 = view.dst[0]! | 0;
    const srcPort = view.srcPort;
    const dstPort = view.dstPort;
    if (((srcPort << 16) | dstPort) === this.ports && s0 === this.addrA && d0 === this.addrB) {
      if (this.addrs6 === undefined || sameWords(this.addrs6, view.src, view.dst)) return FROM_A;
    }
    if (((dstPort << 16) | srcPort) === this.ports && s0 === this.addrB && d0 === this.addrA) {
      if (this.addrs6 === undefined || sameWords(this.addrs6, view.dst, view.src)) return FROM_B;
    }
    return NO_MATCH;
  }
}

/** Whether `words` are `first`'s then `second`'s (words 1..3: word 0 is compared already). */
function sameWords(words: readonly number[], first: Uint32Array, second: Uint32Array): boolean {
  for (let i = 1; i < 4; i++) {
    if (words[i] !== (first[i]! | 0) || words[4 + i] !== (second[i]! | 0)) return false;
  }
  return true;
}

function endpointHash(words: Uint32Array, port: number): number {
  let h = Math.imul(port + 0x9e3779b9, 0x85ebca6b);
  h = Math.imul(h ^ words[0]!, 0xcc9e2d51);
  h = Math.imul(h ^ words[1]!, 0x1b873593);
  h = Math.imul(h ^ words[2]!, 0xcc9e2d51);
  h = Math.imul(h ^ words[3]!, 0x1b873593);
  return h ^ (h >>> 15);
}

/** Symmetric in the two endpoints; the low bits pick the bucket. */
function flowHash(view: PacketView): number {
  const h = (endpointHash(view.src, view.srcPort) + endpointHash(view.dst, view.dstPort)) | 0;
  return (h ^ (h >>> 16) ^ view.ipVersion) & 0x3fffffff;
}

const MIN_BUCKETS = 1024;

function emptyBuckets<S>(length: number): Array<Flow<S> | undefined> {
  return new Array<Flow<S> | undefined>(length).fill(undefined);
}

class FlowList<S> {
  head: Flow<S> | undefined = undefined;
  tail: Flow<S> | undefined = undefined;

  push(flow: Flow<S>, nowNs: number): void {
    flow.listedMs = Math.ceil(nowNs / 1e6);
    flow.prev = this.tail;
    flow.next = undefined;
    if (this.tail) this.tail.next = flow;
    else this.head = flow;
    this.tail = flow;
  }

  remove(flow: Flow<S>): void {
    if (flow.prev) flow.prev.next = flow.next;
    else this.head = flow.next;
    if (flow.next) flow.next.prev = flow.prev;
    else this.tail = flow.prev;
    flow.prev = undefined;
    flow.next = undefined;
  }
}

export interface FlowTableOptions<S> {
  idleTtlNs: number;
  expTtlNs: number;
  maxFlows: number;
  createState: (flow: Flow<S>) => S;
  /** Called as a flow leaves the table, for whatever reason (including the end of input). */
  onExpire?: (flow: Flow<S>, reason: ExpiryReason) => void;
}

export class FlowCounters {
  created = 0;
  expiredIdle = 0;
  expiredClosed = 0;
  /** Flows pushed out because the table was at --max-flows. */
  evicted = 0;
  /** Connections replaced by a new one on the same 4-tuple (a SYN with a new ISN). */
  reused = 0;
  peakActive = 0;
}

export class FlowTable<S> {
  readonly counters = new FlowCounters();
  /**
   * Chains of flows by hash (linked through nextInBucket), in a plain array whose length, a
   * power of two, is kept between the flow count and four times it: 8 to 32 bytes a flow,
   * about half of what a Map entry costs (bench/run.ts, bytes per active flow).
   */
  private buckets: Array<Flow<S> | undefined> = emptyBuckets(MIN_BUCKETS);
  private readonly open = new FlowList<S>();
  private readonly closedList = new FlowList<S>();
  private readonly options: FlowTableOptions<S>;
  size = 0;
  /** Set by `lookup`: whether the packet came from the flow's endpoint A. */
  fromA = false;

  constructor(options: FlowTableOptions<S>) {
    this.options = options;
  }

  /**
   * The flow of the packet in `view`, created if new (or if the one found had outlived its
   * TTL); marks it active at `nowNs` and sets `fromA`.
   */
  lookup(view: PacketView, nowNs: number): Flow<S> {
    const hash = flowHash(view);
    let flow = this.buckets[hash & (this.buckets.length - 1)];
    let direction = NO_MATCH;
    while (flow !== undefined && (direction = flow.matches(view)) === NO_MATCH) flow = flow.nextInBucket;
    if (flow === undefined) return this.insert(view, hash, nowNs);
    if (nowNs - flow.lastSeenNs > (flow.closed ? this.options.expTtlNs : this.options.idleTtlNs)) {
      this.expireNow(flow);
      return this.insert(view, hash, nowNs);
    }
    flow.lastSeenNs = nowNs;
    this.fromA = direction === FROM_A;
    return flow;
  }

  /** Every flow in the table (open ones, then closed ones); not for the hot path. */
  forEach(fn: (flow: Flow<S>) => void): void {
    for (const list of [this.open, this.closedList]) {
      for (let flow = list.head; flow !== undefined; flow = flow.next) fn(flow);
    }
  }

  /** A FIN or RST was seen: the flow now expires expTtl after its last packet. */
  markClosed(flow: Flow<S>): void {
    if (flow.closed) return;
    this.open.remove(flow);
    flow.close();
    this.closedList.push(flow, flow.lastSeenNs);
  }

  /** Drops `flow` and starts a new connection on the same 4-tuple from the packet in `view`. */
  replace(flow: Flow<S>, view: PacketView, nowNs: number): Flow<S> {
    this.counters.reused++;
    this.drop(flow, 'reused');
    return this.insert(view, flow.hash, nowNs);
  }

  /** Frees flows whose TTL ran out by capture time `nowNs`. Cheap: looks at list heads only. */
  expire(nowNs: number): void {
    this.sweep(this.closedList, this.options.expTtlNs, nowNs);
    this.sweep(this.open, this.options.idleTtlNs, nowNs);
  }

  private sweep(list: FlowList<S>, ttlNs: number, nowNs: number): void {
    let flow = list.head;
    while (flow !== undefined && nowNs - flow.listedMs * 1e6 > ttlNs) {
      if (nowNs - flow.lastSeenNs > ttlNs) {
        this.expireNow(flow);
      } else {
        list.remove(flow);
        list.push(flow, nowNs);
      }
      flow = list.head;
    }
  }

  private expireNow(flow: Flow<S>): void {
    if (flow.closed) this.counters.expiredClosed++;
    else this.counters.expiredIdle++;
    this.drop(flow, flow.closed ? 'closed' : 'idle');
  }

  /**
   * Removes every flow at the end of input (capture time `nowNs`): as expired if its TTL had
   * run out (the sweep frees flows late, the counters must not say so), else with reason 'end'.
   */
  flush(nowNs: number): void {
    for (const list of [this.closedList, this.open]) {
      while (list.head !== undefined) {
        const flow = list.head;
        if (nowNs - flow.lastSeenNs > (flow.closed ? this.options.expTtlNs : this.options.idleTtlNs)) this.expireNow(flow);
        else this.drop(flow, 'end');
      }
    }
  }

  private insert(view: PacketView, hash: number, nowNs: number): Flow<S> {
    if (this.size >= this.options.maxFlows) {
      const victim = this.closedList.head ?? this.open.head;
      if (victim !== undefined) {
        this.counters.evicted++;
        this.drop(victim, 'evicted');
      }
    }
    const flow = new Flow<S>(view, hash);
    flow.state = this.options.createState(flow);
    flow.lastSeenNs = nowNs;
    if (this.size >= this.buckets.length) this.rehash(2 * this.buckets.length);
    const at = hash & (this.buckets.length - 1);
    flow.nextInBucket = this.buckets[at];
    this.buckets[at] = flow;
    this.open.push(flow, nowNs);
    this.fromA = true;
    this.size++;
    this.counters.created++;
    if (this.size > this.counters.peakActive) this.counters.peakActive = this.size;
    return flow;
  }

  private drop(flow: Flow<S>, reason: ExpiryReason): void {
    (flow.closed ? this.closedList : this.open).remove(flow);
    const at = flow.hash & (this.buckets.length - 1);
    let head = this.buckets[at];
    if (head === flow) {
      this.buckets[at] = flow.nextInBucket;
    } else {
      while (head !== undefined && head.nextInBucket !== flow) head = head.nextInBucket;
      if (head !== undefined) head.nextInBucket = flow.nextInBucket;
    }
    flow.nextInBucket = undefined;
    this.size--;
    if (this.buckets.length > MIN_BUCKETS && this.size < this.buckets.length / 4) this.rehash(this.buckets.length / 2);
    this.options.onExpire?.(flow, reason);
  }

  /** Moves every flow into a bucket array of `length` (a power of two). */
  private rehash(length: number): void {
    const old = this.buckets;
    const buckets = emptyBuckets<S>(length);
    for (let flow of old) {
      while (flow !== undefined) {
        const next = flow.nextInBucket;
        const at = flow.hash & (length - 1);
        flow.nextInBucket = buckets[at];
        buckets[at] = flow;
        flow = next;
      }
    }
    this.buckets = buckets;
  }
}
