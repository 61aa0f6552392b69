// src/generate/index.ts — schema-driven test data for an operation, in phases: spec examples, boundary values,
// positive random (fast-check, json-schema-faker as fallback), negative (one broken constraint each); seeded per
// operation so `--seed` reproduces a run, and failures shrink with fast-check.
import { isWorkSize, WORK_SIZE_CAP } from './work-size.js';
import fc from 'fast-check';
import { generateSync } from 'json-schema-faker';
import type { JsonSchema, Operation, SendRequest } from '../core/index.js';
import { sampleValue } from '../inject/index.js';
import { boundedFilter, compileSchema, mergeAllOf, type CompileOptions } from './arbitrary.js';
import { negativeValues } from './negative.js';
import { isValid, toJsonSchema, validatorFor } from './validate.js';

export { isWorkSize, WORK_SIZE_CAP } from './work-size.js';
export { boundedFilter, compileSchema, mergeAllOf, patternRegExp } from './arbitrary.js';
export { negativeValues, type NegativeValue } from './negative.js';
export { isValid, toJsonSchema, validatorFor } from './validate.js';
export { constructOf, reasonKind, verifyNegative, verifyPositive } from './verify.js';

export type Phase = 'example' | 'boundary' | 'positive' | 'negative';

/** The seed used when none is given (`--seed`); fixed, so two runs without `--seed` send the same data. */
export const DEFAULT_SEED = 20_260_601;

/** A per-operation seed derived from the run's seed (FNV-1a of the id, mixed with the seed). */
export function seedFor(seed: number, key: string): number {
  let h = 0x811c9dc5 ^ (seed | 0);
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
  return h | 0;
}

export type ValueSource = { ok: true; arb: fc.Arbitrary<unknown>; via: 'fast-check' | 'json-schema-faker'; notes?: string[] } | { ok: false; reason: string };

/**
 * An arbitrary of valid values: our compiler first; json-schema-faker (seeded by a fast-check integer, so runs still
 * reproduce, though such values do not shrink) for keywords the compiler does not model. Recursive and
 * unsatisfiable schemas give the reason instead.
 */
export function valuesOf(schema: JsonSchema, opts: CompileOptions & { specVersion?: string } = {}): ValueSource {
  // One compile per schema object and options: the phases of an operation ask for the same schema several times,
  // and arbitraries are immutable (fast-check builds some lookup tables lazily, once per arbitrary).
  const key = JSON.stringify(opts);
  let bySchema = compiledSources.get(schema);
  const hit = bySchema?.get(key);
  if (hit) return hit;
  const src = compileValues(schema, opts);
  if (src.ok || !/time budget/.test(src.reason)) {
    if (!bySchema) compiledSources.set(schema, (bySchema = new Map()));
    bySchema.set(key, src);
  }
  return src;
}

const compiledSources = new WeakMap<JsonSchema, Map<string, ValueSource>>();

function compileValues(schema: JsonSchema, opts: CompileOptions & { specVersion?: string }): ValueSource {
  const { specVersion: _v, ...compileOpts } = opts;
  const c = compileSchema(schema, { openapi30: !(opts.specVersion?.startsWith('3.1') ?? false), ...compileOpts });
  if (c.ok) return { ok: true, arb: c.arb, via: 'fast-check', ...(c.notes.length ? { notes: c.notes } : {}) };
  if (!/not modelled/.test(c.reason)) return c;
  const plain = toJsonSchema(schema, !(opts.specVersion?.startsWith('3.1') ?? false)) as Record<string, unknown>;
  try {
    generateSync(plain as never, { seed: 1 });
  } catch (e) {
    return { ok: false, reason: `${c.reason}, and json-schema-faker failed too: ${e instanceof Error ? e.message : String(e)}` };
  }
  return { ok: true, arb: fc.integer({ min: 1, max: 2 ** 31 - 1 }).map((seed) => generateSync(plain as never, { seed })), via: 'json-schema-faker' };
}

/**
 * `count` values valid under `schema` (ajv-checked: an invalid draw is dropped), reproducible from `seed`. Empty
 * with a reason when the schema cannot be generated or nothing drawn validates (an unsatisfiable schema).
 */
export function positiveValues(schema: JsonSchema, seed: number, count: number, specVersion?: string, opts: CompileOptions = {}): { values: unknown[]; reason?: string } {
  const src = valuesOf(schema, { ...opts, ...(specVersion ? { specVersion } : {}) });
  if (!src.ok) return { values: [], reason: src.reason };
  const drawn = fc.sample(src.arb, { seed, numRuns: count });
  const values = drawn.filter((v) => isValid(schema, v, specVersion));
  return values.length ? { values } : { values: [], reason: noneValidates(schema, drawn[0], count, specVersion) };
}

/** Why no drawn value validates: the schema does not compile, or the first draw's first ajv error. */
function noneValidates(schema: JsonSchema, first: unknown, count: number, specVersion?: string): string {
  let v: ReturnType<typeof validatorFor>;
  try {
    v = validatorFor(schema, specVersion);
  } catch (e) {
    return `the schema cannot be validated (ajv: ${e instanceof Error ? e.message.split('\n')[0] : String(e)})`;
  }
  try {
    v(first);
  } catch (e) {
    return `the schema cannot be validated (ajv: ${e instanceof Error ? e.message.split('\n')[0] : String(e)})`;
  }
  const e = v.errors?.[0];
  return `none of ${count} generated values validates against the schema (unsatisfiable?)${e ? `: ${e.instancePath || '/'} ${e.message ?? ''} (keyword ${e.keyword})` : ''}`;
}

/** Values at the edges of each bound of the schema's fields (min, max, minLength, maxLength), applied to `base`. */
export function boundaryValues(schema: JsonSchema, base: unknown): Array<{ label: string; value: unknown }> {
  const out: Array<{ label: string; value: unknown }> = [];
  const walk = (s0: JsonSchema, path: string[], depth: number): void => {
    if (depth > 3) return;
    const s = mergeAllOf(s0);
    const at = (v: unknown, label: string): void => void out.push({ label: `${path.join('.') || 'value'} ${label}`, value: setIn(base, path, v) });
    if (typeof s.minimum === 'number') at(s.minimum, `= minimum ${s.minimum}`);
    if (typeof s.maximum === 'number') at(s.maximum, `= maximum ${s.maximum}`);
    if (typeof s.minLength === 'number' && s.pattern === undefined && s.format === undefined) at('a'.repeat(s.minLength), `at minLength ${s.minLength}`);
    if (typeof s.maxLength === 'number' && s.pattern === undefined && s.format === undefined) at('a'.repeat(Math.min(s.maxLength, 10_000)), `at maxLength ${s.maxLength}`);
    for (const [k, sub] of Object.entries((s.properties ?? {}) as Record<string, JsonSchema>)) if (sub && typeof sub === 'object' && !sub.readOnly) walk(sub, [...path, k], depth + 1);
  };
  walk(schema, [], 0);
  return out;
}

function setIn(root: unknown, path: string[], value: unknown): unknown {
  if (path.length === 0) return value;
  const [head, ...rest] = path as [string, ...string[]];
  const o = root && typeof root === 'object' && !Array.isArray(root) ? { ...(root as Record<string, unknown>) } : {};
  o[head] = setIn(o[head], rest, value);
  return o;
}

// ---- operations ----------------------------------------------------------------------------------------------

/** Parameter and body values of one request; path parameters and identifier-like fields keep their example. */
export interface RequestValues {
  params: Record<string, unknown>;
  body?: unknown;
}

/** An identifier names an existing object: random ones would only measure "not found". */
const isIdentifier = (name: string): boolean => /(^id$|Id$|_id$)/.test(name);

const requestSchemas = new WeakMap<Operation, JsonSchema>();

/**
 * The schema of an operation's generated part: query, header and cookie parameters, and the JSON body. One object
 * per operation (its validator is compiled once); operations are not changed after discovery.
 */
export function requestSchema(op: Operation): JsonSchema {
  let schema = requestSchemas.get(op);
  if (!schema) requestSchemas.set(op, (schema = buildRequestSchema(op)));
  return schema;
}

function buildRequestSchema(op: Operation): JsonSchema {
  const properties: Record<string, JsonSchema> = {};
  const required: string[] = [];
  for (const p of op.params) {
    if (p.in === 'path' || p.in === 'body' || p.in === 'form' || !p.schema || isIdentifier(p.name)) continue;
    properties[`${p.in}:${p.name}`] = capWork(p.name, p.schema);
    if (p.required) required.push(`${p.in}:${p.name}`);
  }
  if (op.requestBody?.contentType.includes('json') && op.requestBody.schema) {
    properties.body = pinIdentifiers(op.requestBody.schema, op.requestBody.example);
    required.push('body');
  }
  return { type: 'object', properties, required, additionalProperties: false };
}

/** A work-size number (`depth`, `count`, `limit`…) without a maximum gets one: never a huge value (do no harm). */
function capWork(name: string, schema: JsonSchema): JsonSchema {
  const t = schema.type;
  const numeric = t === 'integer' || t === 'number' || (Array.isArray(t) && (t.includes('integer') || t.includes('number')));
  return numeric && typeof schema.maximum !== 'number' && isWorkSize(name) ? { ...schema, maximum: WORK_SIZE_CAP } : schema;
}

/** Identifier-like properties of a body schema pinned to their example value (`const`). */
function pinIdentifiers(schema: JsonSchema, example: unknown): JsonSchema {
  const s = mergeAllOf(schema);
  if (!s.properties) return schema;
  const ex = (example && typeof example === 'object' ? example : sampleValue(s)) as Record<string, unknown>;
  // Pinned only to an example the property's own schema accepts (else the pin would make the body unsatisfiable).
  const props = Object.fromEntries(Object.entries(s.properties as Record<string, JsonSchema>).map(([k, p]) => [k, isIdentifier(k) && ex[k] !== undefined && p && typeof p === 'object' && isValid(p, ex[k]) ? { ...p, const: ex[k] } : p && typeof p === 'object' ? capWork(k, p) : p]));
  return { ...s, properties: props };
}

/** The request carrying `values` (parameters not in `values` keep their sample value). */
export function requestFromValues(op: Operation, values: Record<string, unknown>): SendRequest {
  let path = op.path;
  const query: string[] = [];
  const headers: Array<[string, string]> = [];
  const cookies: string[] = [];
  const str = (v: unknown): string => (typeof v === 'string' ? v : JSON.stringify(v));
  for (const p of op.params) {
    const key = `${p.in}:${p.name}`;
    const has = key in values;
    const v = has ? values[key] : sampleValue(p.schema, p.examples);
    if (p.in === 'path') path = path.replace(`{${p.name}}`, encodeURIComponent(String(v)));
    else if (!has && !p.required) continue;
    else if (p.in === 'query') (Array.isArray(v) ? v : [v]).forEach((x) => query.push(`${encodeURIComponent(p.name)}=${encodeURIComponent(str(x))}`));
    else if (p.in === 'header') headers.push([p.name, str(v)]);
    else if (p.in === 'cookie') cookies.push(`${p.name}=${encodeURIComponent(str(v))}`);
  }
  path = path.replace(/\{[^}]+\}/g, '1');
  if (cookies.length) headers.push(['cookie', cookies.join('; ')]);
  const url = query.length ? `${path}?${query.join('&')}` : path;
  if ('body' in values && op.requestBody) {
    headers.push(['content-type', op.requestBody.contentType.includes('json') ? 'application/json' : op.requestBody.contentType]);
    return { method: op.method, url, headers, body: JSON.stringify(values.body) };
  }
  return { method: op.method, url, headers };
}

export interface GeneratedCase {
  phase: Phase;
  /** What the case is: `spec example`, `quantity = maximum 100`, `quantity below minimum 1`… */
  label: string;
  values: Record<string, unknown>;
  /** For negative cases: the keyword and the field broken. */
  breaks?: { keyword: string; path: string };
}

export interface CaseSet {
  seed: number;
  cases: GeneratedCase[];
  /** An arbitrary of valid request values, for shrinking a failing positive case. */
  arbitrary?: fc.Arbitrary<Record<string, unknown>>;
  /** Why positive generation was not possible (the plan of the phase records it). */
  skipped?: string;
  via?: 'fast-check' | 'json-schema-faker';
  /** What the spec got wrong or what was relaxed: an example that contradicts its schema (not used), a pattern ignored. */
  warnings?: string[];
}

/** Valid request values built from examples and samples: the starting point of boundary and negative cases. */
export function exampleValues(op: Operation): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const schema = requestSchema(op);
  for (const key of Object.keys((schema.properties ?? {}) as object)) {
    if (key === 'body') out.body = op.requestBody?.example ?? sampleValue(op.requestBody?.schema);
    else {
      const p = op.params.find((x) => `${x.in}:${x.name}` === key)!;
      if (p.required || p.examples?.length || p.schema?.example !== undefined) out[key] = sampleValue(p.schema, p.examples);
    }
  }
  return out;
}

/** The root members (`body`, `query:limit`) of `value` that `schema` rejects, with the first reason for each. */
function invalidMembers(schema: JsonSchema, value: unknown, specVersion?: string): Map<string, string> {
  const out = new Map<string, string>();
  let v: ReturnType<typeof validatorFor>;
  try {
    v = validatorFor(schema, specVersion);
  } catch {
    return out;
  }
  if (v(value)) return out;
  for (const e of v.errors ?? []) {
    const seg = e.instancePath.split('/')[1];
    const member = seg !== undefined ? seg.replace(/~1/g, '/').replace(/~0/g, '~') : typeof e.params.missingProperty === 'string' ? e.params.missingProperty : undefined;
    if (member !== undefined && !out.has(member)) out.set(member, `${e.instancePath || '/'} ${e.message ?? e.keyword}`);
  }
  return out;
}

/**
 * All phases for an operation, at most `count` random positives and `negatives` negatives. `budgetMs` bounds the
 * compiling of its schemas (default 1,000 ms): past it, positives are skipped with that reason. An example that
 * contradicts its schema is not used (a warning says so); the negatives then break a generated valid value instead.
 */
export function generateCases(op: Operation, opts: { seed: number; count: number; negatives?: number; specVersion?: string; phases?: readonly Phase[]; budgetMs?: number }): CaseSet {
  const phases = new Set(opts.phases ?? ['example', 'boundary', 'positive', 'negative']);
  const seed = seedFor(opts.seed, op.id);
  const schema = requestSchema(op);
  let base = exampleValues(op);
  const cases: GeneratedCase[] = [];
  const specVersion = opts.specVersion;
  const warnings: string[] = [];
  const wrong = invalidMembers(schema, base, specVersion);
  for (const [member, why] of wrong) warnings.push(`${op.id}: the example of ${member.replace(/^(query|header|cookie):/, '$1 parameter ')} does not match its schema (${why}); not used`);
  const baseValid = wrong.size === 0 && isValid(schema, base, specVersion);
  if (phases.has('example') && baseValid) cases.push({ phase: 'example', label: 'spec example', values: base });
  if (phases.has('boundary') && baseValid) for (const b of boundaryValues(schema, base)) if (isValid(schema, b.value, specVersion)) cases.push({ phase: 'boundary', label: b.label.replace(/^(body|query|header|cookie)[.:]/, ''), values: b.value as Record<string, unknown> });
  const set: CaseSet = { seed, cases };
  const compileOpts: CompileOptions = opts.budgetMs !== undefined ? { budgetMs: opts.budgetMs } : {};
  let firstPositive: Record<string, unknown> | undefined;
  if (phases.has('positive') || (phases.has('negative') && !baseValid)) {
    const src = valuesOf(schema, { ...compileOpts, ...(specVersion ? { specVersion } : {}) });
    if (!src.ok) set.skipped = src.reason;
    else {
      set.via = src.via;
      if (src.notes) warnings.push(...src.notes.map((n) => `${op.id}: ${n}`));
      set.arbitrary = boundedFilter(src.arb, (v) => isValid(schema, v, specVersion)) as fc.Arbitrary<Record<string, unknown>>;
      const { values, reason } = positiveValues(schema, seed, Math.max(opts.count, 1), specVersion, compileOpts);
      if (reason) set.skipped = reason;
      firstPositive = values[0] as Record<string, unknown> | undefined;
      if (phases.has('positive')) values.slice(0, opts.count).forEach((v, i) => cases.push({ phase: 'positive', label: `generated #${i + 1}`, values: v as Record<string, unknown> }));
    }
  }
  if (!baseValid && firstPositive) {
    // The spec's examples, with the members that contradict the schema taken from a generated valid value.
    const repaired: Record<string, unknown> = { ...base };
    for (const member of wrong.keys()) {
      if (member in firstPositive) repaired[member] = firstPositive[member];
      else delete repaired[member];
    }
    base = isValid(schema, repaired, specVersion) ? repaired : firstPositive;
  }
  if (phases.has('negative') && (baseValid || firstPositive)) {
    // The root is vouch's own grouping of parameters, not something the server sees: only its members are broken.
    for (const n of negativeValues(schema, base, opts.negatives ?? 8, specVersion, { root: false })) {
      cases.push({ phase: 'negative', label: n.says.replace(/(body|query|header|cookie)[.:]/g, ''), values: n.value as Record<string, unknown>, breaks: { keyword: n.keyword, path: n.path } });
    }
  }
  if (warnings.length) set.warnings = warnings;
  // The same request twice teaches nothing (an operation without parameters has one request only).
  const seen = new Set<string>();
  set.cases = cases.filter((c) => {
    const key = JSON.stringify(c.values);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  return set;
}

export interface Shrunk<T> {
  value: T;
  /** How many shrinking steps were tried (each a request). */
  steps: number;
}

/**
 * Shrinks a failing value with fast-check: `first` (the failing value) is run first as an example, then fast-check
 * replays `fails` on smaller candidates derived from it, keeping the smallest that still fails. `maxSteps` caps the
 * requests spent (a step past the cap counts as passing, which ends the shrink there).
 */
export async function shrinkFailure<T>(arb: fc.Arbitrary<T>, seed: number, first: T, fails: (v: T) => Promise<boolean>, opts: { maxSteps: number }): Promise<Shrunk<T> | undefined> {
  let steps = 0;
  const result = await fc.check(
    fc.asyncProperty(arb, async (v) => {
      if (steps >= opts.maxSteps) return true;
      steps++;
      return !(await fails(v));
    }),
    { seed, numRuns: 1, examples: [[first]], endOnFailure: false },
  );
  if (!result.failed || !result.counterexample) return undefined;
  return { value: result.counterexample[0], steps };
}
