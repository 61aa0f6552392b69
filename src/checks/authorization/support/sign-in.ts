// src/checks/authorization/support/sign-in.ts — sign-in and code-check operations (a username and one password, or
// a one-time code), their requests with chosen values, and what a refused and a signed-in answer look like.
import { randomBytes } from 'node:crypto';
import type { Exchange, Operation, SendRequest } from '../../../core/index.js';
import { injectionPoints, type InjectionPoint } from '../../../inject/index.js';
import { buildWith, isRequired, leafName, withFormFields } from '../../kit/fields.js';
import { accountKind, knownAccounts, roleOf } from '../account-enumeration.js';
import type { CheckContext } from '../../kit/define.js';

/** The fields of a sign-in (or code check): the account, the secret, and the rest (kept as built, or left out). */
export interface SecretFields {
  account: InjectionPoint | undefined;
  secret: InjectionPoint;
  others: InjectionPoint[];
}

/** A field with a fixed value (`Login=Login`, a submit button): never the account. */
const fixed = (op: Operation, p: InjectionPoint): boolean => {
  const param = op.params.find((x) => x.name === p.name && x.in === p.location);
  return Array.isArray(param?.schema?.enum) && param.schema.enum.length === 1;
};

const bodyPoints = (op: Operation): InjectionPoint[] => injectionPoints(op).filter((p) => p.location !== 'header' && p.location !== 'cookie');

/** A one-time code a user types (`otp`, `pin`, `reset_password_code`), not an anti-CSRF token or a captcha. */
const isCodeName = (name: string): boolean => roleOf(name) === 'code' && /code|otp|pin/i.test(name) && !/token|nonce|captcha|csrf/i.test(name);

/** A sign-in's fields: one account field and exactly one password field; undefined otherwise. */
export function signInFields(op: Operation): SecretFields | undefined {
  const points = bodyPoints(op);
  const accounts = points.filter((p) => roleOf(leafName(p)) === 'account' && !fixed(op, p));
  // An OAuth client's secret (`client_secret` beside `password` in `POST /token`) is no user's password.
  const passwords = points.filter((p) => roleOf(leafName(p)) === 'password' && !/client/i.test(leafName(p)));
  if (accounts.length === 0 || passwords.length !== 1 || points.some((p) => isCodeName(leafName(p)))) return undefined;
  const account = accounts[0]!;
  return { account, secret: passwords[0]!, others: points.filter((p) => p !== account && p !== passwords[0]) };
}

/** A code check's fields: one code field (and the account it is for, when there is one). */
export function codeFields(op: Operation): SecretFields | undefined {
  const points = bodyPoints(op);
  const codes = points.filter((p) => isCodeName(leafName(p)));
  if (codes.length !== 1) return undefined;
  const account = points.find((p) => roleOf(leafName(p)) === 'account' && !fixed(op, p));
  return { account, secret: codes[0]!, others: points.filter((p) => p !== account && p !== codes[0]) };
}

/** A submit field or value that says "log in" (DVWA's `Login=Login`), for forms whose path does not. */
const LOGIN_WORD = /^(log[-_ ]?in|sign[-_ ]?in|logon)$/i;
const saysLogin = (op: Operation): boolean => op.params.some((p) => LOGIN_WORD.test(p.name) || (p.examples ?? []).some((v) => typeof v === 'string' && LOGIN_WORD.test(v)));

/** Why an operation is not a sign-in (a username and one password, a login word), or undefined when it is one. */
export function notSignIn(raw: Operation): string | undefined {
  if (!['GET', 'POST', 'PUT'].includes(raw.method)) return 'not a GET, POST or PUT';
  const op = withFormFields(raw);
  const kind = accountKind(op);
  if (kind === 'sign-up' || kind === 'reset') return `a ${kind} operation, not a sign-in`;
  if (!signInFields(op)) return 'no username field with exactly one password field beside it (and no code)';
  if (kind !== 'sign-in' && !saysLogin(op)) return 'no login word in its path, summary or submit field';
  return undefined;
}

/** Words of an operation that checks a code someone was sent or set up: a reset, a verification, a second factor. */
const CODE_OPERATION = /reset|forgot|recover|verif|otp|2fa|mfa|two[-_]?factor|confirm|activat|passcode|pin\b|log[-_]?in|sign[-_]?in/i;

/** Why an operation checks no one-time code (a reset PIN, an OTP), or undefined when it does. */
export function notCodeCheck(raw: Operation): string | undefined {
  if (!['POST', 'PUT', 'GET'].includes(raw.method)) return 'not a GET, POST or PUT';
  const op = withFormFields(raw);
  if (!codeFields(op)) return 'no one-time code field (code, otp, pin)';
  if (!CODE_OPERATION.test(`${op.path} ${op.summary ?? ''}`)) return 'its path and summary name no reset, verification or second factor (a referral or voucher code is no secret)';
  return undefined;
}

/**
 * The request with the account and secret set; other fields keep their built values when required (a submit
 * button, a grant type), else are left out (a made-up optional value may break it). Undefined when impossible.
 */
export function requestWith(op: Operation, f: SecretFields, account: string | undefined, secret: string): SendRequest | undefined {
  const values: Array<readonly [InjectionPoint, string | undefined]> = [[f.secret, secret]];
  if (f.account && account !== undefined) values.push([f.account, account]);
  for (const p of f.others) if (!isRequired(op, p)) values.push([p, undefined]);
  return buildWith(op, values);
}

/**
 * Who sends to an operation: nobody, or where it needs a signed-in caller the first signed-in identity whose login
 * worked (undefined when there is none).
 */
export function senderFor(ctx: Pick<CheckContext, 'identities' | 'unavailable'>, op: Operation): string | undefined {
  if (op.auth !== 'required' && op.declaredAuth !== 'required') return 'anonymous';
  return ctx.identities.find((i) => i.role !== 'anonymous' && !ctx.unavailable.has(i.name))?.name;
}

export const randomHex = (n = 6): string => randomBytes(n).toString('hex');
/** An account name no one has: letters and digits only, which any username rule takes. */
export const unknownAccount = (): string => `vouch${randomHex(5)}`;
export const wrongPassword = (): string => `Vouch-wrong-${randomHex(4)}-1!`;

/** Lower-cased account names of configured identities (never guessed at with wrong passwords). */
export function configuredAccounts(ctx: Pick<CheckContext, 'identities' | 'unavailable'>): Map<string, string | undefined> {
  return new Map(knownAccounts({ identities: ctx.identities, unavailable: new Map() }).map((a) => [a.value.toLowerCase(), a.password]));
}

const header = (x: Exchange, name: string): string | undefined => x.response?.headers.find(([k]) => k.toLowerCase() === name)?.[1];
const headers = (x: Exchange, name: string): string[] => (x.response?.headers ?? []).filter(([k]) => k.toLowerCase() === name).map(([, v]) => v);
const text = (x: Exchange): string => (x.response?.bodyEncoding === 'base64' ? '' : (x.response?.body ?? ''));

/** Words of a refused sign-in or code. */
export const REFUSED_WORDS = /\b(incorrect|invalid|wrong|failed|failure|denied|unauthori[sz]ed|not match|bad credentials|does not exist|try again)\b/i;
/** Words of a signed-in page. */
const SIGNED_IN_WORDS = /\b(welcome|logged in|signed in|log ?out|sign ?out|dashboard|my account|successfully)\b/i;
/** The words of `re` (global) in a text, lower-cased. */
const words = (re: RegExp, s: string): string[] => [...s.matchAll(new RegExp(re.source, 'gi'))].map((m) => m[0].toLowerCase());
/** Words of a rate limit, lockout or challenge. */
export const LIMIT_WORDS = /\b(too many|rate[- ]?limit\w*|locked|lock ?out|temporarily (blocked|disabled|suspended)|try again (later|in)|slow down|captcha|recaptcha|hcaptcha|throttl\w+)\b/i;
/** A redirect back to a sign-in or error page. */
const BACK_TO_LOGIN = /log[-_]?in|sign[-_]?in|error|fail|denied/i;
/** A JSON field, response header or JWT that hands out a credential. */
const TOKEN_FIELD = /"(access_?token|id_?token|refresh_?token|token|jwt|session_?id|auth_?token)"\s*:\s*"[^"]{8,}"/i;
const JWT = /eyJ[\w-]{5,}\.[\w-]{5,}\.[\w-]*/;

/** An answer in a few words: its status and, for a page, the text around a refusal word (else its start). */
export function gist(x: Exchange): string {
  const r = x.response;
  if (!r) return `no response (${x.error?.message ?? 'failed'})`;
  const isHtml = /<(html|body|div|p|pre)\b/i.test(r.body);
  const flat = (isHtml ? r.body.replace(/<(script|style)\b[\s\S]*?<\/\1>/gi, ' ').replace(/<[^>]+>/g, ' ') : r.body).replace(/\s+/g, ' ').trim();
  const refused = flat.search(REFUSED_WORDS);
  const at = !isHtml ? -1 : refused >= 0 ? refused : flat.search(/\bwelcome\b/i);
  const from = Math.max(0, at - 40);
  const cut = flat.slice(from, from + 90);
  return `${r.status} ${from > 0 ? '…' : ''}${cut}${flat.length > from + 90 ? '…' : ''}`;
}

/** Whether an answer refuses a sign-in: a 4xx, a refusal word, or a redirect back to a sign-in or error page. */
export function looksRefused(x: Exchange): boolean {
  const s = x.response?.status ?? 0;
  if (s >= 400 && s < 500) return true;
  const location = header(x, 'location');
  if (s >= 300 && s < 400) return location !== undefined && BACK_TO_LOGIN.test(location);
  return REFUSED_WORDS.test(text(x));
}

/** A credential the answer hands out: a JWT or token field in the body, a token header. */
export function credentialIn(x: Exchange): string | undefined {
  const body = text(x);
  const field = TOKEN_FIELD.exec(body)?.[1];
  if (field) return `a "${field}" in the body`;
  if (JWT.test(body)) return 'a JWT in the body';
  for (const h of ['authorization', 'x-auth-token', 'x-access-token', 'token']) if (JWT.test(header(x, h) ?? '') || (h !== 'authorization' && header(x, h))) return `an ${h} header`;
  return undefined;
}

const cookieNames = (x: Exchange): Set<string> => new Set(headers(x, 'set-cookie').map((c) => c.split('=')[0]!.trim().toLowerCase()));

/**
 * How the answer to a pair looks signed in where the control (same sign-in, a wrong password) was refused; undefined
 * when it does not. Signals: a 2xx/3xx where the control got a 4xx, a credential handed out that the control did
 * not get, a session cookie the control was not given, a redirect elsewhere than the control's back to the form, a
 * "welcome"/"log out" page without the control's refusal words.
 */
export function signedIn(pair: Exchange, control: Exchange): string | undefined {
  const p = pair.response;
  const c = control.response;
  if (!p || !c || !looksRefused(control) || (p.status >= 400 && p.status < 500) || p.status >= 500) return undefined;
  const reasons: string[] = [];
  if (c.status >= 400) reasons.push(`${p.status} where the wrong password got ${c.status}`);
  const cred = credentialIn(pair);
  if (cred && !credentialIn(control)) reasons.push(`${cred} (the wrong password got none)`);
  const session = [...cookieNames(pair)].filter((n) => /sess|sid|auth|token|login|jwt/.test(n) && !cookieNames(control).has(n));
  if (session.length) reasons.push(`a ${session[0]} cookie set (not for the wrong password)`);
  const [pl, cl] = [header(pair, 'location'), header(control, 'location')];
  if (p.status >= 300 && p.status < 400 && pl && pl !== cl && !BACK_TO_LOGIN.test(pl)) reasons.push(`a redirect to ${pl} (the wrong password: ${cl ?? `a ${c.status}`})`);
  const refusedWords = REFUSED_WORDS.test(text(control)) && !REFUSED_WORDS.test(text(pair));
  const inControl = new Set(words(SIGNED_IN_WORDS, text(control)));
  const welcome = words(SIGNED_IN_WORDS, text(pair)).find((w) => !inControl.has(w));
  if (welcome && refusedWords) reasons.push(`a page saying "${welcome}" without the refusal ("${REFUSED_WORDS.exec(text(control))?.[0]}")`);
  // Anything with the pair's own refusal words is no sign-in, whatever else differs.
  if (REFUSED_WORDS.test(text(pair)) && !REFUSED_WORDS.test(text(control))) return undefined;
  return reasons.length ? reasons.join('; ') : undefined;
}
