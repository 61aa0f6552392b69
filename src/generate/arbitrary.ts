// src/generate/arbitrary.ts — compiles an OpenAPI/JSON Schema into a fast-check arbitrary (seeded, shrinking), or
// says why it cannot (unsupported keyword, unresolved recursion, contradictory bounds).
import fc from 'fast-check';
import type { JsonSchema } from '../core/index.js';
import { patternRegExp, safePattern } from './regex.js';
import { isValid } from './validate.js';

export interface CompileOptions {
  /** `request`: readOnly properties are left out; `response`: writeOnly ones are. Default `request`. */
  direction?: 'request' | 'response';
  /** OpenAPI 3.0 (`nullable`, boolean exclusive bounds). Default true. */
  openapi30?: boolean;
  /** Nesting depth beyond which optional parts are dropped and required ones make the schema unsupported. Default 6. */
  maxDepth?: number;
  /** Longest generated array. Default 4. */
  maxItems?: number;
  /** Schema nodes compiled before optional properties, extra oneOf branches and optional items are left out. Default 400. */
  maxNodes?: number;
  /** Milliseconds compiling may take before it gives up with a reason. Default 1,000. */
  budgetMs?: number;
}

export type Compiled = { ok: true; arb: fc.Arbitrary<unknown>; notes: string[] } | { ok: false; reason: string };

/** Keywords the compiler does not model; a schema using one goes to the json-schema-faker fallback. */
const UNSUPPORTED = ['not', 'if', 'then', 'else', 'patternProperties', 'dependentRequired', 'dependentSchemas', 'dependencies', 'contains', 'prefixItems', 'propertyNames', 'unevaluatedProperties', 'unevaluatedItems'];

class Refusal extends Error {}

const typeOf = (s: JsonSchema): string | string[] | undefined => {
  if (Array.isArray(s.type)) return s.type as string[];
  if (typeof s.type === 'string') return s.type;
  if (s.properties || s.required) return 'object';
  if (s.items) return 'array';
  if (s.pattern !== undefined || s.format !== undefined || s.minLength !== undefined || s.maxLength !== undefined) return 'string';
  if (s.minimum !== undefined || s.maximum !== undefined || s.multipleOf !== undefined) return 'number';
  return undefined;
};

const isObject = (v: unknown): v is JsonSchema => !!v && typeof v === 'object' && !Array.isArray(v);

/** The marker `mergeAllOf` leaves on a merged schema whose parts have no value in common (`compile` refuses it). */
export const CONFLICT = 'x-vouch-conflict';

/** `integer` ∩ `number` = `integer`; undefined when either side has no type (anything). */
function intersectTypes(a: unknown, b: unknown): string[] | undefined {
  const list = (t: unknown): string[] | undefined => (typeof t === 'string' ? [t] : Array.isArray(t) ? t.filter((x): x is string => typeof x === 'string') : undefined);
  const x = list(a);
  const y = list(b);
  if (!x) return y;
  if (!y) return x;
  const out = new Set<string>();
  for (const t of x) {
    if (y.includes(t)) out.add(t);
    else if (t === 'integer' && y.includes('number')) out.add('integer');
    else if (t === 'number' && y.includes('integer')) out.add('integer');
  }
  return [...out];
}

/**
 * `allOf` merged into one schema: properties and items of the same name merged in turn (lazily, as a nested `allOf`
 * compiled when reached), required united, types and enums intersected, bounds tightened, `additionalProperties:
 * false` kept, other keywords last-wins. Parts with no value in common leave the reason under `CONFLICT`.
 */
export function mergeAllOf(schema: JsonSchema): JsonSchema {
  if (!Array.isArray(schema.allOf)) return schema;
  const { allOf, ...rest } = schema;
  const out: JsonSchema = {};
  const conflict = (why: string): void => void (out[CONFLICT] ??= `allOf: ${why}`);
  const parts: JsonSchema[] = [];
  for (const p of allOf as unknown[]) {
    if (p === false) conflict('a part is `false`');
    else if (isObject(p)) parts.push(mergeAllOf(p));
  }
  parts.push(rest);
  for (const p of parts) {
    for (const [k, v] of Object.entries(p)) {
      if (k === 'properties' && isObject(v)) {
        const props = { ...((out.properties as JsonSchema | undefined) ?? {}) };
        for (const [name, sub] of Object.entries(v)) props[name] = props[name] !== undefined && isObject(props[name]) && isObject(sub) ? { allOf: [props[name], sub] } : sub;
        out.properties = props;
      } else if (k === 'items' && isObject(v) && isObject(out.items)) out.items = { allOf: [out.items, v] };
      else if (k === 'required' && Array.isArray(v)) out.required = [...new Set([...((out.required as string[] | undefined) ?? []), ...(v as string[])])];
      else if ((k === 'minimum' || k === 'minLength' || k === 'minItems') && typeof out[k] === 'number' && typeof v === 'number') out[k] = Math.max(out[k], v);
      else if ((k === 'maximum' || k === 'maxLength' || k === 'maxItems') && typeof out[k] === 'number' && typeof v === 'number') out[k] = Math.min(out[k], v);
      else if (k === 'type' && out.type !== undefined) {
        const t = intersectTypes(out.type, v);
        if (t && t.length === 0) conflict(`types ${JSON.stringify(out.type)} and ${JSON.stringify(v)} have no value in common`);
        else if (t) out.type = t.length === 1 ? t[0] : t;
      } else if (k === 'enum' && Array.isArray(v) && Array.isArray(out.enum)) {
        const keep = new Set(v.map((e) => JSON.stringify(e)));
        const both = (out.enum as unknown[]).filter((e) => keep.has(JSON.stringify(e)));
        if (both.length === 0) conflict('enums with no value in common');
        out.enum = both;
      } else if (k === 'additionalProperties' && out.additionalProperties === false) continue;
      else if (k === CONFLICT) conflict(String(v).replace(/^allOf: /, ''));
      else out[k] = v;
    }
  }
  return out;
}

/**
 * `arb.filter(pred)` that gives up after `tries` draws and returns the last one: fast-check's own filter loops for
 * ever when nothing passes (a pattern that cannot meet a length, a format that cannot meet a pattern). The value it
 * then returns is invalid; the ajv check every generated value goes through drops it, and the reason is said.
 */
class BoundedFilter<T> extends fc.Arbitrary<T> {
  readonly arb: fc.Arbitrary<T>;
  readonly pred: (v: T) => boolean;
  readonly tries: number;
  constructor(arb: fc.Arbitrary<T>, pred: (v: T) => boolean, tries: number) {
    super();
    this.arb = arb;
    this.pred = pred;
    this.tries = tries;
  }
  override generate(mrng: fc.Random, biasFactor: number | undefined): fc.Value<T> {
    let g = this.arb.generate(mrng, biasFactor);
    for (let i = 1; i < this.tries && !this.pred(g.value); i++) g = this.arb.generate(mrng, biasFactor);
    return g;
  }
  override canShrinkWithoutContext(value: unknown): value is T {
    return this.arb.canShrinkWithoutContext(value) && this.pred(value);
  }
  override shrink(value: T, context: unknown): fc.Stream<fc.Value<T>> {
    return this.arb.shrink(value, context).filter((v) => this.pred(v.value));
  }
}

/** `arb` filtered by `pred`, at most `tries` draws per value (see BoundedFilter). */
export const boundedFilter = <T>(arb: fc.Arbitrary<T>, pred: (v: T) => boolean, tries = 50): fc.Arbitrary<T> => new BoundedFilter(arb, pred, tries);

function bounds(s: JsonSchema, openapi30: boolean): { min?: number; max?: number; minEx: boolean; maxEx: boolean } {
  let min = typeof s.minimum === 'number' ? s.minimum : undefined;
  let max = typeof s.maximum === 'number' ? s.maximum : undefined;
  let minEx = false;
  let maxEx = false;
  if (openapi30 && s.exclusiveMinimum === true) minEx = min !== undefined;
  else if (typeof s.exclusiveMinimum === 'number' && (min === undefined || s.exclusiveMinimum >= min)) [min, minEx] = [s.exclusiveMinimum, true];
  if (openapi30 && s.exclusiveMaximum === true) maxEx = max !== undefined;
  else if (typeof s.exclusiveMaximum === 'number' && (max === undefined || s.exclusiveMaximum <= max)) [max, maxEx] = [s.exclusiveMaximum, true];
  return { ...(min !== undefined ? { min } : {}), ...(max !== undefined ? { max } : {}), minEx, maxEx };
}

function integerArb(s: JsonSchema, openapi30: boolean): fc.Arbitrary<unknown> {
  const b = bounds(s, openapi30);
  let min = b.min === undefined ? -1_000_000 : b.minEx ? Math.floor(b.min) + 1 : Math.ceil(b.min);
  let max = b.max === undefined ? 1_000_000 : b.maxEx ? Math.ceil(b.max) - 1 : Math.floor(b.max);
  if (b.min !== undefined && b.max === undefined) max = min + 1_000_000;
  if (b.max !== undefined && b.min === undefined) min = max - 1_000_000;
  const step = typeof s.multipleOf === 'number' && Number.isInteger(s.multipleOf) && s.multipleOf > 0 ? s.multipleOf : 1;
  const lo = Math.ceil(min / step);
  const hi = Math.floor(max / step);
  if (lo > hi) throw new Refusal(`no integer satisfies the bounds (${String(b.min)}..${String(b.max)}${step > 1 ? `, multipleOf ${step}` : ''})`);
  const ints = fc.integer({ min: Math.max(lo, Number.MIN_SAFE_INTEGER), max: Math.min(hi, Number.MAX_SAFE_INTEGER) });
  // Without multipleOf no map: a plain integer arbitrary can shrink a value it did not generate (a known failure).
  return step === 1 ? ints : ints.map((n) => n * step, (v) => (typeof v === 'number' && v % step === 0 ? v / step : Number.NaN));
}

function numberArb(s: JsonSchema, openapi30: boolean): fc.Arbitrary<unknown> {
  if (typeof s.multipleOf === 'number') return integerArb(s, openapi30);
  const b = bounds(s, openapi30);
  const min = b.min ?? -1e6;
  const max = b.max ?? (b.min !== undefined ? b.min + 1e6 : 1e6);
  if (min > max || (min === max && (b.minEx || b.maxEx))) throw new Refusal(`no number satisfies the bounds (${min}..${max})`);
  return fc.double({ min, max, minExcluded: b.minEx, maxExcluded: b.maxEx, noNaN: true, noDefaultInfinity: true }).map((n) => (Object.is(n, -0) ? 0 : n), (v) => (typeof v === 'number' ? v : Number.NaN));
}

const pad2 = (n: number): string => String(n).padStart(2, '0');
const dateArb = fc.record({ y: fc.integer({ min: 1970, max: 2100 }), m: fc.integer({ min: 1, max: 12 }), d: fc.integer({ min: 1, max: 28 }) }).map(({ y, m, d }) => `${y}-${pad2(m)}-${pad2(d)}`);
const timeArb = fc.record({ h: fc.integer({ min: 0, max: 23 }), mi: fc.integer({ min: 0, max: 59 }), s: fc.integer({ min: 0, max: 59 }) }).map(({ h, mi, s }) => `${pad2(h)}:${pad2(mi)}:${pad2(s)}Z`);

/** http(s) URLs with plain path segments: fc.webUrl() builds lookup tables per value (6x slower) for the same test. */
const webUrl = fc.tuple(fc.constantFrom('http', 'https'), fc.domain(), fc.array(fc.stringMatching(/^[a-z0-9]{1,8}$/), { maxLength: 3 })).map(([scheme, host, path]) => `${scheme}://${host}/${path.join('/')}`);

const FORMATS: Record<string, fc.Arbitrary<string>> = {
  email: fc.emailAddress(),
  uuid: fc.uuid(),
  date: dateArb,
  'date-time': fc.tuple(dateArb, timeArb).map(([d, t]) => `${d}T${t}`),
  time: timeArb,
  uri: webUrl,
  url: webUrl,
  hostname: fc.domain(),
  ipv4: fc.ipV4(),
  ipv6: fc.ipV6(),
  // the other string formats ajv-formats checks
  byte: fc.base64String({ maxLength: 32 }),
  duration: fc.tuple(fc.integer({ min: 0, max: 30 }), fc.integer({ min: 0, max: 23 })).map(([d, h]) => `P${d}DT${h}H`),
  'uri-reference': webUrl,
  'uri-template': webUrl,
  'iso-date-time': fc.tuple(dateArb, timeArb).map(([d, t]) => `${d}T${t}`),
  'iso-time': timeArb,
  regex: fc.constantFrom('^[a-z]+$', '\\d{3}', '.*'),
  'json-pointer': fc.array(fc.stringMatching(/^[a-z0-9]{1,6}$/), { maxLength: 3 }).map((p) => p.map((x) => `/${x}`).join('')),
  'relative-json-pointer': fc.integer({ min: 0, max: 3 }).map((n) => `${n}/a`),
};

export { patternRegExp } from './regex.js';

/**
 * `fc.stringMatching(re)`, one per pattern and flags: building one can take a second (`\p{…}` classes and negated
 * classes map the whole of Unicode), and big specs repeat the same patterns on many fields.
 */
const matchers = new Map<string, fc.Arbitrary<string>>();
function matching(re: RegExp, size: fc.SizeForArbitrary | undefined): fc.Arbitrary<string> {
  const key = `${size ?? ''}:${re.flags}/${re.source}`;
  let arb = matchers.get(key);
  if (!arb) {
    if (matchers.size >= 2000) matchers.clear();
    matchers.set(key, (arb = fc.stringMatching(re, size ? { size } : {})));
  }
  return arb;
}

/** How long pattern strings should be drawn so most meet the declared lengths (AWS ids: `[a-z0-9-]*` with minLength 36). */
function sizeFor(minLength: number, maxLength: number): fc.SizeForArbitrary | undefined {
  if (maxLength <= 6) return 'xsmall';
  if (minLength >= 24) return 'large';
  if (minLength >= 8) return 'medium';
  return undefined;
}

const formatSchemas = new Map<string, JsonSchema>();
/** `{ type: 'string', format }`, one object per format (validators are cached per schema object). */
const formatSchema = (format: string): JsonSchema => {
  let f = formatSchemas.get(format);
  if (!f) formatSchemas.set(format, (f = { type: 'string', format }));
  return f;
};

function stringArb(s: JsonSchema, st: State): fc.Arbitrary<unknown> {
  const minLength = typeof s.minLength === 'number' ? s.minLength : 0;
  const declaredMax = typeof s.maxLength === 'number' ? s.maxLength : Infinity;
  if (minLength > declaredMax) throw new Refusal(`minLength ${minLength} > maxLength ${declaredMax}`);
  const maxLength = Math.min(declaredMax, minLength + 24);
  const re = typeof s.pattern === 'string' ? patternRegExp(s.pattern) : undefined;
  if (typeof s.pattern === 'string' && !re) st.notes.push(`pattern ${JSON.stringify(s.pattern)} is not an ECMAScript regular expression: ignored for generation`);
  const format = typeof s.format === 'string' ? FORMATS[s.format] : undefined;
  const sources: fc.Arbitrary<string>[] = [];
  if (re) {
    try {
      sources.push(matching(re, sizeFor(minLength, declaredMax)));
    } catch (e) {
      st.notes.push(`pattern ${JSON.stringify(s.pattern)}: ${e instanceof Error ? e.message : String(e)}; strings are drawn and tested against it instead`);
    }
  }
  if (format) sources.push(format);
  if (sources.length === 0) sources.push(fc.string({ minLength, maxLength, unit: 'grapheme-ascii' }));
  // Only declared bounds (and a pattern a format value must also meet) filter; the filter is bounded (never hangs).
  const tester = re && safePattern(re);
  const fits = (v: string): boolean => {
    const n = [...v].length;
    if (n < minLength || n > declaredMax) return false;
    if (tester && !tester.test(v)) return false;
    // a pattern's string must also be of the format (ajv knows the formats; unknown ones pass)
    if (re && typeof s.format === 'string') return isValid(formatSchema(s.format), v);
    return true;
  };
  const arb = sources.length === 1 ? sources[0]! : fc.oneof(...sources);
  return typeof s.pattern === 'string' || format || minLength > 0 || declaredMax !== Infinity ? boundedFilter(arb, fits) : arb;
}

interface State {
  opts: Required<CompileOptions>;
  /** Schema nodes compiled so far (past `maxNodes`, optional parts are left out). */
  nodes: number;
  /** `performance.now()` past which compiling gives up. */
  deadline: number;
  /** What was relaxed on the way (an invalid pattern ignored…). */
  notes: string[];
}

function compile(schema: unknown, st: State, depth: number): fc.Arbitrary<unknown> {
  if (schema === true || schema === undefined) return fc.constantFrom<unknown>('vouch', 1, true, null);
  if (schema === false) throw new Refusal('the schema is `false` (nothing is valid)');
  if (!schema || typeof schema !== 'object') throw new Refusal('the schema is not an object');
  let s = schema as JsonSchema;
  if (typeof s.$ref === 'string') throw new Refusal(`unresolved (recursive) $ref ${s.$ref}`);
  if (depth > st.opts.maxDepth) throw new Refusal(`nesting deeper than ${st.opts.maxDepth} levels (recursive schema)`);
  if (++st.nodes % 64 === 0 && performance.now() > st.deadline) throw new Refusal(`generation exceeded its time budget (${st.opts.budgetMs} ms)`);
  const unsupported = UNSUPPORTED.find((k) => k in s);
  if (unsupported) throw new Refusal(`keyword ${unsupported} is not modelled`);
  s = mergeAllOf(s);
  if (typeof s[CONFLICT] === 'string') throw new Refusal(s[CONFLICT]);
  const over = st.nodes > st.opts.maxNodes;
  const nullable = st.opts.openapi30 && s.nullable === true;
  const wrap = (a: fc.Arbitrary<unknown>): fc.Arbitrary<unknown> => (nullable ? fc.option(a, { nil: null, freq: 5 }) : a);
  if (s.const !== undefined) return fc.constant(s.const);
  if (Array.isArray(s.enum)) {
    if (s.enum.length === 0) throw new Refusal('empty enum');
    return wrap(fc.constantFrom(...(s.enum as unknown[])));
  }
  const alts = (Array.isArray(s.oneOf) ? s.oneOf : Array.isArray(s.anyOf) ? s.anyOf : undefined) as JsonSchema[] | undefined;
  if (alts) {
    const { oneOf: _o, anyOf: _a, ...base } = s;
    const branches: fc.Arbitrary<unknown>[] = [];
    const reasons: string[] = [];
    const version = st.opts.openapi30 ? '3.0.3' : '3.1.0';
    for (const [i, alt] of alts.entries()) {
      if (over && branches.length > 0) break;
      try {
        const arb = compile(Object.keys(base).length ? mergeAllOf({ allOf: [base, alt] }) : alt, st, depth + 1);
        // oneOf: a value of one branch that another branch also accepts is invalid; draw again (bounded).
        const others = s.oneOf ? alts.filter((o, j) => j !== i && isObject(o)) : [];
        branches.push(others.length ? boundedFilter(arb, (v) => !others.some((o) => isValid(o, v, version)), 20) : arb);
      } catch (e) {
        if (!(e instanceof Refusal)) throw e;
        reasons.push(e.message);
      }
    }
    if (!branches.length) throw new Refusal(`no branch of ${s.oneOf ? 'oneOf' : 'anyOf'} can be generated: ${reasons.join('; ')}`);
    return wrap(fc.oneof(...branches));
  }
  const type = typeOf(s);
  if (Array.isArray(type)) {
    const arbs = type.map((t) => (t === 'null' ? fc.constant(null) : compile({ ...s, type: t }, st, depth)));
    return fc.oneof(...arbs);
  }
  switch (type) {
    case 'integer':
      return wrap(integerArb(s, st.opts.openapi30));
    case 'number':
      return wrap(numberArb(s, st.opts.openapi30));
    case 'boolean':
      return wrap(fc.boolean());
    case 'null':
      return fc.constant(null);
    case 'string':
      return wrap(stringArb(s, st));
    case 'array': {
      const minItems = typeof s.minItems === 'number' ? s.minItems : 0;
      // Nested lists get shorter, so a deep schema's values stay small.
      const maxItems = Math.min(typeof s.maxItems === 'number' ? s.maxItems : Infinity, minItems + (depth > 2 ? 1 : st.opts.maxItems));
      if (minItems > maxItems) throw new Refusal(`minItems ${minItems} > maxItems ${String(s.maxItems)}`);
      if (over && minItems === 0) return wrap(fc.constant([]));
      let items: fc.Arbitrary<unknown>;
      try {
        items = compile(s.items ?? true, st, depth + 1);
      } catch (e) {
        if (e instanceof Refusal && minItems === 0) return wrap(fc.constant([])); // bounded recursion: an empty list
        throw e;
      }
      const arr = s.uniqueItems === true ? fc.uniqueArray(items, { minLength: minItems, maxLength: maxItems, selector: (v) => JSON.stringify(v) }) : fc.array(items, { minLength: minItems, maxLength: maxItems });
      return wrap(arr);
    }
    case 'object': {
      const props = (s.properties ?? {}) as Record<string, JsonSchema>;
      const required = new Set((s.required as string[] | undefined) ?? []);
      const skip = st.opts.direction === 'request' ? 'readOnly' : 'writeOnly';
      const model: Record<string, fc.Arbitrary<unknown>> = {};
      const requiredKeys: string[] = [];
      for (const [name, p] of Object.entries(props)) {
        if (!required.has(name) && ((p && typeof p === 'object' && p[skip] === true) || st.nodes > st.opts.maxNodes)) continue;
        try {
          model[name] = compile(p, st, depth + 1);
          if (required.has(name)) requiredKeys.push(name);
        } catch (e) {
          if (!(e instanceof Refusal) || required.has(name)) throw e instanceof Refusal ? new Refusal(`${name}: ${e.message}`) : e;
          // an optional property we cannot generate (a recursive one) is left out
        }
      }
      for (const name of required) {
        if (!(name in props)) {
          model[name] = fc.constant('vouch');
          requiredKeys.push(name);
        }
      }
      // minProperties: declared properties made present first, then extra ones from additionalProperties (AWS tags).
      const minProps = typeof s.minProperties === 'number' ? s.minProperties : 0;
      if (minProps > 50) throw new Refusal(`minProperties ${minProps} is more than vouch generates`);
      for (const name of Object.keys(model)) if (requiredKeys.length < minProps && !requiredKeys.includes(name)) requiredKeys.push(name);
      for (let i = 0; requiredKeys.length < minProps && s.additionalProperties !== false && i < 100; i++) {
        const name = `vouch${i}`;
        if (name in model) continue;
        model[name] = isObject(s.additionalProperties) ? compile(s.additionalProperties, st, depth + 1) : fc.constant('vouch');
        requiredKeys.push(name);
      }
      if (requiredKeys.length < minProps) throw new Refusal(`minProperties ${minProps} cannot be met without additional properties`);
      return wrap(fc.record(model, { requiredKeys }));
    }
    default:
      return wrap(fc.oneof(fc.string({ maxLength: 8 }), fc.integer({ min: -100, max: 100 }), fc.boolean()));
  }
}

/** A fast-check arbitrary for values valid under `schema`, or the reason there is none. */
export function compileSchema(schema: unknown, options: CompileOptions = {}): Compiled {
  const opts: Required<CompileOptions> = { direction: 'request', openapi30: true, maxDepth: 6, maxItems: 4, maxNodes: 400, budgetMs: 1000, ...options };
  const st: State = { opts, nodes: 0, deadline: performance.now() + opts.budgetMs, notes: [] };
  try {
    return { ok: true, arb: compile(schema, st, 0), notes: [...new Set(st.notes)] };
  } catch (e) {
    if (e instanceof Refusal) return { ok: false, reason: e.message };
    throw e;
  }
}
