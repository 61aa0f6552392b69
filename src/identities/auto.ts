// src/identities/auto.ts — `identities: auto`: find the target's sign-up and login operations, register throwaway users
// with unique names, log each in once to learn where its credential is, and hand them back as login-recipe identities.
import { randomBytes } from 'node:crypto';
import type { CreatedAccount, Exchange, HttpEngine, Identity, IdentityAuth, JsonSchema, LoginToken, Operation, Surface } from '../core/index.js';
import { sampleValue } from '../inject/index.js';
import { jsonPath } from './extract.js';

export interface AutoIdentitiesInput {
  engine: Pick<HttpEngine, 'send'>;
  surface: Surface;
  /** How many users to register. Default 2 (two ordinary users: what object-level authorization checks need). */
  count?: number;
  /** Random hex of `bytes` bytes (tests pass a fixed one). Default crypto. */
  random?: (bytes: number) => string;
}

export interface AutoIdentities {
  identities: Identity[];
  accounts: CreatedAccount[];
  /** Passwords made up for the accounts: secrets to redact. */
  secrets: string[];
  /** Why fewer accounts than asked were made (none found, a refusal), for the scan's warnings. */
  warnings: string[];
}

const PASSWORD = /^pass(word)?$|^passwd$|^pwd$/i;
const CONFIRM = /conf|repeat|again|verify|2$/i;
const EMAIL = /e-?mail/i;
const USERNAME = /^(user(_?name)?|login|handle|name|nick(name)?|account)$/i;
const SIGN_UP_PATH = /regist|sign-?up|join|(^|\/)(users|accounts|members)\/?$/i;
const LOGIN_PATH = /log-?in|sign-?in|token|auth|session/i;
/** Where a login's answer usually puts its token. */
const TOKEN_KEY = /^(access_?token|token|jwt|id_?token|auth_?token|session_?token|bearer)$/i;

/** Field names and schemas of an operation's body: form parameters, or the properties of its request schema. */
function fieldsOf(op: Operation): Map<string, JsonSchema | undefined> {
  const out = new Map<string, JsonSchema | undefined>();
  for (const p of op.params) if (p.in === 'form' || p.in === 'body') out.set(p.name, p.schema);
  const props = (op.requestBody?.schema as { properties?: Record<string, JsonSchema> } | undefined)?.properties;
  for (const [k, v] of Object.entries(props ?? {})) out.set(k, v);
  return out;
}

const isForm = (op: Operation): boolean => op.params.some((p) => p.in === 'form') || (op.requestBody?.contentType.includes('form') ?? false);
const hasPassword = (fields: ReadonlyMap<string, unknown>): boolean => [...fields.keys()].some((k) => PASSWORD.test(k));
const hasName = (fields: ReadonlyMap<string, unknown>): boolean => [...fields.keys()].some((k) => USERNAME.test(k) || EMAIL.test(k));

/** The sign-up operation: a POST to register/signup/users with a user name (or email) and a password field. */
export function findSignUp(ops: readonly Operation[]): Operation | undefined {
  return ops.find((op) => {
    if (op.method !== 'POST' || op.graphql || !SIGN_UP_PATH.test(op.path) || op.path.includes('{')) return false;
    if (LOGIN_PATH.test(op.path.replace(/regist\w*/i, ''))) return false;
    const f = fieldsOf(op);
    return hasPassword(f) && hasName(f);
  });
}

/** The login operation: a POST to login/signin/token/auth/session with a password field, not the sign-up. */
export function findLogin(ops: readonly Operation[], signUp?: Operation): Operation | undefined {
  const candidates = ops.filter((op) => op !== signUp && op.method === 'POST' && !op.graphql && LOGIN_PATH.test(op.path) && !op.path.includes('{') && hasPassword(fieldsOf(op)));
  // `/login` before `/token/refresh`: the shortest path of the ones that ask for a password.
  return candidates.sort((a, b) => a.path.length - b.path.length)[0];
}

/** A value for one field of a sign-up or login body. */
function valueFor(name: string, schema: JsonSchema | undefined, who: { username: string; email: string; password: string }): unknown {
  if (PASSWORD.test(name) || (/pass/i.test(name) && CONFIRM.test(name))) return who.password;
  if (EMAIL.test(name)) return who.email;
  if (USERNAME.test(name)) return schema?.format === 'email' ? who.email : who.username;
  // Eight digits from the user name's 8 random hex digits: a phone number is often unique, and 3 digits collided.
  if (/phone|mobile|tel/i.test(name)) return '+1555' + String(parseInt(who.username.slice(-8), 16) % 100_000_000).padStart(8, '0');
  if (/first|given/i.test(name)) return 'Vouch';
  if (/last|family|sur/i.test(name)) return 'Tester';
  return sampleValue(schema);
}

/** The body of a request to `op` for this user: every field the operation has (required or not), as form or JSON. */
function bodyFor(op: Operation, who: { username: string; email: string; password: string }, only?: (name: string) => boolean): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  for (const [name, schema] of fieldsOf(op)) if (!only || only(name)) body[name] = valueFor(name, schema, who);
  return body;
}

function requestOf(op: Operation, body: Record<string, unknown>): { method: string; url: string; headers: Array<[string, string]>; body: string } {
  if (isForm(op)) {
    const form = new URLSearchParams(Object.entries(body).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)])).toString();
    return { method: op.method, url: op.path, headers: [['content-type', 'application/x-www-form-urlencoded']], body: form };
  }
  return { method: op.method, url: op.path, headers: [['content-type', 'application/json']], body: JSON.stringify(body) };
}

/** Where a login's answer holds a token: a JSON path to a token-like key (two levels deep at most), or undefined. */
export function tokenPathIn(body: string | undefined): string | undefined {
  let v: unknown;
  try {
    v = JSON.parse(body ?? '');
  } catch {
    return undefined; // not JSON: no token in the body
  }
  const walk = (o: unknown, prefix: string, depth: number): string | undefined => {
    if (!o || typeof o !== 'object' || Array.isArray(o) || depth > 2) return undefined;
    for (const [k, x] of Object.entries(o)) if (TOKEN_KEY.test(k) && typeof x === 'string' && x.length >= 16) return prefix + k;
    for (const [k, x] of Object.entries(o)) {
      const found = walk(x, `${prefix}${k}.`, depth + 1);
      if (found) return found;
    }
    return undefined;
  };
  return walk(v, '', 0);
}

const statusOf = (x: Exchange): string => (x.response ? String(x.response.status) : (x.error?.code ?? 'no answer'));

/**
 * Registers `count` users through the surface's sign-up operation and logs each in once through its login operation;
 * returns them as identities (`auto-1`, `auto-2`) whose recipes the sessions log in with. Requests are marked as a
 * login's (`login: true`): they pass the harm guard, and the answers' ids become the identities' protected accounts.
 */
export async function autoIdentities(input: AutoIdentitiesInput): Promise<AutoIdentities> {
  const out: AutoIdentities = { identities: [], accounts: [], secrets: [], warnings: [] };
  const ops = input.surface.operations;
  const signUp = findSignUp(ops);
  if (!signUp) return out; // nothing to register with: anonymous only, as before
  const login = findLogin(ops, signUp);
  if (!login) {
    out.warnings.push(`identities: auto: ${signUp.id} can register users but no login operation (a POST with a password to /login, /token, /auth…) was found; no account was made`);
    return out;
  }
  const random = input.random ?? ((n: number) => randomBytes(n).toString('hex'));
  for (let i = 1; i <= (input.count ?? 2); i++) {
    const name = `auto-${i}`;
    const username = `vouch-${random(4)}`;
    const who = { username, email: `${username}@example.com`, password: `Vouch-${random(8)}-9a!` };
    const registered = await input.engine.send(requestOf(signUp, bodyFor(signUp, who)), { identity: `${name}:register`, login: true });
    const rs = registered.response?.status ?? 0;
    if (rs < 200 || rs >= 400) {
      out.warnings.push(`identities: auto: registering ${username} through ${signUp.id} answered ${statusOf(registered)}; no account was made`);
      break;
    }
    const fields = bodyFor(login, who, (f) => PASSWORD.test(f) || USERNAME.test(f) || EMAIL.test(f));
    const tried = await input.engine.send(requestOf(login, fields), { identity: `${name}:login`, login: true });
    const ls = tried.response?.status ?? 0;
    if (ls < 200 || ls >= 400) {
      out.warnings.push(`identities: auto: ${username} was registered but its login through ${login.id} answered ${statusOf(tried)}; it is not used`);
      break;
    }
    const path = tokenPathIn(tried.response?.body);
    const cookie = tried.response?.headers.some(([k]) => k.toLowerCase() === 'set-cookie') ?? false;
    if (path === undefined && !cookie) {
      out.warnings.push(`identities: auto: the login of ${username} through ${login.id} answered ${ls} with neither a token nor a cookie; it is not used`);
      break;
    }
    const token: LoginToken = path !== undefined ? { from: 'body', path } : { from: 'cookie' };
    const strings = Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]));
    const auth: IdentityAuth = isForm(login) ? { kind: 'form-login', url: login.path, fields: strings, token } : { kind: 'json-login', url: login.path, body: fields, token };
    // The names the account has on the target: the one its sign-up sent, and the email when the sign-up took one.
    const sent = Object.values(bodyFor(signUp, who, (f) => USERNAME.test(f) || EMAIL.test(f)));
    out.identities.push({ name, role: 'user', auth, account: { username: sent.includes(username) ? username : who.email, ...(sent.includes(who.email) ? { email: who.email } : {}) } });
    out.secrets.push(who.password);
    if (path !== undefined) {
      const t = jsonPath(JSON.parse(tried.response?.body ?? '{}') as unknown, path);
      if (typeof t === 'string') out.secrets.push(t);
    }
    out.accounts.push({ identity: name, username, registeredWith: signUp.id, loginWith: login.id, credential: path !== undefined ? 'bearer' : 'cookie' });
  }
  return out;
}
