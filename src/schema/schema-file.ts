/** The published schema file: where it lies in the package, and its text (npm run docs writes it). */
import { SUMMARY_SCHEMA } from './summary-schema.js';

/** Relative to the package root; package.json exports it as `rttscan/schema.json`. */
export const SCHEMA_PATH = 'schema/rttscan-summary.schema.json';

export function schemaFileText(): string {
  return `${JSON.stringify(SUMMARY_SCHEMA, null, 2)}\n`;
}
