// src/generate/validate.ts — OpenAPI schema objects as JSON Schema and their ajv validators (Ajv2020 for 3.1, draft-07
// with `nullable` rewritten for 3.0), compiled once per schema object and cached.
import { Ajv, type ValidateFunction } from 'ajv';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import type { JsonSchema } from '../core/index.js';
import { patternRegExp, safePattern, type SafePattern } from './regex.js';

/** OpenAPI keywords that are not JSON Schema validation and would only confuse ajv. */
const IGNORED = new Set(['example', 'xml', 'discriminator', 'externalDocs', 'nullable', '$schema', '$id', 'id', 'description', 'title', 'examples', '$comment', 'deprecated']);
const SCHEMA_MAPS = new Set(['properties', 'patternProperties', 'definitions', '$defs', 'dependentSchemas']);
const SUBSCHEMAS = new Set(['items', 'additionalProperties', 'not', 'allOf', 'anyOf', 'oneOf', 'prefixItems', 'contains', 'propertyNames', 'if', 'then', 'else', 'unevaluatedProperties', 'unevaluatedItems']);

/**
 * An OpenAPI schema object as plain JSON Schema: OpenAPI-only keywords dropped, `$ref`s left unresolved by discovery
 * (recursive ones) accept anything, and for 3.0 `nullable: true` becomes a type array and boolean
 * `exclusiveMinimum`/`exclusiveMaximum` become numbers. With `defsKey`, a schema object met more than once (discovery
 * shares resolved components) is written once under `defsKey` and referenced, so ajv compiles it once: a DAG of
 * shared components would otherwise unfold into an exponential tree.
 */
export function toJsonSchema(schema: unknown, openapi30: boolean, defsKey?: 'definitions' | '$defs'): unknown {
  if (!defsKey || !schema || typeof schema !== 'object' || Array.isArray(schema)) return convert(schema, openapi30, undefined);
  const ctx: Sharing = { shared: sharedObjects(schema), names: new Map(), defs: {}, key: defsKey };
  if (ctx.shared.size === 0) return convert(schema, openapi30, undefined);
  ctx.shared.delete(schema);
  const out = convert(schema, openapi30, ctx) as Record<string, unknown>;
  const existing = out[defsKey] && typeof out[defsKey] === 'object' ? (out[defsKey] as Record<string, unknown>) : {};
  return { ...out, [defsKey]: { ...existing, ...ctx.defs } };
}

interface Sharing {
  shared: Set<object>;
  names: Map<object, string>;
  defs: Record<string, unknown>;
  key: string;
}

/** Schema objects reachable more than once from `root` (through schema keywords). */
function sharedObjects(root: object): Set<object> {
  const seen = new Set<object>();
  const shared = new Set<object>();
  const visit = (s: unknown): void => {
    if (Array.isArray(s)) return s.forEach(visit);
    if (!s || typeof s !== 'object') return;
    if (seen.has(s)) return void shared.add(s);
    seen.add(s);
    for (const [k, v] of Object.entries(s)) {
      if (IGNORED.has(k) || k.startsWith('x-')) continue;
      if (SCHEMA_MAPS.has(k) && v && typeof v === 'object') Object.values(v).forEach(visit);
      else if (SUBSCHEMAS.has(k)) visit(v);
    }
  };
  visit(root);
  return shared;
}

function convert(schema: unknown, openapi30: boolean, ctx: Sharing | undefined): unknown {
  if (Array.isArray(schema)) return schema.map((s) => convert(s, openapi30, ctx));
  if (!schema || typeof schema !== 'object') return schema;
  if (ctx?.shared.has(schema)) {
    let name = ctx.names.get(schema);
    if (name === undefined) {
      ctx.names.set(schema, (name = `vouch${ctx.names.size}`));
      ctx.defs[name] = convertObject(schema as Record<string, unknown>, openapi30, ctx);
    }
    return { $ref: `#/${ctx.key}/${name}` };
  }
  return convertObject(schema as Record<string, unknown>, openapi30, ctx);
}

function convertObject(src: Record<string, unknown>, openapi30: boolean, ctx: Sharing | undefined): unknown {
  if (typeof src.$ref === 'string') return {};
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(src)) {
    if (IGNORED.has(k) || k.startsWith('x-')) continue;
    if (SCHEMA_MAPS.has(k) && v && typeof v === 'object') out[k] = Object.fromEntries(Object.entries(v).map(([name, s]) => [name, convert(s, openapi30, ctx)]));
    else if (SUBSCHEMAS.has(k)) out[k] = convert(v, openapi30, ctx);
    else out[k] = v; // enum, required, const, default...: data, not schemas
  }
  if (openapi30) {
    for (const [ex, bound] of [['exclusiveMinimum', 'minimum'], ['exclusiveMaximum', 'maximum']] as const) {
      if (typeof out[ex] !== 'boolean') continue;
      if (out[ex] && typeof out[bound] === 'number') {
        out[ex] = out[bound];
        delete out[bound];
      } else delete out[ex];
    }
    if (src.nullable === true) {
      if (typeof out.type === 'string') out.type = [out.type, 'null'];
      if (Array.isArray(out.enum) && !out.enum.includes(null)) out.enum = [...(out.enum as unknown[]), null];
      if (out.type === undefined && (out.allOf || out.oneOf || out.anyOf)) return { anyOf: [out, { type: 'null' }] };
    }
  }
  return out;
}

/** A pattern that is no ECMAScript regex matches anything: the constraint cannot be checked (import warns). */
const ANYTHING = { test: (): boolean => true, toString: (): string => '/(?:)/ (invalid pattern ignored)' };

/**
 * ajv's RegExp factory: the `u` flag when the pattern allows it, else none, else (invalid) nothing is checked; a
 * pattern with nested quantifiers is not run on long strings (catastrophic backtracking; src/generate/regex.ts).
 */
function lenientRegExp(pattern: string, flags: string): SafePattern {
  const re = patternRegExp(pattern);
  if (!re) return ANYTHING;
  return safePattern(flags.includes('u') || !re.flags.includes('u') ? re : new RegExp(pattern, flags));
}

// ajv-formats is CommonJS: under NodeNext its default import is the module object, whose `default` is the plugin.
const withFormats = <T extends Ajv | Ajv2020>(ajv: T): T => {
  addFormatsModule.default(ajv);
  return ajv;
};

let ajv07: Ajv | undefined;
let ajv2020: Ajv2020 | undefined;
const compiled07 = new WeakMap<JsonSchema, ValidateFunction>();
/** Validators by the JSON text of their schema (up to SHAPE_MAX characters: big validators are megabytes of code), up to 500 shapes. */
const shapes07 = new Map<string, ValidateFunction>();
const shapes2020 = new Map<string, ValidateFunction>();
const SHAPE_MAX = 20_000;
const compiled2020 = new WeakMap<JsonSchema, ValidateFunction>();

/** The validator of a response schema, compiled once per schema object (throws when the schema itself is invalid). */
export function validatorFor(schema: JsonSchema, specVersion: string | undefined): ValidateFunction {
  const is31 = specVersion?.startsWith('3.1') ?? false;
  const cache = is31 ? compiled2020 : compiled07;
  let v = cache.get(schema);
  if (!v) {
    const opts = { strict: false, allErrors: true, logger: false, code: { regExp: lenientRegExp as never, optimize: false } } as const;
    const ajv = is31 ? (ajv2020 ??= withFormats(new Ajv2020(opts))) : (ajv07 ??= withFormats(new Ajv(opts)));
    const plain = toJsonSchema(schema, !is31, is31 ? '$defs' : 'definitions') as object;
    // Operations often have the same request or response schema in different objects: compile each shape once.
    const text = JSON.stringify(plain);
    const shapes = is31 ? shapes2020 : shapes07;
    v = text.length <= SHAPE_MAX ? shapes.get(text) : undefined;
    if (!v) {
      v = ajv.compile(plain);
      // ajv keeps every compiled schema in its own cache for ever: forget it (ours are the maps here).
      ajv.removeSchema(plain);
      if (text.length <= SHAPE_MAX) {
        if (shapes.size >= 500) shapes.clear();
        shapes.set(text, v);
      }
    }
    cache.set(schema, v);
  }
  return v;
}

/** Whether `value` is valid under `schema` (false when the schema does not compile). */
export function isValid(schema: JsonSchema, value: unknown, specVersion?: string): boolean {
  try {
    return validatorFor(schema, specVersion)(value) === true;
  } catch {
    return false;
  }
}
