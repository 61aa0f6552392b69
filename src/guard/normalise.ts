// src/guard/normalise.ts — an agent's request line and headers made canonical, or refused: path tricks (dot segments,
// encoded slashes, empty segments), duplicate query keys and method overrides never reach the upstream.
import type { IncomingHttpHeaders } from 'node:http';

/** What the guard forwards and matches: the method, the decoded path, and the raw path and query it sends on. */
export interface NormalRequest {
  method: string;
  /** Percent-decoded path, for matching (`/api/orders/7`). */
  path: string;
  /** Path and query as sent upstream (the agent's own encoding, already checked segment by segment). */
  target: string;
}

/** Why a request was refused before matching: `rule` is stable (`path-trick:dot-segment`), `reason` says what was seen. */
export interface Refusal {
  rule: string;
  reason: string;
}

const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);
/** Headers and a query parameter some frameworks read to run another method than the one sent. */
export const METHOD_OVERRIDE_HEADERS = ['x-http-method-override', 'x-http-method', 'x-method-override'] as const;
const OVERRIDE_PARAMS = new Set(['_method', '__method', 'x-http-method-override']);
// eslint-disable-next-line no-control-regex -- control characters in a path are exactly what is refused
const CONTROL = /[\u0000-\u001f\u007f]/;

const refuse = (rule: string, reason: string): Refusal => ({ rule, reason });

/** Decodes one path segment; undefined when its percent-encoding is broken. */
function decodeSegment(s: string): string | undefined {
  try {
    return decodeURIComponent(s);
  } catch {
    return undefined;
  }
}

/** Checks and decodes the request line and the headers that change its meaning. */
export function normalise(method: string | undefined, rawUrl: string | undefined, headers: IncomingHttpHeaders): NormalRequest | Refusal {
  const m = (method ?? '').toUpperCase();
  if (!METHODS.has(m)) return refuse('method', `method ${method ?? '(none)'} is not one the guard forwards`);
  for (const h of METHOD_OVERRIDE_HEADERS) {
    if (headers[h] !== undefined) return refuse('method-override', `the ${h} header asks for another method than ${m}`);
  }
  const raw = rawUrl ?? '';
  if (!raw.startsWith('/') || raw.startsWith('//')) return refuse('path-trick:absolute', 'the request target must be a path starting with one /');
  const q = raw.indexOf('?');
  const rawPath = q < 0 ? raw : raw.slice(0, q);
  const rawQuery = q < 0 ? '' : raw.slice(q + 1);
  if (rawPath.includes('#') || rawQuery.includes('#')) return refuse('path-trick:fragment', 'a # in the request target');
  if (rawPath.includes('\\')) return refuse('path-trick:backslash', 'a backslash in the path');
  const segments = rawPath.split('/').slice(1);
  const decoded: string[] = [];
  for (const [i, seg] of segments.entries()) {
    if (/%2f|%5c/i.test(seg)) return refuse('path-trick:encoded-slash', `an encoded slash in the path segment "${seg}"`);
    const d = decodeSegment(seg);
    if (d === undefined) return refuse('path-trick:encoding', `broken percent-encoding in the path segment "${seg}"`);
    if (d === '.' || d === '..') return refuse('path-trick:dot-segment', `a "${seg}" segment in the path`);
    if (d === '' && i < segments.length - 1) return refuse('path-trick:empty-segment', 'an empty segment (//) in the path');
    if (CONTROL.test(d)) return refuse('path-trick:control', 'a control character in the path');
    decoded.push(d);
  }
  if (rawQuery) {
    const seen = new Set<string>();
    for (const pair of rawQuery.split('&')) {
      if (!pair) continue;
      const eq = pair.indexOf('=');
      const key = decodeSegment((eq < 0 ? pair : pair.slice(0, eq)).replace(/\+/g, ' '));
      if (key === undefined) return refuse('query-trick:encoding', 'broken percent-encoding in a query key');
      if (OVERRIDE_PARAMS.has(key.toLowerCase())) return refuse('method-override', `the query parameter ${key} asks for another method than ${m}`);
      const canonical = key.replace(/\[\]$/, '');
      if (seen.has(canonical)) return refuse('query-trick:duplicate-key', `the query key "${key}" appears more than once`);
      seen.add(canonical);
    }
  }
  return { method: m, path: `/${decoded.join('/')}`, target: raw };
}

export const isRefusal = (x: NormalRequest | Refusal): x is Refusal => 'rule' in x;

/** A form body that names another method (`_method=DELETE`, read by Rails, Laravel, method-override): refused. */
export function bodyOverride(contentType: string | undefined, body: Buffer): Refusal | undefined {
  if (!/application\/x-www-form-urlencoded/i.test(contentType ?? '') || body.length === 0) return undefined;
  for (const key of new URLSearchParams(body.toString('latin1')).keys()) {
    if (OVERRIDE_PARAMS.has(key.toLowerCase())) return refuse('method-override', `the form field ${key} asks for another method`);
  }
  return undefined;
}
