// src/checks/kit/compare.ts — shared helpers for checks that compare responses: percentiles, JSON parsing and shape,
// body similarity, typed JSON body edits and schema lookup for an injection point.
import type { Exchange, JsonSchema, Operation, SendRequest } from '../../core/index.js';
import type { InjectionPoint } from '../../inject/index.js';

/** Nearest-rank percentile (`p` in 0..100) of `values`; NaN for an empty list. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1]!;
}

export const isSuccess = (status: number | undefined): boolean => status !== undefined && status >= 200 && status < 300;
export const isServerError = (status: number | undefined): boolean => status !== undefined && status >= 500 && status < 600;

/**
 * Why a 2xx answer is a refusal in its body (an error envelope), or undefined: GraphQL's `errors` without `data`, and
 * `{"success": false}` / `{"ok": false}` / `{"status": "error"}` envelopes. Such an answer did not accept the request.
 */
export function errorEnvelope(x: Exchange): string | undefined {
  const v = jsonBody(x)?.value;
  if (!v || typeof v !== 'object' || Array.isArray(v)) return undefined;
  const o = v as Record<string, unknown>;
  const noData = o.data === undefined || o.data === null;
  if (Array.isArray(o.errors) && o.errors.length > 0 && noData) return 'a GraphQL-style `errors` array and no data';
  if (o.success === false || o.ok === false) return `\`${o.success === false ? 'success' : 'ok'}: false\``;
  if (typeof o.status === 'string' && /^(error|fail|failed|failure)$/i.test(o.status)) return `\`status: "${o.status}"\``;
  return undefined;
}

/** A 2xx answer that is not an error envelope: the server did what was asked. */
export const accepted = (x: Exchange): boolean => isSuccess(x.response?.status) && errorEnvelope(x) === undefined;

/**
 * Why a 4xx body reads as a validation error about the request's form (a field list with locations, or a message
 * naming a broken constraint), or undefined: "Invalid username" or "not found" is a business answer about a value.
 */
export function validationError(x: Exchange): string | undefined {
  const body = x.response?.body ?? '';
  const v = jsonBody(x)?.value;
  const list = v && typeof v === 'object' && !Array.isArray(v) ? Object.values(v as object).find(Array.isArray) : v;
  const located = Array.isArray(list) && list.some((e) => e && typeof e === 'object' && ['loc', 'path', 'field', 'pointer', 'instancePath', 'param', 'property'].some((k) => k in e));
  if (located) return 'a list of errors with field locations';
  const m = VALIDATION_WORDS.exec(body);
  return m ? `the answer names a broken constraint ("${m[0]}")` : undefined;
}

const VALIDATION_WORDS =
  /\b(is required|required (field|property|parameter)|missing (field|property|parameter|required)|field required|must (be|match|have|not)|should (be|match|have|not)|expected (a |an )?\w+|invalid type|wrong type|not a valid \w+|is not of a type|does not match|too (long|short|large|small|big|many|few)|at (least|most) \d+|(minimum|maximum|min|max)(Length|Items)?\b|exceeds?|not one of|allowed values?|unknown (field|property|parameter)|additional propert\w+|unprocessable|validation (error|failed)|schema)\b/i;

/** `text` as a literal inside a regular expression. */
export const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The JSON value of a text, or undefined when it is not JSON. */
export function parseJson(text: string | undefined): { value: unknown } | undefined {
  if (text === undefined || text.trim() === '') return undefined;
  try {
    return { value: JSON.parse(text) as unknown };
  } catch {
    return undefined;
  }
}

/** The body of an exchange as JSON, when it is JSON. */
export const jsonBody = (x: Exchange): { value: unknown } | undefined => (x.response && x.response.bodyEncoding !== 'base64' ? parseJson(x.response.body) : undefined);

/** The items of a JSON list response: a top-level array, or the first array property (`items`, `data`, ...). */
export function listItems(value: unknown): unknown[] | undefined {
  if (Array.isArray(value)) return value;
  if (value && typeof value === 'object') {
    const obj = value as Record<string, unknown>;
    for (const key of ['items', 'data', 'results', 'records']) if (Array.isArray(obj[key])) return obj[key] as unknown[];
    return Object.values(obj).find((v): v is unknown[] => Array.isArray(v));
  }
  return undefined;
}

/** The `id` fields of a list response, as strings; undefined when the body is not a list of objects with ids. */
export function harvestIds(x: Exchange): string[] | undefined {
  const body = jsonBody(x);
  const items = body ? listItems(body.value) : undefined;
  if (!items) return undefined;
  const ids = items.flatMap((it) => {
    const id = it && typeof it === 'object' ? (it as Record<string, unknown>).id : undefined;
    return typeof id === 'string' || typeof id === 'number' ? [String(id)] : [];
  });
  return ids.length ? ids : undefined;
}

/**
 * The shape of a JSON value: keys (sorted) and types, recursively; an array has the shape of its first element.
 * `{"id":1,"tags":["a"]}` → `{id:number,tags:[string]}`.
 */
export function jsonShape(value: unknown, depth = 0): string {
  if (depth > 8) return '…';
  if (value === null) return 'null';
  if (Array.isArray(value)) return value.length ? `[${jsonShape(value[0], depth + 1)}]` : '[]';
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${k}:${jsonShape(v, depth + 1)}`).join(',')}}`;
  }
  return typeof value;
}

const MAX_COMPARED = 20_000;

function tokens(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const t of text.slice(0, MAX_COMPARED).split(/[^\p{L}\p{N}_]+/u)) if (t) out.set(t, (out.get(t) ?? 0) + 1);
  return out;
}

/** Similarity of two texts in 0..1: the Dice coefficient of their word multisets (1 when equal). */
export function textSimilarity(a: string, b: string): number {
  if (a === b) return 1;
  const ta = tokens(a);
  const tb = tokens(b);
  let common = 0;
  let na = 0;
  let nb = 0;
  for (const n of ta.values()) na += n;
  for (const n of tb.values()) nb += n;
  for (const [t, n] of ta) common += Math.min(n, tb.get(t) ?? 0);
  return na + nb === 0 ? 0 : (2 * common) / (na + nb);
}

/**
 * Whether two response bodies show the same thing: both JSON with the same shape (a non-empty object or array),
 * or texts at least `threshold` similar. Says why, for proof summaries.
 */
export function similarBodies(a: string, b: string, threshold = 0.9): { similar: boolean; why: string } {
  const ja = parseJson(a);
  const jb = parseJson(b);
  if (ja && jb) {
    const sa = jsonShape(ja.value);
    const trivial = sa === '{}' || sa === '[]' || sa === 'null';
    if (!trivial && sa === jsonShape(jb.value)) return { similar: true, why: 'same JSON shape' };
  }
  const s = textSimilarity(a, b);
  return { similar: s >= threshold, why: `${Math.round(s * 100)}% similar` };
}

/** A short, single-line excerpt of a body for proof summaries. */
export function excerpt(text: string | undefined, max = 120): string {
  const flat = (text ?? '').replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max)}…` : flat;
}

/** How a value reads in a summary: short values quoted, long ones by length. */
export function describeValue(raw: string): string {
  return raw.length > 40 ? `${JSON.stringify(raw.slice(0, 12))}… (${raw.length} chars)` : JSON.stringify(raw);
}

/** How raw JSON text reads in a summary: as is, long texts cut with their length. */
export function describeJson(raw: string): string {
  return raw.length > 40 ? `${raw.slice(0, 20)}… (${raw.length} chars)` : raw;
}

const RAW = '\u0000vouch-raw\u0000';

/**
 * A copy of a JSON request with the field at `path` (dotted) set to raw JSON text (`null`, `-1`,
 * `99999999999999999999`) or, when `rawJson` is undefined, removed. Undefined when the request has no JSON body.
 */
export function withJsonField(req: SendRequest, path: string, rawJson: string | undefined): SendRequest | undefined {
  if (typeof req.body !== 'string') return undefined;
  const parsed = parseJson(req.body);
  if (!parsed || parsed.value === null || typeof parsed.value !== 'object') return undefined;
  const keys = path.split('.');
  const root = structuredClone(parsed.value) as Record<string, unknown>;
  let cur: Record<string, unknown> = root;
  for (const k of keys.slice(0, -1)) {
    const next = cur[k];
    if (next === null || typeof next !== 'object') return undefined;
    cur = next as Record<string, unknown>;
  }
  const last = keys[keys.length - 1]!;
  if (rawJson === undefined) {
    if (Array.isArray(cur)) return undefined;
    delete cur[last];
  } else cur[last] = RAW;
  const text = JSON.stringify(root);
  return { ...req, body: rawJson === undefined ? text : text.replace(JSON.stringify(RAW), rawJson) };
}

/** The schema of an object property or array item, following `properties` / `items` (allOf members merged shallowly). */
function child(schema: JsonSchema | undefined, key: string): JsonSchema | undefined {
  if (!schema) return undefined;
  const s = flatten(schema);
  if (/^\d+$/.test(key) && s.items && typeof s.items === 'object') return s.items as JsonSchema;
  const props = s.properties as Record<string, JsonSchema> | undefined;
  return props?.[key];
}

/** Merges `allOf` members into one schema (properties and required combined), enough to walk a request body. */
export function flatten(schema: JsonSchema): JsonSchema {
  if (!Array.isArray(schema.allOf)) return schema;
  const out: JsonSchema = { ...schema };
  delete out.allOf;
  for (const part of schema.allOf as JsonSchema[]) {
    const p = flatten(part);
    Object.assign(out, { ...p, ...out });
    out.properties = { ...((p.properties as object | undefined) ?? {}), ...((out.properties as object | undefined) ?? {}) };
    out.required = [...new Set([...((p.required as string[] | undefined) ?? []), ...((out.required as string[] | undefined) ?? [])])];
  }
  return out;
}

/** The schema of a JSON body field by dotted path. */
export function schemaAtPath(schema: JsonSchema | undefined, path: string): JsonSchema | undefined {
  let cur = schema;
  for (const key of path.split('.')) cur = child(cur, key);
  return cur ? flatten(cur) : undefined;
}

/** The declared schema of an injection point (parameter or JSON body field), when the spec gives one. */
export function pointSchema(op: Operation, point: InjectionPoint): JsonSchema | undefined {
  if (point.location === 'json') return schemaAtPath(op.requestBody?.schema, point.name);
  return op.params.find((p) => p.name === point.name && p.in === point.location)?.schema;
}

/** The first JSON type a schema names (`integer`, `string`, ...), or undefined. */
export function schemaType(schema: JsonSchema | undefined): string | undefined {
  if (!schema) return undefined;
  const t = Array.isArray(schema.type) ? (schema.type as unknown[]).find((x) => x !== 'null') : schema.type;
  return typeof t === 'string' ? t : undefined;
}
