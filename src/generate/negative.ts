// src/generate/negative.ts — invalid values that break exactly one constraint of a schema, each labelled with the
// keyword and path it breaks; a case is kept only when ajv agrees that this one constraint, and nothing else, fails.
import type { JsonSchema } from '../core/index.js';
import { mergeAllOf } from './arbitrary.js';
import { validatorFor } from './validate.js';

export interface NegativeValue {
  /** The JSON Schema keyword broken: `required`, `type`, `minimum`, `maximum`, `enum`, `minLength`, `maxLength`, `pattern`, `format`, `minItems`, `maxItems`, `additionalProperties`. */
  keyword: string;
  /** Dotted path of the field (`''` for the value itself). */
  path: string;
  /** The whole invalid value. */
  value: unknown;
  /** What rule it breaks, in words. */
  says: string;
}

/** Largest maxLength / maxItems a negative case exceeds (bigger bounds get no case). */
const NEGATIVE_SIZE_MAX = 100_000;

const WRONG_TYPE: Record<string, unknown> = { string: 12345, integer: 'abc', number: 'abc', boolean: 'abc', object: 'abc', array: 'abc' };
const typeOf = (s: JsonSchema): string | undefined => (typeof s.type === 'string' ? s.type : s.properties ? 'object' : undefined);

function setAt(root: unknown, path: string[], value: unknown, remove: boolean): unknown {
  if (path.length === 0) return value;
  const [head, ...rest] = path as [string, ...string[]];
  const o = { ...(root as Record<string, unknown>) };
  if (rest.length === 0 && remove) delete o[head];
  else o[head] = setAt(o[head], rest, value, remove);
  return o;
}

function mutations(schema: JsonSchema, here: unknown, path: string[], out: Array<Omit<NegativeValue, 'value'> & { at: string[]; to: unknown; remove?: boolean }>, depth: number): void {
  if (depth > 4) return;
  const s = mergeAllOf(schema);
  const p = path.join('.');
  const name = p || 'the value';
  const type = typeOf(s);
  const push = (keyword: string, to: unknown, says: string): void => void out.push({ keyword, path: p, at: path, to, says });
  if (Array.isArray(s.enum) && s.enum.length) {
    const outside = s.enum.every((e) => typeof e === 'number') ? Math.max(...(s.enum as number[])) + 1 : 'vouch-not-in-enum';
    push('enum', outside, `${name} not one of ${JSON.stringify(s.enum)}`);
    return;
  }
  if (type && WRONG_TYPE[type] !== undefined && !(s.nullable === true)) push('type', WRONG_TYPE[type], `${name} not a ${type}`);
  if (type === 'integer' || type === 'number') {
    if (typeof s.minimum === 'number') push('minimum', type === 'integer' ? Math.ceil(s.minimum) - 1 : s.minimum - 1, `${name} below minimum ${s.minimum}`);
    if (typeof s.maximum === 'number') push('maximum', type === 'integer' ? Math.floor(s.maximum) + 1 : s.maximum + 1, `${name} above maximum ${s.maximum}`);
  }
  if (type === 'string' || (type === undefined && typeof here === 'string')) {
    const base = typeof here === 'string' ? here : '';
    if (typeof s.minLength === 'number' && s.minLength > 0) push('minLength', base.slice(0, s.minLength - 1), `${name} shorter than minLength ${s.minLength}`);
    // A bound too large to exceed in a request (maxLength 2^31: AWS) gives no case rather than a gigabyte string.
    if (typeof s.maxLength === 'number' && s.maxLength < NEGATIVE_SIZE_MAX) push('maxLength', base.padEnd(s.maxLength + 1, 'a'), `${name} longer than maxLength ${s.maxLength}`);
    if (typeof s.pattern === 'string') push('pattern', '\u0000~', `${name} not matching ${s.pattern}`);
    if (typeof s.format === 'string' && ['email', 'uuid', 'date', 'date-time', 'uri', 'ipv4'].includes(s.format)) push('format', 'not-a-valid-value', `${name} not a valid ${s.format}`);
  }
  if (type === 'array' && Array.isArray(here)) {
    if (typeof s.minItems === 'number' && s.minItems > 0) push('minItems', here.slice(0, s.minItems - 1), `${name} fewer than minItems ${s.minItems}`);
    if (typeof s.maxItems === 'number' && s.maxItems < NEGATIVE_SIZE_MAX && here.length > 0) push('maxItems', Array.from({ length: s.maxItems + 1 }, (_, i) => here[i % here.length]), `${name} more than maxItems ${s.maxItems}`);
  }
  if (type === 'object' && here && typeof here === 'object' && !Array.isArray(here)) {
    const present = here as Record<string, unknown>;
    for (const r of (s.required as string[] | undefined) ?? []) if (r in present) out.push({ keyword: 'required', path: [...path, r].join('.'), at: [...path, r], to: undefined, remove: true, says: `required ${[...path, r].join('.')} missing` });
    if (s.additionalProperties === false) push('additionalProperties', { ...present, vouchExtra: 1 }, `${name} has a property not in the schema`);
    for (const [k, sub] of Object.entries((s.properties ?? {}) as Record<string, JsonSchema>)) {
      if (k in present && sub && typeof sub === 'object' && sub.readOnly !== true) mutations(sub, present[k], [...path, k], out, depth + 1);
    }
  }
}

/**
 * Invalid variants of the valid value `base`, one broken constraint each, at most `max`, one of each keyword first.
 * A variant is kept only when ajv rejects it and every error it reports is the claimed keyword at the claimed place.
 */
export function negativeValues(schema: JsonSchema, base: unknown, max: number, specVersion?: string, opts: { root?: boolean } = {}): NegativeValue[] {
  const raw: Parameters<typeof mutations>[3] = [];
  mutations(schema, base, [], raw, 0);
  let validate: ReturnType<typeof validatorFor>;
  try {
    validate = validatorFor(schema, specVersion);
  } catch {
    return [];
  }
  const kept: NegativeValue[] = [];
  for (const m of raw) {
    if (opts.root === false && m.path === '') continue;
    const value = setAt(base, m.at, m.to, m.remove ?? false);
    if (validate(value)) continue;
    const pointer = `/${m.at.join('/')}`.replace(/\/$/, '');
    const parent = `/${m.at.slice(0, -1).join('/')}`.replace(/\/$/, '');
    const errors = validate.errors ?? [];
    const exact = errors.every((e) => (e.keyword === m.keyword || (m.keyword === 'enum' && e.keyword === 'type')) && (e.instancePath === pointer || (['required', 'additionalProperties'].includes(m.keyword) && e.instancePath === (m.keyword === 'required' ? parent : pointer))));
    if (exact) kept.push({ keyword: m.keyword, path: m.path, value, says: m.says });
  }
  const byKeyword = new Map<string, NegativeValue[]>();
  for (const c of kept) byKeyword.set(c.keyword, [...(byKeyword.get(c.keyword) ?? []), c]);
  const out: NegativeValue[] = [];
  for (let round = 0; out.length < max && out.length < kept.length; round++) {
    for (const list of byKeyword.values()) if (list[round] && out.length < max) out.push(list[round]!);
  }
  return out;
}
