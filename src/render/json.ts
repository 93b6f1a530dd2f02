/** The `--json` document: one object, keys in a fixed order so that diffs stay clean. */
import type { AnalysisResult } from '../analyze.js';
import { VERSION } from '../version.js';

export function renderJson(result: AnalysisResult): string {
  const doc = {
    tool: 'rttscan',
    version: VERSION,
    inputs: result.inputs,
    decode: result.decode,
  };
  return JSON.stringify(doc, null, 2) + '\n';
}
