// src/checks/security/jwt-weakness.ts — active: the API accepts forged JSON Web Tokens (alg "none", a signature it
// never checks, or an HMAC secret from a short wordlist, cracked offline); proof is a forged token accepted where
// a control (no token, garbage signature) is refused.
import { z } from 'zod';
import type { Exchange, Operation } from '../../core/index.js';
import { defineCheck, type CandidateInput, type CheckContext } from '../kit/define.js';
import { crackHmac, decodeJwt, forge, garbleSignature, hint, isHmac, WORDLIST, type Jwt } from './support/jwt.js';
import { header, nonce, routeOf, targetExchanges } from './support/exchanges.js';

type Kind = 'jwt-alg-none' | 'jwt-signature-not-verified' | 'jwt-weak-secret';
/** Where the token travels: the Authorization header, or a cookie. */
type Carrier = { in: 'bearer' } | { in: 'cookie'; name: string };
interface Data { kind: Kind; probe: string; token: string; carrier: Carrier; alg?: string; secret?: string }

const ME = /\/(me|self|whoami|profile|account|session|user)\b/i;
const ok = (x: Exchange): boolean => (x.response?.status ?? 0) >= 200 && (x.response?.status ?? 0) < 300;
const refused = (x: Exchange): boolean => x.response !== undefined && !ok(x);
/** Sent under an identity with no credentials or cookies, so only the token given decides. */
const FORGER = 'jwt-weakness';

/** GET operations that require authentication and take no path parameters, profile-like paths first. */
export function probeOperations(ops: readonly Operation[]): Operation[] {
  return ops.filter((o) => o.method === 'GET' && o.auth === 'required' && !o.path.includes('{')).sort((a, b) => Number(ME.test(b.path)) - Number(ME.test(a.path)) || a.path.length - b.path.length);
}

/** The JWT a request presented: as a bearer token, else as a cookie value. */
export function presented(x: Exchange): { token: Jwt; carrier: Carrier } | undefined {
  const m = /^Bearer\s+(\S+)/i.exec(header(x.request.headers, 'authorization') ?? '');
  const t = m?.[1] ? decodeJwt(m[1]) : undefined;
  if (t) return { token: t, carrier: { in: 'bearer' } };
  for (const pair of (header(x.request.headers, 'cookie') ?? '').split(';')) {
    const at = pair.indexOf('=');
    const c = at > 0 ? decodeJwt(pair.slice(at + 1).trim()) : undefined;
    if (c) return { token: c, carrier: { in: 'cookie', name: pair.slice(0, at).trim() } };
  }
  return undefined;
}

const sendWith = (ctx: CheckContext<unknown>, path: string, token: string | undefined, carrier: Carrier): Promise<Exchange> =>
  ctx.send({ method: 'GET', url: path, identity: FORGER, headers: token === undefined ? [] : carrier.in === 'bearer' ? [['authorization', `Bearer ${token}`]] : [['cookie', `${carrier.name}=${token}`]] });

/** The token forged for a kind, carrying a fresh `vouch` claim so an accepted token cannot be a replay. */
function forgeFor(data: Data, n: string): string {
  const t = decodeJwt(data.token)!;
  const claims = { ...t.claims, vouch: n };
  if (data.kind === 'jwt-alg-none') return forge({ ...t.header, alg: data.alg ?? 'none' }, claims);
  if (data.kind === 'jwt-weak-secret') return forge(t.header, claims, data.secret);
  const [h, , s] = t.raw.split('.');
  return `${h}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${s}`; // same signature, new claims
}

const TITLES: Record<Kind, string> = {
  'jwt-alg-none': 'JWT accepted with alg "none" (no signature)',
  'jwt-signature-not-verified': 'JWT signature not verified',
  'jwt-weak-secret': 'JWT signed with a guessable HMAC secret',
};

const ALGS_NONE: Record<'low' | 'default' | 'high', string[]> = { low: ['none'], default: ['none', 'None'], high: ['none', 'None', 'NONE', 'nOnE'] };

export default defineCheck({
  id: 'jwt-weakness',
  family: 'security',
  kind: 'active',
  scope: 'target',
  meta: {
    title: 'Forgeable JSON Web Tokens',
    description: 'The API accepts tokens anyone can make: signed with alg "none", with a signature it never verifies, or with an HMAC secret found in a short wordlist.',
    severity: 'critical',
    cwe: 'CWE-347',
    owasp: 'A02:2021 Cryptographic Failures',
    remediation: 'Verify every token with a fixed algorithm allow-list (never "none", never taken from the token header), and sign with a random secret of at least 256 bits kept out of source control (or an asymmetric key); rotate the secret now.',
    proves: 'A forged token (fresh random claim, no valid signature from the issuer) answered 2xx on an operation that refuses the same request without a token and with a garbage signature; replayed with a fresh claim at confirmation.',
  },
  options: z.strictObject({
    /** Extra secrets to try besides the built-in wordlist (tried offline only). */
    wordlist: z.array(z.string()).default([]),
  }),
  async run(ctx) {
    const probes = probeOperations(ctx.surface.operations);
    if (!probes.length) return { status: 'inconclusive', reason: 'no GET operation that requires authentication and has no path parameters to present tokens to' };
    // A real token: the one an identity sends (its login ran through the engine).
    let found: { probe: Operation; token: Jwt; carrier: Carrier; valid: Exchange } | undefined;
    for (const id of ctx.identities.filter((i) => i.auth.kind !== 'none')) {
      for (const probe of probes.slice(0, 3)) {
        const x = await ctx.send({ method: 'GET', url: probe.path, identity: id.name });
        const p = presented(x);
        if (!p) break; // this identity does not present a JWT
        if (ok(x)) {
          found = { probe, ...p, valid: x };
          break;
        }
      }
      if (found) break;
    }
    if (!found) return { status: 'inconclusive', reason: 'no identity presented a JWT that an authenticated GET operation accepted (configure a login that returns one)' };
    const { probe, token, carrier, valid } = found;
    const noToken = await sendWith(ctx, probe.path, undefined, carrier);
    if (!refused(noToken)) return { status: 'inconclusive', reason: `${probe.path} answered ${noToken.response?.status ?? noToken.error?.message ?? '-'} without a token, so acceptance proves nothing there` };
    const garbled = await sendWith(ctx, probe.path, garbleSignature(token), carrier);
    // Where the token came from: the recorded response that carried it (the login).
    const issued = targetExchanges(ctx.recorded(), ctx.target.url).find((x) => x.response.body.includes(token.raw));
    const issuer = issued ? { ...routeOf(issued.request.method, issued.request.url, ctx.surface), url: issued.request.url } : undefined;
    const at = { method: 'GET', path: probe.path, url: valid.request.url };
    const candidates: CandidateInput[] = [];
    const candidate = (kind: Kind, x: Exchange, data: Data, summary: string, payload: string, evidence: string, where = at): CandidateInput => ({
      operation: { method: where.method, path: where.path },
      url: where.url,
      title: TITLES[kind],
      vulnClass: kind,
      confidence: 'tentative',
      proof: { summary, exchangeIds: [x.id, noToken.id, garbled.id], evidence, payload },
      data: { ...data },
    });
    const base = { probe: probe.path, token: token.raw, carrier };
    const controls = `without a token → ${noToken.response!.status}`;

    if (ok(garbled)) {
      const data: Data = { ...base, kind: 'jwt-signature-not-verified' };
      const forged = forgeFor(data, nonce());
      const x = await sendWith(ctx, probe.path, forged, carrier);
      if (ok(x)) candidates.push(candidate('jwt-signature-not-verified', x, data, `GET ${probe.path} with the token's claims changed and its old signature → ${x.response!.status}; a garbage signature → ${garbled.response!.status} too; ${controls}`, forged, 'claims changed, signature unchanged: accepted'));
      return candidates.length ? { status: 'found', candidates } : { status: 'clean' };
    }
    if (!refused(garbled)) return { status: 'inconclusive', reason: `the garbage-signature control got no answer (${garbled.error?.message ?? '-'})` };

    for (const alg of ALGS_NONE[ctx.strength]) {
      const data: Data = { ...base, kind: 'jwt-alg-none', alg };
      const forged = forgeFor(data, nonce());
      const x = await sendWith(ctx, probe.path, forged, carrier);
      if (!ok(x)) continue;
      candidates.push(candidate('jwt-alg-none', x, data, `GET ${probe.path} with an unsigned token (header {"alg":"${alg}"}, the user's claims plus a random one) → ${x.response!.status}; a garbage signature → ${garbled.response!.status}; ${controls}`, forged, `alg "${alg}" accepted`));
      break;
    }
    if (isHmac(token)) {
      const secret = crackHmac(token, [...ctx.options.wordlist, ...WORDLIST]);
      if (secret !== undefined) {
        const data: Data = { ...base, kind: 'jwt-weak-secret', secret };
        const forged = forgeFor(data, nonce());
        const x = await sendWith(ctx, probe.path, forged, carrier);
        const claims = JSON.stringify(decodeJwt(forged)!.claims);
        const where = issuer ?? at;
        const summary = `the ${String(token.header.alg)} tokens${issuer ? ` issued by ${issuer.method} ${issuer.path}` : ''} are signed with a wordlist secret (${hint(secret)}), cracked offline; a token forged with it (claims ${claims}) → GET ${probe.path} ${x.response?.status ?? '-'}; a garbage signature → ${garbled.response!.status}; ${controls}`;
        const c = candidate('jwt-weak-secret', x, data, summary, `${forged.slice(0, forged.lastIndexOf('.'))}.<HMAC with the cracked secret>`, `secret ${hint(secret)}`, where);
        if (issued) c.proof.exchangeIds.push(issued.id);
        candidates.push(c);
      }
    }
    return candidates.length ? { status: 'found', candidates } : { status: 'clean' };
  },
  async confirm(candidate, ctx) {
    const data = candidate.data as Data | undefined;
    if (!data) return { confirmed: false, exchangeIds: [], reason: 'the candidate lost its data' };
    const n = nonce();
    const x = await sendWith(ctx, data.probe, forgeFor(data, n), data.carrier);
    const control = await sendWith(ctx, data.probe, garbleSignature(decodeJwt(data.token)!), data.carrier);
    const none = await sendWith(ctx, data.probe, undefined, data.carrier);
    const controlsHold = data.kind === 'jwt-signature-not-verified' ? refused(none) : refused(control) && refused(none);
    if (ok(x) && controlsHold) return { confirmed: true, exchangeIds: [x.id, control.id, none.id], summary: `${candidate.proof.summary}; replayed with a fresh claim (vouch: ${n}) → ${x.response!.status} while the controls were refused again` };
    return { confirmed: false, exchangeIds: [x.id, control.id, none.id], reason: ok(x) ? 'a control was accepted on replay, so acceptance proves nothing' : `the forged token got ${x.response?.status ?? '-'} on replay` };
  },
  example: { url: 'http://127.0.0.1:8080/api/users/me', summary: 'GET /api/users/me with an unsigned token (header {"alg":"none"}) → 200; a garbage signature → 401; without a token → 401' },
});

