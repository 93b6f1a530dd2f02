/**
 * The libpcap capture process, rttscan's own `tcpdump -U -w -`:
 *
 *   node libpcap-process.js IFACE SNAPLEN PROMISC(0|1) FILTER
 *
 * Opens IFACE with the `pcap` binding in immediate mode and writes every packet to stdout as a
 * classic pcap stream (µs timestamps, as libpcap gives them). Status goes to fd 3 as JSON lines:
 * {"ready":LINKTYPE} once capturing, {"error":MESSAGE} if it cannot open, {"stats":{...}} now
 * and then and on SIGTERM/SIGINT, after which it exits 0.
 *
 * Why a process of its own rather than the binding inside rttscan: the binding's native read
 * loop drains the kernel ring before it returns, so under a flood it would hold off the
 * analysis's timers (interval reports) and signal handlers (Ctrl-C); and its handle, once
 * closed, keeps the event loop alive until one more packet arrives. Here only this copying
 * loop waits; writes to the pipe block when the analysis falls behind, and then the kernel
 * drops packets and counts them, which the final report shows.
 */
import { writeSync } from 'node:fs';
import { endianness } from 'node:os';
import { loadLibpcap, sessionLinktype } from './libpcap.js';

const STATUS_FD = 3;
/** Packets are batched into writes of up to this many bytes (and flushed once the ring is drained). */
const BATCH_BYTES = 256 * 1024;
/**
 * The kernel ring libpcap asks for: room for bursts while the analysis catches up. tcpdump's
 * default is 2 MiB, and in the live soak (bench/live-soak.ts, 30 s at 131 k packets/s) it dropped
 * nothing; 8 MiB is four times that, and its pages count in this process's RSS once touched.
 */
const RING_BYTES = 8 * 1024 * 1024;
/** During a flood the event loop may not run: send stats every this many packets too. */
const STATS_EVERY_PACKETS = 1 << 16;
const PCAP_MAGIC_US = 0xa1b2c3d4;

function status(message: unknown): void {
  try {
    writeSync(STATUS_FD, JSON.stringify(message) + '\n');
  } catch {
    process.exit(0); // rttscan went away
  }
}

const sleeper = new Int32Array(new SharedArrayBuffer(4));

/** The binding's native session under its JavaScript wrapper (node_pcap 3.x, pcap.js). */
interface PcapInternals {
  /** Called by the binding's poll handle whenever the capture descriptor is readable. */
  read_callback: () => void;
  /** pcap_dispatch until the ring is empty: packets read, -1 on error, -2 after close. */
  dispatch(buf: Buffer, header: Buffer): number;
}

/** Writes all of bytes[0, length) to stdout, waiting while the pipe is full. */
function writeAll(bytes: Buffer, length: number): void {
  let at = 0;
  while (at < length) {
    try {
      at += writeSync(1, bytes, at, length - at);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EAGAIN') Atomics.wait(sleeper, 0, 0, 1);
      else process.exit(0); // EPIPE: rttscan went away
    }
  }
}

async function main(): Promise<void> {
  const [iface = '', snaplenText = '', promisc = '', filter = ''] = process.argv.slice(2);
  const snaplen = Number(snaplenText);
  const loaded = await loadLibpcap();
  if ('error' in loaded) {
    status({ error: `the libpcap binding (npm pcap) did not load: ${loaded.error}` });
    process.exit(2);
  }
  const pcap = loaded.binding;
  pcap.warningHandler = () => {}; // e.g. no IPv4 address on IFACE: only netmask-based filters care
  let session: ReturnType<typeof pcap.createSession>;
  try {
    session = pcap.createSession(iface, { filter, buffer_size: RING_BYTES, snap_length: snaplen, buffer_timeout: 0, promiscuous: promisc === '1' });
  } catch (err) {
    status({ error: (err as Error).message });
    process.exit(2);
  }
  const linktype = sessionLinktype(session.link_type);
  if (linktype === undefined) {
    status({ error: `unsupported link type (${session.link_type})` });
    process.exit(2);
  }

  const little = endianness() === 'LE';
  const batch = Buffer.alloc(BATCH_BYTES + 16 + snaplen);
  // The header is in host byte order, like the record headers the binding fills in.
  const u32 = (value: number, at: number): number => (little ? batch.writeUInt32LE(value, at) : batch.writeUInt32BE(value, at));
  const u16 = (value: number, at: number): number => (little ? batch.writeUInt16LE(value, at) : batch.writeUInt16BE(value, at));
  u32(PCAP_MAGIC_US, 0);
  u16(2, 4);
  u16(4, 6);
  u32(0, 8);
  u32(0, 12);
  u32(snaplen, 16);
  u32(linktype, 20);
  let used = 24;
  let flushScheduled = false;
  let packets = 0;

  const flush = (): void => {
    flushScheduled = false;
    if (used > 0) writeAll(batch, used);
    used = 0;
  };
  const sendStats = (): void => {
    const s = session.stats();
    status({ stats: { received: s.ps_recv, dropped: s.ps_drop, interfaceDropped: s.ps_ifdrop } });
  };
  const header = session.header;
  const data = session.buf;
  const caplenAt = 8;
  session.on('packet', () => {
    const caplen = little ? header.readUInt32LE(caplenAt) : header.readUInt32BE(caplenAt);
    header.copy(batch, used, 0, 16);
    data.copy(batch, used + 16, 0, caplen);
    used += 16 + caplen;
    if (used >= BATCH_BYTES) flush();
    else if (!flushScheduled) {
      // The binding calls back once per packet until the ring is empty, then returns to the
      // event loop: that is when this batch goes out.
      flushScheduled = true;
      setImmediate(flush);
    }
    if (++packets % STATS_EVERY_PACKETS === 0) sendStats();
  });
  // The binding ignores what pcap_dispatch returns; an error (-1) would leave the descriptor
  // readable forever and this process spinning. So its poll callback is wrapped to see it.
  const inner = (session as unknown as { session: PcapInternals }).session;
  inner.read_callback = () => {
    if (inner.dispatch(data, header) !== -1) return;
    // libpcap's reason is not passed on by the binding; on Linux this is ENETDOWN or ENODEV.
    status({ error: `libpcap could not read ${iface}: it went down or disappeared` });
    process.exit(1);
  };
  flush(); // the file header: rttscan's reader starts on it
  status({ ready: linktype });
  sendStats(); // so that counters are known from the start (interval lines, scrapes)
  // Also how an orphan notices that rttscan was killed outright (SIGKILL) on a quiet link: the
  // status pipe is broken, and status() exits.
  const statsTimer = setInterval(sendStats, 1000);
  const stop = (): void => {
    clearInterval(statsTimer);
    flush();
    sendStats();
    process.exit(0);
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

void main();
