// src/discover/scripts.ts — script discovery: API paths written as string literals in the application's own
// scripts (`'/rest/basket'`, `` `/api/${id}/items` `` → `/api/{param}/items`, `fetch('/x', { method: 'POST' })`),
// bounded, each candidate verified by one request: what is neither a 404 nor a soft 404 becomes a `script` operation.
import type { HttpEngine, Operation, Parameter } from '../core/index.js';
import type { UrlGate } from './gate.js';
import { soft404For } from './soft404.js';

export interface ScriptCandidate {
  /** A path (`/api/{param}/items`, query kept) or an absolute URL as written. */
  url: string;
  /** The method the code calls it with, when the call says so. */
  method?: string;
  /** A GraphQL client is pointed at it (Apollo, graphql-request, urql) or a fetch posts a `query` document to it. */
  graphql?: true;
}

export interface ScriptLimits {
  /** Script text read at most, bytes (all scripts together). Default 4 MB. */
  maxBytes?: number;
  /** Candidates verified at most. Default 150. */
  maxCandidates?: number;
}

export const SCRIPT_DEFAULTS = { maxBytes: 4_000_000, maxCandidates: 150 } satisfies Required<ScriptLimits>;

const METHODS = 'get|post|put|patch|delete|head';
const VERBS = /^(?:GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS)$/;
/** Path literals that are files, not endpoints. */
const ASSET = /\.(?:png|jpe?g|gif|svg|css|woff2?|ttf|eot|ico|webp|avif|mp[34]|webm|map|html?|m?js|ts|vue|jsx|tsx)(?:\?|$)/i;

/** `${expr}` and `:id`-style segments → `{param}`. */
const clean = (u: string): string => u.replace(/\$\{[^}]*\}/g, '{param}').replace(/\/:([A-Za-z_]\w*)/g, '/{param}');

/**
 * URL-like strings in script text: quoted paths (`"/api/..."`, template literals), absolute URLs, and calls whose
 * method is written beside them (fetch options, axios.<method>, `$.ajax({ type })`, `xhr.open('POST', ...)`).
 */
export function extractScriptUrls(js: string): ScriptCandidate[] {
  const found = new Map<string, ScriptCandidate>();
  const graphql = new Set<string>();
  const put = (url: string, written?: string): void => {
    const u = clean(url);
    if (!u.startsWith('/') && !/^https?:\/\//i.test(u)) return; // relative to a page unknown here
    const method = written && VERBS.test(written) ? written : undefined; // `type: 'json'` is no method
    if (method) found.delete(` ${u}`);
    else if ([...found.values()].some((f) => f.url === u)) return;
    found.set(`${method ?? ''} ${u}`, { url: u, ...(method ? { method } : {}) });
  };
  const call = new RegExp(`\\b(?:fetch|axios(?:\\.(${METHODS}))?|\\$http\\.(${METHODS})|\\$\\.(get|post))\\s*\\(\\s*(["'\`])([^"'\`\\s]+)\\4(\\s*,\\s*\\{[^}]{0,300}\\})?`, 'g');
  for (const m of js.matchAll(call)) {
    const method = (m[1] ?? m[2] ?? m[3])?.toUpperCase() ?? /method\s*:\s*["'`](\w+)/i.exec(m[6] ?? '')?.[1]?.toUpperCase();
    put(m[5] ?? '', method);
  }
  // GraphQL clients: `new ApolloClient({ uri: '/data' })`, `createHttpLink({ uri })`, `new GraphQLClient('/q')`, urql's
  // `createClient({ url })`, and a fetch whose options post `{ query: … }`: whatever the path is called.
  const client = /\b(?:new\s+(?:ApolloClient|HttpLink|BatchHttpLink|GraphQLClient)|createHttpLink|createUploadLink|createClient)\s*\(\s*(?:\{[^{}]{0,200}?\b(?:uri|url|endpoint)\s*:\s*)?(["'`])([^"'`\s]+)\1/g;
  for (const m of js.matchAll(client)) graphql.add(clean(m[2] ?? ''));
  for (const m of js.matchAll(/\bfetch\s*\(\s*(["'`])([^"'`\s]+)\1\s*,\s*\{[^{}]{0,300}?\bbody\s*:\s*JSON\.stringify\(\s*\{\s*(?:query|operationName)\b/g)) graphql.add(clean(m[2] ?? ''));
  for (const m of js.matchAll(/\.open\(\s*["'`](\w+)["'`]\s*,\s*(["'`])([^"'`\s]+)\2/g)) put(m[3] ?? '', m[1]?.toUpperCase());
  // `{ url: '/x', method|type: 'POST' }` in either order (jQuery, axios config objects).
  for (const m of js.matchAll(/\{[^{}]{0,200}?\burl\s*:\s*(["'`])(\/[^"'`\s]*)\1[^{}]{0,200}?\b(?:method|type)\s*:\s*["'`](\w+)["'`]/gi)) put(m[2] ?? '', m[3]?.toUpperCase());
  for (const m of js.matchAll(/\{[^{}]{0,200}?\b(?:method|type)\s*:\s*["'`](\w+)["'`][^{}]{0,200}?\burl\s*:\s*(["'`])(\/[^"'`\s]*)\2/gi)) put(m[3] ?? '', m[1]?.toUpperCase());
  for (const m of js.matchAll(/(["'`])((?:https?:\/\/[A-Za-z0-9.:[\]-]+)?\/[A-Za-z_][A-Za-z0-9_\-./{}$~%:]*(?:\?[A-Za-z0-9_\-=&%.{}$]*)?)\1/g)) {
    const url = m[2] ?? '';
    if (url.startsWith('//') || /\.(?:png|jpe?g|gif|svg|css|woff2?|ico)$/i.test(url)) continue;
    put(url);
  }
  for (const url of graphql) {
    if (!url.startsWith('/') && !/^https?:\/\//i.test(url)) continue;
    found.delete(` ${url}`);
    found.set(`POST ${url}`, { url, method: 'POST', graphql: true });
  }
  return [...found.values()];
}

export interface ScriptDiscovery {
  operations: Operation[];
  /** Paths on the target the scripts mention (a GraphQL endpoint, a spec link), whatever they answered. */
  paths: string[];
  /** Candidates met, verified (one request each), kept. */
  candidates: number;
  verified: number;
  kept: number;
  requests: number;
  /** Why it stopped short, when it did (a bound). */
  stop?: string;
}

/** Bounds script texts to `maxBytes` in all; returns the texts kept and whether some were cut. */
export function boundScripts(texts: readonly string[], maxBytes: number): { texts: string[]; cut: boolean } {
  const out: string[] = [];
  let left = maxBytes;
  for (const t of texts) {
    if (left <= 0) return { texts: out, cut: true };
    out.push(t.length > left ? t.slice(0, left) : t);
    left -= t.length;
  }
  return { texts: out, cut: left < 0 };
}

/**
 * The candidates of `texts` (the application's own scripts, same origin), judged by the gate (out of scope: refused
 * once, never contacted), verified by one request each as `identity`: a GET of the path (`{param}` filled with `1`);
 * a call written with another method is kept unverified (the code says it makes it; sending it could change state).
 */
export async function discoverScripts(
  engine: HttpEngine,
  base: URL,
  gate: UrlGate,
  texts: readonly string[],
  opts: ScriptLimits & { identity?: string; known?: (method: string, path: string) => boolean; signal?: AbortSignal } = {},
): Promise<ScriptDiscovery> {
  const o = { ...SCRIPT_DEFAULTS, ...opts };
  const bounded = boundScripts(texts, o.maxBytes);
  const all = new Map<string, ScriptCandidate>();
  for (const t of bounded.texts) for (const c of extractScriptUrls(t)) all.set(`${c.method ?? ''} ${c.url}`, c);
  const out: ScriptDiscovery = { operations: [], paths: [], candidates: all.size, verified: 0, kept: 0, requests: 0 };
  if (bounded.cut) out.stop = `script text cut at ${o.maxBytes} bytes`;
  const notFound = soft404For(engine);
  const ops = new Map<string, Operation>();
  const identity = o.identity ?? 'anonymous';
  let n = 0;
  for (const c of all.values()) {
    if (opts.signal?.aborted) {
      out.stop = 'stopped';
      break;
    }
    let u: URL;
    try {
      u = new URL(c.url.replace(/\{param\}/g, '1'), base);
    } catch {
      continue;
    }
    if (u.protocol !== 'http:' && u.protocol !== 'https:') continue;
    const method = c.method ?? 'GET';
    if ((await gate.judge(u, 'script', method)) !== 'target' || ASSET.test(u.pathname)) continue;
    const path = new URL(c.url, base).pathname.replace(/%7Bparam%7D/gi, '{param}');
    out.paths.push(path);
    if (opts.known?.(method, path)) continue;
    if (method === 'GET') {
      if (n >= o.maxCandidates) {
        out.stop = `${o.maxCandidates} candidates verified (the bound)`;
        continue;
      }
      n++;
      out.verified++;
      out.requests++;
      const x = await engine.send({ method: 'GET', url: u.href }, { identity, checkId: 'discover' });
      const s = x.response?.status;
      if (s === undefined || s === 405 || s >= 500 || (await notFound.matches(x))) continue;
      const type = x.response!.headers.find(([k]) => k === 'content-type')?.[1]?.split(';')[0]?.trim();
      add(ops, method, path, u, s < 300 ? { [String(s)]: type ? { contentType: type } : {} } : undefined);
    } else add(ops, method, path, u, undefined, c.graphql);
  }
  out.operations = [...ops.values()];
  out.kept = out.operations.length;
  return out;
}

/**
 * A script operation; a GraphQL client's endpoint gets a body example with a GraphQL document, by which discovery
 * knows to introspect it (`graphqlPathsOf`).
 */
function add(ops: Map<string, Operation>, method: string, path: string, u: URL, responses: Operation['responses'], graphql?: true): void {
  const id = `${method} ${path}`;
  if (ops.has(id)) return;
  const params: Parameter[] = [
    ...[...path.matchAll(/\{param\}/g)].map((_, i): Parameter => ({ name: i === 0 ? 'param' : `param${i + 1}`, in: 'path', required: true, examples: ['1'] })),
    ...[...u.searchParams.keys()].map((name): Parameter => ({ name, in: 'query', examples: [u.searchParams.get(name)] })),
  ];
  let i = 0;
  const named = path.replace(/\{param\}/g, () => (i++ === 0 ? '{param}' : `{param${i}}`));
  const body = graphql ? { requestBody: { contentType: 'application/json', example: { query: 'query { __typename }' } } } : {};
  ops.set(id, { id: `${method} ${named}`, method, path: named, params, auth: 'unknown', sources: ['script'], ...(responses ? { responses } : {}), ...body });
}
