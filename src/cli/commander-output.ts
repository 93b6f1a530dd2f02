/**
 * How commander's own usage errors are printed: like every other rttscan error, one line that
 * starts with `rttscan:`, suggestion included ("unknown option '--histgram' (did you mean
 * --histogram?)"). Help and version output go to stdout unchanged.
 */
import type { OutputConfiguration } from 'commander';

export function formatCommanderError(text: string): string {
  const lines = text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '');
  const message = lines
    .join(' ')
    .replace(/^error: /, '')
    .replace('(Did you mean', '(did you mean');
  return `rttscan: ${message}\n`;
}

export const COMMANDER_OUTPUT: OutputConfiguration = {
  writeErr: (s) => process.stderr.write(s),
  outputError: (s, write) => write(formatCommanderError(s)),
};
