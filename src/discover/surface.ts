// src/discover/surface.ts — the second half of discovery, after the spec and the HTML crawl: the browser crawl
// (per identity), shadow-route probing, the observed authentication requirement and inferred links.
import type { HttpEngine, Identity, Operation, Target } from '../core/index.js';
import { observeAuth } from './auth.js';
import { crawlBrowser } from './browser.js';
import type { UrlGate } from './gate.js';
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
  /** The browser crawl; false turns it off. */
  browser?: false | { maxPages?: number; timeoutMs?: number; identities?: number };
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

/** Adds what `op` knows to `known` (sources, parameters, bodies), or `op` itself when new. */
function merge(ops: Map<string, Operation>, op: Operation): void {
  const key = keyOf(op.method, op.path);
  const known = ops.get(key);
  if (!known) {
    ops.set(key, op);
    return;
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
      ...(opts.browser?.timeoutMs !== undefined ? { timeoutMs: opts.browser.timeoutMs } : {}),
      ...(opts.browserDeadlines?.launchMs !== undefined ? { launchMs: opts.browserDeadlines.launchMs } : {}),
      ...(opts.browserDeadlines?.actionMs !== undefined ? { actionMs: opts.browserDeadlines.actionMs } : {}),
      ...(opts.signal ? { signal: opts.signal } : {}),
      onProgress: say,
    });
    warnings.push(...crawled.warnings);
    for (const op of crawled.operations) merge(ops, op);
  }

  if (opts.shadow !== false && !stopped()) {
    say('probing for shadow routes');
    const shadow = await probeShadow(engine, [...ops.values()]);
    for (const op of shadow.operations) if (!ops.has(keyOf(op.method, op.path))) ops.set(keyOf(op.method, op.path), op);
  }

  if (opts.probeAuth !== false && !stopped()) {
    say('observing which operations need authentication');
    const signedIn = usable.filter((i) => i.name !== 'anonymous' && i.role !== 'anonymous');
    // Least privileged first: a user getting through says "required" without asking the admin.
    const order = { anonymous: 0, user: 1, privileged: 2 } as const;
    signedIn.sort((a, b) => order[a.role] - order[b.role]);
    const loginPaths = configured.flatMap((i) => (i.auth.kind === 'json-login' || i.auth.kind === 'form-login' ? [i.auth.url] : []));
    const observed = await observeAuth({ engine, operations: [...ops.values()], identities: signedIn.map((i) => i.name), safeMode, allowMethods, loginPaths });
    warnings.push(...observed.warnings);
  }

  if (stopped()) return;
  inferLinks({ operations: [...ops.values()], exchanges: engine.exchanges().filter((x) => x.checkId === 'discover') });
}
