/**
 * A library error in the CLI's words: where the library names one of its options (errors.ts
 * OptionName), the CLI names the flag that sets it, so `filter 'x': ...` reads `--filter 'x': ...`.
 */
import { RttscanError, type OptionName } from '../errors.js';

const FLAGS: Record<OptionName, string> = {
  filter: '--filter',
  ifaces: '--live',
  backend: '--backend',
  failIf: '--fail-if',
  baseline: '--baseline',
  prometheus: '--prometheus',
  statsd: '--statsd',
  by: '--by',
  histogramUnit: '--ms',
  listInterfaces: 'rttscan --list-interfaces',
};

export function flagOf(option: OptionName): string {
  return FLAGS[option];
}

/** The message of `err` as the CLI prints it (after `rttscan: `). */
export function errorText(err: unknown): string {
  return err instanceof RttscanError ? err.naming(flagOf) : (err as Error).message;
}
