// src/inject/index.ts — injection points: enumerate where a value goes in (query, path, form, JSON, header, cookie)
// and build the request with one point mutated. Every active check injects through here.
import type { HeaderList, JsonSchema, Operation, SendRequest } from '../core/index.js';

export type PointLocation = 'query' | 'path' | 'form' | 'json' | 'header' | 'cookie';

export interface InjectionPoint {
  location: PointLocation;
  /** Parameter name; for JSON bodies a dotted path (`items.0.name`). */
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

/** The body an operation is sent with when nothing is mutated. */
export function baseBody(op: Operation): unknown {
  if (!op.requestBody) return undefined;
  return op.requestBody.example ?? sampleValue(op.requestBody.schema);
}

function jsonLeaves(value: unknown, prefix: string, out: InjectionPoint[]): void {
  if (Array.isArray(value)) value.forEach((v, i) => jsonLeaves(v, prefix ? `${prefix}.${i}` : String(i), out));
  else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) jsonLeaves(v, prefix ? `${prefix}.${k}` : k, out);
  else if (prefix) out.push({ location: 'json', name: prefix, base: value === null || value === undefined ? '' : String(value) });
}

/** All injection points of an operation, in a stable order. */
export function injectionPoints(op: Operation): InjectionPoint[] {
  const out: InjectionPoint[] = [];
  for (const p of op.params) {
    const base = String(sampleValue(p.schema, p.examples));
    if (p.in === 'query' || p.in === 'path' || p.in === 'header' || p.in === 'cookie') out.push({ location: p.in, name: p.name, base });
    else if (p.in === 'form') out.push({ location: 'form', name: p.name, base });
  }
  if (op.requestBody?.contentType.includes('json')) jsonLeaves(baseBody(op), '', out);
  return out;
}

function setPath(obj: unknown, path: string[], value: unknown): unknown {
  if (path.length === 0) return value;
  const [head, ...rest] = path as [string, ...string[]];
  if (Array.isArray(obj)) {
    const copy = [...obj];
    copy[Number(head)] = setPath(copy[Number(head)], rest, value);
    return copy;
  }
  const o = (obj && typeof obj === 'object' ? obj : {}) as Record<string, unknown>;
  return { ...o, [head]: setPath(o[head], rest, value) };
}

/**
 * Builds the request for an operation with `point` set to `value` (raw, unencoded for path/query: the value is
 * percent-encoded here with encodeURIComponent so the payload arrives intact). Other values are their bases.
 */
export function buildRequest(op: Operation, point?: InjectionPoint, value?: string): SendRequest {
  const mutated = (loc: PointLocation, name: string, base: string): string => (point && value !== undefined && point.location === loc && point.name === name ? value : base);
  let path = op.path;
  const query: string[] = [];
  const headers: HeaderList = [];
  const cookies: string[] = [];
  const form: string[] = [];
  for (const p of op.params) {
    const base = String(sampleValue(p.schema, p.examples));
    if (p.in === 'path') path = path.replace(`{${p.name}}`, encodeURIComponent(mutated('path', p.name, base)));
    else if (p.in === 'query') query.push(`${encodeURIComponent(p.name)}=${encodeURIComponent(mutated('query', p.name, base))}`);
    else if (p.in === 'header') headers.push([p.name, mutated('header', p.name, base)]);
    else if (p.in === 'cookie') cookies.push(`${p.name}=${encodeURIComponent(mutated('cookie', p.name, base))}`);
    else if (p.in === 'form') form.push(`${encodeURIComponent(p.name)}=${encodeURIComponent(mutated('form', p.name, base))}`);
  }
  path = path.replace(/\{[^}]+\}/g, '1'); // undeclared template parameters
  if (cookies.length) headers.push(['cookie', cookies.join('; ')]);
  const url = query.length ? `${path}?${query.join('&')}` : path;
  if (form.length) {
    headers.push(['content-type', 'application/x-www-form-urlencoded']);
    return { method: op.method, url, headers, body: form.join('&') };
  }
  if (op.requestBody?.contentType.includes('json')) {
    let body = baseBody(op);
    if (point?.location === 'json' && value !== undefined) body = setPath(body, point.name.split('.'), value);
    headers.push(['content-type', 'application/json']);
    return { method: op.method, url, headers, body: JSON.stringify(body) };
  }
  return { method: op.method, url, headers };
}
