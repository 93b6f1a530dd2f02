/**
 * Checking a parsed document against the JSON Schema object of summary-schema.ts, at run time.
 *
 * Not ajv: ajv compiles a schema into JavaScript source and evaluates it (new Function) on every
 * start, which costs start-up time and fails where code generation from strings is disallowed;
 * it would be a run-time dependency for the dozen keywords this schema uses; and its errors
 * would still need rewording into rttscan's one-line messages. So this interprets the same
 * schema object directly, for exactly the keywords in KEYWORDS (a test fails if the schema uses
 * another), and the tests hold it to ajv's verdict on the published file, document by document
 * and on random mutations.
 *
 * Depth is checked first, without recursion (LIMITS.depth), so the interpreter's own recursion
 * (bounded by the schema's nesting) can never meet a document deeper than the stack.
 */
import { printable } from '../util/printable.js';
import { LIMITS, SUMMARY_SCHEMA } from './summary-schema.js';

/** The keywords this interpreter implements; annotations are read past. */
export const KEYWORDS = new Set([
  'type',
  'const',
  'enum',
  'properties',
  'required',
  'additionalProperties',
  'propertyNames',
  'maxProperties',
  'items',
  'minItems',
  'maxItems',
  'minimum',
  'maximum',
  'maxLength',
  'pattern',
  'anyOf',
  '$ref',
]);
export const ANNOTATIONS = new Set(['$schema', '$id', '$defs', 'title', 'description']);

type Schema = { readonly [keyword: string]: unknown };

/** Where a document broke the schema: the path to the value, and what is wrong with it. */
export interface SchemaViolation {
  /** `summary.sketch.counts[3]`; '' for the document itself. */
  path: string;
  message: string;
}

const TYPE_WORDS: Record<string, string> = {
  integer: 'a whole number',
  number: 'a number',
  string: 'a string',
  boolean: 'true or false',
  object: 'an object',
  array: 'an array',
  null: 'null',
};

/** A value as a message shows it: short, escaped, on one line. */
export function describeValue(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'object') return 'an object';
  const text = printable(JSON.stringify(v));
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}

function typeOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

function hasType(v: unknown, type: string): boolean {
  const t = typeOf(v);
  return t === type || (type === 'number' && t === 'integer');
}

function childPath(path: string, key: string): string {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(key) ? (path === '' ? key : `${path}.${key}`) : `${path}[${describeValue(key)}]`;
}

function codePoints(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) i++;
    n++;
  }
  return n;
}

/** How deep `value` nests (a scalar is 0), counted without recursion; stops past `limit`. */
export function depthOf(value: unknown, limit: number): number {
  let deepest = 0;
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    if (depth + 1 > deepest) deepest = depth + 1;
    if (deepest > limit) return deepest;
    for (const child of Array.isArray(v) ? v : Object.values(v)) if (child !== null && typeof child === 'object') stack.push([child, depth + 1]);
  }
  return deepest;
}

class Validator {
  private readonly patterns = new Map<string, RegExp>();
  constructor(private readonly root: Schema) {}

  private resolve(ref: string): Schema {
    if (ref === '#') return this.root;
    const m = /^#\/\$defs\/([A-Za-z0-9_]+)$/.exec(ref);
    const defs = this.root.$defs as Record<string, Schema> | undefined;
    const target = m ? defs?.[m[1]!] : undefined;
    if (target === undefined) throw new Error(`schema: unresolvable $ref ${ref}`);
    return target;
  }

  private regex(pattern: string): RegExp {
    let re = this.patterns.get(pattern);
    if (re === undefined) this.patterns.set(pattern, (re = new RegExp(pattern, 'u')));
    return re;
  }

  /** The first violation of `schema` by `v` at `path`, or undefined. */
  check(v: unknown, schema: Schema, path: string): SchemaViolation | undefined {
    const fail = (message: string): SchemaViolation => ({ path, message });
    if (schema.$ref !== undefined) return this.check(v, this.resolve(schema.$ref as string), path);
    if (schema.anyOf !== undefined) return this.checkAnyOf(v, schema.anyOf as Schema[], path);
    if ('const' in schema && v !== schema.const) return fail(`${describeValue(v)}, expected ${describeValue(schema.const)}`);
    if (schema.enum !== undefined && !(schema.enum as unknown[]).includes(v)) {
      return fail(`${describeValue(v)} is not one of ${(schema.enum as unknown[]).join(', ')}`);
    }
    if (schema.type !== undefined) {
      const types = Array.isArray(schema.type) ? (schema.type as string[]) : [schema.type as string];
      if (!types.some((t) => hasType(v, t))) return fail(`expected ${types.map((t) => TYPE_WORDS[t]).join(' or ')}, found ${describeValue(v)}`);
    }
    if (typeof v === 'number') return this.checkNumber(v, schema, fail);
    if (typeof v === 'string') return this.checkString(v, schema, fail);
    if (Array.isArray(v)) return this.checkArray(v, schema, path, fail);
    if (v !== null && typeof v === 'object') return this.checkObject(v as Record<string, unknown>, schema, path, fail);
    return undefined;
  }

  private checkAnyOf(v: unknown, branches: Schema[], path: string): SchemaViolation | undefined {
    const failures = branches.map((b) => this.check(v, b, path));
    if (failures.some((f) => f === undefined)) return undefined;
    // Report the branch whose type fits the value, if one does: its complaint is the useful one.
    const fitting = branches.findIndex((b) => b.type !== undefined && hasType(v, b.type as string));
    if (fitting >= 0) return failures[fitting];
    const words = branches.map((b) => TYPE_WORDS[b.type as string] ?? 'something else');
    return { path, message: `expected ${words.join(' or ')}, found ${describeValue(v)}` };
  }

  private checkNumber(v: number, schema: Schema, fail: (m: string) => SchemaViolation): SchemaViolation | undefined {
    if (!Number.isFinite(v)) return fail(`${v} is not a finite number`);
    if (schema.minimum !== undefined && v < (schema.minimum as number)) return fail(`${describeValue(v)} is below the minimum ${schema.minimum as number}`);
    if (schema.maximum !== undefined && v > (schema.maximum as number)) return fail(`${describeValue(v)} is above the maximum ${schema.maximum as number}`);
    return undefined;
  }

  private checkString(v: string, schema: Schema, fail: (m: string) => SchemaViolation): SchemaViolation | undefined {
    // JSON Schema counts characters (code points), not UTF-16 units: count them when it matters.
    if (schema.maxLength !== undefined && v.length > (schema.maxLength as number)) {
      const chars = codePoints(v);
      if (chars > (schema.maxLength as number)) return fail(`${chars} characters, at most ${schema.maxLength as number}`);
    }
    if (schema.pattern !== undefined && !this.regex(schema.pattern as string).test(v)) {
      const why = schema.description !== undefined ? ` (${schema.description as string})` : '';
      return fail(`${describeValue(v)} is not of the form rttscan writes${why}`);
    }
    return undefined;
  }

  private checkArray(v: unknown[], schema: Schema, path: string, fail: (m: string) => SchemaViolation): SchemaViolation | undefined {
    if (schema.minItems !== undefined && v.length < (schema.minItems as number)) return fail(`${v.length} items, at least ${schema.minItems as number}`);
    if (schema.maxItems !== undefined && v.length > (schema.maxItems as number)) return fail(`${v.length} items, at most ${schema.maxItems as number}`);
    const items = schema.items as Schema | undefined;
    if (items === undefined) return undefined;
    for (let i = 0; i < v.length; i++) {
      const found = this.check(v[i], items, `${path}[${i}]`);
      if (found !== undefined) return found;
    }
    return undefined;
  }

  private checkObject(v: Record<string, unknown>, schema: Schema, path: string, fail: (m: string) => SchemaViolation): SchemaViolation | undefined {
    const keys = Object.keys(v);
    if (schema.maxProperties !== undefined && keys.length > (schema.maxProperties as number)) {
      return fail(`${keys.length} keys, at most ${schema.maxProperties as number}`);
    }
    const properties = (schema.properties ?? {}) as Record<string, Schema>;
    for (const key of (schema.required ?? []) as string[]) {
      if (!Object.hasOwn(v, key)) return { path: childPath(path, key), message: 'missing' };
    }
    for (const key of keys) {
      const at = childPath(path, key);
      if (schema.propertyNames !== undefined && this.check(key, schema.propertyNames as Schema, at) !== undefined) {
        return { path: at, message: `${describeValue(key)} is not a key rttscan writes` };
      }
      const sub = Object.hasOwn(properties, key) ? properties[key] : (schema.additionalProperties as Schema | boolean | undefined);
      if (sub === false) return { path: at, message: `unknown key ${describeValue(key)}` };
      if (sub === undefined || sub === true) continue;
      const found = this.check(v[key], sub, at);
      if (found !== undefined) return found;
    }
    return undefined;
  }
}

const validator = new Validator(SUMMARY_SCHEMA as unknown as Schema);

/**
 * The first way `value` breaks the schema's definition `def` (a name in `$defs`, or the root
 * document when undefined), or undefined when it keeps to it.
 */
export function schemaViolation(value: unknown, def?: 'interval_report' | 'document_array'): SchemaViolation | undefined {
  const depth = depthOf(value, LIMITS.depth);
  if (depth > LIMITS.depth) return { path: '', message: `nested more than ${LIMITS.depth} levels deep` };
  const schema = def === undefined ? (SUMMARY_SCHEMA as unknown as Schema) : { $ref: `#/$defs/${def}` };
  return validator.check(value, schema, '');
}
