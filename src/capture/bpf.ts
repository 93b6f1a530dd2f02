/**
 * BPF filters on capture files, as `tcpdump -r FILE EXPR` applies them: the expression is
 * compiled by tcpdump itself (`tcpdump -ddd`, libpcap's compiler, so every expression tcpdump
 * takes means the same here) once per link type, and the classic BPF program runs here on each
 * packet's bytes. The interpreter is the kernel's and libpcap's (bpf_filter.c) in a few lines:
 * registers A and X, 16 words of scratch memory, loads out of the packet reject it, as they do.
 *
 * Why not the libpcap binding: it is optional (a compiler is needed to build it) and node_pcap
 * exposes no compiler for savefiles; tcpdump is what rttscan needs for live capture without it.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CapturedPacket } from './captured-packet.js';
import { usageError } from '../errors.js';

/** One instruction, as `tcpdump -ddd` prints it: code, jt, jf, k. */
export type BpfInstruction = readonly [code: number, jt: number, jf: number, k: number];

// Instruction classes and fields (linux/filter.h, pcap/bpf.h).
// biome-ignore format: one line per instruction field, as in pcap/bpf.h
const BPF_LD = 0x00, BPF_LDX = 0x01, BPF_ST = 0x02, BPF_STX = 0x03, BPF_ALU = 0x04, BPF_JMP = 0x05, BPF_RET = 0x06, BPF_MISC = 0x07;
// biome-ignore format: one line per instruction field, as in pcap/bpf.h
const BPF_W = 0x00, BPF_H = 0x08;
// biome-ignore format: one line per instruction field, as in pcap/bpf.h
const BPF_IMM = 0x00, BPF_IND = 0x40, BPF_MEM = 0x60, BPF_LEN = 0x80, BPF_MSH = 0xa0;
// biome-ignore format: one line per instruction field, as in pcap/bpf.h
const BPF_ADD = 0x00, BPF_SUB = 0x10, BPF_MUL = 0x20, BPF_DIV = 0x30, BPF_OR = 0x40, BPF_AND = 0x50, BPF_LSH = 0x60, BPF_RSH = 0x70, BPF_NEG = 0x80, BPF_MOD = 0x90, BPF_XOR = 0xa0;
// biome-ignore format: one line per instruction field, as in pcap/bpf.h
const BPF_JA = 0x00, BPF_JEQ = 0x10, BPF_JGT = 0x20, BPF_JGE = 0x30, BPF_JSET = 0x40;
// biome-ignore format: one line per instruction field, as in pcap/bpf.h
const BPF_X = 0x08, BPF_A = 0x10;
const BPF_TAX = 0x00;

/** A compiled program: flat arrays, so that running it allocates nothing. */
export class BpfProgram {
  private readonly code: Int32Array;
  private readonly jt: Int32Array;
  private readonly jf: Int32Array;
  private readonly k: Uint32Array;
  private readonly mem = new Uint32Array(16);

  constructor(instructions: readonly BpfInstruction[]) {
    if (instructions.length === 0) throw new Error('empty BPF program');
    this.code = Int32Array.from(instructions, (i) => i[0]);
    this.jt = Int32Array.from(instructions, (i) => i[1]);
    this.jf = Int32Array.from(instructions, (i) => i[2]);
    this.k = Uint32Array.from(instructions, (i) => i[3] >>> 0);
  }

  /**
   * Runs the program on a packet of `caplen` bytes at `offset` in `view` (`wirelen` on the wire);
   * true when it accepts (returns non-zero).
   */
  matches(view: DataView, offset: number, caplen: number, wirelen: number): boolean {
    const { code, jt, jf, k, mem } = this;
    let a = 0;
    let x = 0;
    for (let pc = 0; pc < code.length; pc++) {
      const op = code[pc]!;
      const kk = k[pc]!;
      switch (op & 0x07) {
        case BPF_LD:
        case BPF_LDX: {
          const mode = op & 0xe0;
          let value: number;
          if (mode === BPF_IMM) value = kk;
          else if (mode === BPF_LEN) value = wirelen;
          else if (mode === BPF_MEM) value = mem[kk & 15]!;
          else if (mode === BPF_MSH) {
            if (kk >= caplen) return false;
            value = (view.getUint8(offset + kk) & 0x0f) << 2;
          } else {
            const at = mode === BPF_IND ? (x + kk) >>> 0 : kk; // else BPF_ABS
            const size = op & 0x18;
            const width = size === BPF_W ? 4 : size === BPF_H ? 2 : 1;
            if (at + width > caplen) return false;
            value = width === 4 ? view.getUint32(offset + at) : width === 2 ? view.getUint16(offset + at) : view.getUint8(offset + at); // BPF_B
          }
          if ((op & 0x07) === BPF_LD) a = value >>> 0;
          else x = value >>> 0;
          break;
        }
        case BPF_ST:
          mem[kk & 15] = a;
          break;
        case BPF_STX:
          mem[kk & 15] = x;
          break;
        case BPF_ALU: {
          const b = (op & BPF_X) === BPF_X ? x : kk; // else BPF_K
          // biome-ignore format: one line per operation, a table to read down
          switch (op & 0xf0) {
            case BPF_ADD: a = (a + b) >>> 0; break;
            case BPF_SUB: a = (a - b) >>> 0; break;
            case BPF_MUL: a = Math.imul(a, b) >>> 0; break;
            case BPF_DIV: if (b === 0) return false; a = Math.floor(a / b) >>> 0; break;
            case BPF_MOD: if (b === 0) return false; a = (a % b) >>> 0; break;
            case BPF_OR: a = (a | b) >>> 0; break;
            case BPF_AND: a = (a & b) >>> 0; break;
            case BPF_XOR: a = (a ^ b) >>> 0; break;
            case BPF_LSH: a = b >= 32 ? 0 : (a << b) >>> 0; break;
            case BPF_RSH: a = b >= 32 ? 0 : a >>> b; break;
            case BPF_NEG: a = -a >>> 0; break;
            default: return false;
          }
          break;
        }
        case BPF_JMP: {
          const kind = op & 0xf0;
          if (kind === BPF_JA) {
            pc += kk;
            break;
          }
          const b = (op & BPF_X) === BPF_X ? x : kk;
          const taken = kind === BPF_JEQ ? a === b : kind === BPF_JGT ? a > b : kind === BPF_JGE ? a >= b : kind === BPF_JSET ? (a & b) !== 0 : false;
          pc += taken ? jt[pc]! : jf[pc]!;
          break;
        }
        case BPF_RET:
          return ((op & 0x18) === BPF_A ? a : kk) !== 0;
        case BPF_MISC:
          if ((op & 0xf8) === BPF_TAX) x = a;
          else a = x;
          break;
      }
    }
    return false;
  }
}

/** A classic pcap header with this link type: what tcpdump -r compiles the filter for. */
function pcapHeader(linktype: number): Buffer {
  const header = Buffer.alloc(24);
  header.writeUInt32LE(0xa1b2c3d4, 0);
  header.writeUInt16LE(2, 4);
  header.writeUInt16LE(4, 6);
  header.writeUInt32LE(262144, 16);
  header.writeUInt32LE(linktype, 20);
  return header;
}

/** Parses `tcpdump -ddd` output: a count, then one `code jt jf k` line per instruction. */
export function parseBpfDecimal(text: string): BpfInstruction[] {
  const [count, ...lines] = text.trim().split('\n');
  const instructions = lines.map((line) => {
    const fields = line.trim().split(/\s+/).map(Number);
    if (fields.length !== 4 || fields.some((f) => !Number.isInteger(f))) throw new Error(`not a BPF instruction: '${line}'`);
    return fields as unknown as BpfInstruction;
  });
  if (Number(count) !== instructions.length) throw new Error(`tcpdump -ddd said ${count} instructions and printed ${instructions.length}`);
  return instructions;
}

/** Compiles `expression` for `linktype` with tcpdump; a syntax error is a usage error. */
export function compileBpf(expression: string, linktype: number, tcpdump = 'tcpdump'): BpfProgram {
  const dir = mkdtempSync(join(tmpdir(), 'rttscan-bpf-'));
  try {
    const file = join(dir, 'linktype.pcap');
    writeFileSync(file, pcapHeader(linktype));
    let text: string;
    try {
      text = execFileSync(tcpdump, ['-ddd', '-r', file, expression], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (err) {
      const e = err as NodeJS.ErrnoException & { stderr?: string };
      if (e.code === 'ENOENT')
        throw usageError((name) => `${name('filter')} '${expression}': a filter on capture files needs tcpdump to compile it (apt-get install tcpdump)`, 'filter');
      const why = (e.stderr ?? '')
        .split('\n')
        .filter((l) => l !== '' && !l.startsWith('reading from file'))
        .join('; ')
        .replace(/^tcpdump: /, '');
      throw usageError((name) => `${name('filter')} '${expression}': not a valid BPF filter (tcpdump: ${why || e.message})`, 'filter');
    }
    return new BpfProgram(parseBpfDecimal(text));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A filter over packets of any link type: one program per link type, compiled when first met. */
export class PacketFilter {
  private readonly programs = new Map<number, BpfProgram>();
  /** Packets the filter rejected. */
  rejected = 0;

  constructor(readonly expression: string) {}

  /** The program for this link type, compiled the first time (so syntax errors can come early). */
  programFor(linktype: number): BpfProgram {
    let program = this.programs.get(linktype);
    if (program === undefined) {
      program = compileBpf(this.expression, linktype);
      this.programs.set(linktype, program);
    }
    return program;
  }

  matches(pkt: CapturedPacket): boolean {
    const program = this.programs.get(pkt.linktype) ?? this.programFor(pkt.linktype);
    if (program.matches(pkt.view, pkt.dataOffset, pkt.caplen, pkt.origlen)) return true;
    this.rejected++;
    return false;
  }
}
