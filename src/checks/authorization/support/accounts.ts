// src/checks/authorization/support/accounts.ts — what the authorization checks learn about accounts from the app:
// the accounts vouch registered, a body field that names an account, the read of one's own account, role values.
import { randomBytes } from 'node:crypto';
import type { Exchange, Identity, JsonSchema, Operation, SendRequest } from '../../../core/index.js';
import { buildRequest } from '../../../inject/index.js';
import type { CheckContext } from '../../kit/define.js';
import { flatten, jsonBody, parseJson } from '../../kit/compare.js';

/** Body fields whose value names an account (`{"username": "bob"}`). */
export const ACCOUNT_FIELD = /^(user(_?name)?|login|e-?mail|account(_?name)?|handle)$/i;
const EMAIL = /e-?mail/i;
/** Fields that hold a role or a tier: a changed value is a changed privilege. */
export const ROLE_FIELD = /^(role|user_?role|roles|type|user_?type|account_?type|group|level|tier|plan)$/i;
/** Free-text fields a marker may be written into (a name, a bio), not a credential, contact or id. */
const TEXT_FIELD = /name|bio|about|title|nick|city|company|description|status|note/i;
const NOT_TEXT = /pass|mail|phone|mobile|tel|token|secret|url|uri|^id$|_id$|Id$|user(_?name)?$|login|role|card/i;
/** Paths of the caller's own account (`GET /me`, `/profile`, `/users/me`). */
const SELF = /(^|\/)(me|self|whoami|profile|account|current-?user|user\/me|users\/me)\/?$/i;
/** Role names a scan tries when the app has shown no other value, likeliest first. */
const ROLE_WORDS = ['admin', 'administrator', 'employee', 'staff', 'manager', 'moderator', 'superuser', 'owner'];

/** Identities whose account vouch registered (`identities: auto`, `accounts: auto`) that can sign in. */
export const registeredUsers = (ctx: Pick<CheckContext<unknown>, 'identities' | 'unavailable'>): Identity[] =>
  ctx.identities.filter((i) => i.account !== undefined && i.role === 'user' && !ctx.unavailable.has(i.name));

/** The top-level properties of an operation's JSON request body, from its schema. */
export function bodyFields(op: Operation): Record<string, JsonSchema> {
  if (!op.requestBody?.contentType.includes('json') || !op.requestBody.schema) return {};
  return (flatten(op.requestBody.schema).properties as Record<string, JsonSchema> | undefined) ?? {};
}

/** The JSON body field that names the account a write is aimed at, if the operation has one. */
export const accountField = (op: Operation): string | undefined => Object.keys(bodyFields(op)).find((k) => ACCOUNT_FIELD.test(k));

/** The name of `who`'s account to put in `field`: its email for an email field, else its user name. */
export const accountName = (who: Identity, field: string): string | undefined =>
  (EMAIL.test(field) ? (who.account?.email ?? who.account?.username) : who.account?.username) ?? undefined;

/** Whether a path is the caller's own account (`/me`, `/profile`, `/users/me`). */
export const isSelfPath = (path: string): boolean => SELF.test(path);

/** The GET that reads the caller's own account: the write's own path when it has a GET, else a `/me`-like path. */
export function selfRead(ops: readonly Operation[], op?: Operation): Operation | undefined {
  const reads = ops.filter((o) => o.method === 'GET' && !o.path.includes('{') && !o.graphql);
  return (op ? reads.find((o) => o.path === op.path && SELF.test(o.path)) : undefined) ?? reads.filter((o) => SELF.test(o.path)).sort((a, b) => a.path.length - b.path.length)[0];
}

/** The JSON object an answer holds (or the object under `data`/`user`/`item`/`result`), else undefined. */
export function objectOf(x: Exchange | undefined): Record<string, unknown> | undefined {
  const v = x ? jsonBody(x)?.value : undefined;
  if (!v || typeof v !== 'object' || Array.isArray(v)) return undefined;
  const o = v as Record<string, unknown>;
  for (const wrap of ['data', 'user', 'item', 'result']) {
    const w = o[wrap];
    if (w && typeof w === 'object' && !Array.isArray(w) && !('id' in o)) return w as Record<string, unknown>;
  }
  return o;
}

/** A field of the object an answer holds. */
export const fieldOf = (x: Exchange | undefined, field: string): unknown => objectOf(x)?.[field];

export const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

/** Whether an object names the account (a string value equal to one of its names, case aside). */
export function names(o: Record<string, unknown>, who: Identity): boolean {
  const mine = [who.account?.username, who.account?.email].filter((n): n is string => !!n).map((n) => n.toLowerCase());
  return Object.values(o).some((v) => typeof v === 'string' && mine.includes(v.toLowerCase()));
}

/** The operation's example body as an object (JSON), or undefined. */
export function bodyTemplate(op: Operation): { base: SendRequest; body: Record<string, unknown> } | undefined {
  const base = buildRequest(op);
  const body = parseJson(typeof base.body === 'string' ? base.body : undefined)?.value;
  return body && typeof body === 'object' && !Array.isArray(body) ? { base, body: body as Record<string, unknown> } : undefined;
}

export const withBody = (base: SendRequest, body: Record<string, unknown>): SendRequest => ({ ...base, body: JSON.stringify(body) });

/** A value only this test wrote: a marker for a free-text field. */
export const marker = (): string => `vouch${randomBytes(3).toString('hex')}`;

/** Values of `field` other identities' answers showed (a privileged user's `"role": "Employee"`), not `current`. */
export function seenValues(recorded: readonly Exchange[], field: string, current: unknown): string[] {
  const out = new Set<string>();
  for (const x of recorded.slice(-3000)) {
    if (!x.response || x.response.body.length > 50_000 || !x.response.body.includes(`"${field}"`)) continue;
    const v = fieldOf(x, field);
    if (typeof v === 'string' && v !== '' && v !== current && v.length <= 40) out.add(v);
  }
  return [...out];
}

/** Role values to try instead of `current`: those the app showed, then common names written the way `current` is. */
export function roleValues(current: string, seen: readonly string[] = [], max = 4): string[] {
  const styled = (w: string): string =>
    current === current.toUpperCase() && /[A-Z]/.test(current) ? w.toUpperCase() : /^[A-Z][a-z]/.test(current) ? w[0]!.toUpperCase() + w.slice(1) : w;
  const out: string[] = [];
  for (const v of [...seen, ...ROLE_WORDS.map(styled)]) if (v.toLowerCase() !== current.toLowerCase() && !out.includes(v)) out.push(v);
  return out.slice(0, max);
}

/**
 * The field of a write (also shown by the read of the account) to change, and the values to try: a marker in a
 * free-text field, else another role, else a flipped flag. Undefined when there is none.
 */
export function fieldToChange(fields: readonly string[], state: Record<string, unknown>, seen: (field: string) => string[]): { field: string; values: unknown[] } | undefined {
  const text = fields.find((f) => TEXT_FIELD.test(f) && !NOT_TEXT.test(f) && (typeof state[f] === 'string' || state[f] === null));
  if (text) return { field: text, values: [marker()] };
  const role = fields.find((f) => ROLE_FIELD.test(f) && typeof state[f] === 'string');
  if (role) return { field: role, values: roleValues(state[role] as string, seen(role)) };
  const flag = fields.find((f) => typeof state[f] === 'boolean' && !NOT_TEXT.test(f));
  return flag ? { field: flag, values: [!state[flag]] } : undefined;
}

const PASSWORD = /^pass(word)?$|^passwd$|^pwd$/i;
const LOGIN_PATH = /log-?in|sign-?in|token|auth|session/i;
const TOKEN_KEY = /^(access_?token|token|jwt|id_?token|auth_?token|session_?token|bearer)$/i;

/** Whether a JSON body is a sign-up's: a password and a user name or email. */
export const isSignUp = (body: Record<string, unknown>): boolean => Object.keys(body).some((k) => PASSWORD.test(k)) && Object.keys(body).some((k) => ACCOUNT_FIELD.test(k));

/** The login operation: a JSON POST with a password field to a login-like path, the shortest. */
export const loginOf = (ops: readonly Operation[]): Operation | undefined =>
  ops
    .filter((o) => o.method === 'POST' && !o.path.includes('{') && !o.graphql && LOGIN_PATH.test(o.path) && !/regist|sign-?up/i.test(o.path) && Object.keys(bodyFields(o)).some((k) => PASSWORD.test(k)))
    .sort((a, b) => a.path.length - b.path.length)[0];

/** The login's fields besides the credentials (`"op": "basic"`) a sign-up body lacks, with the login's values. */
export function loginMode(ops: readonly Operation[], signUp: Record<string, unknown>): Record<string, unknown> {
  const login = loginOf(ops);
  const t = login ? bodyTemplate(login) : undefined;
  return Object.fromEntries(Object.entries(t?.body ?? {}).filter(([k]) => !PASSWORD.test(k) && !ACCOUNT_FIELD.test(k) && !(k in signUp)));
}

/**
 * Signs in with the credentials a sign-up body sent, through `login`: the headers that carry the credential (a token
 * of the JSON answer as a bearer, an `Authorization` answer header as sent, or the cookies), or why not.
 */
export async function signIn(ctx: CheckContext<unknown>, login: Operation, signUp: Record<string, unknown>): Promise<{ headers: Array<[string, string]>; name: string; exchange: Exchange } | { reason: string }> {
  const t = bodyTemplate(login);
  const password = Object.entries(signUp).find(([k]) => PASSWORD.test(k))?.[1];
  const name = Object.entries(signUp).find(([k]) => EMAIL.test(k))?.[1] ?? Object.entries(signUp).find(([k]) => ACCOUNT_FIELD.test(k))?.[1];
  if (!t || typeof password !== 'string' || typeof name !== 'string') return { reason: `the login ${login.method} ${login.path} has no JSON body to sign in with` };
  const body = Object.fromEntries(Object.entries(t.body).map(([k, v]) => [k, PASSWORD.test(k) ? password : ACCOUNT_FIELD.test(k) ? name : v]));
  const x = await ctx.send({ ...withBody(t.base, body), identity: 'anonymous' });
  if (!x.response || x.response.status >= 400) return { reason: `signing in as the new account through ${login.method} ${login.path} answered ${statusOf(x)}` };
  const o = objectOf(x);
  const token = Object.entries(o ?? {}).find(([k, v]) => TOKEN_KEY.test(k) && typeof v === 'string' && v.length >= 16)?.[1] as string | undefined;
  const header = x.response.headers.find(([k]) => k.toLowerCase() === 'authorization')?.[1];
  const cookies = x.response.headers.filter(([k]) => k.toLowerCase() === 'set-cookie').map(([, v]) => v.split(';')[0]!);
  const headers: Array<[string, string]> = token ? [['authorization', `Bearer ${token}`]] : header ? [['authorization', header]] : cookies.length ? [['cookie', cookies.join('; ')]] : [];
  return headers.length ? { headers, name, exchange: x } : { reason: `signing in through ${login.method} ${login.path} gave neither a token nor a cookie` };
}

/** GETs that read one account: the `/me`-like reads, and those with one path parameter naming it (`{email}`). */
export const accountReads = (ops: readonly Operation[]): Operation[] =>
  ops.filter((o) => o.method === 'GET' && !o.graphql && (SELF.test(o.path) ? !o.path.includes('{') : /^[^{}]*\{(e-?mail|user(_?name)?|login|account)\}[^{}]*$/i.test(o.path))).slice(0, 8);

/** The tail of the work queued on each account (by identity name), so tests that change it run one at a time. */
const queues = new Map<string, Promise<unknown>>();

/**
 * Runs `fn` while no other test changes or reads these accounts: tasks run concurrently, and one that changes a role
 * while another reads it back would give the other a change it did not make. Accounts are taken in name order.
 */
export async function exclusive<T>(accounts: readonly string[], fn: () => Promise<T>): Promise<T> {
  const [first, ...rest] = [...new Set(accounts)].sort();
  if (first === undefined) return fn();
  const previous = queues.get(first) ?? Promise.resolve();
  const run = previous.then(() => exclusive(rest, fn), () => exclusive(rest, fn));
  const tail = run.then(
    () => undefined,
    () => undefined,
  );
  queues.set(first, tail);
  try {
    return await run;
  } finally {
    if (queues.get(first) === tail) queues.delete(first);
  }
}

export const statusOf = (x: Exchange | undefined): string => (x?.response ? String(x.response.status) : (x?.error?.code ?? 'nothing'));
