// src/checks/security/xss-stored.ts — active, writes: a value stored through a write operation is rendered
// unescaped on an HTML page (tentative); confirmed only when a stored payload runs in Chromium on that page and
// calls vouchProof with its exact nonce.
import { z } from 'zod';
import type { Exchange, Operation } from '../../core/index.js';
import { buildRequest, injectionPoints, type InjectionPoint } from '../../inject/index.js';
import { defineCheck, type CandidateInput, type CheckContext } from '../kit/define.js';
import { all, methodIn, notSafeMode, type Guard } from '../kit/guards.js';
import { loadForProof } from './support/browser.js';
import { isHtml, mediaType, nonce, textBody } from './support/exchanges.js';
import { refusedForCredentials, SignedInRetry } from './support/signed-in.js';
import { Tally } from './support/tally.js';
import { contextAt, executionPayloads, type ReflectionContext } from './xss-reflected.js';

/** String-valued body fields (the values an app stores and later shows): JSON, form and GraphQL mutation variables. */
export const storedPoints = (op: Operation): InjectionPoint[] =>
  injectionPoints(op, { inline: true }).filter(
    (p) => (p.location === 'json' || p.location === 'form' || (p.location === 'graphql' && op.graphql?.kind === 'mutation')) && Number.isNaN(Number(p.base)) && !['true', 'false'].includes(p.base),
  );
const hasStringFields: Guard = (op) => (storedPoints(op).length > 0 ? undefined : op.graphql && op.graphql.kind !== 'mutation' ? 'a GraphQL query stores nothing' : 'no string field in the request body');

/** Path segments two paths share from the start (`/a/b/` and `/a/c` share 1). */
const sharedSegments = (a: string, b: string): number => {
  const x = a.split('/').filter(Boolean);
  const y = b.split('/').filter(Boolean);
  let n = 0;
  while (n < x.length && n < y.length && x[n] === y[n]) n++;
  return n;
};

/**
 * GET HTML pages without path parameters, where stored values may be rendered: the write's own path first (a form
 * posting to the page that lists what it stored, a guestbook), then the pages sharing the most leading segments
 * with it, then by path.
 */
export const renderPages = (ops: readonly Operation[], write?: Operation): Operation[] => {
  const strip = (p: string): string => p.replace(/\/(index\.\w+)?$/, '');
  const rank = (o: Operation): number => (write ? (strip(o.path) === strip(write.path) ? 1000 : sharedSegments(o.path, write.path)) : 0);
  return ops
    .filter((o) => o.method === 'GET' && !o.path.includes('{') && (o.sources.includes('html') || Object.values(o.responses ?? {}).some((r) => r.contentType?.includes('html'))))
    .sort((a, b) => rank(b) - rank(a) || a.path.localeCompare(b.path));
};

const marker = (n: string): string => `vouchs${n}"'<x-vouch-${n}>`;
const ok = (x: Exchange): boolean => (x.response?.status ?? 0) >= 200 && (x.response?.status ?? 0) < 400;
const PAGES = { low: 4, default: 10, high: 25 } as const;

const options = z.strictObject({
  /** Try to prove execution in Chromium. Default true; without it findings stay tentative. */
  browser: z.boolean().default(true),
});

interface Writes {
  ok: Array<{ point: InjectionPoint; n: string; x: Exchange }>;
  tally: Tally;
  sent: number;
  /** Writes refused for lack of credentials, and their statuses (`403 ×3`, `302 ×1`). */
  refused: number;
  statuses: string;
}

/**
 * Whether a GET of the write's own path hands a stored marker back unescaped (an API list a client renders): a
 * note for the inconclusive reason, never a finding (a JSON API need not escape for HTML; its client must).
 */
async function readBack<O>(ctx: CheckContext<O>, op: Operation, nonces: string[]): Promise<string | undefined> {
  if (op.path.includes('{') || !ctx.surface.operations.some((o) => o.method === 'GET' && o.path === op.path)) return undefined;
  const x = await ctx.send({ method: 'GET', url: op.path });
  const body = textBody(x.response);
  if (!nonces.some((n) => body.includes(`<x-vouch-${n}>`))) return undefined;
  return `GET ${op.path} hands the stored value back unescaped (${mediaType(x.response) || 'no type'}): a client that renders it as HTML would run it; no page in the surface does`;
}

/** One write per string field, each with its own marker. */
async function writeAll<O>(send: SignedInRetry<O>, op: Operation): Promise<Writes> {
  // A write answered 5xx or 429 may or may not have stored anything: only real answers judge the write.
  const out: Writes = { ok: [], tally: new Tally(), sent: 0, refused: 0, statuses: '' };
  const counts = new Map<number, number>();
  for (const point of storedPoints(op)) {
    const n = nonce();
    const x = out.tally.note(await send.send(buildRequest(op, point, marker(n))));
    out.sent++;
    const status = x.response?.status ?? 0;
    if (refusedForCredentials(x)) {
      out.refused++;
      counts.set(status, (counts.get(status) ?? 0) + 1);
    } else if (ok(x)) out.ok.push({ point, n, x });
  }
  out.statuses = [...counts].map(([s, c]) => `${s} ×${c}`).join(', ');
  return out;
}

export default defineCheck({
  id: 'xss-stored',
  family: 'security',
  kind: 'active',
  scope: 'operation',
  // One write per string field, then the pages read once for all fields of the operation: the bound below is for
  // an operation with one field (1 write + the page cap); each further field adds 1.
  requestsPerPoint: { low: 1 + PAGES.low, default: 1 + PAGES.default, high: 1 + PAGES.high },
  meta: {
    title: 'Stored cross-site scripting',
    description: 'A value saved through this operation is later shown on a page without escaping, so one submission runs script in the browser of everyone who views that page.',
    severity: 'high',
    cwe: 'CWE-79',
    owasp: 'A03:2021 Injection',
    remediation: 'Escape stored values for their output context when rendering (template auto-escaping; never mark user content safe), sanitize rich text with an allow-list sanitizer, and add a nonce-based Content-Security-Policy.',
    proves: 'Confirmed only by execution: after a fresh payload is stored, the page that renders it, loaded in Chromium (other origins blocked, CSP honoured), calls vouchProof with that payload\'s exact random nonce. An unescaped marker alone stays tentative.',
  },
  options,
  appliesTo: all(methodIn('POST', 'PUT', 'PATCH'), notSafeMode, hasStringFields),
  async run(ctx) {
    const op = ctx.operation!;
    const pages = renderPages(ctx.surface.operations, op).slice(0, PAGES[ctx.strength]);
    if (!pages.length) return { status: 'inconclusive', reason: 'no HTML page in the surface to look for stored values on' };
    // A write refused for lack of credentials (401, 403, a redirect to sign in) is retried as a signed-in identity:
    // a spec that declares no security on a write its server guards would otherwise leave it untested.
    const retry = new SignedInRetry(ctx);
    const written = await writeAll(retry, op);
    const who = retry.who;
    if (!written.ok.length && written.refused === written.sent) {
      return { status: 'inconclusive', reason: `every write was refused for lack of credentials (${written.statuses})${who ? `, also as ${who}` : '; no signed-in identity is usable'}` };
    }
    if (!written.ok.length) return written.tally.result(); // nothing was accepted, so nothing was stored (clean), or no real answer
    const as = retry.context;
    const candidates: CandidateInput[] = [];
    const found = new Set<string>();
    const views = new Tally();
    const seen: string[] = [];
    let usable = 0;
    for (const page of pages) {
      // The page as a link opens it: no parameters (a GET form's fields would be a submission, maybe a harmful one).
      const view = views.note(await as.send({ method: 'GET', url: page.path }));
      seen.push(`GET ${page.path} → ${view.response?.status ?? 'no answer'}${view.response && !isHtml(view.response) ? ` ${mediaType(view.response) || 'no type'}` : ''}`);
      if (!isHtml(view.response) || !ok(view)) continue;
      usable++;
      const html = textBody(view.response);
      for (const w of written.ok) {
        const at = html.indexOf(`<x-vouch-${w.n}>`);
        if (at < 0 || found.has(w.point.name)) continue;
        found.add(w.point.name);
        const context = contextAt(html, at);
        candidates.push({
          operation: { method: op.method, path: op.path },
          url: w.x.request.url,
          parameter: `${w.point.location}:${w.point.name}`,
          vulnClass: 'xss-stored',
          confidence: 'tentative',
          proof: {
            summary: `${w.point.location} ${w.point.name}=${marker(w.n)} stored by ${op.method} ${op.path} (→ ${w.x.response!.status}${who ? `, as ${who}` : ''}); GET ${page.path} then renders <x-vouch-${w.n}> unescaped in ${context} context`,
            exchangeIds: [w.x.id, view.id],
            evidence: html.slice(Math.max(0, at - 60), at + w.n.length + 70),
            payload: marker(w.n),
          },
          locations: [{ method: 'GET', path: page.path, url: view.request.url }],
          data: { point: w.point, page: page.path, context },
          ...(who ? { identity: who } : {}),
        });
      }
    }
    if (candidates.length) return { status: 'found', candidates };
    const result = views.result();
    if (usable || result.status === 'inconclusive') return result;
    // No page to judge by: say so, and whether the API hands the stored value back raw (a client may render it).
    const back = await readBack(as, op, written.ok.map((w) => w.n));
    return { status: 'inconclusive', reason: `no HTML page answered to look for the stored values on (${seen.slice(0, 3).join(', ')})${back ? `; ${back}` : ''}` };
  },
  async confirm(candidate, ctx) {
    const op = ctx.operation;
    const data = candidate.data as { point: InjectionPoint; page: string; context: ReflectionContext } | undefined;
    if (!op || !data) return { confirmed: false, exchangeIds: [], reason: 'the operation is no longer in the surface' };
    if (!ctx.options.browser) return { confirmed: false, exchangeIds: [], reason: 'browser proof turned off (options.browser: false)' };
    const page = ctx.surface.operations.find((o) => o.method === 'GET' && o.path === data.page);
    if (!page) return { confirmed: false, exchangeIds: [], reason: `the page ${data.page} is no longer in the surface` };
    const sent: string[] = [];
    const notes: string[] = [];
    for (let i = 0; i < executionPayloads(data.context, '').length; i++) {
      const n = nonce();
      const payload = executionPayloads(data.context, n)[i]!;
      const w = await ctx.send(buildRequest(op, data.point, payload));
      sent.push(w.id);
      const run = await loadForProof(ctx, ctx.url(page.path), n);
      sent.push(...run.sent);
      if (!run.result.tried) return { confirmed: false, exchangeIds: sent, reason: `Chromium not available: execution could not be tried (${run.result.reason})` };
      if (run.result.executed) return { confirmed: true, exchangeIds: [w.id, ...run.sent], summary: `${candidate.proof.summary}; storing ${payload} and opening ${data.page} in Chromium ran it and called vouchProof('${n}')` };
      notes.push(run.result.note ?? 'stored but did not run (a CSP or the parser stopped it)');
    }
    return { confirmed: false, exchangeIds: sent, reason: `the stored payload did not execute in Chromium: ${[...new Set(notes)].join('; ')}` };
  },
  example: { url: 'http://127.0.0.1:8080/api/comments', summary: "json text=<img src=x onerror=\"vouchProof('1a2b3c4d5e')\"> stored by POST /api/comments; GET /guestbook ran it in Chromium and called vouchProof('1a2b3c4d5e')" },
});
