// lab/server.ts — starts the bundled lab (an intentionally vulnerable shop) on node:http, in either variant.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { apiRoutes } from './api.js';
import { SessionStore } from './auth.js';
import { LabDb } from './db.js';
import { debugRoutes } from './debug.js';
import { graphqlRoutes } from './graphql.js';
import { createFileTree, removeFileTree } from './files.js';
import type { Ctx, LabState, Route } from './http.js';
import { HttpError, matchRoute, requestUrl, sendEmpty, sendJson, sortRoutes } from './http.js';
import { openApiDocument } from './openapi.js';
import { errorPage, pageRoutes } from './pages.js';
import { spaRoutes } from './spa.js';
import type { LabVariant } from './variants.js';
import { VARIANT_TRAITS } from './variants.js';

export type { LabVariant } from './variants.js';

export interface LabOptions {
  variant: LabVariant;
  /** TCP port; 0 or absent picks a free one. */
  port?: number;
  /** Interface to listen on. Default `127.0.0.1`. */
  host?: string;
  /** The version every response declares in `X-Lab-Version` (version assurance). Default per variant, see LAB_VERSIONS. */
  version?: string;
}

/** The version each variant declares by default in `X-Lab-Version`. */
export const LAB_VERSIONS: Readonly<Record<LabVariant, string>> = { baseline: '1.4.0', candidate: '1.5.0' };

export interface RunningLab {
  /** Base URL, e.g. `http://127.0.0.1:41234`. */
  url: string;
  variant: LabVariant;
  /** Every request the lab received, in order (method, path with query, headers as sent): the lab's own log. */
  requests: LabRequest[];
  close(): Promise<void>;
}

export interface LabRequest {
  method: string;
  url: string;
  headers: Record<string, string | string[] | undefined>;
}

/** The one origin the baseline's CORS policy trusts (and /openapi.json keeps trusting in both variants). */
export const TRUSTED_ORIGIN = 'http://shop.example';

/** Every route a variant serves, as `{ method, path }` templates (the manifest lists the same set). */
export function labRoutes(variant: LabVariant): Route[] {
  const traits = VARIANT_TRAITS[variant];
  return [
    ...apiRoutes(traits),
    ...spaRoutes(),
    ...pageRoutes(),
    ...debugRoutes(traits),
    ...graphqlRoutes(),
    { method: 'GET', path: '/openapi.json', handler: (ctx) => sendJson(ctx.res, 200, openApiDocument(variant), corsFor(ctx, false)) },
  ];
}

/**
 * CORS headers for a response. The baseline trusts one fixed origin; the candidate's `/api/*` reflects whatever
 * Origin it is sent, with credentials (cors-misconfiguration). /openapi.json keeps the fixed policy in both.
 */
function corsFor(ctx: Ctx, api: boolean): Record<string, string> {
  const origin = ctx.req.headers.origin;
  if (origin === undefined) return {};
  const allowed = (api && ctx.lab.traits.reflectCorsOrigin) || origin === TRUSTED_ORIGIN;
  if (!allowed) return { vary: 'Origin' };
  return { 'access-control-allow-origin': origin, 'access-control-allow-credentials': 'true', vary: 'Origin' };
}

const PREFLIGHT = {
  'access-control-allow-methods': 'GET, POST, PATCH, DELETE',
  'access-control-allow-headers': 'authorization, content-type',
  'access-control-max-age': '600',
};

function describe(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' ? `${code}: ${err.message}` : err.message;
}

function fail(ctx: Ctx, api: boolean, err: unknown): void {
  if (ctx.res.headersSent) {
    ctx.res.destroy();
    return;
  }
  if (err instanceof HttpError) {
    if (api) sendJson(ctx.res, err.status, { error: err.message }, { ...err.headers });
    else errorPage(ctx, err.status, err.message);
    return;
  }
  if (!api) return errorPage(ctx, 500, 'Something went wrong.');
  // The candidate shipped with its debug error handler on (verbose-errors).
  const body = ctx.lab.traits.verboseErrors
    ? { error: describe(err), stack: err instanceof Error ? err.stack : undefined }
    : { error: 'internal server error' };
  sendJson(ctx.res, 500, body);
}

async function dispatch(routes: readonly Route[], ctx: Ctx): Promise<void> {
  const api = ctx.url.pathname.startsWith('/api/');
  const method = ctx.req.method ?? 'GET';
  // CORS headers go on every /api response, errors included.
  if (api) for (const [k, v] of Object.entries(corsFor(ctx, true))) ctx.res.setHeader(k, v);
  if (api && method === 'OPTIONS') return sendEmpty(ctx.res, 204, PREFLIGHT);
  const found = matchRoute(routes, method, ctx.url.pathname);
  if (!found) throw new HttpError(404, 'not found');
  if ('allow' in found) throw new HttpError(405, 'method not allowed', { allow: found.allow.join(', ') });
  ctx.params = found.params;
  await found.route.handler(ctx);
}

/** Starts one lab: a fresh seeded database, a fresh file tree, its own sessions. Prints nothing. */
export async function startLab(opts: LabOptions): Promise<RunningLab> {
  const variant = opts.variant;
  const traits = VARIANT_TRAITS[variant];
  if (!traits) throw new Error(`unknown lab variant "${String(variant)}"; use baseline or candidate`);
  const host = opts.host ?? '127.0.0.1';
  const stop = new AbortController();
  const files = createFileTree();
  const db = new LabDb();
  const lab: LabState = { variant, traits, db, sessions: new SessionStore(), files, signal: stop.signal, startedAt: Date.now() };
  const routes = sortRoutes(labRoutes(variant));

  const version = opts.version ?? LAB_VERSIONS[variant];
  const requests: LabRequest[] = [];
  const server = createServer((req, res) => {
    if (requests.length < 100_000) requests.push({ method: req.method ?? 'GET', url: req.url ?? '', headers: { ...req.headers } });
    res.setHeader('x-lab-version', version);
    const ctx: Ctx = { lab, req, res, url: new URL('http://lab/'), params: {} };
    let api = false;
    void (async () => {
      try {
        ctx.url = requestUrl(req);
        api = ctx.url.pathname.startsWith('/api/');
        await dispatch(routes, ctx);
      } catch (err) {
        if (!stop.signal.aborted) fail(ctx, api, err);
      }
    })();
  });
  server.on('clientError', (_err, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\n\r\n');
    else socket.destroy();
  });

  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(opts.port ?? 0, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (err) {
    db.close();
    removeFileTree(files);
    throw err;
  }

  const { port } = server.address() as AddressInfo;
  const shownHost = host.includes(':') ? `[${host}]` : host;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${shownHost}:${port}`,
    variant,
    requests,
    close() {
      closing ??= new Promise<void>((resolve) => {
        stop.abort();
        server.close(() => {
          db.close();
          removeFileTree(files);
          resolve();
        });
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
