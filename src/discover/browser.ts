// src/discover/browser.ts — the browser crawler: renders pages in headless Chromium (one context per identity),
// follows links, buttons and history changes, fills forms, and records the XHR/fetch calls as `spa` operations.
// Every browser request is served through the HTTP engine (scope, safe mode, budget, audit); refused ones abort.
import type { BrowserContext, Page, Request, Route } from 'playwright-core';
import { acquireBrowser, killBrowser, within } from '../browser/chromium.js';
import { interruptReason } from '../net/index.js';
import type { HeaderList, HttpEngine, JsonSchema, Operation, Parameter, SurfaceSource } from '../core/index.js';
import { classify } from './auth.js';
import type { UrlGate } from './gate.js';
import { changesPasswordByGet, routeTemplate } from './html.js';
import { soft404For } from './soft404.js';

export interface BrowserCrawlInput {
  engine: HttpEngine;
  /** The target's origin: pages outside it are never visited (their requests still go to the engine, which refuses them). */
  origin: string;
  /** Absolute URLs to start from (the root, pages the HTML crawl found). */
  start: string[];
  /** Identity names, one browser context each (credentials come from the engine). */
  identities: string[];
  safeMode: boolean;
  /** Methods allowed in safe mode besides GET/HEAD/OPTIONS. */
  allowMethods?: string[];
  /** Discovery's URL gate: out-of-scope URLs are refused once each (audit log) and never contacted. */
  gate?: UrlGate;
  /** Pages rendered per identity. Default 40. */
  maxPages?: number;
  /** Pages rendered in a row (per identity) that found nothing new — no operation, no page to visit — before that
   * identity's crawl ends. Default 10. */
  maxIdlePages?: number;
  /** The whole crawl, ms: a ceiling (BROWSER_CRAWL_MS); the page and idle budgets normally end it first. A crawl
   * still running 5 s past it is ended by killing Chromium. */
  timeoutMs?: number;
  /** Chromium's start, ms (default 30,000): a browser that does not start in time is killed and the crawl skipped. */
  launchMs?: number;
  /** Each browser action (a new context or page, reading links and forms, closing), ms. Default 10,000. */
  actionMs?: number;
  /** The scan's interrupt: the crawl ends at once, Chromium is killed, and what was recorded so far is kept. */
  signal?: AbortSignal;
  /** What the crawl is doing now (pages visited, in flight), said whenever it changes. */
  onProgress?: (what: string) => void;
}

/** One identity's crawl: what it rendered and recorded, and what ended it. */
export interface BrowserRun {
  identity: string;
  pages: number;
  requests: number;
  operations: Operation[];
  stop: string;
}

export interface BrowserCrawlResult {
  operations: Operation[];
  warnings: string[];
  stats: { pages: number; requests: number; refused: number };
  /** Per identity, in the order they crawled. */
  runs: BrowserRun[];
}

/** Resource types the crawler lets through; images, fonts and media are not fetched (nothing to discover there). */
const FETCHED = new Set(['document', 'script', 'xhr', 'fetch', 'stylesheet', 'other']);
/** Request headers the engine sets itself (framing, cookies from the identity's jar, its user agent). */
const DROP_REQUEST = new Set(['host', 'content-length', 'connection', 'accept-encoding', 'user-agent', 'cookie']);
const DROP_RESPONSE = new Set(['content-length', 'transfer-encoding', 'connection', 'keep-alive']);
/** Pages rendered at once per identity. */
const PARALLEL_PAGES = 2;
const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);
/** How long past its time limit a crawl may take to wind down before Chromium is killed. */
const HARD_STOP_GRACE_MS = 5_000;
/** Links, buttons and forms never followed, pressed or submitted: they end the identity's session or destroy things. */
const AVOID = /log-?out|sign-?out|log-?off|delete|remove|destroy|reset|drop|unsubscribe/i;

/** A JSON Schema for a JSON value (types and property names only). */
export function inferSchema(value: unknown, depth = 0): JsonSchema {
  if (value === null) return { type: 'null' };
  if (Array.isArray(value)) return depth > 4 || value.length === 0 ? { type: 'array' } : { type: 'array', items: inferSchema(value[0], depth + 1) };
  if (typeof value === 'object') {
    if (depth > 4) return { type: 'object' };
    const properties: Record<string, JsonSchema> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>).slice(0, 50)) properties[k] = inferSchema(v, depth + 1);
    return { type: 'object', properties };
  }
  if (typeof value === 'number') return { type: Number.isInteger(value) ? 'integer' : 'number' };
  return { type: typeof value === 'boolean' ? 'boolean' : 'string' };
}

const parseJson = (text: string | undefined): unknown => {
  if (!text) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
};

/** Collects operations seen by every context, merged by route template. */
class Recorder {
  readonly ops = new Map<string, Operation>();
  /** Operation ids each identity recorded. */
  readonly by = new Map<string, Set<string>>();

  add(identity: string, method: string, url: URL, source: SurfaceSource, extra: { params?: Parameter[]; body?: { contentType: string; text?: string }; response?: { status: number; contentType: string; body: string }; summary?: string } = {}): void {
    const path = routeTemplate(url.pathname);
    const id = `${method} ${path}`;
    let mine = this.by.get(identity);
    if (!mine) this.by.set(identity, (mine = new Set()));
    mine.add(id);
    let op = this.ops.get(id);
    if (!op) {
      const pathParams: Parameter[] = path.includes('{id}') ? [{ name: 'id', in: 'path', required: true, examples: [url.pathname.split('/').find((s) => /^\d+$/.test(s) || /^[0-9a-f-]{16,}$/i.test(s))] }] : [];
      op = { id, method, path, params: pathParams, auth: 'unknown', sources: [source], ...(extra.summary ? { summary: extra.summary } : {}) };
      this.ops.set(id, op);
    } else if (!op.sources.includes(source)) op.sources.push(source);
    const params = [...(extra.params ?? []), ...[...url.searchParams.keys()].map((name): Parameter => ({ name, in: 'query', examples: [url.searchParams.get(name)] }))];
    for (const p of params) if (!op.params.some((q) => q.name === p.name && q.in === p.in)) op.params.push(p);
    if (extra.body && !op.requestBody) {
      const json = extra.body.contentType.includes('json') ? parseJson(extra.body.text) : undefined;
      op.requestBody = { contentType: extra.body.contentType, ...(json !== undefined ? { schema: inferSchema(json), example: json } : {}) };
    }
    const res = extra.response;
    if (res && res.status < 400) {
      const json = res.contentType.includes('json') ? parseJson(res.body) : undefined;
      op.responses ??= {};
      op.responses[String(res.status)] ??= { contentType: res.contentType.split(';')[0]!.trim(), ...(json !== undefined ? { schema: inferSchema(json) } : {}) };
    }
  }
}

/** `html` with a `<base href>` of `url` (after `<head>`, else first), unless it has a base of its own. */
export function withBase(html: string, url: string): string {
  if (/<base\b/i.test(html)) return html;
  const tag = `<base href="${url.replace(/&/g, '&amp;').replace(/"/g, '&quot;')}">`;
  const head = /<head\b[^>]*>/i.exec(html);
  return head ? `${html.slice(0, head.index + head[0].length)}${tag}${html.slice(head.index + head[0].length)}` : `${tag}${html}`;
}

/** A plausible value for a form field, by type and name. */
export function plausibleValue(type: string, name: string): string {
  const n = name.toLowerCase();
  if (type === 'email' || /e-?mail/.test(n)) return 'vouch@example.com';
  if (type === 'password' || /pass/.test(n)) return 'Vouch-Passw0rd!';
  if (type === 'number' || type === 'range' || /qty|quantity|count|amount|age/.test(n)) return '1';
  if (type === 'tel' || /phone|tel/.test(n)) return '5550100';
  if (type === 'url' || /url|website/.test(n)) return 'https://example.com/';
  if (type === 'date') return '2024-01-01';
  if (/name/.test(n)) return 'Vouch';
  return 'vouch';
}

/**
 * The browser crawl's default wall-time ceiling, ms. Its work budgets — pages per identity (`maxPages`), pages in a
 * row that found nothing new (`maxIdlePages`), nothing left to visit — are what normally end it; this only stops a
 * crawl whose pages keep it busy.
 */
export const BROWSER_CRAWL_MS = 90_000;
/** Default work budgets of the browser crawl, per identity. */
export const BROWSER_DEFAULTS = { maxPages: 40, maxIdlePages: 10 } as const;

interface FormInfo {
  index: number;
  action: string;
  method: string;
  fields: Array<{ name: string; type: string; value?: string }>;
  /** Index among the form's elements of the button it is submitted with (its name=value is sent), if any. */
  submitter?: number;
  /** The submit button's label or value (a "Delete" button is never pressed). */
  label?: string;
}

async function waitIdle(inflight: () => number, maxMs: number): Promise<void> {
  const end = Date.now() + maxMs;
  let quietSince = Date.now();
  while (Date.now() < end) {
    await new Promise((r) => setTimeout(r, 25));
    if (inflight() > 0) quietSince = Date.now();
    else if (Date.now() - quietSince >= 200) return; // a page's late calls reach the route handler a little after they start
  }
}

export async function crawlBrowser(input: BrowserCrawlInput): Promise<BrowserCrawlResult> {
  const warnings: string[] = [];
  const stats = { pages: 0, requests: 0, refused: 0 };
  const recorder = new Recorder();
  const signal = input.signal;
  const runs: BrowserRun[] = [];
  if (signal?.aborted) return { operations: [], warnings: [], stats, runs };
  const lease = await acquireBrowser(input.launchMs !== undefined ? { launchMs: input.launchMs } : {});
  if ('reason' in lease) {
    return { operations: [], warnings: [`browser crawl skipped: ${lease.reason}; single-page apps were not rendered, so operations only their scripts call are missing`], stats, runs };
  }
  const browser = lease.browser;
  let deadline = Date.now() + (input.timeoutMs ?? BROWSER_CRAWL_MS);
  const maxPages = input.maxPages ?? BROWSER_DEFAULTS.maxPages;
  const maxIdle = input.maxIdlePages ?? BROWSER_DEFAULTS.maxIdlePages;
  const allowed = new Set((input.allowMethods ?? []).map((m) => m.toUpperCase()));
  const mayChange = (method: string): boolean => !input.safeMode || SAFE.has(method) || allowed.has(method);
  let timedOut = false;
  const actionMs = input.actionMs ?? 10_000;
  /** A browser action that does not answer (a renderer stuck in a script) fails instead of hanging the crawl. */
  const act = <T>(p: Promise<T>, what: string): Promise<T> => within(p, actionMs, `browser ${what}`);
  /** Set when the crawl must end now (interrupt, hard deadline): no page is started after it. */
  let halted = false;
  let rendering = 0;
  const said = (identity: string): void =>
    input.onProgress?.(`browser crawl as ${identity}: ${stats.pages} pages visited, ${rendering} in flight, ${stats.requests} requests`);

  /** Pages the anonymous context was refused (401/403, a redirect to a login page): where signed-in ones start. */
  const closed = new Set<string>();
  /** Documents that carry scripts (the pages worth waiting on, pressing buttons in and submitting forms of). */
  const scripted = new Set<string>();
  /** Route templates the anonymous context rendered. */
  const anonymousSaw = new Set<string>();

  const sameOrigin = (href: string): boolean => {
    try {
      return new URL(href).origin === input.origin;
    } catch {
      return false;
    }
  };

  async function crawlAs(identity: string, start: readonly string[], limit: number): Promise<void> {
    let context: BrowserContext | undefined;
    const run: BrowserRun = { identity, pages: 0, requests: 0, operations: [], stop: 'nothing left to visit' };
    runs.push(run);
    /** Route templates queued so far: with the operations recorded, the work an idle page adds nothing to. */
    const queuedKeys = new Set<string>();
    const work = (): number => (recorder.by.get(identity)?.size ?? 0) + queuedKeys.size;
    let idle = 0;
    try {
      const ctx = await act(browser.newContext({ serviceWorkers: 'block', javaScriptEnabled: true }), 'new context');
      context = ctx;
      const inflight = new Map<Page | undefined, number>();
      const bump = (p: Page | undefined, d: number): void => void inflight.set(p, (inflight.get(p) ?? 0) + d);
      const pageRequests = new Map<Page, Set<Request>>();
      const navigated: string[] = [];
      await act(ctx.exposeBinding('__vouchNavigated', (_src, url: unknown) => void navigated.push(String(url))), 'binding');
      await act(ctx.addInitScript(() => {
        const w = window as unknown as { __vouchNavigated?: (u: string) => void };
        for (const name of ['pushState', 'replaceState'] as const) {
          const orig = history[name].bind(history);
          history[name] = (data: unknown, unused: string, url?: string | URL | null) => {
            orig(data, unused, url);
            if (url !== undefined && url !== null) w.__vouchNavigated?.(new URL(String(url), location.href).href);
          };
        }
        window.addEventListener('popstate', () => w.__vouchNavigated?.(location.href));
      }), 'init script');
      await act(ctx.route('**/*', async (route: Route) => {
        const req = route.request();
        const type = req.resourceType();
        let url: URL;
        try {
          url = new URL(req.url());
        } catch {
          return route.abort('blockedbyclient');
        }
        if (url.protocol === 'data:' || url.protocol === 'blob:') return route.continue();
        if (!FETCHED.has(type) && url.origin === input.origin) return route.abort('blockedbyclient');
        let owner: Page | undefined;
        try {
          owner = req.frame().page();
        } catch {
          owner = undefined; // a worker's request: counted apart
        }
        bump(owner, 1);
        try {
          const method = req.method().toUpperCase();
          const headers: HeaderList = Object.entries(req.headers()).filter(([k]) => !DROP_REQUEST.has(k.toLowerCase()));
          const body = req.postDataBuffer() ?? undefined;
          const contentType = req.headers()['content-type'] ?? '';
          stats.requests++;
          run.requests++;
          const record = (type === 'xhr' || type === 'fetch') && url.origin === input.origin;
          // Out of scope: refused once per URL by discovery's URL gate (audit log, `discover:spa`), never contacted.
          if (input.gate && (await input.gate.judge(url, 'spa', method)) === 'refused') {
            stats.refused++;
            return await route.abort('blockedbyclient');
          }
          const timeoutMs = Math.max(1_000, Math.min(5_000, deadline - Date.now()));
          const meta = { identity, checkId: 'discover' };
          let ex = await input.engine.send({ method, url: req.url(), headers, ...(body ? { body } : {}), timeoutMs }, meta);
          const first = ex;
          // Redirects are followed here, hop by hop, each through the gate and the engine: a browser that follows a
          // fulfilled redirect itself sends the next request straight to the network, unseen by the engine.
          for (let hop = 0; hop < 5 && ex.response && ex.response.status >= 300 && ex.response.status < 400; hop++) {
            const loc = ex.response.headers.find(([k]) => k === 'location')?.[1];
            let next: URL;
            try {
              next = new URL(loc ?? '', ex.request.url);
            } catch {
              break;
            }
            if (!loc || (input.gate && (await input.gate.judge(next, 'redirect')) === 'refused')) break;
            const keep = ex.response.status === 307 || ex.response.status === 308;
            ex = await input.engine.send({ method: keep ? method : 'GET', url: next.href, headers: keep ? headers : headers.filter(([k]) => k.toLowerCase() !== 'content-type'), ...(keep && body ? { body } : {}), timeoutMs }, meta);
          }
          // Refused anonymously: a 401/403, or a redirect to a login page.
          if (identity === 'anonymous' && type === 'document' && classify(first) === 'closed') closed.add(req.url());
          if (!ex.response) {
            stats.refused++;
            // Refused (scope, safe mode) or failed: the call is still part of the surface when it is ours.
            if (record) recorder.add(identity, method, url, 'spa', body ? { body: { contentType, text: body.toString('utf8') } } : {});
            return await route.abort(ex.error?.code === 'VOUCH_SCOPE_REFUSED' || ex.error?.code === 'VOUCH_SAFE_MODE_REFUSED' ? 'blockedbyclient' : 'failed');
          }
          const res = ex.response;
          if (res.status >= 300 && res.status < 400) {
            stats.refused++; // a redirect the engine did not follow (out of scope, a loop, the hop limit)
            return await route.abort('blockedbyclient');
          }
          const resType = res.headers.find(([k]) => k === 'content-type')?.[1] ?? '';
          if (record) {
            recorder.add(identity, method, url, 'spa', {
              ...(body ? { body: { contentType, text: body.toString('utf8') } } : {}),
              response: { status: res.status, contentType: resType, body: res.bodyEncoding === 'base64' ? '' : res.body },
            });
          } else if ((type === 'document' || type === 'script') && url.origin === input.origin && method === 'GET' && res.status < 400) {
            if (type === 'document' && /<script\b/i.test(res.body)) scripted.add(req.url());
            // A document that is the page any unknown path gets (an SPA's index page) is a client-side route.
            const clientRoute = type === 'document' && url.pathname !== '/' && (await soft404For(input.engine).matches(ex));
            recorder.add(identity, method, url, clientRoute ? 'spa' : 'html');
          }
          const out: Record<string, string> = {};
          for (const [k, v] of res.headers) {
            const key = k.toLowerCase();
            if (!DROP_RESPONSE.has(key)) out[key] = out[key] ? `${out[key]}${key === 'set-cookie' ? '\n' : ', '}${v}` : v;
          }
          // A document reached through redirects is shown under the URL first asked for: a <base> of where it really
          // is keeps its relative links and form actions (`login.php`) right.
          const moved = type === 'document' && ex !== first && res.bodyEncoding !== 'base64' && /html/i.test(resType);
          const text = moved ? withBase(res.body, ex.request.url) : undefined;
          return await route.fulfill({ status: res.status, headers: out, body: text ?? Buffer.from(res.body, res.bodyEncoding === 'base64' ? 'base64' : 'utf8') });
        } catch {
          return route.abort('failed').catch(() => undefined);
        } finally {
          bump(owner, -1);
          if (owner) pageRequests.get(owner)?.delete(req);
        }
      }), 'route');
      // WebSockets are recorded, never connected: Chromium would open them itself, past the engine (scope, audit).
      await act(ctx.routeWebSocket(() => true, (ws) => {
        let u: URL | undefined;
        try {
          u = new URL(ws.url());
        } catch {
          u = undefined; // not a URL: nothing to record
        }
        if (u && u.host === new URL(input.origin).host) {
          recorder.add(identity, 'GET', new URL(`${input.origin}${u.pathname}${u.search}`), 'spa', { summary: 'WebSocket (opened by the page; not connected by vouch)' });
        }
        ws.close({ code: 1008, reason: 'vouch: not connected' }).catch(() => undefined);
      }), 'websocket route');
      const queue = [...start];
      const seen = new Set<string>();
      /** Forms submitted and buttons pressed already (by target and label): each once per identity. */
      const tried = new Set<string>();
      let pages = 0;
      /** URLs whose navigation was interrupted once already. */
      const retried = new Set<string>();
      const enqueue = (href: string): void => {
        try {
          const u = new URL(href);
          u.hash = '';
          if (u.origin !== input.origin) return;
          // A sign-out link is part of the surface, but following it would end the identity's session.
          if (AVOID.test(u.pathname + u.search)) recorder.add(identity, 'GET', new URL(u.origin + u.pathname), 'html');
          else {
            queue.push(u.href);
            queuedKeys.add(routeTemplate(u.pathname));
          }
        } catch {
          // not a URL: nothing to follow
        }
      };
      let busy = 0;
      const worker = async (): Promise<void> => {
        // A page whose navigation failed is retired: Chromium still commits its error page (chrome-error://) a moment
        // later, which would interrupt the next goto on that page, leaving the next URL unrendered.
        const open = async (): Promise<Page> => {
          const p = await act(ctx.newPage(), 'new page');
          const live = new Set<Request>();
          pageRequests.set(p, live);
          p.on('request', (r) => void live.add(r));
          p.on('requestfinished', (r) => void live.delete(r));
          p.on('requestfailed', (r) => void live.delete(r));
          p.on('dialog', (d) => void d.dismiss().catch(() => undefined));
          return p;
        };
        let page: Page = await open();
        /** Requests the current page started and the route handler has not settled yet (started counts before routing). */
        const pending = (): number => (pageRequests.get(page)?.size ?? 0) + (inflight.get(page) ?? 0);
        /** Before a page is left or closed: every request it started is served or refused (and logged) first. */
        const drain = async (): Promise<void> => {
          const end = Date.now() + 3_000;
          while (pending() > 0 && Date.now() < end && !halted) await new Promise((r) => setTimeout(r, 20));
        };
        const retire = async (): Promise<void> => {
          await drain();
          await act(page.close(), 'page close').catch(() => undefined);
          pageRequests.delete(page);
        };
        while (pages < limit && !halted && idle < maxIdle) {
          if (Date.now() > deadline - 300) {
            timedOut = true;
            break;
          }
          if (queue.length === 0) {
            if (busy === 0) break;
            await new Promise((r) => setTimeout(r, 30));
            continue;
          }
          const next = queue.shift()!;
          const key = routeTemplate(new URL(next).pathname);
          if (seen.has(key)) continue;
          // Signed-in contexts render only what anonymous could not see.
          if (identity !== 'anonymous' && anonymousSaw.has(key) && !closed.has(next)) continue;
          seen.add(key);
          pages++;
          stats.pages++;
          run.pages++;
          if (identity === 'anonymous') anonymousSaw.add(key);
          busy++;
          rendering++;
          said(identity);
          const before = work();
          try {
            const left = (): number => Math.max(200, deadline - Date.now());
            await drain(); // what the previous page started is settled before it is left
            let interrupted = false;
            const ok = await page.goto(next, { waitUntil: 'load', timeout: Math.min(5_000, left()) }).then(
              () => true,
              (e: unknown) => {
                interrupted = /interrupted by another navigation/i.test(String(e));
                return false;
              },
            );
            if (!ok) {
              await retire();
              page = await open();
              // Cut short by a navigation it did not start (a form submission's error page, say): once more, fresh page.
              if (interrupted && !retried.has(next)) {
                retried.add(next);
                seen.delete(key);
                pages--;
                stats.pages--;
                queue.unshift(next);
              }
              continue;
            }
            // A page without scripts shows what the HTML crawl saw already: read its links and forms, nothing more.
            const plain = !scripted.has(next) && !scripted.has(page.url());
            if (!plain) await waitIdle(pending, Math.min(1_500, left()));
            const here = page.url();
            // Links, including ones rendered by scripts.
            const hrefs = page.$$eval('a[href]', (as) => as.map((a) => (a as HTMLAnchorElement).href));
            const links = await act(hrefs, 'reading links').catch(() => [] as string[]);
            for (const l of links) enqueue(l);
            // Forms: recorded as operations; submitted with plausible values when that cannot change state in safe mode.
            const forms = await act(
              page.$$eval('form', (fs) =>
                fs.map((f, index) => ({
                  index,
                  action: (f as HTMLFormElement).action,
                  method: ((f as HTMLFormElement).getAttribute('method') ?? 'GET').toUpperCase(),
                  ...(() => {
                    // The button a user presses: its name=value goes with the form (`Login=Login`).
                    const els = Array.from((f as HTMLFormElement).elements) as HTMLInputElement[];
                    const at = els.findIndex((e) => e.type === 'submit' || e.type === 'image');
                    const b = at >= 0 ? els[at]! : undefined;
                    const label = b ? (b.value || b.textContent || '').trim() : '';
                    const fields = els
                      .map((e, i) => ({ name: e.name, type: (e.type || e.tagName).toLowerCase(), ...(i === at ? { value: e.value } : {}) }))
                      .filter((e, i) => e.name && ((e.type !== 'submit' && e.type !== 'button' && e.type !== 'image') || i === at));
                    return { fields, ...(at >= 0 ? { submitter: at, label } : {}) };
                  })(),
                })),
              ),
              'reading forms',
            ).catch(() => [] as FormInfo[]);
            for (const f of forms) {
              let action: URL;
              try {
                action = new URL(f.action || here);
              } catch {
                continue;
              }
              if (action.origin !== input.origin) continue;
              const where = f.method === 'GET' ? ('query' as const) : ('form' as const);
              const fields = changesPasswordByGet(f.method, f.fields) ? f.fields.filter((x) => x.value === undefined) : f.fields;
              const params = fields.map((x): Parameter => {
                if (x.value !== undefined) return { name: x.name, in: where, required: true, schema: { type: 'string', enum: [x.value] }, examples: [x.value] };
                return { name: x.name, in: where, schema: { type: x.type === 'number' ? 'number' : 'string' } };
              });
              recorder.add(identity, f.method, new URL(action.origin + action.pathname), 'html', { params });
            }
            // Buttons outside forms: pressed once each (client-side navigation, calls made on click).
            const buttons = page.locator('button:not(form button), [role=button], input[type=button]');
            const count = plain ? 0 : Math.min(await act(buttons.count(), 'counting buttons').catch(() => 0), 8);
            for (let i = 0; i < count && Date.now() < deadline - 500 && !halted; i++) {
              const b = buttons.nth(i);
              const label = ((await b.textContent({ timeout: 200 }).catch(() => '')) ?? '').trim();
              if (AVOID.test(label) || tried.has(`button ${key} ${label}`)) continue;
              tried.add(`button ${key} ${label}`);
              await b.click({ timeout: 500, noWaitAfter: true }).catch(() => undefined);
              await waitIdle(pending, Math.min(800, left()));
              if (page.url() !== here) {
                enqueue(page.url());
                break; // the page changed under us; the rest is reached from the queue
              }
            }
            for (const u of navigated.splice(0)) {
              try {
                const nav = new URL(u);
                if (nav.origin === input.origin) {
                  recorder.add(identity, 'GET', new URL(nav.origin + nav.pathname + nav.search), 'spa');
                  enqueue(nav.href);
                }
              } catch {
                // ignore
              }
            }
            // Submit forms last (a submission navigates away). Never a form with a password field for a signed-in identity.
            for (const f of plain ? [] : forms.slice(0, 3)) {
              const formKey = `form ${f.method} ${f.action.split('?')[0] ?? ''}`;
              if (!sameOrigin(f.action || here)) continue; // never submit a form to another origin
              if (tried.has(formKey) || !mayChange(f.method) || Date.now() > deadline - 800) continue;
              if (AVOID.test(`${f.action} ${f.label ?? ''}`)) continue; // a "Delete" or "Reset" form is never submitted
              // A GET form to a page already rendered adds only a query string: not worth a navigation.
              if (f.method === 'GET' && seen.has(routeTemplate(new URL(f.action || here).pathname))) continue;
              tried.add(formKey);
              if (identity !== 'anonymous' && f.fields.some((x) => x.type === 'password')) continue;
              if (page.url() !== here) await page.goto(here, { waitUntil: 'load', timeout: Math.min(3_000, left()) }).catch(() => undefined);
              const filled = await act(
                page.evaluate(
                  ({ index, values, submitter }) => {
                    const form = document.forms[index];
                    if (!form) return false;
                    for (const el of Array.from(form.elements) as HTMLInputElement[]) {
                      const v = values[el.name];
                      if (!el.name || v === undefined || el.type === 'hidden' || el.disabled || el.readOnly) continue;
                      if (el.type === 'checkbox' || el.type === 'radio') el.checked = true;
                      else if (el.tagName === 'SELECT') {
                        const s = el as unknown as HTMLSelectElement;
                        if (s.options.length > 0 && s.selectedIndex < 0) s.selectedIndex = 0;
                      } else if (!el.value) el.value = v;
                    }
                    // Submitted with its button, as a user would: the button's name=value goes with the form.
                    const button = submitter === undefined ? undefined : (form.elements[submitter] as HTMLInputElement | undefined);
                    form.requestSubmit(button && (button.type === 'submit' || button.type === 'image') ? button : undefined);
                    return true;
                  },
                  { index: f.index, submitter: f.submitter, values: Object.fromEntries(f.fields.map((x) => [x.name, plausibleValue(x.type, x.name)])) },
                ),
                'form submission',
              ).catch(() => false);
              if (filled) {
                await page.waitForLoadState('load', { timeout: Math.min(2_000, left()) }).catch(() => undefined);
                await waitIdle(pending, Math.min(800, left()));
              }
            }
          } finally {
            busy--;
            rendering--;
            idle = work() > before ? 0 : idle + 1;
            said(identity);
          }
        }
        await retire();
      };
      await Promise.all(Array.from({ length: PARALLEL_PAGES }, () => worker()));
      if (queue.length > 0 && pages >= limit) {
        run.stop = `${limit} pages (maxPages)`;
        warnings.push(`browser crawl as ${identity} stopped at ${limit} pages; ${queue.length} links not visited`);
      } else if (idle >= maxIdle) run.stop = `${maxIdle} pages in a row that found nothing new (maxIdlePages)`;
      else if (timedOut) run.stop = `the time ceiling (${input.timeoutMs ?? BROWSER_CRAWL_MS} ms)`;
      else if (halted) run.stop = 'stopped';
    } catch (e) {
      const why = e instanceof Error ? e.message.split('\n')[0] : String(e);
      run.stop = `ended early: ${why}`;
      warnings.push(`browser crawl as ${identity} ended early: ${why}`);
    } finally {
      if (context && !halted) await act(context.close(), 'context close').catch(() => undefined);
    }
  }

  const crawl = async (): Promise<void> => {
    // Anonymous first, everywhere; signed-in identities then render what anonymous could not see (and what it links
    // to), so each page is rendered once unless credentials change it.
    const others = input.identities.filter((i) => i !== 'anonymous');
    if (others.length < input.identities.length) {
      const budgetEnd = deadline;
      deadline = Date.now() + Math.round((budgetEnd - Date.now()) * 0.6); // leave the signed-in contexts their share
      await crawlAs('anonymous', input.start, maxPages);
      deadline = budgetEnd;
      if (closed.size > 0) await Promise.all(others.map((i) => crawlAs(i, [...closed], maxPages)));
    } else {
      await Promise.all(others.map((i) => crawlAs(i, input.start, maxPages)));
    }
  };
  // The crawl ends by itself at its time limit; an interrupt, or a crawl still running well past the limit (a page
  // whose script never settles, a browser that stopped answering), ends it here: Chromium is killed, not asked.
  let stop: ((why: string) => void) | undefined;
  const stopped = new Promise<string>((resolve) => (stop = resolve));
  const onAbort = (): void => stop?.(interruptReason(signal));
  signal?.addEventListener('abort', onAbort, { once: true });
  const late = `still running ${HARD_STOP_GRACE_MS} ms past its time limit of ${input.timeoutMs ?? BROWSER_CRAWL_MS} ms`;
  const hard = setTimeout(() => stop?.(late), Math.max(0, deadline - Date.now()) + HARD_STOP_GRACE_MS);
  hard.unref();
  const work = crawl();
  try {
    const why = await Promise.race([work.then(() => undefined), stopped]);
    if (why !== undefined) {
      halted = true;
      killBrowser();
      work.catch(() => undefined); // its pages die with the browser
      warnings.push(`browser crawl stopped: ${why}; Chromium was killed, the operations recorded so far are kept`);
    }
  } finally {
    clearTimeout(hard);
    signal?.removeEventListener('abort', onAbort);
    lease.release();
  }
  if (timedOut) warnings.push(`browser crawl stopped at its time limit of ${input.timeoutMs ?? BROWSER_CRAWL_MS} ms`);
  if (stats.refused > 0) warnings.push(`browser crawl: ${stats.refused} request(s) refused by the engine (out of scope or safe mode) or failed; see audit.jsonl`);
  for (const r of runs) {
    r.operations = [...(recorder.by.get(r.identity) ?? [])].flatMap((id) => recorder.ops.get(id) ?? []);
    if (halted && r.stop === 'nothing left to visit') r.stop = 'stopped';
  }
  return { operations: [...recorder.ops.values()], warnings, stats, runs };
}
