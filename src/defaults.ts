/**
 * The analysis's defaults (analyze.ts re-exports them), in a module of their own so that the
 * command line's option definitions (cli/options.ts: --help shows them) load without the
 * analysis: `rttscan --version` and `--help` do not load the engines.
 */
import { DEFAULT_MAX_SEGMENTS } from './engines/rtt/outstanding.js';
import type { GroupBy } from './stats/collector.js';

export const DEFAULTS = {
  by: 'all' as GroupBy,
  idleTtlNs: 300e9,
  expTtlNs: 60e9,
  maxFlows: 1_000_000,
  maxSegments: DEFAULT_MAX_SEGMENTS,
  /** Samples held while the vantage is inferred (41 bytes each: 41 MB); see stats/collector.ts. */
  pendingLimit: 1_000_000,
};
