// src/generate/arbitrary.ts — compiles an OpenAPI/JSON Schema into a fast-check arbitrary (seeded, shrinking), or
// says why it cannot (unsupported keyword, unresolved recursion, contradictory bounds).
import fc from 'fast-check';
import type { JsonSchema } from '../core/index.js';

export interface CompileOptions {
  /** `request`: readOnly properties are left out; `response`: writeOnly ones are. Default `request`. */
  direction?: 'request' | 'response';
  /** OpenAPI 3.0 (`nullable`, boolean exclusive bounds). Default true. */
  openapi30?: boolean;
  /** Nesting depth beyond which optional parts are dropped and required ones make the schema unsupported. Default 6. */
  maxDepth?: number;
  /** Longest generated array. Default 4. */
  maxItems?: number;
}

export type Compiled = { ok: true; arb: fc.Arbitrary<unknown> } | { ok: false; reason: string };

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

/** `allOf` merged into one schema: properties and required united, bounds intersected, other keywords last-wins. */
export function mergeAllOf(schema: JsonSchema): JsonSchema {
  if (!Array.isArray(schema.allOf)) return schema;
  const { allOf, ...rest } = schema;
  const parts = [...(allOf as JsonSchema[]).map(mergeAllOf), rest];
  const out: JsonSchema = {};
  for (const p of parts) {
    for (const [k, v] of Object.entries(p)) {
      if (k === 'properties') out.properties = { ...((out.properties as object | undefined) ?? {}), ...(v as object) };
      else if (k === 'required') out.required = [...new Set([...((out.required as string[] | undefined) ?? []), ...(v as string[])])];
      else if ((k === 'minimum' || k === 'minLength' || k === 'minItems') && typeof out[k] === 'number') out[k] = Math.max(out[k], v as number);
      else if ((k === 'maximum' || k === 'maxLength' || k === 'maxItems') && typeof out[k] === 'number') out[k] = Math.min(out[k], v as number);
      else out[k] = v;
    }
  }
  return out;
}

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

const FORMATS: Record<string, fc.Arbitrary<string>> = {
  email: fc.emailAddress(),
  uuid: fc.uuid(),
  date: dateArb,
  'date-time': fc.tuple(dateArb, timeArb).map(([d, t]) => `${d}T${t}`),
  time: timeArb,
  uri: fc.webUrl(),
  url: fc.webUrl(),
  hostname: fc.domain(),
  ipv4: fc.ipV4(),
  ipv6: fc.ipV6(),
};

function stringArb(s: JsonSchema): fc.Arbitrary<unknown> {
  const minLength = typeof s.minLength === 'number' ? s.minLength : 0;
  const declaredMax = typeof s.maxLength === 'number' ? s.maxLength : Infinity;
  if (minLength > declaredMax) throw new Refusal(`minLength ${minLength} > maxLength ${declaredMax}`);
  const maxLength = Math.min(declaredMax, minLength + 24);
  // Only declared bounds filter patterns and formats (a filter that never passes would never end).
  const fits = (v: string): boolean => [...v].length >= minLength && [...v].length <= declaredMax;
  if (typeof s.pattern === 'string') {
    let re: RegExp;
    try {
      re = new RegExp(s.pattern, 'u');
    } catch {
      throw new Refusal(`pattern ${JSON.stringify(s.pattern)} is not a JavaScript regular expression`);
    }
    return fc.stringMatching(re).filter(fits);
  }
  const format = typeof s.format === 'string' ? FORMATS[s.format] : undefined;
  if (format) return format.filter(fits);
  return fc.string({ minLength, maxLength, unit: 'grapheme-ascii' });
}

interface State {
  opts: Required<CompileOptions>;
}

function compile(schema: unknown, st: State, depth: number): fc.Arbitrary<unknown> {
  if (schema === true || schema === undefined) return fc.constantFrom<unknown>('vouch', 1, true, null);
  if (schema === false) throw new Refusal('the schema is `false` (nothing is valid)');
  if (!schema || typeof schema !== 'object') throw new Refusal('the schema is not an object');
  let s = schema as JsonSchema;
  if (typeof s.$ref === 'string') throw new Refusal(`unresolved (recursive) $ref ${s.$ref}`);
  if (depth > st.opts.maxDepth) throw new Refusal(`nesting deeper than ${st.opts.maxDepth} levels (recursive schema)`);
  const unsupported = UNSUPPORTED.find((k) => k in s);
  if (unsupported) throw new Refusal(`keyword ${unsupported} is not modelled`);
  s = mergeAllOf(s);
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
    for (const alt of alts) {
      try {
        branches.push(compile(Object.keys(base).length ? mergeAllOf({ allOf: [base, alt] }) : alt, st, depth + 1));
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
      return wrap(stringArb(s));
    case 'array': {
      const minItems = typeof s.minItems === 'number' ? s.minItems : 0;
      const maxItems = Math.min(typeof s.maxItems === 'number' ? s.maxItems : Infinity, minItems + st.opts.maxItems);
      if (minItems > maxItems) throw new Refusal(`minItems ${minItems} > maxItems ${String(s.maxItems)}`);
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
        if (p && typeof p === 'object' && p[skip] === true && !required.has(name)) continue;
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
      return wrap(fc.record(model, { requiredKeys }));
    }
    default:
      return wrap(fc.oneof(fc.string({ maxLength: 8 }), fc.integer({ min: -100, max: 100 }), fc.boolean()));
  }
}

/** A fast-check arbitrary for values valid under `schema`, or the reason there is none. */
export function compileSchema(schema: unknown, options: CompileOptions = {}): Compiled {
  const opts: Required<CompileOptions> = { direction: 'request', openapi30: true, maxDepth: 6, maxItems: 4, ...options };
  try {
    return { ok: true, arb: compile(schema, { opts }, 0) };
  } catch (e) {
    if (e instanceof Refusal) return { ok: false, reason: e.message };
    throw e;
  }
}
