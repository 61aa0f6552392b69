// src/discover/surface.ts — the second half of discovery, after the spec and the anonymous HTML crawl: the HTML
// crawl and the browser crawl per identity, shadow-route probing, the observed authentication requirement and
// inferred links.
import type { DiscoverySourceStats, HttpEngine, Identity, Operation, Target } from '../core/index.js';
import { observeAuth } from './auth.js';
import { crawlBrowser } from './browser.js';
import { createUrlGate, type UrlGate } from './gate.js';
import { crawlHtml, type CrawlOptions } from './html.js';
import { inferLinks } from './links.js';
import { probeShadow } from './shadow.js';

export interface ExploreOptions {
  /** Configured identities (anonymous included). */
  identities?: readonly Identity[];
  /** Whether an identity has working credentials (logs in when needed). Default: all usable. */
  usable?: (name: string) => Promise<boolean>;
  safeMode?: boolean;
  /** Methods allowed in safe mode besides GET/HEAD/OPTIONS. */
  allowMethods?: string[];
  /** The browser crawl; false turns it off. `identities` also bounds the signed-in HTML crawls. */
  browser?: false | { maxPages?: number; maxIdlePages?: number; timeoutMs?: number; identities?: number };
  /** The HTML crawl's limits (set by `discover()` when it crawls): each signed-in identity crawls with its session. */
  crawl?: CrawlOptions;
  /** Where each source's work is noted (set by `discover()`, reported as `surface.discovery`). */
  stats?: DiscoverySourceStats[];
  /** Shadow-route probing. Default true. */
  shadow?: boolean;
  /** Probe each operation for its authentication requirement. Default true. */
  probeAuth?: boolean;
  /** Discovery's URL gate (set by `discover()`): the browser's out-of-scope requests are refused through it. */
  gate?: UrlGate;
  /** Browser deadlines, ms: Chromium's start and each browser action (vouch.yaml `deadlines`). */
  browserDeadlines?: { launchMs?: number; actionMs?: number };
  /** Ends exploring early (set by `discover()`): no further step starts, the browser crawl is cut short. */
  signal?: AbortSignal;
  /** What exploring is doing now (set by `discover()`). */
  onProgress?: (what: string) => void;
}

const keyOf = (method: string, path: string): string => `${method.toUpperCase()} ${path.replace(/\{[^}]+\}/g, '{}')}`;

/**
 * Links and forms a signed-in crawl never follows: they end the session or change state. A small predicate of the
 * crawls' own (src/discover/auth.ts and the safe-mode rules decide about requests, not about links).
 */
export const DANGEROUS_LINK = /log-?out|sign-?out|log-?off|delete|remove|destroy|reset|drop|setup|install|unsubscribe/i;

/** Adds what `op` knows to `known` (sources, parameters, bodies), or `op` itself when new (true). */
function merge(ops: Map<string, Operation>, op: Operation): boolean {
  const key = keyOf(op.method, op.path);
  const known = ops.get(key);
  if (!known) {
    ops.set(key, op);
    return true;
  }
  for (const s of op.sources) if (!known.sources.includes(s)) known.sources.push(s);
  for (const p of op.params) {
    const same = known.params.find((q) => q.name === p.name && q.in === p.in);
    if (!same) known.params.push(p);
    else if (!same.examples?.length && p.examples?.length) same.examples = p.examples;
  }
  if (!known.requestBody && op.requestBody) known.requestBody = op.requestBody;
  else if (known.requestBody && op.requestBody?.example !== undefined && known.requestBody.example === undefined) known.requestBody.example = op.requestBody.example;
  if (op.responses) known.responses = { ...op.responses, ...known.responses };
  return false;
}

/** Merges a source's operations and notes its work. */
function mergeFrom(ops: Map<string, Operation>, found: readonly Operation[], stats: DiscoverySourceStats[] | undefined, entry: Omit<DiscoverySourceStats, 'found' | 'added'>): void {
  let added = 0;
  for (const op of found) if (merge(ops, op)) added++;
  stats?.push({ ...entry, found: found.length, added });
}

/** The account names an identity goes by: its registered account, the user name or e-mail its login sends. */
function accountsOf(i: Identity): string[] {
  const sent = i.auth.kind === 'json-login' ? i.auth.body : i.auth.kind === 'form-login' ? i.auth.fields : {};
  const named = Object.entries(sent).filter(([k, v]) => /^(user(_?name)?|login|e-?mail|account)$/i.test(k) && typeof v === 'string').map(([, v]) => v as string);
  return [i.account?.username, i.account?.email, ...named].filter((n): n is string => !!n && !n.includes('${'));
}

/** Browser identities: anonymous first, then session (form/cookie) identities, then the rest; at most `n`. */
function browserIdentities(usable: readonly Identity[], n: number): string[] {
  const rank = (i: Identity): number => (i.role === 'anonymous' ? 0 : i.auth.kind === 'form-login' || i.auth.kind === 'cookie' ? 1 : 2);
  return [...usable].sort((a, b) => rank(a) - rank(b)).slice(0, n).map((i) => i.name);
}

export async function exploreSurface(engine: HttpEngine, target: Target, ops: Map<string, Operation>, warnings: string[], opts: ExploreOptions = {}): Promise<void> {
  const configured = opts.identities ?? [{ name: 'anonymous', role: 'anonymous', auth: { kind: 'none' } }];
  const usable: Identity[] = [];
  for (const i of configured) if (i.name === 'anonymous' || !opts.usable || (await opts.usable(i.name))) usable.push(i);
  const origin = new URL(target.url).origin;
  const safeMode = opts.safeMode ?? target.environment === 'production';
  const allowMethods = opts.allowMethods ?? [];
  const say = opts.onProgress ?? ((): void => undefined);
  const stopped = (): boolean => opts.signal?.aborted === true;

  const signedIn = browserIdentities(usable, opts.browser === false ? 3 : (opts.browser?.identities ?? 3)).filter((n) => n !== 'anonymous');
  if (opts.crawl && !stopped()) {
    // Each signed-in identity crawls the pages with its own session: what anonymous was sent to sign in for.
    const avoid = (u: URL): boolean => DANGEROUS_LINK.test(u.pathname + u.search);
    for (const identity of signedIn) {
      if (stopped()) break;
      const run = { identity, avoid, onProgress: say, ...(opts.signal ? { signal: opts.signal } : {}) };
      const crawl = await crawlHtml(engine, `${origin}/`, opts.gate ?? createUrlGate(engine, target.url), { ...opts.crawl, robots: false }, undefined, run);
      warnings.push(...crawl.warnings);
      const fromScripts = crawl.operations.filter((o) => o.sources.includes('script'));
      mergeFrom(ops, crawl.operations.filter((o) => !o.sources.includes('script')), opts.stats, { source: 'html', identity, requests: crawl.fetched, pages: crawl.pages, stop: crawl.stop });
      const sc = crawl.scripts;
      mergeFrom(ops, fromScripts, opts.stats, { source: 'script', identity, requests: sc.requests, stop: sc.stop ?? `${sc.candidates} candidates, ${sc.verified} verified` });
    }
  }

  if (opts.browser !== false && !stopped()) {
    say('browser crawl: starting Chromium');
    const pages = [...ops.values()].filter((o) => o.method === 'GET' && o.sources.includes('html') && !o.path.includes('{')).map((o) => `${origin}${o.path}`);
    const crawled = await crawlBrowser({
      engine,
      origin,
      start: [`${origin}/`, ...pages.slice(0, 20)],
      identities: browserIdentities(usable, opts.browser?.identities ?? 3),
      safeMode,
      allowMethods,
      ...(opts.gate ? { gate: opts.gate } : {}),
      ...(opts.browser?.maxPages !== undefined ? { maxPages: opts.browser.maxPages } : {}),
      ...(opts.browser?.maxIdlePages !== undefined ? { maxIdlePages: opts.browser.maxIdlePages } : {}),
      ...(opts.browser?.timeoutMs !== undefined ? { timeoutMs: opts.browser.timeoutMs } : {}),
      ...(opts.browserDeadlines?.launchMs !== undefined ? { launchMs: opts.browserDeadlines.launchMs } : {}),
      ...(opts.browserDeadlines?.actionMs !== undefined ? { actionMs: opts.browserDeadlines.actionMs } : {}),
      ...(opts.signal ? { signal: opts.signal } : {}),
      onProgress: say,
    });
    warnings.push(...crawled.warnings);
    for (const run of crawled.runs) {
      mergeFrom(ops, run.operations, opts.stats, { source: 'browser', identity: run.identity, requests: run.requests, pages: run.pages, stop: run.stop });
    }
  }

  /** Probes the shadow wordlist; merges and returns the routes no source had. */
  const shadowRoutes = async (): Promise<Operation[]> => {
    say('probing for shadow routes');
    const signedInIds = usable.filter((i) => i.role !== 'anonymous').map((i) => ({ name: i.name, accounts: accountsOf(i) }));
    const exchanges = engine.exchanges().filter((x) => x.checkId === 'discover');
    const shadow = await probeShadow(engine, [...ops.values()], { exchanges, identities: signedInIds });
    const fresh = shadow.operations.filter((op) => !ops.has(keyOf(op.method, op.path)));
    mergeFrom(ops, fresh, opts.stats, { source: 'shadow', requests: shadow.requests, stop: `${shadow.probed} paths probed` });
    return fresh;
  };

  if (opts.probeAuth !== false && !stopped()) {
    say('observing which operations need authentication');
    const observers = usable.filter((i) => i.name !== 'anonymous' && i.role !== 'anonymous');
    // Least privileged first: a user getting through says "required" without asking the admin.
    const order = { anonymous: 0, user: 1, privileged: 2 } as const;
    observers.sort((a, b) => order[a.role] - order[b.role]);
    const loginPaths = configured.flatMap((i) => (i.auth.kind === 'json-login' || i.auth.kind === 'form-login' ? [i.auth.url] : []));
    const observe = async (operations: Operation[]): Promise<void> => {
      const observed = await observeAuth({ engine, operations, identities: observers.map((i) => i.name), safeMode, allowMethods, loginPaths });
      warnings.push(...observed.warnings);
    };
    await observe([...ops.values()]);
    // Shadow routes after the probes: the roles their refusals name ("Only Chef is…") are words of the vocabulary.
    const fresh = opts.shadow !== false && !stopped() ? await shadowRoutes() : [];
    if (fresh.length && !stopped()) await observe(fresh);
  } else if (opts.shadow !== false && !stopped()) await shadowRoutes();

  if (stopped()) return;
  inferLinks({ operations: [...ops.values()], exchanges: engine.exchanges().filter((x) => x.checkId === 'discover') });
}
