/**
 * The published JSON Schema (schema/rttscan-summary.schema.json) compiled with ajv, a validator
 * independent of rttscan's own (src/schema/validate.ts): what the tests hold documents to.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ajv2020 from 'ajv/dist/2020.js';
import type { ValidateFunction } from 'ajv';
import { REPO_ROOT } from './paths.js';

// ajv is CommonJS: its class is the module's default export, under ESM one level down.
const Ajv2020 = (ajv2020 as unknown as { default: typeof ajv2020.Ajv2020 }).default;

export const SCHEMA_FILE = join(REPO_ROOT, 'schema', 'rttscan-summary.schema.json');

export interface PublishedSchema {
  document: ValidateFunction;
  intervalReport: ValidateFunction;
  documentArray: ValidateFunction;
}

let compiled: PublishedSchema | undefined;

export function publishedSchema(): PublishedSchema {
  if (compiled !== undefined) return compiled;
  const schema = JSON.parse(readFileSync(SCHEMA_FILE, 'utf8')) as { $id: string };
  const ajv = new Ajv2020({ strict: true, allErrors: false });
  const document = ajv.compile(schema);
  const part = (name: string): ValidateFunction => ajv.getSchema(`${schema.$id}#/$defs/${name}`)!;
  compiled = { document, intervalReport: part('interval_report'), documentArray: part('document_array') };
  return compiled;
}

/** ajv's complaint about `value` as one line, or '' when it validates. */
export function ajvErrors(validate: ValidateFunction, value: unknown): string {
  if (validate(value)) return '';
  return (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? ''}`).join('; ');
}
