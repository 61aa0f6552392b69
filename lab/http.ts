// lab/http.ts — the lab's small HTTP toolkit on node:http: request context, route table with {param} templates, replies.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { z } from 'zod';
import type { SessionStore } from './auth.js';
import type { LabDb } from './db.js';
import type { FileTree } from './files.js';
import type { LabVariant, VariantTraits } from './variants.js';

/** Everything one running lab holds; several labs can live in one process. */
export interface LabState {
  variant: LabVariant;
  traits: Readonly<VariantTraits>;
  db: LabDb;
  sessions: SessionStore;
  files: FileTree;
  /** Aborted when the lab closes, so slow handlers stop waiting. */
  signal: AbortSignal;
  startedAt: number;
}

export interface Ctx {
  lab: LabState;
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  /** Path parameters, decoded. */
  params: Record<string, string>;
}

export type Handler = (ctx: Ctx) => void | Promise<void>;

/** One route: `path` is an OpenAPI-style template such as `/api/orders/{id}`. */
export interface Route {
  method: string;
  path: string;
  handler: Handler;
}

/** An error the lab answers on purpose (4xx), with a message safe to show. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

/** Largest request body the lab reads. */
const BODY_LIMIT = 1024 * 1024;

export type RouteMatch = { route: Route; params: Record<string, string> } | { allow: string[] } | undefined;

function segments(path: string): string[] {
  return path.split('/').slice(1);
}

function decodeSegment(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s; // malformed percent-encoding: keep the raw text, the handler validates it
  }
}

function matchTemplate(template: string, pathname: string): Record<string, string> | undefined {
  const want = segments(template);
  const got = segments(pathname);
  if (want.length !== got.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < want.length; i++) {
    const w = want[i] ?? '';
    const g = got[i] ?? '';
    if (w.startsWith('{') && w.endsWith('}')) {
      if (g === '') return undefined;
      params[w.slice(1, -1)] = decodeSegment(g);
    } else if (w !== g) {
      return undefined;
    }
  }
  return params;
}

/** Literal routes win over templated ones (`/api/users/me` before `/api/users/{id}`). */
export function sortRoutes(routes: readonly Route[]): Route[] {
  const params = (r: Route): number => segments(r.path).filter((s) => s.startsWith('{')).length;
  return [...routes].sort((a, b) => params(a) - params(b));
}

/** Finds the route for a request; `{ allow }` when the path exists under other methods (a 405). */
export function matchRoute(sorted: readonly Route[], method: string, pathname: string): RouteMatch {
  const wanted = method === 'HEAD' ? 'GET' : method;
  const allow = new Set<string>();
  for (const route of sorted) {
    const params = matchTemplate(route.path, pathname);
    if (!params) continue;
    if (route.method === wanted) return { route, params };
    allow.add(route.method);
  }
  return allow.size > 0 ? { allow: [...allow].sort() } : undefined;
}

/** Parses the request target; absolute-form targets are accepted, anything unparsable is a 400. */
export function requestUrl(req: IncomingMessage): URL {
  const target = req.url ?? '/';
  try {
    return target.startsWith('/') ? new URL(`http://lab${target}`) : new URL(target);
  } catch {
    throw new HttpError(400, 'malformed request target');
  }
}

export async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buf = chunk as Buffer;
    size += buf.length;
    if (size > BODY_LIMIT) throw new HttpError(413, 'request body too large');
    chunks.push(buf);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Reads a JSON body and validates it; any problem is a 400 naming the fields. */
export async function readJson<T>(ctx: Ctx, schema: z.ZodType<T>): Promise<T> {
  const text = await readBody(ctx.req);
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw new HttpError(400, 'request body must be JSON');
  }
  const parsed = schema.safeParse(data);
  if (!parsed.success) {
    const details = parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ');
    throw new HttpError(400, `invalid request body: ${details}`);
  }
  return parsed.data;
}

export async function readForm(ctx: Ctx): Promise<URLSearchParams> {
  return new URLSearchParams(await readBody(ctx.req));
}

/** A positive database id as written in a path or query (`1`..`999999999`), else undefined. */
export function parseId(value: string | null | undefined): number | undefined {
  return value && /^[1-9][0-9]{0,8}$/.test(value) ? Number(value) : undefined;
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    ...headers,
  });
  res.end(JSON.stringify(body));
}

export function sendHtml(res: ServerResponse, status: number, html: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', ...headers });
  res.end(html);
}

export function sendText(res: ServerResponse, status: number, text: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', ...headers });
  res.end(text);
}

export function sendEmpty(res: ServerResponse, status: number, headers: Record<string, string> = {}): void {
  res.writeHead(status, headers);
  res.end();
}

/** Percent-encodes what may not appear in a header, so a Location never carries CR/LF or raw non-ASCII. */
export function headerSafe(value: string): string {
  return value.replace(/[^\x21-\x7e]/gu, (ch) =>
    Array.from(Buffer.from(ch, 'utf8'), (b) => `%${b.toString(16).toUpperCase().padStart(2, '0')}`).join(''),
  );
}

export function redirect(res: ServerResponse, location: string, headers: Record<string, string | string[]> = {}): void {
  res.writeHead(302, { location: headerSafe(location), 'content-type': 'text/plain; charset=utf-8', ...headers });
  res.end('Redirecting.\n');
}

export function parseCookies(req: IncomingMessage): Map<string, string> {
  const jar = new Map<string, string>();
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0) jar.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  return jar;
}

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (ch) => HTML_ESCAPES[ch] ?? ch);
}

/** Resolves after `ms`, or rejects when the lab closes. */
export function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(new Error('lab closed'));
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(new Error('lab closed'));
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
