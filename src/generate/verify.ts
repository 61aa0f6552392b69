// src/generate/verify.ts — independent checks of generated cases (used by the spec-corpus bench and tests): a
// positive must validate under its schema, a negative must fail on exactly the constraint it claims to break (it
// fails with the schema as is and passes once that one constraint is removed); and generation skip reasons grouped
// by the schema construct that caused them.
import type { JsonSchema } from '../core/index.js';
import { mergeAllOf } from './arbitrary.js';
import { isValid } from './validate.js';

/** Whether `value` validates under `schema` (a positive case's own check, through the same ajv setup as scans). */
export function verifyPositive(schema: JsonSchema, value: unknown, specVersion?: string): boolean {
  return isValid(schema, value, specVersion);
}

/** Splits a dotted case path into property names of `schema`, longest name first (names may contain dots). */
function segments(schema: JsonSchema, path: string): string[] | undefined {
  const out: string[] = [];
  let s: JsonSchema | undefined = schema;
  let rest = path;
  while (rest !== '') {
    if (!s) return undefined;
    const props = (mergeAllOf(s).properties ?? {}) as Record<string, JsonSchema>;
    const name = Object.keys(props)
      .filter((k) => rest === k || rest.startsWith(`${k}.`))
      .sort((a, b) => b.length - a.length)[0];
    if (name === undefined) return undefined;
    out.push(name);
    s = props[name];
    rest = rest.slice(name.length + 1);
  }
  return out;
}

/** `schema` with one keyword removed at the property path `at` (the parent's `required` entry for `required`). */
function without(schema: JsonSchema, at: string[], keyword: string): JsonSchema | undefined {
  const s = mergeAllOf(schema);
  if (keyword === 'required' && at.length === 1) {
    const req = Array.isArray(s.required) ? (s.required as string[]) : [];
    return { ...s, required: req.filter((r) => r !== at[0]) };
  }
  if (at.length === 0) {
    if (!(keyword in s) && !(keyword === 'type' && 'properties' in s) && !(keyword === 'format' && 'format' in s)) return undefined;
    const { [keyword]: _gone, ...rest } = s;
    if (keyword === 'type') delete rest.properties; // a schema typed by its properties alone
    if (keyword === 'enum') delete rest.type; // an enum value outside the enum may also be of another type
    return rest;
  }
  const [head, ...tail] = at as [string, ...string[]];
  const props = (s.properties ?? {}) as Record<string, JsonSchema>;
  const sub = props[head];
  if (!sub || typeof sub !== 'object') return undefined;
  const changed = without(sub, tail, keyword);
  return changed && { ...s, properties: { ...props, [head]: changed } };
}

/**
 * Whether a negative case breaks exactly its claim: `value` is invalid under `schema` and valid once the claimed
 * keyword at the claimed path is removed. Undefined when it holds; else what is wrong, in words.
 */
export function verifyNegative(schema: JsonSchema, value: unknown, breaks: { keyword: string; path: string }, specVersion?: string): string | undefined {
  if (isValid(schema, value, specVersion)) return `${breaks.keyword}: the value is valid`;
  const at = segments(schema, breaks.path);
  if (!at) return `${breaks.keyword}: the path ${breaks.path} is not in the schema`;
  const relaxed = without(schema, at, breaks.keyword);
  if (!relaxed) return `${breaks.keyword}: the keyword is not at ${breaks.path}`;
  if (!isValid(relaxed, value, specVersion)) return `${breaks.keyword}: still invalid with the keyword removed`;
  return undefined;
}

/** The schema construct behind a generation skip reason (for counting): pattern, recursion, allOf conflict… */
export function constructOf(reason: string): string {
  if (/\$ref|recursi|deeper than/.test(reason)) return 'recursion';
  if (/pattern/.test(reason)) return 'pattern';
  if (/allOf/.test(reason)) return 'allOf conflict';
  if (/keyword (\S+) is not modelled/.test(reason)) return `not modelled: ${/keyword (\S+) is not modelled/.exec(reason)![1]!}`;
  if (/format/.test(reason)) return 'format';
  if (/enum/.test(reason)) return 'enum';
  if (/validates|unsatisfiable/.test(reason)) return 'unsatisfiable (no draw validates)';
  if (/minLength|maxLength|minItems|maxItems|bounds|satisf/.test(reason)) return 'contradictory bounds';
  if (/time budget/.test(reason)) return 'time budget';
  return 'other';
}

/** A reason with its particulars (quoted text, numbers, property prefixes) taken out, for counting by kind. */
export function reasonKind(reason: string): string {
  return reason
    .replace(/^(?:[^:\s]+: )+(?=\S)/, '')
    .replace(/"(?:[^"\\]|\\.)*"/g, '"…"')
    .replace(/\$ref \S+/g, '$ref …')
    .replace(/-?\d+(?:\.\d+)?(?:e[+-]?\d+)?/gi, 'N')
    .slice(0, 140);
}
