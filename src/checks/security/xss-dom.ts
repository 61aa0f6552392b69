// src/checks/security/xss-dom.ts — active: page script copies location.hash or a query parameter into an HTML or
// script sink (DOM-based XSS); proof is execution in Chromium calling vouchProof with a fresh random nonce.
import { z } from 'zod';
import type { Exchange } from '../../core/index.js';
import { buildRequest } from '../../inject/index.js';
import { defineCheck, type CandidateInput, type CheckContext } from '../kit/define.js';
import { all, methodIn, noPathParams, type Guard } from '../kit/guards.js';
import { loadForProof } from './support/browser.js';
import { isHtml, mediaType, nonce, textBody } from './support/exchanges.js';
import { realAnswer } from './support/tally.js';

const SOURCE = /location\s*\.\s*(?:hash|search|href)|document\s*\.\s*(?:URL|documentURI|baseURI)|URLSearchParams/;
const SINK = /\.\s*(?:innerHTML|outerHTML)\s*[+]?=|\.insertAdjacentHTML\s*\(|document\s*\.\s*write(?:ln)?\s*\(|\beval\s*\(|new\s+Function\s*\(|\bsetTimeout\s*\(\s*[^,(]*[a-z]|\.html\s*\(|createContextualFragment|(?:location|location\.href)\s*=|\.src\s*=|\.href\s*=/;
/** Query parameter names the script reads (`params.get('q')`, `searchParams.get("q")`). */
const PARAM = /\.get\(\s*['"]([\w.-]{1,40})['"]\s*\)/g;

const htmlPage: Guard = (op) => (op.sources.includes('html') || op.sources.includes('spa') || Object.values(op.responses ?? {}).some((r) => r.contentType?.includes('html')) ? undefined : 'not a page (no HTML source or response)');

export type Source = { kind: 'hash' } | { kind: 'query'; name: string };

/** The HTML payload a source carries, and (high) a javascript: URL for location/href sinks. */
export const payloads = (n: string, high: boolean): string[] => [`<img src=x onerror=vouchProof('${n}')>`, ...(high ? [`javascript:vouchProof('${n}')`] : [])];

/** The page URL with the payload in the source. */
export function sourceUrl(pageUrl: string, source: Source, payload: string): string {
  const u = new URL(pageUrl);
  u.hash = '';
  if (source.kind === 'hash') return `${u.toString()}#${payload}`;
  u.searchParams.set(source.name, payload);
  return u.toString();
}

/** The script a page runs: inline scripts and same-origin script files (fetched through the engine, at most 5). */
async function scriptsOf(ctx: CheckContext<unknown>, page: Exchange): Promise<string> {
  const html = textBody(page.response);
  const inline = [...html.matchAll(/<script\b[^>]*>([\s\S]*?)<\/script>/gi)].map((m) => m[1] ?? '');
  const handlers = [...html.matchAll(/\son\w+\s*=\s*["']([^"']*)["']/gi)].map((m) => m[1] ?? '');
  const origin = new URL(page.request.url).origin;
  const srcs = [...html.matchAll(/<script\b[^>]*\bsrc\s*=\s*["']?([^"'\s>]+)/gi)].map((m) => new URL(m[1]!, page.request.url)).filter((u) => u.origin === origin).slice(0, 5);
  const files: string[] = [];
  for (const u of srcs) {
    const known = ctx.recorded().find((x) => x.request.url === u.toString() && x.response);
    const x = known ?? (await ctx.send({ method: 'GET', url: u.toString() }));
    if (x.response && /javascript|ecmascript/.test(mediaType(x.response))) files.push(textBody(x.response));
  }
  return [...inline, ...handlers, ...files].join('\n;\n');
}

const SOURCES_PER_STRENGTH = { low: 2, default: 4, high: 8 } as const;

export default defineCheck({
  id: 'xss-dom',
  family: 'security',
  kind: 'active',
  scope: 'operation',
  // One "point" per source (the fragment, each query parameter the script reads). Bound for a page with one
  // source: the page and up to 5 script files once, then one Chromium load per payload (page + ≤5 scripts each).
  requestsPerPoint: { low: 12, default: 12, high: 18 },
  meta: {
    title: 'DOM-based cross-site scripting',
    description: 'Script on the page copies the URL fragment or a query parameter into an HTML or script sink, so a link can run script in the site\'s origin without the server ever seeing the payload.',
    severity: 'high',
    cwe: 'CWE-79',
    owasp: 'A03:2021 Injection',
    remediation: 'Write untrusted values with textContent / setAttribute (never innerHTML, document.write, eval or a javascript: URL), or sanitize with a vetted library (DOMPurify); add Trusted Types and a nonce-based CSP.',
    proves: 'Confirmed only by execution: the page with the payload in the source, loaded in Chromium (other origins blocked, CSP honoured), calls vouchProof with the exact random nonce, and again with a fresh nonce.',
  },
  options: z.strictObject({}),
  appliesTo: all(methodIn('GET'), noPathParams, htmlPage),
  async run(ctx) {
    const op = ctx.operation!;
    const page = await ctx.send(buildRequest(op));
    if (!page.response) return { status: 'inconclusive', reason: `the page did not load: ${page.error?.message ?? 'no response'}` };
    if (!realAnswer(page)) return { status: 'inconclusive', reason: `the page answered ${page.response.status} (a rate limit or server error), so its script could not be read` };
    if (!isHtml(page.response) || page.response.status >= 400) return { status: 'clean' };
    const script = await scriptsOf(ctx as CheckContext<unknown>, page);
    if (!SOURCE.test(script) || !SINK.test(script)) return { status: 'clean' }; // no URL source reaches any sink
    const names = [...new Set([...[...script.matchAll(PARAM)].map((m) => m[1]!), ...op.params.filter((p) => p.in === 'query').map((p) => p.name)])];
    const sources: Source[] = [{ kind: 'hash' as const }, ...names.map((name) => ({ kind: 'query' as const, name }))].slice(0, SOURCES_PER_STRENGTH[ctx.strength]);
    const pageUrl = ctx.url(buildRequest(op).url);
    const notes: string[] = [];
    for (const source of sources) {
      for (const [form] of payloads('', ctx.strength === 'high').entries()) {
        const n = nonce();
        const payload = payloads(n, true)[form]!;
        const url = sourceUrl(pageUrl, source, payload);
        const run = await loadForProof(ctx, url, n);
        if (!run.result.tried) return { status: 'inconclusive', reason: `Chromium not available: execution could not be tried (${run.result.reason})` };
        if (!run.result.executed) {
          if (run.result.note) notes.push(run.result.note);
          continue;
        }
        const where = source.kind === 'hash' ? 'location.hash' : `query ${source.name}`;
        const candidate: CandidateInput = {
          operation: { method: op.method, path: op.path },
          url,
          parameter: source.kind === 'hash' ? 'fragment' : `query:${source.name}`,
          vulnClass: 'xss-dom',
          confidence: 'tentative',
          proof: { summary: `${where}=${payload} → in Chromium the page's own script ran it and called vouchProof('${n}')`, exchangeIds: run.page ? [run.page.id, ...run.sent.filter((id) => id !== run.page!.id)] : run.sent, evidence: `executed from ${where}`, payload },
          data: { source, form },
        };
        return { status: 'found', candidates: [candidate] };
      }
    }
    return { status: 'clean' };
  },
  async confirm(candidate, ctx) {
    const op = ctx.operation;
    const data = candidate.data as { source: Source; form: number } | undefined;
    if (!op || !data) return { confirmed: false, exchangeIds: [], reason: 'the operation is no longer in the surface' };
    const n = nonce();
    const payload = payloads(n, true)[data.form]!;
    const run = await loadForProof(ctx, sourceUrl(ctx.url(buildRequest(op).url), data.source, payload), n);
    if (!run.result.tried) return { confirmed: false, exchangeIds: run.sent, reason: `Chromium not available (${run.result.reason})` };
    if (run.result.executed) return { confirmed: true, exchangeIds: run.sent, summary: `${candidate.proof.summary}; a fresh nonce ${n} ran too` };
    return { confirmed: false, exchangeIds: run.sent, reason: 'the payload did not execute on replay' };
  },
  example: { url: 'http://127.0.0.1:8080/welcome#%3Cimg%20src=x%20onerror=vouchProof(%271a2b3c4d5e%27)%3E', summary: "location.hash=<img src=x onerror=vouchProof('1a2b3c4d5e')> → in Chromium the page's own script ran it and called vouchProof('1a2b3c4d5e')" },
});
