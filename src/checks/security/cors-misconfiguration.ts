// src/checks/security/cors-misconfiguration.ts — active: the server reflects any Origin (or `null`) in
// Access-Control-Allow-Origin together with Allow-Credentials: true, so any site can read responses as the user.
// Also an origin check that a look-alike of a trusted origin passes (unanchored or unescaped regex). One task per
// scan: an app-wide policy is one finding, every operation it affects a location. `Access-Control-Allow-Origin: *` is
// reported (low) only on answers that need credentials: anonymous refused, a signed-in identity answered with `*`.
import { z } from 'zod';
import type { Exchange, Identity, Operation } from '../../core/index.js';
import { buildRequest } from '../../inject/index.js';
import { defineCheck, type CandidateInput, type CheckContext } from '../kit/define.js';
import { header, nonce } from './support/exchanges.js';
import { Tally } from './support/tally.js';

const attackerOrigin = (): string => `https://vouch-cors-${nonce()}.example`;

/** True when the response lets `origin` read it with the user's credentials. */
export function allowsWithCredentials(x: Exchange, origin: string): boolean {
  const res = x.response;
  if (!res) return false;
  const acao = header(res.headers, 'access-control-allow-origin')?.trim();
  const acac = header(res.headers, 'access-control-allow-credentials')?.trim().toLowerCase();
  return acao === origin && acac === 'true';
}

type Kind = 'cors-reflect-origin' | 'cors-null-origin';

/** A signed-in answer (2xx) that any origin may read: `Access-Control-Allow-Origin: *`. */
export function wildcardAnswer(x: Exchange): boolean {
  const res = x.response;
  return !!res && res.status >= 200 && res.status < 300 && header(res.headers, 'access-control-allow-origin')?.trim() === '*';
}

/** An answer that refuses a caller without credentials: 401, 403 or a redirect (to sign in). */
export const refused = (x: Exchange): boolean => !!x.response && (x.response.status === 401 || x.response.status === 403 || (x.response.status >= 300 && x.response.status < 400));

/**
 * Look-alikes of a trusted host `h` (`app.example.com`) that a sloppy origin check lets through, `n` fresh each
 * time: a prefix glued on (`.*app.example.com`, no dot boundary), the host as a prefix of another domain (no `$`
 * anchor), and a dot replaced by a letter (the dot of the regex unescaped).
 */
type LookAlike = { flaw: string; origin: (scheme: string, h: string, n: string) => string | undefined };
export const LOOKALIKES: readonly LookAlike[] = [
  { flaw: 'a prefix glued onto the trusted domain passes (no dot boundary)', origin: (s, h, n) => `${s}//vouch${n}-${h}` },
  {
    flaw: 'the trusted domain followed by another domain passes (no end anchor)',
    origin: (s, h, n) => `${s}//${h}.vouch${n}.example`,
  },
  {
    flaw: 'a letter in place of a dot passes (the dot is unescaped in the regex)',
    origin: (s, h, n) => (h.includes('.') ? `${s}//vouch${n}.${h.replace(/\.(?=[^.]*$)/, 'x')}` : undefined),
  },
];

/** Trusted origins to imitate: `trustedOrigins`, and the target's own origin when its host is a domain name. */
export function trustedOrigins(configured: readonly string[], target: string): string[] {
  const own = new URL(target);
  const named = !/^[\d.]+$|^\[|^localhost$/i.test(own.hostname);
  return [...new Set([...configured, ...(named ? [own.origin] : [])].map((o) => new URL(o).origin))];
}
interface Hit { op: Operation; identity: string; x: Exchange; origin: string }

/** GET operations without path parameters, sorted by route (so the first location, and the fingerprint, is stable). */
export const corsOperations = (ops: readonly Operation[]): Operation[] => ops.filter((o) => o.method === 'GET' && !o.path.includes('{')).sort((a, b) => a.path.localeCompare(b.path));

/** Who sends to an operation: the task's identity, or a non-privileged signed-in one when the operation needs it. */
function who(op: Operation, ctx: CheckContext<unknown>): Identity {
  if (op.auth !== 'required') return ctx.identity;
  return ctx.identities.find((i) => i.role === 'user') ?? ctx.identities.find((i) => i.role !== 'anonymous') ?? ctx.identity;
}

const withOrigin = (ctx: CheckContext<unknown>, op: Operation, identity: string, origin: string): Promise<Exchange> => {
  const base = buildRequest(op);
  return ctx.send({ ...base, identity, headers: [...(base.headers ?? []), ['origin', origin]] });
};

/**
 * Tries look-alikes of each trusted origin on `op`, only where the trusted origin itself is allowed with
 * credentials (the policy knows it) and an unrelated origin is not; the first look-alike allowed is a candidate.
 */
async function lookAlike(
  ctx: CheckContext<{ trustedOrigins: string[] }>,
  op: Operation,
  trusted: readonly string[],
): Promise<CandidateInput | undefined> {
  const identity = who(op, ctx).name;
  for (const origin of trusted) {
    const own = await withOrigin(ctx, op, identity, origin);
    if (!allowsWithCredentials(own, origin)) continue;
    const t = new URL(origin);
    for (const [flaw, l] of LOOKALIKES.entries()) {
      const fake = l.origin(t.protocol, t.host, nonce());
      if (!fake) continue;
      const x = await withOrigin(ctx, op, identity, fake);
      if (!allowsWithCredentials(x, fake)) continue;
      return {
        operation: { method: op.method, path: op.path },
        url: x.request.url,
        identity,
        severity: op.auth === 'required' ? 'high' : 'medium',
        title: 'CORS origin check lets look-alike origins through, with credentials',
        vulnClass: 'cors-origin-check-bypass',
        confidence: 'tentative',
        proof: {
          summary: `Origin: ${fake} → ${x.response?.status ?? '-'} with Access-Control-Allow-Origin: ${fake} and `
            + `Access-Control-Allow-Credentials: true, while the trusted ${origin} is allowed and a random origin is `
            + `not: ${l.flaw}`,
          exchangeIds: [x.id, own.id],
          evidence: `access-control-allow-origin: ${fake}; access-control-allow-credentials: true`,
          payload: `Origin: ${fake}`,
        },
        data: { kind: 'cors-origin-check-bypass', trusted: origin, flaw },
      };
    }
  }
  return undefined;
}

/** The anonymous identity's name, when the run has one. */
const anonymousName = (ctx: CheckContext<unknown>): string | undefined => ctx.identities.find((i) => i.role === 'anonymous')?.name;

/**
 * `Access-Control-Allow-Origin: *` on answers that are not public: a signed-in identity's 2xx answer carries it while
 * the same request without credentials is refused. (On a public answer `*` is what it is meant for: no finding.)
 * The first three such operations are tried; one grouped candidate lists those whose anonymous control was refused.
 */
async function nonPublicWildcard(ctx: CheckContext<unknown>, hits: readonly Hit[]): Promise<CandidateInput | undefined> {
  const anonymous = anonymousName(ctx);
  if (!anonymous || !hits.length) return undefined;
  const proven: Array<Hit & { control: Exchange }> = [];
  for (const h of hits.slice(0, 3)) {
    const control = await withOrigin(ctx, h.op, anonymous, attackerOrigin());
    if (refused(control)) proven.push({ ...h, control });
  }
  const first = proven[0];
  if (!first) return undefined;
  return {
    operation: { method: first.op.method, path: first.op.path },
    url: first.x.request.url,
    identity: first.identity,
    severity: 'low',
    title: 'CORS lets any origin read answers that need credentials (Access-Control-Allow-Origin: *)',
    vulnClass: 'cors-wildcard',
    grouped: true,
    confidence: 'tentative',
    proof: {
      summary: `Origin: ${first.origin} as ${first.identity} → ${first.x.response?.status ?? '-'} with Access-Control-Allow-Origin: *, `
        + `while the same request without credentials gets ${first.control.response?.status ?? '-'}: a non-public answer any `
        + `web page may read once it holds a token${proven.length > 1 ? `; ${proven.length - 1} more operation(s) alike` : ''}`,
      exchangeIds: [first.x.id, first.control.id],
      evidence: 'access-control-allow-origin: *',
      payload: `Origin: ${first.origin}`,
    },
    locations: proven.map((h) => ({ method: h.op.method, path: h.op.path, url: h.x.request.url })),
    data: { kind: 'cors-wildcard', anonymous },
  };
}

export default defineCheck({
  id: 'cors-misconfiguration',
  family: 'security',
  kind: 'active',
  scope: 'target',
  meta: {
    title: 'CORS allows any origin with credentials',
    description: 'The server copies the request Origin (or accepts `null`) into Access-Control-Allow-Origin and allows credentials, so any web page can read these responses with the visitor\'s cookies; or it marks answers that need a token readable by every origin (`*`).',
    severity: 'medium',
    cwe: 'CWE-942',
    owasp: 'A05:2021 Security Misconfiguration',
    remediation: 'Check the Origin against a fixed allow-list of your own origins before echoing it; never allow `null`; send Access-Control-Allow-Credentials only for allow-listed origins.',
    proves: 'Two different random attacker origins are each echoed back in Access-Control-Allow-Origin with Access-Control-Allow-Credentials: true (or `Origin: null` is accepted twice); for `*`, a signed-in 2xx answer carries it while the same request without credentials is refused, again on replay.',
  },
  options: z.strictObject({
    /** Also try `Origin: null` (sandboxed iframes and file: pages send it). Default true. */
    tryNull: z.boolean().default(true),
    /** Origins the API trusts (its front ends), whose look-alikes are tried; the target's own is added when named. */
    trustedOrigins: z.array(z.string().url()).max(5).default([]),
  }),
  async run(ctx) {
    const ops = corsOperations(ctx.surface.operations);
    if (!ops.length) return { status: 'inconclusive', reason: 'no GET operation without path parameters to send an Origin to' };
    const hits: Record<Kind, Hit[]> = { 'cors-reflect-origin': [], 'cors-null-origin': [] };
    // Only real answers count: a 5xx or 429 (without a credentialed reflection) says nothing about the policy.
    const tally = new Tally();
    let answered = 0;
    let failure = '';
    // A few operations at once (the engine's concurrency and rate limit still apply): one slow endpoint must not
    // hold up the rest. Hits are kept in route order whatever order answers come in.
    const results: Array<Hit & { kind: Kind } | undefined> = new Array(ops.length);
    // Operations whose signed-in answer carries `Access-Control-Allow-Origin: *` (judged below against anonymous).
    const wildcards: Array<Hit | undefined> = new Array(ops.length);
    const probe = async (i: number): Promise<void> => {
      const op = ops[i]!;
      const identity = who(op, ctx).name;
      const origin = attackerOrigin();
      const x = tally.note(await withOrigin(ctx, op, identity, origin));
      if (!x.response) {
        failure = x.error?.message ?? 'no response';
        return;
      }
      answered++;
      if (op.auth === 'required' && identity !== anonymousName(ctx) && wildcardAnswer(x)) wildcards[i] = { op, identity, x, origin };
      if (allowsWithCredentials(x, origin)) {
        results[i] = { kind: 'cors-reflect-origin', op, identity, x, origin };
        return;
      }
      if (ctx.options.tryNull) {
        const n = await withOrigin(ctx, op, identity, 'null');
        if (allowsWithCredentials(n, 'null')) results[i] = { kind: 'cors-null-origin', op, identity, x: n, origin: 'null' };
      }
    };
    let next = 0;
    await Promise.all(Array.from({ length: Math.min(4, ops.length) }, async () => {
      while (next < ops.length) await probe(next++);
    }));
    for (const r of results) if (r) hits[r.kind].push(r);
    if (!answered) return { status: 'inconclusive', reason: `the requests failed: ${failure}` };
    const candidates: CandidateInput[] = [];
    const wildcard = await nonPublicWildcard(ctx, wildcards.filter((w): w is Hit => !!w));
    if (wildcard) candidates.push(wildcard);
    // Any origin reflected already says everything; otherwise a look-alike of a trusted origin may pass the check.
    if (!hits['cors-reflect-origin'].length) {
      const bypass = await lookAlike(ctx, ops[0]!, trustedOrigins(ctx.options.trustedOrigins, ctx.target.url));
      if (bypass) candidates.push(bypass);
    }
    for (const [kind, list] of Object.entries(hits) as Array<[Kind, Hit[]]>) {
      const first = list[0];
      if (!first) continue;
      const what = kind === 'cors-reflect-origin' ? 'an arbitrary origin is reflected' : 'the null origin is trusted';
      candidates.push({
        operation: { method: first.op.method, path: first.op.path },
        url: first.x.request.url,
        identity: first.identity,
        severity: list.some((h) => h.op.auth === 'required') ? 'high' : 'medium',
        vulnClass: kind,
        // One policy of the whole app: which operations answered this run does not change the finding's identity.
        grouped: true,
        confidence: 'tentative',
        proof: {
          summary: `Origin: ${first.origin} → ${first.x.response?.status ?? '-'} with Access-Control-Allow-Origin: ${first.origin} and Access-Control-Allow-Credentials: true (${what})${list.length > 1 ? `; ${list.length - 1} more operation(s) alike` : ''}`,
          exchangeIds: list.slice(0, 3).map((h) => h.x.id),
          evidence: `access-control-allow-origin: ${first.origin}; access-control-allow-credentials: true`,
          payload: `Origin: ${first.origin}`,
        },
        locations: list.map((h) => ({ method: h.op.method, path: h.op.path, url: h.x.request.url })),
        data: { kind },
      });
    }
    return candidates.length ? { status: 'found', candidates } : tally.result();
  },
  async confirm(candidate, ctx) {
    const op = ctx.operation;
    if (!op) return { confirmed: false, exchangeIds: [], reason: 'the operation is no longer in the surface' };
    const data = candidate.data as { kind: string; trusted?: string; flaw?: number; anonymous?: string } | undefined;
    if (data?.kind === 'cors-wildcard' && data.anonymous) {
      const x = await withOrigin(ctx, op, ctx.identity.name, attackerOrigin());
      const control = await withOrigin(ctx, op, data.anonymous, attackerOrigin());
      if (wildcardAnswer(x) && refused(control)) {
        return { confirmed: true, exchangeIds: [x.id, control.id], summary: `${candidate.proof.summary}; the replay carries * again and anonymous is refused again (${control.response?.status ?? '-'})` };
      }
      const reason = wildcardAnswer(x) ? `the request without credentials was not refused (${control.response?.status ?? 'no answer'})` : 'the replay did not carry Access-Control-Allow-Origin: * on a 2xx';
      return { confirmed: false, exchangeIds: [x.id, control.id], reason };
    }
    if (data?.kind === 'cors-origin-check-bypass' && data.trusted !== undefined && data.flaw !== undefined) {
      // A fresh look-alike must pass again while an unrelated origin does not (else it is a plain reflection).
      const t = new URL(data.trusted);
      const origin = LOOKALIKES[data.flaw]!.origin(t.protocol, t.host, nonce())!;
      const x = await withOrigin(ctx, op, ctx.identity.name, origin);
      const stranger = attackerOrigin();
      const control = await withOrigin(ctx, op, ctx.identity.name, stranger);
      const ids = [x.id, control.id];
      const again = allowsWithCredentials(x, origin);
      if (again && !allowsWithCredentials(control, stranger)) {
        const summary = `${candidate.proof.summary}; a fresh look-alike ${origin} is allowed again, an unrelated ${stranger} is not`;
        return { confirmed: true, exchangeIds: ids, summary };
      }
      const reason = again ? 'an unrelated origin is allowed too' : `the fresh look-alike ${origin} was not allowed`;
      return { confirmed: false, exchangeIds: ids, reason };
    }
    const origin = candidate.vulnClass === 'cors-null-origin' ? 'null' : attackerOrigin();
    const x = await withOrigin(ctx, op, ctx.identity.name, origin);
    if (allowsWithCredentials(x, origin)) {
      return { confirmed: true, exchangeIds: [x.id], summary: `${candidate.proof.summary}; ${origin === 'null' ? 'the replay' : `a second random origin ${origin}`} is allowed too` };
    }
    return { confirmed: false, exchangeIds: [x.id], reason: origin === 'null' ? 'the replay did not allow null' : `a second random origin ${origin} was not allowed` };
  },
  example: { url: 'http://127.0.0.1:8080/api/me', summary: 'Origin: https://vouch-cors-1a2b3c4d5e.example → 200 with Access-Control-Allow-Origin echoing it and Allow-Credentials: true; 6 more operation(s) alike' },
});
