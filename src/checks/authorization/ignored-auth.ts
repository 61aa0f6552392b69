// src/checks/authorization/ignored-auth.ts — an operation declared as requiring authentication (or called only by
// pages that require it, with records of accounts in its answer) answers the same data without credentials (or with
// an invalid token); proof is the signed-in and the anonymous exchanges (the page refused anonymously) plus a replay.
import { z } from 'zod';
import type { Exchange, HeaderList, Identity, Operation } from '../../core/index.js';
import { buildRequest } from '../../inject/index.js';
import { defineCheck, type CandidateInput, type CheckContext, type CheckResult } from '../kit/define.js';
import { escapeRegExp, excerpt, isSuccess, jsonBody, similarBodies } from '../kit/compare.js';
import { all, requiresAuth, safeMethodOrNotSafeMode, type Guard } from '../kit/guards.js';

/** The ways of asking without valid credentials, tried in order; the first accepted one is reported. */
const VARIANTS: ReadonlyArray<{ name: string; vulnClass: string; headers: HeaderList; says: string }> = [
  { name: 'none', vulnClass: 'no-auth', headers: [], says: 'without credentials' },
  { name: 'invalid-bearer', vulnClass: 'no-auth:invalid-token', headers: [['authorization', 'Bearer vouch-invalid']], says: 'with the invalid token "Bearer vouch-invalid"' },
];

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
const bodyOf = (x: Exchange): string => x.response?.body ?? '';
const anonymousOf = (ids: readonly Identity[]): Identity | undefined => ids.find((i) => i.role === 'anonymous' && i.auth.kind === 'none');

/** A read a page makes (the browser crawl's XHR/fetch): guarded, it may be, by the page that calls it alone. */
const pageCall = (op: Operation): boolean => op.method === 'GET' && op.sources.includes('spa') && !op.graphql;
const requiredOrPageCall: Guard = (op, env) => (pageCall(op) ? undefined : requiresAuth(op, env) && 'the operation is not declared as requiring authentication, nor a read a page makes');

const ID_KEY = /^(id|_id|uuid|uid|user_?id|account_?id|customer_?id|member_?id)$/i;
const PERSON_KEY = /^(first_?name|last_?name|surname|given_?name|family_?name|full_?name|user_?name|login|e-?mail|phone(_?number)?|mobile|address|birth_?date|dob)$/i;

/** The records of accounts (an id beside a name, an e-mail, a phone…) a JSON answer holds: the fields of the first. */
export function accountRecords(value: unknown): { count: number; fields: string[] } | undefined {
  const items = Array.isArray(value) ? value : value && typeof value === 'object' ? Object.values(value as object).find(Array.isArray) ?? [value] : [];
  const records = (items as unknown[]).filter((o): o is Record<string, unknown> => {
    if (!o || typeof o !== 'object' || Array.isArray(o)) return false;
    const entries = Object.entries(o as Record<string, unknown>);
    return entries.some(([k]) => ID_KEY.test(k)) && entries.some(([k, v]) => PERSON_KEY.test(k) && typeof v === 'string' && v !== '');
  });
  return records.length ? { count: records.length, fields: Object.keys(records[0]!).filter((k) => ID_KEY.test(k) || PERSON_KEY.test(k)) } : undefined;
}

const pathOf = (url: string): string => new URL(url, 'http://x').pathname;
/** A sign-in page's path (`/login.php`, `/auth/sign-in`), where a page closed to anonymous callers sends them. */
const SIGN_IN_PAGE = /log-?in|sign-?in|(^|\/)(auth|sso)(\/|$)/i;

/** Whether a page refuses anonymous callers: 401, 403, or a redirect to a sign-in page (whatever the page is called). */
function shutToAnonymous(x: Exchange): boolean {
  const status = x.response?.status ?? 0;
  if (status === 401 || status === 403) return true;
  const location = status >= 300 && status < 400 ? x.response!.headers.find(([k]) => k.toLowerCase() === 'location')?.[1] : undefined;
  return location !== undefined && SIGN_IN_PAGE.test(new URL(location, x.request.url).pathname);
}
const headerOf = (x: Exchange, name: string): string | undefined => x.request.headers.find(([k]) => k.toLowerCase() === name)?.[1];

/**
 * The pages that made this call in discovery's crawls, by the identity that rendered them (the Referer of its
 * recorded request); `open` when the anonymous crawl made it too (a public page's call).
 */
function callers(op: Operation, recorded: readonly Exchange[], origin: string): { open: boolean; pages: Array<{ identity: string; page: string }> } {
  const route = new RegExp(`^${op.path.split(/\{[^}]+\}/).map(escapeRegExp).join('[^/]+')}$`);
  const pages: Array<{ identity: string; page: string }> = [];
  let open = false;
  for (const x of recorded) {
    if (x.checkId !== 'discover' || x.request.method !== op.method || !route.test(pathOf(x.request.url))) continue;
    const referer = headerOf(x, 'referer');
    if (!referer?.startsWith(origin)) continue;
    if (x.identity === 'anonymous') open = true;
    else if (!pages.some((p) => p.page === referer)) pages.push({ identity: x.identity, page: referer });
  }
  return { open, pages };
}

/**
 * A read only pages closed to anonymous callers make: the page refused anonymously, the read answered as the page's
 * signed-in identity and anonymously with the same content, and records of accounts in it.
 */
async function pageGuarded(ctx: CheckContext<{ similarity: number }>, anon: Identity): Promise<CheckResult> {
  const op = ctx.operation!;
  const { open, pages } = callers(op, ctx.recorded(), new URL(ctx.target.url).origin);
  if (open) return { status: 'clean' }; // a public page makes this call: it is public by design
  if (!pages.length) return { status: 'inconclusive', reason: `no signed-in page's call to ${op.path} with a Referer was recorded, so no page guards it` };
  const req = buildRequest(op);
  for (const { identity, page } of pages.slice(0, 2)) {
    const shut = await ctx.send({ method: 'GET', url: page, identity: anon.name });
    if (!shutToAnonymous(shut)) continue; // a page anonymous callers may open: its calls are theirs too
    const a = await ctx.send({ ...req, identity });
    if (!isSuccess(a.response?.status)) return { status: 'inconclusive', reason: `${op.method} ${op.path} as ${identity} answered ${a.response?.status ?? a.error?.code ?? 'nothing'}` };
    const records = accountRecords(jsonBody(a)?.value);
    if (!records) return { status: 'clean' }; // no account's data: nothing a stranger should not read
    const x = await ctx.send({ ...req, identity: anon.name });
    if (!isSuccess(x.response?.status)) return { status: 'clean' };
    const same = similarBodies(bodyOf(a), bodyOf(x), ctx.options.similarity);
    if (!same.similar || !accountRecords(jsonBody(x)?.value) || (await ctx.notFound(x))) return { status: 'clean' };
    const where = pathOf(page);
    const candidate: CandidateInput = {
      operation: { method: op.method, path: op.path },
      url: x.request.url,
      identity: anon.name,
      vulnClass: 'no-auth',
      confidence: 'tentative',
      proof: {
        summary: `${op.method} ${op.path}, called by ${where} (which answers anonymous callers ${shut.response!.status}: sign in first), without credentials → ${x.response!.status} with ${records.count} account record(s) (${records.fields.join(', ')}), ${same.why} as signed in as ${identity} (→ ${a.response!.status})`,
        exchangeIds: [x.id, a.id, shut.id],
        evidence: excerpt(bodyOf(x), 200),
      },
      data: { variant: 'none', authedId: a.id, page },
    };
    return { status: 'found', candidates: [candidate] };
  }
  return { status: 'clean' };
}

export default defineCheck({
  id: 'ignored-auth',
  family: 'authorization',
  kind: 'active',
  scope: 'operation',
  meta: {
    title: 'Authentication not enforced',
    description: 'An operation declared as requiring authentication answers the same data to a request without credentials or with an invalid token; or a read only pages closed to anonymous callers make answers them the same records of accounts.',
    severity: 'high',
    cwe: 'CWE-306',
    owasp: 'A07:2021 Identification and Authentication Failures',
    remediation: 'Enforce authentication in the route (middleware applied to the router, deny by default) and answer 401 when credentials are missing or invalid.',
    proves: "The signed-in request and the anonymous one both answer 2xx with the same JSON shape (or ≥ 90% similar text), and an anonymous replay answers 2xx again; for a page's read, the page that makes it refuses anonymous callers (401, 403, a redirect to sign in), again at the replay, and both answers hold records of accounts.",
  },
  options: z.strictObject({
    /** Text similarity at or above which two non-JSON bodies count as the same content. Default 0.9. */
    similarity: z.number().min(0).max(1).default(0.9),
  }),
  appliesTo: all(requiredOrPageCall, safeMethodOrNotSafeMode),
  async run(ctx) {
    const op = ctx.operation!;
    const anon = anonymousOf(ctx.identities);
    if (!anon) return { status: 'inconclusive', reason: 'needs an anonymous identity (role anonymous, auth none)' };
    const declared = requiresAuth(op, { safeMode: false }) === undefined;
    if (!declared && pageCall(op)) return pageGuarded(ctx, anon);
    if (ctx.identity.role === 'anonymous') return { status: 'inconclusive', reason: 'needs a signed-in identity to compare with' };
    const req = buildRequest(op);
    // Safe methods: the signed-in request first (the comparison point). Unsafe ones: the anonymous variants first, so
    // a protected DELETE or POST is never performed as the signed-in user unless it is already known to be open.
    let authed: Exchange | undefined;
    const signedIn = async (): Promise<Exchange> => (authed ??= await ctx.send(req));
    const refused = (x: Exchange): string | undefined =>
      !x.response ? `the signed-in request failed: ${x.error?.message ?? 'no response'}` : isSuccess(x.response.status) ? undefined : `the signed-in request answered ${x.response.status}, so there is nothing to compare with`;
    if (SAFE_METHODS.has(op.method)) {
      const why = refused(await signedIn());
      if (why) return { status: 'inconclusive', reason: why };
    }

    for (const v of VARIANTS) {
      const x = await ctx.send({ ...req, headers: [...(req.headers ?? []), ...v.headers], identity: anon.name });
      if (!isSuccess(x.response?.status)) continue;
      const a = await signedIn();
      const why = refused(a);
      if (why) return { status: 'inconclusive', reason: `${op.method} ${op.path} ${v.says} → ${x.response!.status}, but ${why}` };
      const same = similarBodies(bodyOf(a), bodyOf(x), ctx.options.similarity);
      if (!same.similar) continue; // a different page (a login form, a public teaser) is not the protected data
      const candidate: CandidateInput = {
        operation: { method: op.method, path: op.path },
        url: x.request.url,
        identity: anon.name,
        vulnClass: v.vulnClass,
        confidence: 'tentative',
        proof: {
          summary: `${op.method} ${op.path} ${v.says} → ${x.response!.status}, ${same.why} as signed in as ${ctx.identity.name} (→ ${a.response!.status})`,
          exchangeIds: [x.id, a.id],
          evidence: excerpt(bodyOf(x), 200),
        },
        data: { variant: v.name, authedId: a.id },
      };
      return { status: 'found', candidates: [candidate] };
    }
    return { status: 'clean' };
  },
  async confirm(candidate, ctx) {
    const op = ctx.operation;
    const data = candidate.data as { variant?: string; authedId?: string; page?: string } | undefined;
    const v = VARIANTS.find((x) => x.name === data?.variant);
    const authed = ctx.recorded().find((x) => x.id === data?.authedId);
    if (!op || !v || !authed) return { confirmed: false, exchangeIds: [], reason: 'the operation or the signed-in exchange is gone' };
    // The control of a page's read: the page that makes the call still refuses anonymous callers.
    const shut = data?.page ? await ctx.send({ method: 'GET', url: data.page }) : undefined;
    if (shut && !shutToAnonymous(shut)) return { confirmed: false, exchangeIds: [shut.id], reason: `the page ${pathOf(shut.request.url)} now answers anonymous callers ${shut.response?.status ?? shut.error?.code ?? 'nothing'}` };
    const req = buildRequest(op);
    // The confirm context runs as the candidate's (anonymous) identity.
    const replay = await ctx.send({ ...req, headers: [...(req.headers ?? []), ...v.headers] });
    const same = similarBodies(bodyOf(authed), bodyOf(replay), ctx.options.similarity);
    if (isSuccess(replay.response?.status) && same.similar) {
      const page = shut ? `; the page again → ${shut.response!.status}` : '';
      return { confirmed: true, exchangeIds: [...(shut ? [shut.id] : []), replay.id], summary: `${candidate.proof.summary}; an anonymous replay → ${replay.response!.status} again${page}` };
    }
    return { confirmed: false, exchangeIds: [replay.id], reason: `the anonymous replay answered ${replay.response?.status ?? replay.error?.code ?? 'nothing'}${isSuccess(replay.response?.status) ? ` with a different body (${same.why})` : ''}` };
  },
  example: { url: 'http://127.0.0.1:8080/api/orders', summary: 'GET /api/orders without credentials → 200, same JSON shape as signed in as alice (→ 200); an anonymous replay → 200 again' },
});
