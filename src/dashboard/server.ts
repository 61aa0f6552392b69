// src/dashboard/server.ts — `vouch serve`: Hono over the history store. Loopback-only by default; in team mode
// (non-loopback host or VOUCH_DATABASE_URL) sign-in with hashed tokens, HttpOnly SameSite sessions, CSRF tokens on
// every state change, maintainers alone accept risks. Strict CSP with per-response nonces and security headers on
// every response; a 404 page for unknown paths and an error page (never a stack trace) for failures.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import { Hono, type Context } from 'hono';
import { getCookie, setCookie, deleteCookie } from 'hono/cookie';
import { streamSSE } from 'hono/streaming';
import type { Kysely } from 'kysely';
import { VouchError, isVouchError } from '../core/index.js';
import type { Report } from '../core/index.js';
import { dashboardOver, type DashboardStore, type Role, type ScanRow } from '../store/dashboard.js';
import { guardStoreOver } from '../store/guard.js';
import { historyOver, type HistoryStore } from '../store/history.js';
import { openStoreDatabase, storeLocation } from '../store/open.js';
import type { Database } from '../store/schema.js';
import { loadAssets } from './assets.js';
import { compareReports } from './compare.js';
import { guardLive, guardPage, type GuardFilters } from './guard-pages.js';
import {
  FILTER_KEYS,
  acceptControls,
  acceptedFragment,
  acceptedPage,
  auditPage,
  comparePage,
  emptyPage,
  findingHref,
  findingPage,
  loginPage,
  messagePage,
  progressPlain,
  scanPage,
  scansPage,
  targetsPage,
  type Filters,
  type PageContext,
} from './pages.js';

export const SESSION_COOKIE = 'vouch_session';
/** Sessions last this long (the token's own expiry ends them sooner). */
const SESSION_TTL_MS = 12 * 3600_000;
/** Parsed reports kept in memory (reports of finished scans never change). */
const REPORT_CACHE = 16;

export interface DashboardOptions {
  /** The SQLite history file. */
  historyPath: string;
  /** Sign-in, sessions and roles. */
  team: boolean;
  /** Clock (tests). */
  now?: () => number;
  /** Progress polling interval for SSE, ms. Default 500. */
  pollMs?: number;
}

interface Who {
  role: Role;
  csrf: string;
  name: string;
  /** Authenticated by a bearer header (no ambient credential: no CSRF token needed). */
  bearer: boolean;
}

type Env = { Variables: { nonce: string; who: Who | undefined } };

/** Whether a bind address is loopback (no sign-in needed). */
export function isLoopback(host: string): boolean {
  return host === '127.0.0.1' || host === '::1' || host === 'localhost' || /^127\.\d+\.\d+\.\d+$/u.test(host);
}

function securityHeaders(c: Context<Env>): void {
  const nonce = c.get('nonce');
  const h = c.res.headers;
  h.set(
    'Content-Security-Policy',
    `default-src 'none'; script-src 'nonce-${nonce}'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'`,
  );
  h.set('X-Content-Type-Options', 'nosniff');
  h.set('X-Frame-Options', 'DENY');
  // same-origin (not no-referrer): browsers then send a real Origin on same-origin form posts, which the CSRF check verifies.
  h.set('Referrer-Policy', 'same-origin');
  h.set('Cross-Origin-Opener-Policy', 'same-origin');
  h.set('Cross-Origin-Resource-Policy', 'same-origin');
  h.set('Permissions-Policy', 'camera=(), microphone=(), geolocation=(), clipboard-write=(self)');
  if (!h.has('Cache-Control')) h.set('Cache-Control', 'no-store');
}

const same = (a: string, b: string): boolean => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

const FINGERPRINT = /^[A-Za-z0-9_:.-]{6,200}$/u;

/** The Hono app over an open database (tests drive it with `app.request`, `startDashboard` serves it). */
export function createDashboardApp(db: Kysely<Database>, opts: DashboardOptions): { app: Hono<Env>; history: HistoryStore; store: DashboardStore } {
  const store = dashboardOver(db, opts.historyPath);
  const history = historyOver(db, opts.historyPath);
  const guard = guardStoreOver(db, opts.historyPath);
  const now = opts.now ?? Date.now;
  const pollMs = opts.pollMs ?? 500;
  const assets = loadAssets();
  /** Local mode: one CSRF token for the process (a cross-site page cannot read it). */
  const localCsrf = randomBytes(32).toString('base64url');
  const cache = new Map<string, { key: string; report?: Report; reportError?: string }>();
  const app = new Hono<Env>();

  const ctxOf = (c: Context<Env>): PageContext => {
    const who = c.get('who');
    return { nonce: c.get('nonce'), csrf: who?.csrf ?? '', role: who?.role ?? 'viewer', team: opts.team, signedIn: who !== undefined };
  };
  const today = (): string => new Date(now()).toISOString().slice(0, 10);
  const isHtmx = (c: Context<Env>): boolean => c.req.header('hx-request') === 'true';

  /** A scan's row and parsed report, the report cached while the row (state, finish time) is unchanged. */
  async function loadScan(id: string): Promise<{ row: ScanRow; report?: Report; reportError?: string } | undefined> {
    const row = await store.scanRow(id);
    if (!row) return undefined;
    const key = `${row.state}:${row.finishedAt ?? ''}:${row.findingCount}`;
    const hit = cache.get(id);
    if (hit && hit.key === key) return { row, ...(hit.report ? { report: hit.report } : {}), ...(hit.reportError ? { reportError: hit.reportError } : {}) };
    const full = await store.scan(id);
    if (!full) return undefined;
    cache.delete(id);
    cache.set(id, { key, ...(full.report ? { report: full.report } : {}), ...(full.reportError ? { reportError: full.reportError } : {}) });
    while (cache.size > REPORT_CACHE) cache.delete(cache.keys().next().value as string);
    return full;
  }

  // Nonce and security headers on every response, errors included.
  app.use('*', async (c, next) => {
    c.set('nonce', randomBytes(18).toString('base64'));
    c.set('who', undefined);
    await next();
    securityHeaders(c);
  });

  // Local mode answers only to loopback names (a DNS-rebinding page on another name gets nothing).
  app.use('*', async (c, next) => {
    if (!opts.team) {
      const host = (c.req.header('host') ?? new URL(c.req.url).host).replace(/:\d+$/u, '').replace(/^\[|\]$/gu, '');
      if (!isLoopback(host)) return c.html(messagePage(ctxOf(c), 'Forbidden', `This dashboard runs in local mode and answers only on 127.0.0.1 or localhost, not on "${host}".`), 403);
    }
    return next();
  });

  const PUBLIC = /^\/(assets\/|login$|healthz$)/u;
  // Who is asking: local mode is one trusted user; team mode needs a session cookie or a bearer token.
  app.use('*', async (c, next) => {
    if (!opts.team) {
      c.set('who', { role: 'maintainer', csrf: localCsrf, name: 'local user', bearer: false });
      return next();
    }
    const secret = getCookie(c, SESSION_COOKIE);
    if (secret) {
      const s = await store.session(secret);
      if (s) c.set('who', { role: s.role, csrf: s.csrf, name: `token ${s.tokenId.slice(0, 8)}`, bearer: false });
    }
    const auth = c.req.header('authorization');
    if (!c.get('who') && auth?.startsWith('Bearer ')) {
      const t = await store.checkToken(auth.slice(7).trim());
      if ('id' in t) c.set('who', { role: t.role, csrf: '', name: t.name, bearer: true });
      else return c.text(`401 token ${t.refused}: sign in with a valid token from \`vouch token create\``, 401, { 'WWW-Authenticate': 'Bearer realm="vouch"' });
    }
    if (!c.get('who') && !PUBLIC.test(c.req.path)) {
      if (c.req.path.startsWith('/events/')) return c.text('401 sign in first', 401);
      return c.html(loginPage(ctxOf(c), 'Sign in to see this page.'), 401, { 'WWW-Authenticate': 'Bearer realm="vouch"' });
    }
    return next();
  });

  // CSRF: every state change carries the session's token (form field `_csrf` or header `x-csrf-token`) and, when
  // the browser says where it comes from, comes from this origin.
  app.use('*', async (c, next) => {
    if (c.req.method === 'GET' || c.req.method === 'HEAD') return next();
    const origin = c.req.header('origin');
    const host = c.req.header('host') ?? new URL(c.req.url).host;
    if (origin !== undefined && origin !== 'null' && host !== undefined && origin !== `http://${host}` && origin !== `https://${host}`) {
      return c.html(messagePage(ctxOf(c), 'Forbidden', 'Cross-site request refused.'), 403);
    }
    if (origin === 'null') return c.html(messagePage(ctxOf(c), 'Forbidden', 'Cross-site request refused.'), 403);
    if (c.req.path === '/login') return next();
    const who = c.get('who');
    if (who?.bearer) return next();
    const body = (c.req.header('content-type') ?? '').includes('form') ? await c.req.parseBody() : {};
    const sent = c.req.header('x-csrf-token') ?? (typeof body['_csrf'] === 'string' ? body['_csrf'] : '');
    if (!who || sent === '' || !same(sent, who.csrf)) return c.html(messagePage(ctxOf(c), 'Forbidden', 'Missing or wrong CSRF token: reload the page and try again.'), 403);
    return next();
  });

  app.get('/assets/:name', (c) => {
    const a = assets[c.req.param('name')];
    if (!a) return c.notFound();
    return c.body(a.body, 200, { 'Content-Type': a.type, 'Cache-Control': 'public, max-age=3600' });
  });
  app.get('/healthz', (c) => c.text('ok'));

  app.get('/login', (c) => c.html(loginPage(ctxOf(c))));
  app.post('/login', async (c) => {
    if (!opts.team) return c.redirect('/', 303);
    const body = await c.req.parseBody();
    const token = typeof body['token'] === 'string' ? body['token'].trim() : '';
    const t = token ? await store.checkToken(token) : ({ refused: 'unknown' } as const);
    if (!('id' in t)) {
      const why = t.refused === 'expired' ? 'This token has expired: create a new one with `vouch token create`.' : t.refused === 'revoked' ? 'This token was revoked.' : 'Unknown token.';
      return c.html(loginPage(ctxOf(c), why), 401);
    }
    const s = await store.createSession(t.id, t.role, SESSION_TTL_MS);
    setCookie(c, SESSION_COOKIE, s.secret, { httpOnly: true, sameSite: 'Strict', path: '/', maxAge: SESSION_TTL_MS / 1000, secure: c.req.url.startsWith('https:') });
    return c.redirect('/', 303);
  });
  app.post('/logout', async (c) => {
    const secret = getCookie(c, SESSION_COOKIE);
    if (secret) await store.deleteSession(secret);
    deleteCookie(c, SESSION_COOKIE, { path: '/' });
    return c.redirect('/login', 303);
  });

  app.get('/', async (c) => {
    const targets = await store.targets();
    if (targets.length === 0) return c.html(emptyPage(ctxOf(c), opts.historyPath));
    const running = (await store.scans({ limit: 200 })).filter((r) => r.state === 'running' || r.state === 'queued');
    return c.html(targetsPage(ctxOf(c), targets, running, now()));
  });

  app.get('/scans', async (c) => {
    const target = c.req.query('target');
    const before = Number(c.req.query('before'));
    const PAGE = 200;
    const rows = await store.scans({ limit: PAGE + 1, ...(target ? { target } : {}), ...(Number.isFinite(before) && before > 0 ? { before } : {}) });
    if (rows.length === 0 && !target && !before) return c.html(emptyPage(ctxOf(c), opts.historyPath));
    const page = rows.slice(0, PAGE);
    const last = page[page.length - 1];
    const older = rows.length > PAGE && last ? `/scans?${new URLSearchParams({ ...(target ? { target } : {}), before: String(last.startedAt) }).toString()}` : undefined;
    return c.html(scansPage(ctxOf(c), page, now(), target, older));
  });

  app.get('/scans/:id', async (c) => {
    const s = await loadScan(c.req.param('id'));
    if (!s) return c.notFound();
    const filters: Filters = {};
    for (const k of FILTER_KEYS) {
      const v = c.req.query(k);
      if (v) filters[k] = v.slice(0, 40);
    }
    return c.html(scanPage(ctxOf(c), s.row, s.report, filters, now(), s.reportError));
  });

  app.get('/scans/:id/audit', async (c) => {
    const s = await loadScan(c.req.param('id'));
    if (!s?.report) return c.notFound();
    return c.html(auditPage(ctxOf(c), s.report));
  });

  app.get('/scans/:id/findings/:fp', async (c) => {
    const s = await loadScan(c.req.param('id'));
    const fp = c.req.param('fp');
    const f = s?.report ? (s.report.findings.find((x) => x.fingerprint === fp) ?? [...(s.report.comparison?.fixedFindings ?? []), ...(s.report.comparison?.notRetestedFindings ?? [])].find((x) => x.fingerprint === fp)) : undefined;
    if (!s?.report || !f) return c.notFound();
    const h = await store.findingHistory(fp);
    const iso = (ms: number): string => (ms ? new Date(ms).toISOString() : '—');
    const seen = {
      firstSeen: iso(h.first),
      lastSeen: iso(h.last),
      seenIn: h.scans.filter((r) => r.id !== s.row.id).map((r) => ({ href: findingHref(r.id, fp), label: `${r.target} · ${new Date(r.startedAt).toISOString().slice(0, 19)} · ${r.id}` })),
    };
    const current = (await history.listAccepted()).find((a) => a.fingerprint === fp);
    return c.html(findingPage(ctxOf(c), s.report, f, seen, acceptControls(ctxOf(c), fp, current, today())));
  });

  app.get('/compare', async (c) => {
    const headId = c.req.query('head');
    if (!headId) return c.html(messagePage(ctxOf(c), 'Choose two scans', 'Pick a base and a head scan on the scans page to compare them.'), 400);
    const head = await loadScan(headId);
    if (!head?.report) return c.notFound();
    let baseId = c.req.query('base');
    if (!baseId) baseId = (await store.previousScan(head.row.target, head.row.startedAt))?.id;
    if (!baseId) {
      if (head.report.comparison) return c.html(comparePage(ctxOf(c), head.report, { id: head.report.scanId, label: `its own baseline ${head.report.comparison.baseline.ref}` }));
      return c.html(messagePage(ctxOf(c), 'Nothing to compare with', `There is no earlier scan of ${head.row.target} in the store.`), 404);
    }
    const base = await loadScan(baseId);
    if (!base?.report) return c.notFound();
    return c.html(comparePage(ctxOf(c), compareReports(base.report, head.report), { id: base.report.scanId, label: `${base.report.target.name} ${base.report.startedAt}` }));
  });

  app.get('/accepted', async (c) => c.html(acceptedPage(ctxOf(c), await history.listAccepted(), today())));

  const onlyMaintainers = (c: Context<Env>): Response | undefined =>
    c.get('who')?.role === 'maintainer' ? undefined : c.html(messagePage(ctxOf(c), 'Forbidden', 'Only maintainers can accept or revoke risks.'), 403);
  const field = (body: Record<string, unknown>, k: string): string => (typeof body[k] === 'string' ? (body[k] as string).trim() : '');
  const backTo = (back: string): string => (/^\/scans\/[^/]+\/findings\/[^/]+$/u.test(back) ? back : '/accepted');

  app.post('/accepted', async (c) => {
    const refused = onlyMaintainers(c);
    if (refused) return refused;
    const body = await c.req.parseBody();
    const fingerprint = field(body, 'fingerprint');
    const reason = field(body, 'reason');
    const expires = field(body, 'expires');
    const problem = !FINGERPRINT.test(fingerprint)
      ? 'The fingerprint is missing or malformed.'
      : reason.length < 3 || reason.length > 1000
        ? 'Say why the risk is accepted (3 to 1,000 characters).'
        : !/^\d{4}-\d{2}-\d{2}$/u.test(expires) || Number.isNaN(Date.parse(`${expires}T00:00:00Z`)) || expires <= today()
          ? 'The expiry must be a date after today (YYYY-MM-DD).'
          : undefined;
    if (problem) return c.html(messagePage(ctxOf(c), 'Not accepted', problem), 400);
    await history.acceptRisk({ fingerprint, reason, expires, by: c.get('who')?.name ?? 'unknown' });
    const back = field(body, 'back');
    if (isHtmx(c)) {
      const current = (await history.listAccepted()).find((a) => a.fingerprint === fingerprint);
      return c.html(back === 'finding' ? acceptControls(ctxOf(c), fingerprint, current, today()) : acceptedFragment(ctxOf(c), await history.listAccepted(), today()));
    }
    return c.redirect(backTo(c.req.header('referer') ?? ''), 303);
  });

  app.post('/accepted/revoke', async (c) => {
    const refused = onlyMaintainers(c);
    if (refused) return refused;
    const body = await c.req.parseBody();
    const fingerprint = field(body, 'fingerprint');
    if (!FINGERPRINT.test(fingerprint)) return c.html(messagePage(ctxOf(c), 'Not revoked', 'The fingerprint is missing or malformed.'), 400);
    const done = await history.revokeRisk(fingerprint, c.get('who')?.name ?? 'unknown');
    if (!done && !isHtmx(c)) return c.html(messagePage(ctxOf(c), 'Not revoked', 'No active acceptance for this fingerprint.'), 404);
    if (isHtmx(c)) {
      return c.html(field(body, 'back') === 'finding' ? acceptControls(ctxOf(c), fingerprint, undefined, today()) : acceptedFragment(ctxOf(c), await history.listAccepted(), today()));
    }
    return c.redirect('/accepted', 303);
  });

  // The guard: sessions, held requests (maintainers approve or reject), the latest decisions; /guard/live is the part
  // the client script re-fetches while the page is open.
  const GUARD_ID = /^[0-9a-f-]{36}$/u;
  const guardFilters = (c: Context<Env>): GuardFilters => {
    const session = (c.req.query('session') ?? '').slice(0, 80);
    const agent = (c.req.query('agent') ?? '').slice(0, 80);
    return { ...(session ? { session } : {}), ...(agent ? { agent } : {}) };
  };
  // The live part and its hash: the client swaps it only when it changed.
  const guardLivePart = async (c: Context<Env>, f: GuardFilters): Promise<{ html: string; state: string }> => {
    const [held, decisions] = await Promise.all([guard.pending({ ...f, now: now() }), guard.decisions({ ...f, latest: 200 })]);
    const html = guardLive(ctxOf(c), held, decisions);
    return { html, state: createHash('sha256').update(html).digest('base64url').slice(0, 22) };
  };
  app.get('/guard', async (c) => {
    const f = guardFilters(c);
    const [sessions, live] = await Promise.all([guard.sessions(), guardLivePart(c, f)]);
    return c.html(guardPage(ctxOf(c), sessions, f, live));
  });
  app.get('/guard/live', async (c) => {
    const live = await guardLivePart(c, guardFilters(c));
    return c.html(live.html, 200, { 'X-Live-State': live.state });
  });
  app.post('/guard/held/:id/:act', async (c) => {
    const act = c.req.param('act');
    const id = c.req.param('id');
    if ((act !== 'approve' && act !== 'reject') || !GUARD_ID.test(id)) return c.notFound();
    if (c.get('who')?.role !== 'maintainer') return c.html(messagePage(ctxOf(c), 'Forbidden', 'Only maintainers can approve or reject held requests.'), 403);
    const done = await guard.decide(id, act === 'approve', `dashboard: ${c.get('who')?.name ?? 'unknown'}`, now());
    if (!done) return c.html(messagePage(ctxOf(c), 'Not decided', 'This request is no longer waiting: someone decided it, it timed out, or the agent left.'), 409);
    return c.redirect('/guard', 303);
  });

  // Live progress of one scan: a `progress` event per poll while it runs, then `finished`.
  app.get('/events/scans/:id', (c) => {
    const id = c.req.param('id');
    return streamSSE(c, async (stream) => {
      let open = true;
      stream.onAbort(() => {
        open = false;
      });
      while (open) {
        const row = await store.scanRow(id);
        if (!row) {
          await stream.writeSSE({ event: 'finished', data: JSON.stringify({ state: 'unknown' }) });
          break;
        }
        const stale = row.heartbeatAt !== null && now() - row.heartbeatAt > 60_000;
        const text = `${progressPlain(row)}${stale ? ` — no sign of life for ${Math.round((now() - row.heartbeatAt!) / 1000)} s` : ''}`;
        await stream.writeSSE({ event: 'progress', data: JSON.stringify({ state: row.state, done: row.progressDone, total: row.progressTotal, text }) });
        if (row.state !== 'running' && row.state !== 'queued') {
          await stream.writeSSE({ event: 'finished', data: JSON.stringify({ state: row.state }) });
          break;
        }
        await stream.sleep(pollMs);
      }
    });
  });

  app.notFound((c) => c.html(messagePage(ctxOf(c), 'Not found', `Nothing at ${c.req.path.slice(0, 200)}. It may have been removed, or the link is wrong.`), 404));
  app.onError((e, c) => {
    const msg = isVouchError(e) ? e.message : 'Something went wrong while rendering this page; the error was logged on the server.';
    if (!isVouchError(e)) process.stderr.write(`vouch serve: ${c.req.method} ${c.req.path}: ${e instanceof Error ? e.message : String(e)}\n`);
    return c.html(messagePage(ctxOf(c), 'Error', msg), 500);
  });
  return { app, history, store };
}

export interface RunningDashboard {
  url: string;
  team: boolean;
  close(): Promise<void>;
}

/** Opens the store and serves the dashboard; port 0 picks a free one. */
export async function startDashboard(opts: { historyPath: string; host: string; port: number; team?: boolean; pollMs?: number }): Promise<RunningDashboard> {
  const team = opts.team ?? (!isLoopback(opts.host) || Boolean(process.env.VOUCH_DATABASE_URL));
  // The team store when VOUCH_DATABASE_URL is set (historyPath is then its redacted URL), else the SQLite file.
  const loc = storeLocation();
  const db = await openStoreDatabase(loc.kind === 'sqlite' ? { kind: 'sqlite', path: opts.historyPath } : loc);
  const { app } = createDashboardApp(db, { historyPath: opts.historyPath, team, ...(opts.pollMs ? { pollMs: opts.pollMs } : {}) });
  let server: ServerType;
  const address = await new Promise<AddressInfo>((resolve, reject) => {
    server = serve({ fetch: app.fetch, port: opts.port, hostname: opts.host }, (info) => resolve(info));
    server.once('error', (e: NodeJS.ErrnoException) =>
      reject(new VouchError('VOUCH_USAGE', `cannot listen on ${opts.host}:${opts.port} (${e.code ?? e.message})`, { hint: 'Choose another --port, or 0 for a free one.' })),
    );
  });
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${host}:${address.port}`,
    team,
    close: async () => {
      await new Promise<void>((resolve) => {
        (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
        server.close(() => resolve());
      });
      await db.destroy();
    },
  };
}
