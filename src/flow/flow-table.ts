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
import { doubles } from '../util/doubles.js';

export type ExpiryReason = 'idle' | 'closed' | 'evicted' | 'reused' | 'end';

const NO_MATCH = 0;
const FROM_A = 1;
const FROM_B = 2;

export class Flow<S> {
  readonly id: number;
  readonly ipVersion: number;
  /** Endpoint A's address in words 0..3, B's in 4..7. A is the sender of the first packet seen. */
  readonly addrs = doubles(8);
  readonly portA: number;
  readonly portB: number;
  readonly hash: number;
  state!: S;
  /** Capture time (ns from the start of the run) of the latest packet. */
  lastSeenNs = 0;
  /** When the flow was put at the tail of its list (lists are in this order). */
  listedNs = 0;
  closed = false;
  nextInBucket: Flow<S> | undefined = undefined;
  prev: Flow<S> | undefined = undefined;
  next: Flow<S> | undefined = undefined;

  constructor(id: number, view: PacketView, hash: number) {
    this.id = id;
    this.ipVersion = view.ipVersion;
    for (let i = 0; i < 4; i++) {
      this.addrs[i] = view.src[i]!;
      this.addrs[4 + i] = view.dst[i]!;
    }
    this.portA = view.srcPort;
    this.portB = view.dstPort;
    this.hash = hash;
  }

  /** Whether the packet in `view` belongs to this flow: FROM_A, FROM_B or NO_MATCH. */
  matches(view: PacketView): number {
    if (view.ipVersion !== this.ipVersion) return NO_MATCH;
    const a = this.addrs;
    const s = view.src;
    const d = view.dst;
    if (view.srcPort === this.portA && view.dstPort === this.portB) {
      if (s[0] === a[0] && s[1] === a[1] && s[2] === a[2] && s[3] === a[3] && d[0] === a[4] && d[1] === a[5] && d[2] === a[6] && d[3] === a[7]) {
        return FROM_A;
      }
    }
    if (view.srcPort === this.portB && view.dstPort === this.portA) {
      if (s[0] === a[4] && s[1] === a[5] && s[2] === a[6] && s[3] === a[7] && d[0] === a[0] && d[1] === a[1] && d[2] === a[2] && d[3] === a[3]) {
        return FROM_B;
      }
    }
    return NO_MATCH;
  }
}

function endpointHash(words: Uint32Array, port: number): number {
  let h = Math.imul(port + 0x9e3779b9, 0x85ebca6b);
  h = Math.imul(h ^ words[0]!, 0xcc9e2d51);
  h = Math.imul(h ^ words[1]!, 0x1b873593);
  h = Math.imul(h ^ words[2]!, 0xcc9e2d51);
  h = Math.imul(h ^ words[3]!, 0x1b873593);
  return h ^ (h >>> 15);
}

/** Symmetric in the two endpoints, kept within V8's small-integer range for Map keys. */
function flowHash(view: PacketView): number {
  const h = (endpointHash(view.src, view.srcPort) + endpointHash(view.dst, view.dstPort)) | 0;
  return (h ^ (h >>> 16) ^ view.ipVersion) & 0x3fffffff;
}

class FlowList<S> {
  head: Flow<S> | undefined = undefined;
  tail: Flow<S> | undefined = undefined;

  push(flow: Flow<S>, nowNs: number): void {
    flow.listedNs = nowNs;
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
  private readonly buckets = new Map<number, Flow<S>>();
  private readonly open = new FlowList<S>();
  private readonly closedList = new FlowList<S>();
  private readonly options: FlowTableOptions<S>;
  private nextId = 0;
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
    let flow = this.buckets.get(hash);
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

  /** A FIN or RST was seen: the flow now expires expTtl after its last packet. */
  markClosed(flow: Flow<S>): void {
    if (flow.closed) return;
    this.open.remove(flow);
    flow.closed = true;
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
    while (flow !== undefined && nowNs - flow.listedNs > ttlNs) {
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
    const flow = new Flow<S>(this.nextId++, view, hash);
    flow.state = this.options.createState(flow);
    flow.lastSeenNs = nowNs;
    flow.nextInBucket = this.buckets.get(hash);
    this.buckets.set(hash, flow);
    this.open.push(flow, nowNs);
    this.fromA = true;
    this.size++;
    this.counters.created++;
    if (this.size > this.counters.peakActive) this.counters.peakActive = this.size;
    return flow;
  }

  private drop(flow: Flow<S>, reason: ExpiryReason): void {
    (flow.closed ? this.closedList : this.open).remove(flow);
    let head = this.buckets.get(flow.hash);
    if (head === flow) {
      if (flow.nextInBucket === undefined) this.buckets.delete(flow.hash);
      else this.buckets.set(flow.hash, flow.nextInBucket);
    } else {
      while (head !== undefined && head.nextInBucket !== flow) head = head.nextInBucket;
      if (head !== undefined) head.nextInBucket = flow.nextInBucket;
    }
    flow.nextInBucket = undefined;
    this.size--;
    this.options.onExpire?.(flow, reason);
  }
}
