/**
 * Which hosts are local, that is where the capture was taken. Samples acknowledged by a local
 * host time the local stack (its ACK delay), not the network, so they are left out by default.
 *
 * Given (`--local`, or live mode's interface addresses) it is simply a set of CIDRs. Offline
 * without it, it is inferred: an address that is an endpoint of every TCP flow is the capture
 * host. When every flow joins the same two hosts both qualify; then the one that answers much
 * faster (its fastest ACK ten times quicker than the other's) is the capture host, since its
 * ACKs never cross the network. Otherwise the capture is mid-path: both halves are reported,
 * each labelled by the host that acknowledges.
 */
import { cidrContains, formatAddress, parseCidr, type Cidr } from './address.js';

export interface Vantage {
  local: Cidr[];
  /** The local hosts as given or inferred, for output. */
  localLabels: string[];
  inferred: boolean;
  /** A sentence for stderr explaining an inference, if one was made. */
  note: string | undefined;
}

export function isLocal(vantage: Vantage, version: number, words: ArrayLike<number>, at: number): boolean {
  for (const cidr of vantage.local) if (cidrContains(cidr, version, words, at)) return true;
  return false;
}

export function givenVantage(local: Cidr[], labels: string[]): Vantage {
  return { local, localLabels: labels, inferred: false, note: undefined };
}

/** The ratio by which the capture host's fastest ACK beats its peer's, to be told apart. */
const LOCAL_ACK_SPEEDUP = 10;

export class VantageInference {
  /** Addresses that ended every flow so far; undefined before the first flow. */
  private candidates: string[] | undefined = undefined;
  private flows = 0;

  /** No address can end every flow any more: the capture is mid-path, whatever comes next. */
  get settled(): boolean {
    return this.candidates !== undefined && this.candidates.length === 0;
  }

  observeFlow(version: number, addrs: ArrayLike<number>): void {
    this.flows++;
    const a = formatAddress(version, addrs, 0);
    const b = formatAddress(version, addrs, 4);
    if (this.candidates === undefined) this.candidates = a === b ? [a] : [a, b];
    else if (this.candidates.length > 0) this.candidates = this.candidates.filter((c) => c === a || c === b);
  }

  /**
   * The vantage from the flows seen. `fastestAckNs(address)` is the quickest sample that
   * address acknowledged (undefined if none): consulted only when two hosts end every flow.
   */
  decide(fastestAckNs: (address: string) => number | undefined): Vantage {
    const candidates = this.candidates ?? [];
    const local = (address: string, note: string): Vantage => ({
      local: [parseCidr(address)!],
      localLabels: [address],
      inferred: true,
      note,
    });
    if (candidates.length === 1) {
      const [address] = candidates as [string];
      return local(address, `${address} is an endpoint of every TCP flow: taken as the capture host (set --local to override)`);
    }
    if (candidates.length === 2) {
      const [x, y] = candidates as [string, string];
      const fx = fastestAckNs(x);
      const fy = fastestAckNs(y);
      if (fx !== undefined && fy !== undefined) {
        const why = (h: string, fh: number, o: string, fo: number): string =>
          `${h} and ${o} are the endpoints of every TCP flow; ${h} acknowledges in as little as ${(fh / 1000).toFixed(0)} µs against ${(fo / 1000).toFixed(0)} µs for ${o}: taken as the capture host (set --local to override)`;
        if (fx * LOCAL_ACK_SPEEDUP < fy) return local(x, why(x, fx, y, fy));
        if (fy * LOCAL_ACK_SPEEDUP < fx) return local(y, why(y, fy, x, fx));
      }
    }
    const note =
      this.flows === 0
        ? undefined
        : candidates.length === 2
          ? `${candidates[0]} and ${candidates[1]} both end every TCP flow and neither answers clearly faster: treated as mid-path, samples labelled by the acknowledging host (set --local to choose)`
          : 'no single host ends every TCP flow: treated as mid-path, samples labelled by the acknowledging host (set --local to choose)';
    return { local: [], localLabels: [], inferred: true, note };
  }
}
