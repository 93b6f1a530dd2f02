/**
 * The library's notes (AnalysisNote: a code and its fields) in words for stderr. Only here are
 * flags named: the library says what happened, the CLI says which option changes it.
 */
import type { AnalysisNote } from '../analyze.js';
import type { FastestAnswer } from '../flow/vantage.js';

/** A span of ns as µs or ms, three significant figures or so: `200 µs`, `1.00 ms`. */
function formatUs(ns: number): string {
  const us = ns / 1000;
  if (us < 1000) return `${us < 10 ? us.toFixed(1) : us.toFixed(0)} µs`;
  return `${(us / 1000).toFixed(us < 10_000 ? 2 : 1)} ms`;
}

/** "a", "a and b", "a, b and c", "a, b, c and 4 more". */
function listOf(items: readonly string[], most = 4): string {
  const shown = items.length > most ? [...items.slice(0, most - 1), `${items.length - most + 1} more`] : [...items];
  return shown.length <= 1 ? (shown[0] ?? '') : `${shown.slice(0, -1).join(', ')} and ${shown[shown.length - 1]}`;
}

/** `n one` or `n many`. */
function count(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

function fastest(answer: FastestAnswer): string {
  return `${formatUs(answer.fastestNs)} (${answer.address})`;
}

export function noteText(note: AnalysisNote): string {
  switch (note.code) {
    case 'unsupported-link-type':
      return `link type ${note.name} (${note.linktype}) is not supported: its packets are counted and skipped`;
    case 'empty-time-window':
      return 'the time window is empty: it ends before it starts, so no sample can fall in it';
    case 'time-backwards':
      return `capture time goes back ${(note.stepNs / 1e6).toFixed(3)} ms at packet ${note.packet} of its input: an ACK timed before its segment gives no sample (counted as negative_intervals)`;
    case 'vantage-local': {
      const hosts = note.hosts;
      const who =
        hosts.length === 1
          ? `${hosts[0]} is the capture host: ${note.hostStackAnswers} of its`
          : `${listOf(hosts)} are the capture host's: ${note.hostStackAnswers} of their`;
      const peers = note.fastestOther === undefined ? '' : `; the other hosts' fastest took ${fastest(note.fastestOther)}`;
      return `vantage: ${who} ${note.answers} answers came within ${formatUs(note.boundNs)}, host-stack time${peers}${unnamed(note)} (--local overrides)`;
    }
    case 'vantage-no-answers':
      return 'vantage: could not tell which host took this capture: no host answered anything in it (pass --local HOST, or --local none for a capture taken mid-path)';
    case 'vantage-mid-path': {
      const maybe = note.silent.length > 0 ? `; ${listOf(note.silent)} sent data but answered nothing here: if one of them took the capture, pass --local` : '';
      return `vantage: mid-path: no host answered within ${formatUs(note.boundNs)}, the fastest took ${fastest(note.fastest)}; both halves reported, each labelled by the acknowledging host${maybe}${unnamed(note)}`;
    }
    case 'tcprt-payload-cut':
      return (
        `tcprt: the capture's snaplen cut TCP payloads that the ${note.mode} mode reads (port ${note.port}): ` +
        'from there on such connections get no extended record types (R.C, R.H, R.A, R.Z)'
      );
    case 'tcprt-remote-only': {
      const [example, hint] =
        note.side === 'local'
          ? [`${note.local}, a local rule's port, is the remote end`, "a remote server's port is --pports"]
          : [`the client ${note.local} of ${note.peer}, a peer rule's port, is the remote end`, "the capture host's own server port is --lports"];
      return (
        `tcprt: ${count(note.connections, 'connection matches', 'connections match')} a rule only at an end that is not the capture host (e.g. ${example}): ` +
        "TCP-RT watches the capture host's own sockets, local rules by their own port and peer rules by the port they connect to, " +
        `so ${note.connections === 1 ? 'it gets' : 'they get'} no records (${hint})`
      );
    }
    case 'tcprt-assumed':
      return (
        `tcprt: ${count(note.connections, 'connection has', 'connections have')} no end on the capture host (mid-path, or not inferred; set --local): ` +
        `read by the ports alone, as if captured at the end whose port matched (e.g. ${note.local}, taken as the ${note.side === 'local' ? 'server' : 'client'}); their records are marked assumed in --tcprt-jsonl`
      );
    case 'tcprt-open-unreported': {
      const n = note.connections;
      return (
        `tcprt: ${n} connection${n === 1 ? ' was' : 's were'} still open at the end of the capture ` +
        `(or expired idle): ${n === 1 ? 'its' : 'their'} last task and E record are not reported ` +
        '(--tcprt-flush reports them as closed at their last packet)'
      );
    }
    case 'tcprt-flushed':
      return `tcprt: --tcprt-flush: ${note.connections} connection${note.connections === 1 ? '' : 's'} still open at the end reported as closed at their last packet`;
  }
}

/** Local hosts beyond the ones named were found too. */
function unnamed(note: { unnamedLocal: boolean; maxHosts: number }): string {
  return note.unnamedLocal ? `; some of the hosts beyond the first ${note.maxHosts} did too (not named: pass --local)` : '';
}
