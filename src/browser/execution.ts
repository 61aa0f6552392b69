// src/browser/execution.ts — execution proofs: loads a URL in Chromium with a `vouchProof(nonce)` binding and
// reports whether the page called it with the exact nonce. Requests to other origins are aborted; the target's
// own requests can be served through the HTTP engine (so scope, budget and audit apply to them too).
import type { BrowserContext, Route } from 'playwright-core';
import type { HeaderList } from '../core/index.js';
import { acquireBrowser, within } from './chromium.js';

export interface ServedResponse {
  status: number;
  headers: HeaderList;
  /** The body as the page should get it, encoded as `headers` say (drop Content-Encoding when it was decoded). */
  body: Buffer;
}

export interface ExecutionInput {
  /** The page to load (absolute URL on `origin`). */
  url: string;
  /**
   * The target's origin. Without `serve`, the page may reach only this origin (everything else is aborted). With
   * `serve`, requests to any other origin go to `serve` too, so the engine's scope guard decides and audits them.
   */
  origin: string;
  /** The nonce the payload passes to `vouchProof`. */
  nonce: string;
  /**
   * Serves the page's requests (the first call is the navigation itself): every fetched resource of `origin`, and
   * every request to another origin (a refused one comes back as undefined, and is aborted). When absent,
   * same-origin requests go to the network. Returning undefined aborts the request.
   */
  serve?: (req: { method: string; url: string; navigation: boolean }) => Promise<ServedResponse | undefined>;
  /** Navigation timeout, ms. Default 10,000. */
  timeoutMs?: number;
  /** Every other browser action (context, binding, route, page, close), ms. Default 10,000. */
  actionMs?: number;
}

export type ExecutionResult =
  | { tried: true; executed: boolean; received: string[]; note?: string }
  | { tried: false; reason: string };

/** Resource types worth fetching for a faithful render; images, fonts and media are aborted (and fire onerror). */
const FETCHED = new Set(['document', 'script', 'xhr', 'fetch', 'stylesheet']);
/** Framing headers, not passed to the page (playwright frames the fulfilled body itself). */
const DROPPED = new Set(['content-length', 'transfer-encoding', 'connection', 'keep-alive']);

export async function proveExecution(input: ExecutionInput): Promise<ExecutionResult> {
  const lease = await acquireBrowser();
  if ('reason' in lease) return { tried: false, reason: lease.reason };
  const actionMs = input.actionMs ?? 10_000;
  // A browser that stops answering fails the proof (tried: false, with the reason) instead of holding the scan.
  const act = <T>(p: Promise<T>, what: string): Promise<T> => within(p, actionMs, `browser ${what}`);
  let context: BrowserContext;
  try {
    context = await act(lease.browser.newContext({ serviceWorkers: 'block', javaScriptEnabled: true }), 'new context');
  } catch (e) {
    lease.release();
    return { tried: false, reason: e instanceof Error ? e.message : String(e) };
  }
  const received: string[] = [];
  let notify: () => void = () => undefined;
  const proven = new Promise<void>((resolve) => (notify = resolve));
  try {
    await act(context.exposeBinding('vouchProof', (_source, value: unknown) => {
      received.push(String(value));
      if (String(value) === input.nonce) notify();
    }), 'binding');
    await act(context.route('**/*', async (route: Route) => {
      const req = route.request();
      let origin: string;
      try {
        origin = new URL(req.url()).origin;
      } catch {
        return route.abort('blockedbyclient');
      }
      if (!input.serve) return origin === input.origin ? route.continue() : route.abort('blockedbyclient');
      // Another origin: the engine's scope guard decides (an out-of-scope request is refused there and audited).
      if (origin === input.origin && !FETCHED.has(req.resourceType())) return route.abort('blockedbyclient');
      const served = await input.serve({ method: req.method(), url: req.url(), navigation: req.isNavigationRequest() });
      if (!served) return route.abort('failed');
      const headers: Record<string, string> = {};
      for (const [k, v] of served.headers) if (!DROPPED.has(k.toLowerCase())) headers[k.toLowerCase()] = headers[k.toLowerCase()] ? `${headers[k.toLowerCase()]}, ${v}` : v;
      return route.fulfill({ status: served.status, headers, body: served.body });
    }), 'route');
    const page = await act(context.newPage(), 'new page');
    page.on('dialog', (d) => void d.dismiss().catch(() => undefined));
    const timeout = input.timeoutMs ?? 10_000;
    let note: string | undefined;
    const loaded = page.goto(input.url, { waitUntil: 'load', timeout }).then(
      () => new Promise<void>((r) => setTimeout(r, 300)), // handlers that fire just after load
      (e: unknown) => {
        note = `navigation: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`;
      },
    );
    await Promise.race([proven, loaded]);
    return { tried: true, executed: received.includes(input.nonce), received, ...(note ? { note } : {}) };
  } finally {
    await act(context.close(), 'context close').catch(() => undefined); // it may already be gone with the browser
    lease.release();
  }
}
