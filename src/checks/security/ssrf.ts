// src/checks/security/ssrf.ts — active, blind: a URL-, path- or file-like parameter makes the server fetch a URL vouch
// chose; proof is the callback at vouch's out-of-band listener carrying the per-payload token, again with a fresh one.
import { z } from 'zod';
import type { Exchange, Operation } from '../../core/index.js';
import { buildRequest, injectionPoints, type InjectionPoint } from '../../inject/index.js';
import { defineCheck, type CandidateInput } from '../kit/define.js';
import { all, safeMethodOrNotSafeMode, type Guard } from '../kit/guards.js';
import { refusedForCredentials, SignedInRetry } from './support/signed-in.js';
import { Tally } from './support/tally.js';

const NAME = /^(?:url|uri|link|href|src|source|callback|callback_?url|webhook|webhook_?url|hook|notify_?url|next|image|image_?url|img|avatar|avatar_?url|icon|logo|feed|rss|fetch|load|proxy|remote|endpoint|target|dest|destination|site|page|file_?url|document|pdf|preview|import|host)$/i;
const LOOKS_LIKE_URL = /^https?:\/\//i;
/**
 * Names of a path, file or resource: readers of such a parameter often accept a URL too (`path=http://…`, an
 * include, a template or document loader), and then fetch it.
 */
const PATH_NAME = /^(?:path|file|file_?name|file_?path|filepath|resource|resource_?path|template|tpl|doc|docs|include|inc|style|stylesheet|xsl|wsdl|download|attachment|location_?url)$/i;
/** An example value that is a path or a file name: `/a/b`, `./a`, `a/b/c.jpg`, `page.php`. */
const LOOKS_LIKE_PATH = /^(?:\.{0,2}\/[^\s?#]*|[\w.-]+(?:\/[\w.-]+)+|[\w-]+\.(?:html?|php|jsp|aspx?|xml|json|txt|pdf|jpe?g|png|gif|svg|md|ya?ml|csv|tpl|xsl))$/i;
/** A media type (`image/jpg`) is no path. */
const MEDIA_TYPE = /^(?:application|image|text|audio|video|multipart|font|model)\/[\w.+-]+$/i;
const looksLikePath = (v: string): boolean => LOOKS_LIKE_PATH.test(v) && !MEDIA_TYPE.test(v);
/** Methods that write in place: path and file names are not tried there (a URL would become a file's name). */
const WRITES_IN_PLACE = new Set(['PUT', 'PATCH', 'DELETE']);

/**
 * Injection points that may carry a URL the server fetches: by a URL-like name or an http(s) example value, and,
 * on methods that do not write in place, by a path-like name or a path or file-name example value.
 */
export function urlPoints(op: Operation): InjectionPoint[] {
  const paths = !WRITES_IN_PLACE.has(op.method.toUpperCase());
  return injectionPoints(op, { inline: true }).filter((p) => {
    if (!['query', 'form', 'json'].includes(p.location)) return false;
    const name = p.name.split('.').pop() ?? '';
    return NAME.test(name) || LOOKS_LIKE_URL.test(p.base) || (paths && (PATH_NAME.test(name) || looksLikePath(p.base)));
  });
}

const hasUrlParam: Guard = (op) => (urlPoints(op).length > 0 ? undefined : 'no parameter looks like a URL, a path or a file the server could fetch');

/** Payload forms: the plain URL; at high strength also scheme-relative and with a user-info prefix. */
const FORMS: ReadonlyArray<(url: string) => string> = [(u) => u, (u) => u.replace(/^https?:/, ''), (u) => u.replace(/^(https?:\/\/)/, '$1vouch@')];
const PER_POINT = { low: 1, default: 1, high: 3 } as const;

const NO_LISTENER = 'no out-of-band listener runs (oob.enabled is false or it could not start), so a blind callback cannot be seen';


export default defineCheck({
  id: 'ssrf',
  family: 'security',
  kind: 'active',
  scope: 'operation',
  needsOob: true,
  requestsPerPoint: PER_POINT,
  meta: {
    title: 'Server-side request forgery',
    description: 'A parameter holding a URL makes the server itself request that URL, so an attacker can reach internal services, cloud metadata or other hosts through it.',
    severity: 'high',
    cwe: 'CWE-918',
    owasp: 'A10:2021 Server-Side Request Forgery',
    remediation: 'Fetch only from an allow-list of hosts (resolved and re-checked after DNS, redirects off), block private, loopback and link-local ranges, and prefer an opaque id over a caller-supplied URL.',
    proves: 'vouch\'s out-of-band listener received a request carrying the random token of the URL sent in that parameter (a token sent nowhere else), and again with a fresh token on replay.',
  },
  options: z.strictObject({
    /** How long to wait for callbacks after sending, ms. Default 1000. */
    waitMs: z.number().int().min(100).max(60_000).default(1000),
  }),
  appliesTo: all(hasUrlParam, safeMethodOrNotSafeMode),
  async run(ctx) {
    const op = ctx.operation!;
    const oob = ctx.oob;
    if (!oob) return { status: 'inconclusive', reason: NO_LISTENER };
    const sent: Array<{ point: InjectionPoint; form: number; token: string; payload: string; x: Exchange }> = [];
    // Refused for lack of credentials or of a role (401, 403): sent again, and the rest, as the next identity up.
    const sender = new SignedInRetry(ctx);
    for (const point of urlPoints(op)) {
      for (let form = 0; form < PER_POINT[ctx.strength]; form++) {
        const { url, token } = oob.mint();
        const payload = FORMS[form]!(url);
        sent.push({ point, form, token, payload, x: await sender.send(buildRequest(op, point, payload)) });
      }
    }
    const as = sender.who ? ` as ${sender.who} (${ctx.identity.name} was refused)` : '';
    // A 5xx or 429 answer may mean the fetch never ran: such payloads leave the point unjudged.
    const tally = new Tally();
    for (const s of sent) tally.note(s.x);
    const callbacks = await Promise.all(sent.map((s) => oob.waitFor(s.token, ctx.options.waitMs)));
    const candidates: CandidateInput[] = [];
    const seen = new Set<string>();
    sent.forEach((s, i) => {
      const cb = callbacks[i];
      const key = `${s.point.location}:${s.point.name}`;
      if (!cb || seen.has(key)) return;
      seen.add(key);
      candidates.push({
        operation: { method: op.method, path: op.path },
        url: s.x.request.url,
        parameter: key,
        vulnClass: 'ssrf',
        confidence: 'tentative',
        proof: {
          summary: `${s.point.location} ${s.point.name}=${s.payload}${as} → ${s.x.response?.status ?? '-'}; the server then requested ${cb.request.method} ${new URL(cb.request.url).pathname} at vouch's listener with the token`,
          exchangeIds: [s.x.id, cb.id],
          evidence: `${cb.request.method} ${cb.request.url} (${cb.response?.notes?.[0] ?? 'callback'})`,
          payload: s.payload,
        },
        data: { point: s.point, form: s.form },
        ...(sender.who ? { identity: sender.who } : {}),
      });
    });
    if (candidates.length) return { status: 'found', candidates };
    // Refused on every payload, by every identity up the ladder: the fetch was never reached, so nothing is known.
    if (sent.length && sent.every((s) => refusedForCredentials(s.x))) {
      const statuses = [...new Set(sent.map((s) => s.x.response?.status ?? 0))].join('/');
      return { status: 'inconclusive', reason: `every payload was refused (${statuses}) as ${sender.who ?? ctx.identity.name}${sender.who ? ` after ${ctx.identity.name}` : ''}; no identity that may use the operation is configured` };
    }
    return tally.result();
  },
  async confirm(candidate, ctx) {
    const op = ctx.operation;
    const data = candidate.data as { point: InjectionPoint; form: number } | undefined;
    if (!op || !data) return { confirmed: false, exchangeIds: [], reason: 'the operation is no longer in the surface' };
    if (!ctx.oob) return { confirmed: false, exchangeIds: [], reason: NO_LISTENER };
    const { url, token } = ctx.oob.mint();
    const x = await ctx.send(buildRequest(op, data.point, FORMS[data.form]!(url)));
    const cb = await ctx.oob.waitFor(token, ctx.options.waitMs);
    if (cb) return { confirmed: true, exchangeIds: [x.id, cb.id], summary: `${candidate.proof.summary}; a fresh token called back too` };
    return { confirmed: false, exchangeIds: [x.id], reason: 'the replay with a fresh token brought no callback' };
  },
  example: { url: 'http://127.0.0.1:8080/api/preview?url=http%3A%2F%2F127.0.0.1%3A40123%2Fv%2F1a2b3c4d5e6f7a8b', summary: 'query url=http://127.0.0.1:40123/v/1a2b3c4d5e6f7a8b → 200; the server then requested GET /v/1a2b3c4d5e6f7a8b at vouch\'s listener with the token' },
});
