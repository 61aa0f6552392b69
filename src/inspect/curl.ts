// src/inspect/curl.ts — a generated case as a request and a curl line: credentials as placeholders, control characters escaped.
import type { SendRequest } from '../core/index.js';
import { requestFromValues, type GeneratedCase } from '../generate/index.js';
import type { AnalysedOperation, SecurityScheme } from './analyse.js';

/** Control characters (C0, DEL, C1), line/paragraph separators and bidi overrides: never printed raw. */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

const hex = (c: string): string => {
  const n = c.charCodeAt(0);
  return n < 0x100 ? `\\x${n.toString(16).padStart(2, '0')}` : `\\u${n.toString(16).padStart(4, '0')}`;
};

/** Spec text for the terminal: control characters become visible `\xNN` / `\uNNNN` escapes (also \n, \t). */
export function escapeControl(s: string): string {
  return s.replace(CONTROL, hex);
}

/** A shell word: '…' when plain, $'…' (ANSI-C quoting, escapes) when it holds control characters. */
export function shellQuote(s: string): string {
  CONTROL.lastIndex = 0;
  if (!CONTROL.test(s)) return `'${s.replace(/'/g, `'\\''`)}'`;
  CONTROL.lastIndex = 0;
  return `$'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(CONTROL, hex)}'`;
}

export interface ExampleRequest {
  method: string;
  url: string;
  headers: Array<[string, string]>;
  body?: string;
}

/** Header names that always carry credentials: their generated values are never shown. */
const CREDENTIAL_HEADERS = new Set(['authorization', 'proxy-authorization', 'cookie', 'x-api-key', 'api-key']);

/** Field and parameter names whose string values are shown as `{name}`: a spec example can hold a real secret. */
const SENSITIVE = /pass(word|wd|phrase)?$|secret|token|api[-_]?key|private[-_]?key|credential/i;

/** A JSON body with the string values of secret-named fields replaced by `{field}` placeholders (any depth). */
function maskBody(body: string): string {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    return body;
  }
  let changed = false;
  const walk = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(walk);
    if (!v || typeof v !== 'object') return v;
    return Object.fromEntries(
      Object.entries(v as Record<string, unknown>).map(([k, x]) => {
        if (typeof x === 'string' && SENSITIVE.test(k)) {
          changed = true;
          return [k, `{${k}}`];
        }
        return [k, walk(x)];
      }),
    );
  };
  const masked = walk(value);
  return changed ? JSON.stringify(masked) : body;
}

/** The placeholder standing for a scheme's credential, and where it goes. */
function credentialOf(name: string, s: SecurityScheme | undefined): { in: 'header' | 'query' | 'cookie'; name: string; value: string } | undefined {
  if (!s) return { in: 'header', name: 'authorization', value: `{${name}}` };
  if (s.type === 'apiKey' && s.name && (s.in === 'header' || s.in === 'query' || s.in === 'cookie')) return { in: s.in, name: s.name, value: `{${name}}` };
  if (s.type === 'basic' || (s.type === 'http' && s.scheme === 'basic')) return { in: 'header', name: 'authorization', value: `Basic {${name}}` };
  if (s.type === 'http' && s.scheme && s.scheme !== 'bearer') return { in: 'header', name: 'authorization', value: `${s.scheme[0]!.toUpperCase()}${s.scheme.slice(1)} {${name}}` };
  if (s.type === 'mutualTLS') return undefined;
  return { in: 'header', name: 'authorization', value: `Bearer {${name}}` };
}

/**
 * The request a case stands for, on `baseUrl`: credentials the operation's security asks for are placeholders
 * (`Bearer {bearerAuth}`), and a generated value of a credential parameter (API key header, query or cookie) is
 * replaced by its placeholder too, as are string values of secret-named body fields and query parameters (`password`,
 * `token`, `apiKey`…: `{password}`), so no secret-looking value is ever printed. `redact` scrubs configured secrets.
 */
export function exampleRequest(a: AnalysedOperation, c: GeneratedCase, baseUrl: string, schemes: Record<string, SecurityScheme> = {}, redact: (s: string) => string = (s) => s): ExampleRequest {
  const req: SendRequest = requestFromValues(a.operation, c.values);
  const credentials = new Map<string, { in: string; name: string; value: string }>();
  for (const [name, s] of Object.entries(schemes)) {
    const cred = credentialOf(name, s);
    if (cred && s.type === 'apiKey') credentials.set(`${cred.in}:${cred.name.toLowerCase()}`, cred);
  }
  const first = a.security[0];
  const used = first !== undefined ? credentialOf(first, schemes[first]) : undefined;
  const headers: Array<[string, string]> = [];
  for (const [k, v] of req.headers ?? []) {
    const lower = k.toLowerCase();
    const cred = credentials.get(`header:${lower}`);
    if (used?.in === 'header' && used.name.toLowerCase() === lower) continue; // replaced below
    if (cred) headers.push([k, cred.value]);
    else if (CREDENTIAL_HEADERS.has(lower)) headers.push([k, lower === 'cookie' ? maskCookies(v, credentials) : '{credential}']);
    else headers.push([k, redact(v)]);
  }
  if (used?.in === 'header') headers.unshift([used.name, used.value]);
  if (used?.in === 'cookie') {
    const i = headers.findIndex(([k]) => k.toLowerCase() === 'cookie');
    const pair = `${used.name}=${used.value}`;
    if (i >= 0) headers[i] = ['cookie', `${headers[i]![1]}; ${pair}`];
    else headers.push(['cookie', pair]);
  }
  let [path, query] = splitQuery(req.url);
  const pairs = query ? query.split('&') : [];
  const out = pairs.map((p) => {
    const key = p.split('=')[0]!;
    const cred = credentials.get(`query:${safeDecode(key).toLowerCase()}`) ?? (used?.in === 'query' && used.name === safeDecode(key) ? used : undefined);
    if (cred) return `${key}=${cred.value}`;
    return SENSITIVE.test(safeDecode(key)) && p.includes('=') ? `${key}={${safeDecode(key)}}` : redact(p);
  });
  if (used?.in === 'query' && !pairs.some((p) => safeDecode(p.split('=')[0]!) === used.name)) out.push(`${encodeURIComponent(used.name)}=${used.value}`);
  path = redact(path);
  query = out.join('&');
  return { method: req.method, url: `${baseUrl.replace(/\/+$/, '')}${path}${query ? `?${query}` : ''}`, headers, ...(typeof req.body === 'string' ? { body: redact(maskBody(req.body)) } : {}) };
}

const safeDecode = (s: string): string => {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
};

function splitQuery(url: string): [string, string] {
  const i = url.indexOf('?');
  return i < 0 ? [url, ''] : [url.slice(0, i), url.slice(i + 1)];
}

function maskCookies(v: string, credentials: Map<string, { value: string }>): string {
  return v
    .split('; ')
    .map((pair) => {
      const name = pair.split('=')[0]!;
      const cred = credentials.get(`cookie:${name.toLowerCase()}`);
      return cred ? `${name}=${cred.value}` : pair;
    })
    .join('; ');
}

/** `curl -X POST 'url' -H 'k: v' --data-raw '…'`, each word shell-quoted. */
export function curlLine(r: ExampleRequest): string {
  const words = ['curl', '-X', r.method, shellQuote(r.url)];
  for (const [k, v] of r.headers) words.push('-H', shellQuote(`${k}: ${v}`));
  if (r.body !== undefined) words.push('--data-raw', shellQuote(r.body));
  return words.join(' ');
}
