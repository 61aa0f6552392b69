// src/checks/security/support/jwt-issuers.ts — token issuers for jwt-weakness: the surface's sign-in operations,
// signed in with a configured identity's credentials, the JWTs each answer hands out, and the operations that accept
// them (validators: GET siblings under the issuer's path prefix that refuse a request without a token).
import type { Exchange, Operation } from '../../../core/index.js';
import type { InjectionPoint } from '../../../inject/index.js';
import { notSignIn, signInFields } from '../../authorization/support/sign-in.js';
import { roleOf } from '../../authorization/account-enumeration.js';
import type { CheckContext } from '../../kit/define.js';
import { buildWith, isRequired, leafName, withFormFields } from '../../kit/fields.js';
import { decodeJwt, findJwts, type Jwt } from './jwt.js';
import { header, headerAll, pathOf, targetExchanges } from './exchanges.js';

/** Where the token travels: a header (`Authorization: Bearer <jwt>`, a raw `Authorization: <jwt>`, any other), or a cookie. */
export type Carrier = { in: 'header'; name: string; scheme: string } | { in: 'cookie'; name: string };

export const ok = (x: Exchange): boolean => (x.response?.status ?? 0) >= 200 && (x.response?.status ?? 0) < 300;
export const refused = (x: Exchange): boolean => x.response !== undefined && !ok(x);
/** Sent under an identity with no credentials, so only the token given decides. */
export const FORGER = 'jwt-weakness';
const BEARER: Carrier = { in: 'header', name: 'authorization', scheme: 'Bearer ' };

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
export const carry = (token: string, carrier: Carrier): [string, string] =>
  carrier.in === 'header' ? [carrier.name, `${carrier.scheme}${token}`] : ['cookie', `${carrier.name}=${token}`];

/** GET `path` as the forger, with `token` in the carrier (or no token). */
export const sendWith = (ctx: CheckContext<unknown>, path: string, token: string | undefined, carrier: Carrier): Promise<Exchange> =>
  ctx.send({ method: 'GET', url: path, identity: FORGER, headers: token === undefined ? [] : [carry(token, carrier)] });

/** A sign-in operation and what it handed out. */
export interface Issuer {
  op: Operation;
  /** `POST /api/login` */
  label: string;
  /** The answer that carried the tokens (a recorded login of an identity, or vouch's own sign-in). */
  answer: Exchange;
  /** Its JWTs, the one particular to this issuer first; a token set as a cookie carries the cookie's name. */
  tokens: Array<{ token: Jwt; cookie?: string }>;
}

/** An issuer's token and an operation to present it to; `accepted` when the token itself was accepted there. */
export interface Pair {
  issuer: Issuer;
  validator: Operation;
  token: Jwt;
  carrier: Carrier;
  noToken: Exchange;
  accepted?: Exchange;
}

/** At most this many issuers signed in at, validators tried, and issuers (tokens, carriers) tried per validator. */
export const LIMITS = { issuers: 10, validators: 12, perValidator: 3, tokens: 2, carriers: 2 };

interface Credentials {
  identity: string;
  account: string;
  password: string;
  /** The identity's login body: same-named fields of an issuer's body take these values (`op: basic`). */
  fields: Record<string, unknown>;
}

/** A configured identity's account and password from its login recipe, least privileged first. */
function credentialsOf(ctx: CheckContext<unknown>): Credentials | undefined {
  const ranked = [...ctx.identities].sort((a, b) => Number(a.role === 'privileged') - Number(b.role === 'privileged'));
  for (const i of ranked) {
    if (ctx.unavailable.has(i.name)) continue;
    const fields = i.auth.kind === 'json-login' ? i.auth.body : i.auth.kind === 'form-login' ? i.auth.fields : undefined;
    const strings = Object.entries(fields ?? {}).filter((e): e is [string, string] => typeof e[1] === 'string' && e[1] !== '');
    const account = strings.find(([k]) => roleOf(k) === 'account')?.[1];
    const password = strings.find(([k]) => roleOf(k) === 'password')?.[1];
    if (fields && account && password) return { identity: i.name, account, password, fields };
  }
  return undefined;
}

/** The sign-in request with the identity's account and password, and its other login fields where names match. */
function signInRequest(raw: Operation, creds: Credentials) {
  const op = withFormFields(raw);
  const f = signInFields(op);
  if (!f?.account) return undefined;
  const values: Array<readonly [InjectionPoint, string | undefined]> = [[f.account, creds.account], [f.secret, creds.password]];
  for (const p of f.others) {
    const v = creds.fields[leafName(p)];
    if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') values.push([p, String(v)]);
    else if (!isRequired(op, p)) values.push([p, undefined]);
  }
  return buildWith(op, values);
}

const answerText = (x: Exchange): string =>
  `${(x.response?.headers ?? []).map(([k, v]) => `${k}: ${v}`).join('\n')}\n${x.response?.bodyEncoding === 'base64' ? '' : (x.response?.body ?? '')}`;

/** The JWTs of an answer, with the cookie each was set as. */
function tokensOf(x: Exchange): Array<{ token: Jwt; cookie?: string }> {
  const cookies = headerAll(x.response?.headers, 'set-cookie');
  return findJwts(answerText(x)).map((token) => {
    const set = cookies.find((c) => c.includes(token.raw));
    const cookie = set?.slice(0, set.indexOf('=')).trim();
    return cookie ? { token, cookie } : { token };
  });
}

const label = (op: Operation): string => `${op.method} ${op.path}`;

/**
 * Signs in at each sign-in operation (at most LIMITS.issuers) and keeps those whose answer carries a JWT. A recorded
 * 2xx answer of the same operation that carries one (an identity's own login) is used instead of signing in again.
 * `notes` say what was missing.
 */
export async function findIssuers(ctx: CheckContext<unknown>): Promise<{ issuers: Issuer[]; notes: string[] }> {
  const ops = ctx.surface.operations.filter((o) => !o.path.includes('{') && notSignIn(o) === undefined);
  if (!ops.length) return { issuers: [], notes: ['no sign-in operation (a username and one password field) in the surface'] };
  const creds = credentialsOf(ctx);
  const notes: string[] = [];
  const issuers: Issuer[] = [];
  for (const op of ops.sort((a, b) => a.path.localeCompare(b.path)).slice(0, LIMITS.issuers)) {
    const recorded = targetExchanges(ctx.recorded(), ctx.target.url).find((x) => x.request.method === op.method && pathOf(x.request.url) === op.path && ok(x) && tokensOf(x).length > 0);
    let answer: Exchange | undefined = recorded;
    if (!answer) {
      const req = creds ? signInRequest(op, creds) : undefined;
      if (!creds) {
        notes.push(`no credentials to sign in at ${label(op)} (configure an identity whose login recipe has a username and a password)`);
        continue;
      }
      if (!req) {
        notes.push(`could not build a sign-in request for ${label(op)}`);
        continue;
      }
      // As the anonymous identity: no cookie jar, so nothing the sign-in sets is sent with later controls.
      answer = await ctx.send({ ...req, identity: 'anonymous' });
    }
    const tokens = tokensOf(answer);
    if (!ok(answer) || !tokens.length) {
      notes.push(`${label(op)} handed out no JWT (${answer.response?.status ?? answer.error?.message ?? 'no answer'})`);
      continue;
    }
    issuers.push({ op, label: label(op), answer, tokens });
  }
  // The token particular to an issuer first: the fewer other issuers hand out a token with the same header, the better.
  const headerKey = (t: Jwt): string => JSON.stringify(Object.entries(t.header).filter(([k]) => k !== 'kid').sort());
  for (const i of issuers) {
    const shared = (t: Jwt): number => issuers.filter((o) => o !== i && o.tokens.some((u) => headerKey(u.token) === headerKey(t))).length;
    i.tokens.sort((a, b) => shared(a.token) - shared(b.token) || Object.keys(b.token.header).length - Object.keys(a.token.header).length);
  }
  return { issuers, notes };
}

const dirOf = (path: string): string => path.slice(0, path.lastIndexOf('/'));
/** Paths of operations that check a token: tried first among an issuer's siblings. */
const CHECKS_TOKEN = /valid|verif|check|introspect|whoami|\bme\b|profile|session|userinfo|token|auth/i;
const ENDS_SESSION = /log[-_]?out|log[-_]?off|sign[-_]?out/i;

/**
 * Pairs issuers with the GET operations under their path prefix (`…/login` ↔ `…/validate`): each validator (at most
 * LIMITS.validators, nearest issuers' siblings first) must refuse a request without a token; it is paired with the
 * first token of its nearest issuers that it accepts (proven), else with the nearest issuer's own token (forgeries
 * then prove themselves against the controls). `skip` leaves out paths already tested.
 */
export async function pairValidators(ctx: CheckContext<unknown>, issuers: readonly Issuer[], carrier: Carrier | undefined, skip: ReadonlySet<string>): Promise<{ pairs: Pair[]; notes: string[] }> {
  const issuerPaths = new Set(issuers.map((i) => i.op.path));
  const nearest = (path: string): Issuer[] => {
    const under = issuers.filter((i) => path.startsWith(`${dirOf(i.op.path)}/`));
    const best = Math.max(...under.map((i) => dirOf(i.op.path).length));
    return under.filter((i) => dirOf(i.op.path).length === best);
  };
  const candidates = ctx.surface.operations
    .filter((o) => o.method === 'GET' && !o.path.includes('{') && !issuerPaths.has(o.path) && !skip.has(o.path) && !ENDS_SESSION.test(o.path) && nearest(o.path).length > 0)
    .map((o) => ({ o, depth: dirOf(nearest(o.path)[0]!.op.path).length }))
    .sort((a, b) => b.depth - a.depth || Number(CHECKS_TOKEN.test(b.o.path)) - Number(CHECKS_TOKEN.test(a.o.path)) || a.o.path.localeCompare(b.o.path))
    .slice(0, LIMITS.validators)
    .map((c) => c.o);
  if (!candidates.length) return { pairs: [], notes: issuers.length ? [`no GET operation without path parameters under the issuers' paths (${issuers.map((i) => i.label).join(', ')}) to present their tokens to`] : [] };
  const carriersFor = (t: { cookie?: string }): Carrier[] => {
    const all: Carrier[] = [...(t.cookie ? [{ in: 'cookie' as const, name: t.cookie }] : []), carrier ?? BEARER, BEARER];
    return all.filter((c, i) => all.findIndex((d) => JSON.stringify(d) === JSON.stringify(c)) === i).slice(0, LIMITS.carriers);
  };
  const pairs: Pair[] = [];
  const publicOnes: string[] = [];
  for (const v of candidates) {
    const near = nearest(v.path).slice(0, LIMITS.perValidator);
    const first = near[0]!.tokens[0]!;
    const noToken = await sendWith(ctx, v.path, undefined, carriersFor(first)[0]!);
    if (!refused(noToken)) {
      publicOnes.push(v.path);
      continue;
    }
    let pair: Pair | undefined;
    for (const issuer of near) {
      for (const t of issuer.tokens.slice(0, LIMITS.tokens)) {
        for (const c of carriersFor(t)) {
          const x = await sendWith(ctx, v.path, t.token.raw, c);
          if (ok(x)) pair = { issuer, validator: v, token: t.token, carrier: c, noToken, accepted: x };
          if (pair) break;
        }
        if (pair) break;
      }
      if (pair) break;
    }
    pairs.push(pair ?? { issuer: near[0]!, validator: v, token: first.token, carrier: carriersFor(first)[0]!, noToken });
  }
  const notes = publicOnes.length ? [`${publicOnes.join(', ')} answered without a token (not validators)`] : [];
  return { pairs, notes };
}
