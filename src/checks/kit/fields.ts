// src/checks/kit/fields.ts — requests with several fields set at once (an account name, a password, a code) or left
// out, and the fields of a form-encoded body that a spec declares only as a schema (so they become injection points).
import type { JsonSchema, Operation, Parameter, SendRequest } from '../../core/index.js';
import { buildRequest, type InjectionPoint } from '../../inject/index.js';
import { flatten, schemaAtPath, withJsonField } from './compare.js';

const FORM = 'application/x-www-form-urlencoded';

/**
 * The operation with a form-encoded body's schema properties as `form` parameters (an OpenAPI `requestBody` of that
 * type arrives as a schema only), each with its schema and whether it is required. `injectionPoints` and
 * `buildRequest` already see such a body's fields as form points; this adds what checks that reason about fields
 * need (`isRequired`, `allOf` merged). Unchanged otherwise.
 */
export function withFormFields(op: Operation): Operation {
  const body = op.requestBody;
  if (!body?.schema || !body.contentType.toLowerCase().includes(FORM) || op.params.some((p) => p.in === 'form')) return op;
  const schema = flatten(body.schema);
  const props = (schema.properties ?? {}) as Record<string, JsonSchema>;
  const required = new Set(Array.isArray(schema.required) ? (schema.required as string[]) : []);
  const example = body.example && typeof body.example === 'object' ? (body.example as Record<string, unknown>) : {};
  const form: Parameter[] = Object.entries(props).map(([name, s]) => ({
    name,
    in: 'form',
    required: required.has(name),
    schema: s,
    ...(example[name] !== undefined ? { examples: [example[name]] } : {}),
  }));
  const { requestBody: _formBody, ...rest } = op;
  return { ...rest, params: [...op.params, ...form] };
}

/** The last segment of a point's name (`user.email` → `email`). */
export const leafName = (point: InjectionPoint): string => point.name.split('.').pop() ?? point.name;

/**
 * Whether a point is required: a required parameter, a JSON field its object's schema lists as required, or a
 * field of the declared example (someone wrote it down). Raw bodies and GraphQL variables always are.
 */
export function isRequired(op: Operation, point: InjectionPoint): boolean {
  if (point.location === 'json') {
    if (op.requestBody?.example !== undefined) return true;
    const parent = point.name.includes('.') ? schemaAtPath(op.requestBody?.schema, point.name.split('.').slice(0, -1).join('.')) : op.requestBody?.schema;
    const required = parent ? flatten(parent).required : undefined;
    return Array.isArray(required) && required.includes(leafName(point));
  }
  if (point.location === 'body' || point.location === 'graphql') return true;
  const p = op.params.find((x) => x.name === point.name && x.in === point.location);
  return Boolean(p?.required) || (p?.examples?.length ?? 0) > 0;
}

/** Replaces (or, for undefined, removes) every `name=` pair of a urlencoded string. */
function setPair(encoded: string, name: string, value: string | undefined): string {
  const pairs = encoded ? encoded.split('&') : [];
  const out: string[] = [];
  for (const pair of pairs) {
    const key = pair.split('=')[0] ?? '';
    let decoded = key;
    try {
      decoded = decodeURIComponent(key.replace(/\+/g, ' '));
    } catch {
      decoded = key; // a malformed escape is compared as written
    }
    if (decoded !== name) out.push(pair);
    else if (value !== undefined) out.push(`${key}=${encodeURIComponent(value)}`);
  }
  return out.join('&');
}

const PATCHABLE = new Set(['query', 'form', 'json', 'graphql']);

/**
 * The operation's request with each given point set to its value, or left out where the value is undefined. Query,
 * form, JSON and GraphQL points are set together; one other point (path, header, cookie, raw body) may be among
 * them, set through `buildRequest`. Undefined when that is impossible (two such points, or one to leave out).
 */
export function buildWith(op: Operation, values: ReadonlyArray<readonly [InjectionPoint, string | undefined]>): SendRequest | undefined {
  const other = values.filter(([p]) => !PATCHABLE.has(p.location));
  if (other.length > 1 || other.some(([, v]) => v === undefined)) return undefined;
  const first = other[0];
  let req: SendRequest = first ? buildRequest(op, first[0], first[1]) : buildRequest(op);
  for (const [point, value] of values) {
    if (!PATCHABLE.has(point.location)) continue;
    if (point.location === 'query') {
      const at = req.url.indexOf('?');
      const path = at < 0 ? req.url : req.url.slice(0, at);
      const query = setPair(at < 0 ? '' : req.url.slice(at + 1), point.name, value);
      req = { ...req, url: query ? `${path}?${query}` : path };
    } else if (point.location === 'form') {
      req = { ...req, body: setPair(typeof req.body === 'string' ? req.body : '', point.name, value) };
    } else {
      const next = withJsonField(req, point.name, value === undefined ? undefined : JSON.stringify(value));
      if (!next) return undefined;
      req = next;
    }
  }
  return req;
}
