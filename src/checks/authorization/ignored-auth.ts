// src/checks/authorization/ignored-auth.ts — an operation declared as requiring authentication answers the same data
// without credentials (or with an invalid token); proof is the signed-in and the anonymous exchanges plus a replay.
import { z } from 'zod';
import type { Exchange, HeaderList, Identity } from '../../core/index.js';
import { buildRequest } from '../../inject/index.js';
import { defineCheck, type CandidateInput } from '../kit/define.js';
import { excerpt, isSuccess, similarBodies } from '../kit/compare.js';
import { all, requiresAuth, safeMethodOrNotSafeMode } from '../kit/guards.js';

/** The ways of asking without valid credentials, tried in order; the first accepted one is reported. */
const VARIANTS: ReadonlyArray<{ name: string; vulnClass: string; headers: HeaderList; says: string }> = [
  { name: 'none', vulnClass: 'no-auth', headers: [], says: 'without credentials' },
  { name: 'invalid-bearer', vulnClass: 'no-auth:invalid-token', headers: [['authorization', 'Bearer vouch-invalid']], says: 'with the invalid token "Bearer vouch-invalid"' },
];

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
const bodyOf = (x: Exchange): string => x.response?.body ?? '';
const anonymousOf = (ids: readonly Identity[]): Identity | undefined => ids.find((i) => i.role === 'anonymous' && i.auth.kind === 'none');

export default defineCheck({
  id: 'ignored-auth',
  family: 'authorization',
  kind: 'active',
  scope: 'operation',
  meta: {
    title: 'Authentication not enforced',
    description: 'An operation declared as requiring authentication answers the same data to a request without credentials or with an invalid token.',
    severity: 'high',
    cwe: 'CWE-306',
    owasp: 'A07:2021 Identification and Authentication Failures',
    remediation: 'Enforce authentication in the route (middleware applied to the router, deny by default) and answer 401 when credentials are missing or invalid.',
    proves: 'The signed-in request and the anonymous one both answer 2xx with the same JSON shape (or ≥ 90% similar text), and an anonymous replay answers 2xx again.',
  },
  options: z.strictObject({
    /** Text similarity at or above which two non-JSON bodies count as the same content. Default 0.9. */
    similarity: z.number().min(0).max(1).default(0.9),
  }),
  appliesTo: all(requiresAuth, safeMethodOrNotSafeMode),
  async run(ctx) {
    const op = ctx.operation!;
    if (ctx.identity.role === 'anonymous') return { status: 'inconclusive', reason: 'needs a signed-in identity to compare with' };
    const anon = anonymousOf(ctx.identities);
    if (!anon) return { status: 'inconclusive', reason: 'needs an anonymous identity (role anonymous, auth none)' };
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
    const data = candidate.data as { variant?: string; authedId?: string } | undefined;
    const v = VARIANTS.find((x) => x.name === data?.variant);
    const authed = ctx.recorded().find((x) => x.id === data?.authedId);
    if (!op || !v || !authed) return { confirmed: false, exchangeIds: [], reason: 'the operation or the signed-in exchange is gone' };
    const req = buildRequest(op);
    // The confirm context runs as the candidate's (anonymous) identity.
    const replay = await ctx.send({ ...req, headers: [...(req.headers ?? []), ...v.headers] });
    const same = similarBodies(bodyOf(authed), bodyOf(replay), ctx.options.similarity);
    if (isSuccess(replay.response?.status) && same.similar) {
      return { confirmed: true, exchangeIds: [replay.id], summary: `${candidate.proof.summary}; an anonymous replay → ${replay.response!.status} again` };
    }
    return { confirmed: false, exchangeIds: [replay.id], reason: `the anonymous replay answered ${replay.response?.status ?? replay.error?.code ?? 'nothing'}${isSuccess(replay.response?.status) ? ` with a different body (${same.why})` : ''}` };
  },
  example: { url: 'http://127.0.0.1:8080/api/orders', summary: 'GET /api/orders without credentials → 200, same JSON shape as signed in as alice (→ 200); an anonymous replay → 200 again' },
});
