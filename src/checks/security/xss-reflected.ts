// src/checks/security/xss-reflected.ts — active: a request's value (query, posted form/JSON/raw body, a script's path
// info) is reflected unescaped into the HTML page answering it (tentative); confirmed only when a payload actually
// runs in Chromium and calls back with the exact nonce.
import { z } from 'zod';
import type { Exchange, Operation, SendRequest } from '../../core/index.js';
import { proveExecution } from '../../browser/execution.js';
import { buildRequest, injectionPoints, pointLabel, type InjectionPoint } from '../../inject/index.js';
import { defineCheck, type CandidateInput, type CheckContext } from '../kit/define.js';
import { withFormFields } from '../kit/fields.js';
import { type Guard } from '../kit/guards.js';
import { isHtml, nonce, textBody } from './support/exchanges.js';
import { SignedInRetry } from './support/signed-in.js';
import { Tally } from './support/tally.js';

/** A GET form's fields travel in the query string, as a browser sends them. */
export function asQuery(op: Operation): Operation {
  return { ...op, params: op.params.map((p) => (p.in === 'form' ? { ...p, in: 'query' as const } : p)) };
}

/** Methods whose body fields are tried (a browser form posts them; a page may echo them back). */
const BODY_METHODS = ['POST', 'PUT', 'PATCH'];
/** Paths ending in a server script (`/index.php`): the path after it (PATH_INFO) reaches `$_SERVER['PHP_SELF']`. */
const SCRIPT_PATH = /\.(php\d?|phtml|aspx?|jsp|cgi|pl)$/i;
/** The point for the text appended after a script's path (`/index.php/<value>`), echoed where PHP_SELF is. */
export const PATH_INFO: InjectionPoint = { location: 'path', name: '(path info)', base: '' };

/**
 * Where a reflection is looked for: a GET's query parameters (GET form fields included); a POST/PUT/PATCH's
 * query, form, JSON and raw-body fields (a form body the spec declares only as a schema included); and, on a
 * path ending in a server script, the path info after it. GraphQL answers JSON: not a page.
 */
export function reflectionPoints(op: Operation): InjectionPoint[] {
  const get = op.method === 'GET';
  const points = get
    ? injectionPoints(asQuery(op)).filter((p) => p.location === 'query')
    : BODY_METHODS.includes(op.method) && !op.graphql
      ? injectionPoints(withFormFields(op)).filter((p) => ['query', 'form', 'json', 'body'].includes(p.location))
      : [];
  return (get || BODY_METHODS.includes(op.method)) && SCRIPT_PATH.test(op.path) ? [...points, PATH_INFO] : points;
}

/** The request for one point of an operation set to `value` (a GET form's fields in the query string). */
export function reflectionRequest(op: Operation, point: InjectionPoint, value: string): SendRequest {
  const shaped = op.method === 'GET' ? asQuery(op) : withFormFields(op);
  if (point !== PATH_INFO && !(point.location === PATH_INFO.location && point.name === PATH_INFO.name)) return buildRequest(shaped, point, value);
  const req = buildRequest(shaped);
  const at = req.url.indexOf('?');
  const path = at < 0 ? req.url : req.url.slice(0, at);
  return { ...req, url: `${path}/${encodeURIComponent(value)}${at < 0 ? '' : req.url.slice(at)}` };
}

const applies: Guard = (op, env) => {
  if (op.method !== 'GET' && !BODY_METHODS.includes(op.method)) return `method ${op.method} is not one of GET, ${BODY_METHODS.join(', ')}`;
  if (op.method !== 'GET' && env.safeMode) return `safe mode: ${op.method} not sent`;
  if (reflectionPoints(op).length) return undefined;
  if (op.method === 'GET') return 'no query or GET-form parameters';
  return op.graphql ? 'a GraphQL answer is JSON, not a page' : 'no query, form, JSON or raw-body field';
};

export type ReflectionContext = 'html' | 'attribute' | 'script' | 'script-src' | 'comment' | `rcdata:${string}`;

/** Where in the HTML document the text at `index` sits (a cheap tokenizer-free approximation). */
export function contextAt(html: string, index: number): ReflectionContext {
  const before = html.slice(0, index).toLowerCase();
  const open = (tag: string): boolean => before.lastIndexOf(`<${tag}`) > before.lastIndexOf(`</${tag}`);
  if (before.lastIndexOf('<!--') > before.lastIndexOf('-->')) return 'comment';
  if (open('script')) {
    // Still in the start tag, at the start of its src value: the value names the script the page loads.
    const tag = before.slice(before.lastIndexOf('<script'));
    return !tag.includes('>') && /\ssrc\s*=\s*["']?$/.test(tag) ? 'script-src' : 'script';
  }
  for (const tag of ['textarea', 'title', 'style', 'noscript', 'xmp', 'iframe', 'noembed']) if (open(tag)) return `rcdata:${tag}`;
  if (before.lastIndexOf('<') > before.lastIndexOf('>')) return 'attribute';
  return 'html';
}

/** Markers tried per parameter, in order; high strength adds an upper-case tag that case-sensitive filters miss. */
const MARKERS: ReadonlyArray<(n: string) => string> = [(n) => `vouch${n}"'<x-vouch-${n}>`, (n) => `vouch${n}"'<X-VOUCH-${n}>`];
const COUNTS = { low: 1, default: 1, high: 2 } as const;
const handler = (n: string): string => `<img src=x onerror="vouchProof('${n}')">`;

/**
 * Hosts anyone can publish a script on (public npm CDNs that serve any package's files as JavaScript): a page that
 * loads a script whose URL an attacker names, from one of these, runs the attacker's code. Nothing is ever sent
 * to them: the confirmation answers such a script request itself, with the proof call.
 */
export const PUBLIC_SCRIPT_HOSTS = ['cdn.jsdelivr.net', 'unpkg.com'] as const;
const publicScript = (host: string, n: string): string => `https://${host}/${host === 'unpkg.com' ? '' : 'npm/'}vouch-proof@1.0.0/${n}.js`;

/** Execution payloads for a context, in the order tried. */
export function executionPayloads(context: ReflectionContext, n: string): string[] {
  // The value is a script's URL: one on a public CDN, which the page's CSP (honoured by Chromium) may allow.
  if (context === 'script-src') return PUBLIC_SCRIPT_HOSTS.map((h) => publicScript(h, n));
  // In a script, quotes are often JS-escaped while `<` is not: the first variant uses no quote at all.
  if (context === 'script') return [`</script><img src=x onerror=vouchProof(/${n}/.source)>`, `'-vouchProof('${n}')-'`, `"-vouchProof('${n}')-"`];
  if (context === 'attribute') return [`'">${handler(n)}`];
  if (context === 'comment') return [`-->${handler(n)}`];
  if (context.startsWith('rcdata:')) return [`</${context.slice(7)}>${handler(n)}`];
  // Upper-case tag and handler names for filters that only strip lower-case tags (HTML names are case-blind).
  return [handler(n), `<IMG SRC=x ONERROR="vouchProof('${n}')">`];
}

/**
 * A body write whose answer shows the marker may have stored it (a guestbook answers with the list it appended
 * to): the marker is looked for once in a plain GET of the same path, and a marker found there is a stored value,
 * left to xss-stored (one finding per point). Operations with path parameters are not read back.
 */
async function notStored<O>(ctx: CheckContext<O>, op: Operation, candidates: CandidateInput[]): Promise<CandidateInput[]> {
  if (!candidates.length || op.path.includes('{')) return candidates;
  const back = await ctx.send({ method: 'GET', url: op.path });
  const html = textBody(back.response).toLowerCase();
  return candidates.filter((c) => !html.includes(`<x-vouch-${(c.data as { n: string }).n}>`));
}

export default defineCheck({
  id: 'xss-reflected',
  family: 'security',
  kind: 'active',
  scope: 'operation',
  // One marker per parameter; at high strength a second form when the first is not reflected unescaped.
  requestsPerPoint: COUNTS,
  meta: {
    title: 'Reflected cross-site scripting',
    description: 'A query parameter, a posted form, JSON or raw-body field, or the path after a server script is copied into the HTML page answering it without escaping, so a link or a cross-site form can run script in the site\'s origin.',
    severity: 'high',
    cwe: 'CWE-79',
    owasp: 'A03:2021 Injection',
    remediation: 'Escape output for its context with the template engine\'s auto-escaping (never mark user input as safe), and add a nonce-based Content-Security-Policy as a second line of defence.',
    proves: 'Confirmed only by execution: the page loaded in Chromium (other origins blocked) calls vouchProof with the exact random nonce. An unescaped reflection alone stays tentative.',
  },
  options: z.strictObject({
    /** Try to prove execution in Chromium. Default true; without it findings stay tentative. */
    browser: z.boolean().default(true),
  }),
  appliesTo: applies,
  async run(ctx) {
    const op = ctx.operation!;
    const candidates: CandidateInput[] = [];
    const tally = new Tally();
    // An anonymous request refused for lack of credentials goes again, and the rest too, as a signed-in identity.
    const sender = new SignedInRetry(ctx);
    for (const point of reflectionPoints(op)) {
      for (const marker of MARKERS.slice(0, COUNTS[ctx.strength])) {
        const n = nonce();
        const payload = marker(n);
        const x = tally.note(await sender.send(reflectionRequest(op, point, payload)));
        const body = textBody(x.response);
        const at = body.toLowerCase().indexOf(`<x-vouch-${n}>`);
        if (!isHtml(x.response) || at < 0) continue;
        // Where the value starts tells a script's URL (the marker's quotes may end that attribute before the tag).
        const start = body.toLowerCase().lastIndexOf(`vouch${n}`, at);
        const context = start >= 0 && contextAt(body, start) === 'script-src' ? 'script-src' : contextAt(body, at);
        candidates.push({
          operation: { method: op.method, path: op.path },
          url: x.request.url,
          parameter: pointLabel(point),
          vulnClass: 'xss-reflected',
          confidence: 'tentative',
          proof: {
            summary: `${point.location} ${point.name}=${payload} → ${x.response?.status ?? '-'} text/html reflecting ${body.slice(at, at + n.length + 10)} unescaped in ${context} context`,
            exchangeIds: [x.id],
            evidence: body.slice(Math.max(0, at - 60), at + n.length + 70),
            payload,
          },
          data: { point, context, n },
          ...(sender.who ? { identity: sender.who } : {}),
        });
        break;
      }
    }
    const reflected = op.method === 'GET' ? candidates : await notStored(sender.context, op, candidates);
    if (reflected.length) return { status: 'found', candidates: reflected };
    return tally.result();
  },
  async confirm(candidate, ctx) {
    const data = candidate.data as { point: InjectionPoint; context: ReflectionContext } | undefined;
    if (!ctx.operation || !data) return { confirmed: false, exchangeIds: [], reason: 'the operation is no longer in the surface' };
    if (!ctx.options.browser) return { confirmed: false, exchangeIds: [], reason: 'browser proof turned off (options.browser: false)' };
    const op = ctx.operation;
    const origin = new URL(ctx.target.url).origin;
    const sent: string[] = [];
    const notes: string[] = [];
    const tries = executionPayloads(data.context, '').length;
    for (let i = 0; i < tries; i++) {
      const n = nonce();
      const payload = executionPayloads(data.context, n)[i]!;
      const req = reflectionRequest(op, data.point, payload);
      const url = ctx.url(req.url);
      let page: Exchange | undefined;
      let published: string | undefined;
      const result = await proveExecution({
        url,
        origin,
        nonce: n,
        // The navigation is the vouch-built URL sent through the engine (recorded: it is the proof exchange);
        // the page's own same-origin requests go through the engine too, so scope, budget and audit apply.
        serve: async ({ method, url: u, navigation }) => {
          // The script named on a public CDN: answered here with the proof call (a file anyone could publish there).
          if (!navigation && data.context === 'script-src' && u.includes(n) && PUBLIC_SCRIPT_HOSTS.some((h) => new URL(u).host === h)) {
            published = u;
            return { status: 200, headers: [['content-type', 'application/javascript']], body: Buffer.from(`vouchProof(${JSON.stringify(n)});`) };
          }
          const x = navigation && !page ? (page = await ctx.send({ ...req, url })) : await ctx.send({ method, url: u });
          if (!page) page = x;
          // Requests the engine refused (another origin out of scope) are in its audit log, not part of the proof.
          if (!x.error?.code.startsWith('VOUCH_')) sent.push(x.id);
          const res = x.response;
          if (!res || res.notes?.some((n) => n.startsWith('could not decode'))) return undefined; // nothing faithful to render
          // The engine decodes gzip/deflate/br only when the request asked for it; then the header no longer applies.
          const decoded = x.request.headers.some(([k]) => k.toLowerCase() === 'accept-encoding');
          const headers = decoded ? res.headers.filter(([k]) => k.toLowerCase() !== 'content-encoding') : res.headers;
          return { status: res.status, headers, body: Buffer.from(res.body, res.bodyEncoding === 'base64' ? 'base64' : 'utf8') };
        },
      });
      if (!result.tried) return { confirmed: false, exchangeIds: sent, reason: `Chromium not available: execution could not be tried (${result.reason})` };
      if (result.executed && page) {
        return {
          confirmed: true,
          exchangeIds: [page.id, ...sent.filter((id) => id !== page!.id)],
          summary: `${candidate.proof.summary}; in Chromium, ${data.point.location} ${data.point.name}=${payload}${op.method === 'GET' ? '' : ` (${op.method}, the page its answer is)`} ran and called vouchProof('${n}')${published ? ` (the page loaded ${published}, on a public CDN anyone can publish to; vouch answered it with that call, nothing was sent there)` : ''}`,
        };
      }
      notes.push(result.note ?? (page && textBody(page.response).includes(payload) ? 'reflected but did not run (a CSP or the parser stopped it)' : 'not reflected unescaped'));
    }
    return { confirmed: false, exchangeIds: sent, reason: `the payload did not execute in Chromium: ${[...new Set(notes)].join('; ')}` };
  },
  example: { url: 'http://127.0.0.1:8080/search?q=%3Cimg%20src%3Dx%20onerror%3D%22vouchProof(%271a2b3c4d5e%27)%22%3E', summary: 'query q reflected unescaped in html context; in Chromium the payload ran and called vouchProof(\'1a2b3c4d5e\')' },
});
