/**
 * The TCP-RT engine on arbitrary conversations: random segments both ways (sequence numbers
 * in order, repeated, skipped, wrapped; any flags; payloads that look like TLS records, HTTP
 * heads or noise, sometimes cut by the snaplen), in every mode, local and peer. It must never
 * throw, and what it writes must keep the record format's promises:
 *   - each line has its type's field count, whole non-negative numbers, a trailing space;
 *   - per connection, task numbers never go down, and E comes last (what follows an E on the
 *     same 4-tuple is a new connection, started by a new SYN).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import type { TcprtMode } from '../../src/engines/tcprt/config.js';
import { concat } from '../helpers/capture-writer.js';
import { TcpScript } from '../helpers/tcp-script.js';
import { lport, pport, runTcprt } from '../helpers/tcprt.js';

const SEED = process.env.FUZZ_SEED === undefined ? 0x7c9 : Number(process.env.FUZZ_SEED);

const tlsRecord = fc.tuple(fc.integer({ min: 19, max: 24 }), fc.integer({ min: 0, max: 300 }), fc.integer({ min: 0, max: 3 })).map(([type, len, first]) => {
  const body = new Uint8Array(len).fill(0x17);
  if (len > 0) body[0] = first;
  return concat(Uint8Array.of(type, 3, 3, len >> 8, len & 255), body);
});
const httpHead = fc.constantFrom(
  'POST /x HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n',
  'HTTP/1.1 100 Continue\r\n\r\n',
  'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok',
  'GET / HTTP/1.1\r\n\r\n',
);
const payload = fc.oneof(
  fc.constant(new Uint8Array(0)),
  fc.array(tlsRecord, { minLength: 1, maxLength: 3 }).map((rs) => concat(...rs)),
  httpHead.map((s) => new TextEncoder().encode(s)),
  fc.uint8Array({ minLength: 1, maxLength: 1500 }),
);
const segment = fc.record({
  fromClient: fc.boolean(),
  /** Where the segment starts relative to the sender's next byte. */
  seqShift: fc.constantFrom(0, 0, 0, 0, -1, -100, 100, 3000),
  ackShift: fc.constantFrom(0, 0, 0, -1, 1, 5000),
  flags: fc.constantFrom(0x10, 0x18, 0x18, 0x11, 0x19, 0x14, 0x04, 0x02, 0x12),
  payload,
  cut: fc.boolean(),
  stepMs: fc.constantFrom(0, 0.001, 1, 5, 40, 2000),
});

const FIELDS: Record<string, number[]> = { R: [10, 12], P: [10], W: [10], N: [5], E: [6] };

test('TCP-RT on arbitrary conversations: never throws, every line well formed', async (t) => {
  await fc.assert(
    fc.asyncProperty(
      fc.array(segment, { minLength: 1, maxLength: 40 }),
      fc.constantFrom<TcprtMode>('default', 'http', 'https'),
      fc.boolean(),
      fc.boolean(),
      fc.constantFrom<number>(0xfffff000, 1000),
      async (segments, mode, peer, handshake, isn) => {
        const script = new TcpScript();
        let at = 0;
        const next = { c: isn, s: (isn + 777777) >>> 0 };
        if (handshake) {
          script.c(0, { seq: (next.c - 1) >>> 0, flags: 0x02, options: { mss: 1460 } });
          script.s(1, { seq: (next.s - 1) >>> 0, ack: next.c, flags: 0x12, options: { mss: 1400 } });
          at = 2;
        }
        for (const seg of segments) {
          at += seg.stepMs;
          const mine = seg.fromClient ? 'c' : 's';
          const theirs = seg.fromClient ? 's' : 'c';
          const seq = (next[mine] + seg.seqShift) >>> 0;
          const spec = {
            seq,
            ack: (next[theirs] + seg.ackShift) >>> 0,
            flags: seg.flags,
            payload: seg.payload,
            ...(seg.cut ? { capturedPayloadLen: seg.payload.length >> 1 } : {}),
          };
          if (seg.fromClient) script.c(at, spec);
          else script.s(at, spec);
          const end = (seq + seg.payload.length + (seg.flags & 0x01)) >>> 0;
          if (((end - next[mine]) | 0) > 0) next[mine] = end;
        }
        const rule = peer ? pport(80, { mode }) : lport(80, { mode, firstFrame: true });
        const { log } = await runTcprt(t, script, { rules: [rule], flush: true, statsIntervalNs: 1e9 });
        const lastTask = new Map<string, number>();
        const ended = new Set<string>();
        for (const line of log) {
          assert.ok(line.endsWith(' \n'), line);
          const [version, type, sec, usec, peerEnd, localEnd, ...rest] = line.trimEnd().split(' ');
          assert.match(version!, /^V[67]$/);
          const base = type!.split('.')[0]!;
          assert.ok(/^\d+$/.test(sec!) && /^\d+$/.test(usec!) && Number(usec) < 1e6, line);
          const numbers = rest.slice(0, rest.findIndex((x) => x === 'H' || x === 'F') >>> 0);
          assert.ok(FIELDS[base]!.includes(numbers.length), `${numbers.length} fields: ${line}`);
          for (const n of rest) assert.ok(n === 'H' || n === 'F' || (/^\d+$/.test(n) && Number(n) < 2 ** 32), `${n} in ${line}`);
          const conn = `${peerEnd} ${localEnd}`;
          if (ended.delete(conn)) lastTask.delete(conn); // a new connection on the same 4-tuple (a new SYN)
          const taskNo = Number(base === 'N' || base === 'E' ? numbers[0] : numbers[4]);
          assert.ok(taskNo >= (lastTask.get(conn) ?? 1), `task ${taskNo} after ${lastTask.get(conn)}: ${line}`);
          lastTask.set(conn, taskNo);
          if (base === 'E') ended.add(conn);
        }
      },
    ),
    { seed: SEED, numRuns: 300 },
  );
});
