// src/inject/index.ts — injection points: enumerate where a value goes in (query, path, form fields — declared as
// parameters or as a form-encoded body's schema —, JSON, header, cookie, GraphQL variables and inline literals, a raw
// text or XML body) and build the request with one point mutated. Every active check injects through here.
import type { HeaderList, JsonSchema, Operation, SendRequest } from '../core/index.js';
import { argumentLeaves, inlineBody, setPath, stringLeaf } from './graphql.js';

export type PointLocation = 'query' | 'path' | 'form' | 'json' | 'header' | 'cookie' | 'graphql' | 'body';

export interface InjectionPoint {
  location: PointLocation;
  /**
   * Parameter name; for JSON bodies a dotted path (`items.0.name`); for GraphQL `variables.<arg>[.<field>…]` (sent
   * as a variable) or `inline.<arg>[.<field>…]` (the same leaf written as a literal in the document); `body` for a
   * raw body (text/plain, XML, …: the whole body is the value).
   */
  name: string;
  /** The value sent when not mutated. */
  base: string;
}

/** A plausible value for a schema: example, default, enum, or a typed placeholder. */
export function sampleValue(schema: JsonSchema | undefined, examples?: unknown[], depth = 0): unknown {
  if (examples && examples.length > 0 && examples[0] !== undefined && examples[0] !== null) return examples[0];
  if (!schema || depth > 6) return 'test';
  if (schema.example !== undefined) return schema.example;
  if (schema.default !== undefined) return schema.default;
  if (Array.isArray(schema.enum) && schema.enum.length > 0) return schema.enum[0];
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  switch (type) {
    case 'integer':
    case 'number': {
      const min = typeof schema.minimum === 'number' ? schema.minimum : 1;
      return Math.max(min, 1);
    }
    case 'boolean':
      return true;
    case 'array':
      return [sampleValue(schema.items as JsonSchema | undefined, undefined, depth + 1)];
    case 'object': {
      const props = (schema.properties ?? {}) as Record<string, JsonSchema>;
      return Object.fromEntries(Object.entries(props).filter(([, p]) => !p.readOnly).map(([k, p]) => [k, sampleValue(p, undefined, depth + 1)]));
    }
    default: {
      if (schema.format === 'email') return 'vouch@example.com';
      if (schema.format === 'date-time') return '2026-01-01T00:00:00Z';
      if (schema.format === 'uri' || schema.format === 'url') return 'https://example.com/';
      return 'test';
    }
  }
}

/**
 * How a point is changed: a string replaces its value; `{ raw }` puts a JSON value (an object, a number) in place
 * of a JSON or GraphQL field; `{ name, value }` sends a query, form or cookie parameter under another name
 * (`q[$ne]`), the NoSQL operator form of frameworks that parse brackets into objects.
 */
export type Mutation = string | { raw: unknown } | { name: string; value: string };

/** `query:q`, `json:items.0.name`: how findings name a point. */
export const pointLabel = (point: InjectionPoint): string => `${point.location}:${point.name}`;

/** The GraphQL variables an operation is sent with: its `variables.<arg>` body parameters with sample values. */
function graphqlVariables(op: Operation): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const p of op.params) if (p.in === 'body' && p.name.startsWith('variables.')) out[p.name.slice('variables.'.length)] = sampleValue(p.schema, p.examples);
  return out;
}

/**
 * The media type of a body sent as one raw value (text/plain, XML, …): not JSON, not a form, not multipart, not
 * GraphQL. Undefined for other operations.
 */
export function rawBodyType(op: Operation): string | undefined {
  const type = op.requestBody?.contentType.toLowerCase();
  if (!type || op.graphql || type.includes('json') || type.includes('form') || type.startsWith('multipart/') || type === 'application/octet-stream') return undefined;
  return op.requestBody!.contentType;
}

/** The raw body sent unmutated: the declared example when it is a string, else a sample of the schema. */
const rawBase = (op: Operation): string => {
  const ex = op.requestBody?.example;
  const v = typeof ex === 'string' ? ex : sampleValue(op.requestBody?.schema);
  return typeof v === 'string' ? v : JSON.stringify(v);
};

/** The body an operation is sent with when nothing is mutated. */
export function baseBody(op: Operation): unknown {
  if (op.graphql) return { query: op.graphql.query, variables: graphqlVariables(op) };
  if (!op.requestBody) return undefined;
  return op.requestBody.example ?? sampleValue(op.requestBody.schema);
}

/**
 * The fields of a form-encoded body the spec declares only as a schema or an example (no `form` parameters): each
 * top-level property is a field, with its example or sample value. Empty for other operations.
 */
function formBodyFields(op: Operation): Array<[string, string]> {
  const type = op.requestBody?.contentType.toLowerCase() ?? '';
  if (op.graphql || !type.includes('application/x-www-form-urlencoded') || op.params.some((p) => p.in === 'form')) return [];
  const base = baseBody(op);
  if (typeof base === 'string') return [...new URLSearchParams(base)];
  if (!base || typeof base !== 'object' || Array.isArray(base)) return [];
  return Object.entries(base as Record<string, unknown>).map(([k, v]) => [k, v === null || v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v)]);
}

function jsonLeaves(value: unknown, prefix: string, out: InjectionPoint[]): void {
  if (Array.isArray(value)) value.forEach((v, i) => jsonLeaves(v, prefix ? `${prefix}.${i}` : String(i), out));
  else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) jsonLeaves(v, prefix ? `${prefix}.${k}` : k, out);
  else if (prefix) out.push({ location: 'json', name: prefix, base: value === null || value === undefined ? '' : String(value) });
}

/**
 * A GraphQL operation's points: each argument's leaves (input objects' fields, bounded in depth and count) as
 * variables, then (with `inline`) those a string literal can carry once more as inline literals of the document.
 */
function graphqlPoints(op: Operation, inline: boolean): InjectionPoint[] {
  const vars = graphqlVariables(op);
  const leaves = op.params
    .filter((p) => p.in === 'body' && p.name.startsWith('variables.'))
    .flatMap((p) => argumentLeaves(p.name.slice('variables.'.length), vars[p.name.slice('variables.'.length)], p.schema));
  return [
    ...leaves.map((l) => ({ location: 'graphql' as const, name: `variables.${l.path.join('.')}`, base: l.base })),
    ...(inline ? leaves.filter(stringLeaf) : []).map((l) => ({ location: 'graphql' as const, name: `inline.${l.path.join('.')}`, base: l.base })),
  ];
}

/** Which points `injectionPoints` lists beyond one per field. */
export interface PointOptions {
  /**
   * Also each GraphQL string argument (or input-object leaf) written inline in the document (`graphql:inline.term`),
   * a second way to send the same field: for checks that inject payloads. Default false: checks that reason about
   * the fields themselves (which one is the password) see each field once.
   */
  inline?: boolean;
}

/** All injection points of an operation, in a stable order. */
export function injectionPoints(op: Operation, options: PointOptions = {}): InjectionPoint[] {
  const out: InjectionPoint[] = [];
  for (const p of op.params) {
    const base = String(sampleValue(p.schema, p.examples));
    if (p.in === 'query' || p.in === 'path' || p.in === 'header' || p.in === 'cookie') out.push({ location: p.in, name: p.name, base });
    else if (p.in === 'form') out.push({ location: 'form', name: p.name, base });
  }
  for (const [name, base] of formBodyFields(op)) out.push({ location: 'form', name, base });
  if (op.graphql) out.push(...graphqlPoints(op, options.inline === true));
  else if (op.requestBody?.contentType.includes('json')) jsonLeaves(baseBody(op), '', out);
  else if (rawBodyType(op)) out.push({ location: 'body', name: 'body', base: rawBase(op) });
  return out;
}

/**
 * Builds the request for an operation with `point` changed by `mutation` (a string is the raw, unencoded value:
 * path, query, form and cookie values are percent-encoded here so the payload arrives intact). Other values are
 * their bases. A `{ raw }` mutation on a non-JSON point sends its JSON text; a `{ name }` one on a JSON, header or
 * path point sends the value under the original name.
 */
export function buildRequest(op: Operation, point?: InjectionPoint, mutation?: Mutation): SendRequest {
  const text = mutation === undefined ? undefined : typeof mutation === 'string' ? mutation : 'raw' in mutation ? JSON.stringify(mutation.raw) : mutation.value;
  const renamed = mutation !== undefined && typeof mutation === 'object' && 'name' in mutation ? mutation.name : undefined;
  const hit = (loc: PointLocation, name: string): boolean => point !== undefined && text !== undefined && point.location === loc && point.name === name;
  const value = (loc: PointLocation, name: string, base: string): string => (hit(loc, name) ? text! : base);
  const key = (loc: PointLocation, name: string): string => (hit(loc, name) && renamed !== undefined ? renamed : name);
  let path = op.path;
  const query: string[] = [];
  const headers: HeaderList = [];
  const cookies: string[] = [];
  const form: string[] = [];
  for (const p of op.params) {
    const base = String(sampleValue(p.schema, p.examples));
    if (p.in === 'path') path = path.replace(`{${p.name}}`, encodeURIComponent(value('path', p.name, base)));
    else if (p.in === 'query') query.push(`${encodeURIComponent(key('query', p.name))}=${encodeURIComponent(value('query', p.name, base))}`);
    else if (p.in === 'header') headers.push([p.name, value('header', p.name, base)]);
    else if (p.in === 'cookie') cookies.push(`${key('cookie', p.name)}=${encodeURIComponent(value('cookie', p.name, base))}`);
    else if (p.in === 'form') form.push(`${encodeURIComponent(key('form', p.name))}=${encodeURIComponent(value('form', p.name, base))}`);
  }
  for (const [name, base] of formBodyFields(op)) form.push(`${encodeURIComponent(key('form', name))}=${encodeURIComponent(value('form', name, base))}`);
  path = path.replace(/\{[^}]+\}/g, '1'); // undeclared template parameters
  if (cookies.length) headers.push(['cookie', cookies.join('; ')]);
  const url = query.length ? `${path}?${query.join('&')}` : path;
  if (form.length) {
    headers.push(['content-type', 'application/x-www-form-urlencoded']);
    return { method: op.method, url, headers, body: form.join('&') };
  }
  if (op.graphql || op.requestBody?.contentType.includes('json')) {
    let body = baseBody(op);
    if (point && (point.location === 'json' || point.location === 'graphql') && mutation !== undefined) {
      const v = typeof mutation === 'object' && 'raw' in mutation ? mutation.raw : text;
      const [head, ...rest] = point.name.split('.');
      if (op.graphql && point.location === 'graphql' && head === 'inline') body = inlineBody(op, graphqlVariables(op), rest, v);
      else body = setPath(body, point.name.split('.'), v);
    }
    headers.push(['content-type', 'application/json']);
    if (op.graphql?.accept) headers.push(['accept', op.graphql.accept]);
    return { method: op.method, url, headers, body: JSON.stringify(body) };
  }
  const raw = rawBodyType(op);
  if (raw) {
    headers.push(['content-type', raw]);
    return { method: op.method, url, headers, body: value('body', 'body', rawBase(op)) };
  }
  return { method: op.method, url, headers };
}
