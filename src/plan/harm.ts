// src/plan/harm.ts — do no harm: the guard the engine asks about every request. It refuses dangerous operations
// (reset, wipe), anything aimed at a signed-in identity's own account, and deletes or writes aimed at objects vouch did
// not create; it learns created ids, the identities' own ids and names, and pages that reported a reset.
import { collectionPutCreate, isHarmReason, OBJECT_KEYS } from '../core/index.js';
import type { Excluded, Exchange, Identity, Operation, RequestGuard, SendMeta, SkippedTask } from '../core/index.js';
import { allowedDangerous, changesOwnAccount, harmsOwnAccount, isDangerous, NEW_PASSWORD, reportsReset, words } from './danger.js';

/** Ids vouch makes up for objects that do not exist (discovery's unknown id, the permission audit's invalid id). */
const MADE_UP_ID = /^(999999999|vouch-invalid|vouch[0-9a-f]{6,})$/i;
/** Methods that change or remove what they are aimed at. */
const WRITES = new Set(['DELETE', 'PUT', 'PATCH']);
/** POST actions that change or remove an existing object (`POST /users/7/disable`, DVWA's `change_user_details.php`). */
const DESTRUCTIVE_ACTIONS = new Set(['delete', 'remove', 'destroy', 'deactivate', 'disable', 'suspend', 'ban', 'block', 'lock', 'revoke', 'archive', 'erase', 'kill', 'update', 'change', 'edit', 'modify', 'rename']);
/** Keys of a login body or a profile whose value names the account. */
const NAME_KEY = /^(user(name)?|login|email|e-?mail|account|name|handle)$/i;
/** Keys of an answer whose value is an account's id or name. */
const ACCOUNT_KEYS = ['id', '_id', 'uuid', 'user_id', 'userId', 'sub', 'username', 'email', 'login'];
/** An id that names one object wherever it appears (a UUID, a long token), not a small number every table has. */
const DISTINCT_ID = /^(?=.*[a-z_-])[\w-]{8,}$/i;
/** A collection of accounts: a protected id right under it is an identity's own record. */
const USERS = /^(users?|accounts?|members?|profiles?|customers?|people|persons?|employees?|identities|principals?|players?)$/i;
/** Paths whose answer (to a signed-in identity) describes that identity: its id and name become protected. */
const SELF_PATH = /(^|\/)(me|self|whoami|account|profile|current(-?user)?|users?\/me)(\/|$|\?)/i;

/**
 * The object a request body names by id (`{"id": 7}`): its id, `''` when it names none, undefined when the body cannot
 * be read (binary, too large, neither JSON nor a form).
 */
function namedObject(body: string | undefined): string | undefined {
  const text = (body ?? '').trim();
  if (text === '') return '';
  let keys: Array<[string, unknown]>;
  if (/^[[{]/.test(text)) {
    try {
      const v: unknown = JSON.parse(text);
      if (!v || typeof v !== 'object' || Array.isArray(v)) return undefined;
      keys = Object.entries(v);
    } catch {
      return undefined; // not JSON after all: what it names cannot be told
    }
  } else if (/^[^=&\s]+=[^&\s]*(&[^=&\s]+=[^&\s]*)*$/.test(text)) keys = [...new URLSearchParams(text)];
  else return undefined;
  const id = keys.find(([k, v]) => OBJECT_KEYS.includes(k) && v !== null && v !== undefined && v !== '');
  return id === undefined ? '' : typeof id[1] === 'object' ? JSON.stringify(id[1]) : String(id[1] as string | number);
}

/** What the guard refused, per method, path and reason (report.excluded). */
export interface Refusal {
  method: string;
  path: string;
  reason: string;
  requests: number;
}

export interface HarmGuard extends RequestGuard {
  /** Values (ids, user names, emails) that name an identity's own account: never the target of a write. */
  protect(...values: string[]): void;
  /**
   * Identities whose accounts vouch registered (`identities: auto`, `accounts: auto`): their own profile may be
   * changed, and a write naming one of `accounts` (their user names, emails) in its body may be sent (`meta.account`).
   */
  createdIdentity(name: string, ...accounts: string[]): void;
  /**
   * The surface's creates through a collection PUT (`collectionPutCreate`): a PUT to one of their paths whose body
   * names no object (or only an id vouch made up or created) is a create, and its answer's id becomes vouch's.
   */
  creates(operations: readonly Operation[]): void;
  /** Ids of objects vouch created (a create's answer); a write may be aimed at them. */
  created(): ReadonlySet<string>;
  /** Requests refused so far, grouped. */
  refusals(): Refusal[];
}

export interface HarmOptions {
  /** `scope.allowDangerous`: patterns (`/setup.php`, `POST /api/reset*`) of dangerous operations that may be sent. */
  allowDangerous?: readonly string[];
  /** The scan's identities: the account names in their login recipes are protected from the start. */
  identities?: readonly Identity[];
}

/** Account names in an identity's login recipe (`username`, `email` fields of its body or form). */
export function accountNames(identity: Identity): string[] {
  const a = identity.auth;
  const fields = a.kind === 'json-login' ? a.body : a.kind === 'form-login' ? a.fields : undefined;
  if (!fields) return [];
  return Object.entries(fields)
    .filter(([k, v]) => NAME_KEY.test(k) && typeof v === 'string' && v !== '' && !/^\$\{\w+\}$/.test(v))
    .map(([, v]) => v as string);
}

/** Keys of a login body or form whose value is the account's password. */
const PASSWORD_KEY = /^(pass(word)?|passwd|pwd|user_?pass(word)?)$/i;

/** The password in an identity's login recipe (its `password` field), or undefined. */
export function passwordOf(identity: Identity): string | undefined {
  const a = identity.auth;
  const fields = a.kind === 'json-login' ? a.body : a.kind === 'form-login' ? a.fields : undefined;
  const v = Object.entries(fields ?? {}).find(([k]) => PASSWORD_KEY.test(k))?.[1];
  return typeof v === 'string' && v !== '' && !/^\$\{\w+\}$/.test(v) ? v : undefined;
}

/** Path segments and query values of a request target, decoded. */
function parts(target: string): { path: string; segments: string[]; query: Array<[string, string]> } {
  const q = target.indexOf('?');
  const path = q < 0 ? target : target.slice(0, q);
  const dec = (s: string): string => {
    try {
      return decodeURIComponent(s);
    } catch {
      return s; // not percent-encoded as it should be: compared as sent
    }
  };
  const segments = path.split('/').filter(Boolean).map(dec);
  const query = q < 0 ? [] : [...new URLSearchParams(target.slice(q + 1))];
  return { path, segments, query };
}

/** Ids and names in a JSON answer: top-level keys and one level down (`{ user: { id } }`, `{ data: { id } }`). */
function idsIn(body: string | undefined, keys: readonly string[]): string[] {
  if (!body || body.length > 100_000 || !/^\s*[[{]/.test(body)) return [];
  let v: unknown;
  try {
    v = JSON.parse(body);
  } catch {
    return []; // not JSON after all: no ids
  }
  const out: string[] = [];
  const take = (o: unknown): void => {
    if (!o || typeof o !== 'object' || Array.isArray(o)) return;
    for (const k of keys) {
      const x = (o as Record<string, unknown>)[k];
      if (typeof x === 'string' || typeof x === 'number') out.push(String(x));
    }
  };
  take(v);
  if (v && typeof v === 'object' && !Array.isArray(v)) for (const x of Object.values(v)) take(x);
  return out;
}

/** Claims of a JWT bearer token that name its account (`sub`, `user_id`, `username`, `email`). */
function tokenNames(ex: Exchange): string[] {
  const auth = ex.request.headers.find(([k]) => k.toLowerCase() === 'authorization')?.[1];
  const jwt = /^Bearer\s+[\w-]+\.([\w-]+)\.[\w-]*$/i.exec(auth ?? '')?.[1];
  if (!jwt) return [];
  try {
    return idsIn(Buffer.from(jwt, 'base64url').toString('utf8'), ACCOUNT_KEYS);
  } catch {
    return []; // not a JWT after all
  }
}

/** The do-no-harm guard. One per scan; the engine calls `refuse` before each request and `learn` after each answer. */
export function createHarmGuard(opts: HarmOptions = {}): HarmGuard {
  const allowed = allowedDangerous(opts.allowDangerous ?? []);
  const protectedValues = new Set<string>();
  const madeBy = new Set<string>();
  /** Names (user names, emails) of the accounts vouch registered, lower-cased. */
  const registered = new Set<string>();
  /** Paths of objects vouch created (`/api/notes/7`), and their ids when they are distinct (a UUID). */
  const created = new Set<string>();
  const createdIds = new Set<string>();
  /** Paths (no trailing slash) of creates through a collection PUT. */
  const putCreates = new Set<string>();
  /** Paths whose answer reported a reset: never sent again. */
  const resets = new Map<string, string>();
  const refused = new Map<string, Refusal>();
  const protect = (...values: string[]): void => {
    for (const v of values) if (v !== '' && !MADE_UP_ID.test(v)) protectedValues.add(v.toLowerCase());
  };
  for (const i of opts.identities ?? []) protect(...accountNames(i));
  const passwords = new Map((opts.identities ?? []).map((i) => [i.name, passwordOf(i)]));
  const signedIn = (meta: SendMeta): boolean => meta.identity !== 'anonymous' && !meta.identity.includes(':');

  const note = (method: string, path: string, reason: string): string => {
    const key = `${method} ${path} ${reason}`;
    const r = refused.get(key);
    if (r) r.requests++;
    else refused.set(key, { method, path, reason, requests: 1 });
    return reason;
  };

  /** Why a request reaches an identity's own account, or undefined. */
  function selfHarm(method: string, p: ReturnType<typeof parts>, meta: SendMeta, body: string | undefined): string | undefined {
    const mine = signedIn(meta);
    // A "change" to the identity's own current password (the `csrf` check's harmless submission) changes nothing; in
    // a probe (built to be refused) the confirmation may differ: a mismatch the server must turn down.
    const current = passwords.get(meta.identity);
    const kept = ([k, v]: [string, string]): boolean => v === current || (meta.probe === true && /conf/i.test(k));
    // In the query or a form-encoded body (a POST password form).
    const form = body !== undefined && !/^\s*[[{<]/.test(body) ? [...new URLSearchParams(body)] : [];
    // A sign-up's password fields are the new account's (the plan keeps such operations too).
    const signUp = /regist|sign-?up|join/i.test(p.path);
    const newPasswords = signUp ? [] : [...p.query, ...form].filter(([k]) => NEW_PASSWORD.test(k));
    if (mine && newPasswords.length && !(current !== undefined && newPasswords.some(([, v]) => v === current) && newPasswords.every(kept))) {
      return `do no harm: ${method} ${p.path} would change ${meta.identity}'s password`;
    }
    if (method !== 'GET' && method !== 'HEAD' && method !== 'OPTIONS') {
      // A small number or a plain word (`7`, `admin`) names an account only under a users collection (`/users/7`).
      const hit = p.segments.find((s, i) => protectedValues.has(s.toLowerCase()) && (DISTINCT_ID.test(s) || s.includes('@') || USERS.test(p.segments[i - 1] ?? '')));
      if (hit !== undefined) return `do no harm: ${method} ${p.path} is aimed at the account of an identity vouch uses (${hit})`;
    }
    // An account vouch created (`identities: auto`) may be changed, never ended or taken away.
    const own = !mine ? undefined : (harmsOwnAccount(method, p.path) ?? (madeBy.has(meta.identity) ? undefined : changesOwnAccount(method, p.path)));
    return own === undefined ? undefined : `${own} (as ${meta.identity})`;
  }

  /** Whether a PUT is a create through a collection: its path is one, and its body names no object but vouch's own. */
  function isPutCreate(method: string, path: string, body: string | undefined): boolean {
    const base = path.replace(/\/+$/, '');
    if (method !== 'PUT' || !putCreates.has(base)) return false;
    const named = namedObject(body);
    return named === '' || (named !== undefined && (MADE_UP_ID.test(named) || createdIds.has(named) || created.has(`${base}/${named}`)));
  }

  /** Why a delete or write is aimed at an object vouch did not create, or undefined. */
  function notCreated(method: string, p: ReturnType<typeof parts>, body: string | undefined): string | undefined {
    const action = method === 'POST' ? words(p.path).find((w) => DESTRUCTIVE_ACTIONS.has(w)) : undefined;
    if (!WRITES.has(method) && !action) return undefined;
    if (isPutCreate(method, p.path, body)) return undefined;
    const refs = [...p.segments, ...p.query.map(([, v]) => v)];
    if (refs.some((r) => MADE_UP_ID.test(r) || createdIds.has(r))) return undefined;
    const path = p.path.replace(/\/+$/, '');
    const prefixes = path.split('/').map((_, i, all) => all.slice(0, i + 1).join('/'));
    if (prefixes.some((x) => created.has(x)) || p.query.some(([, v]) => created.has(`${path}/${v}`))) return undefined;
    const what = action ? `POST ${action}` : method;
    return `do no harm: ${what} ${p.path} is aimed at an object vouch did not create (only ids from vouch's own creates, or made-up ids, are written to or deleted)`;
  }

  return {
    refuse(method, target, meta, body) {
      if (meta.login) return undefined;
      const p = parts(target);
      if (!allowed(method, p.path)) {
        const danger = resets.get(p.path) ?? isDangerous(method, target);
        if (danger) return note(method, p.path, danger);
      }
      // A write naming an account in its body (a cross-user test) is aimed at that account: vouch's own, or refused.
      const named = meta.account?.toLowerCase();
      if (named !== undefined && !registered.has(named)) return note(method, p.path, `do no harm: ${method} ${p.path} names the account ${meta.account} in its body, which vouch did not register`);
      // A change to the account of an identity vouch registered is a change to an object vouch created.
      const ownCreated = (madeBy.has(meta.identity) && changesOwnAccount(method, p.path) !== undefined) || (named !== undefined && !p.segments.some((s) => /\d/.test(s)));
      const why = selfHarm(method, p, meta, body) ?? (ownCreated ? undefined : notCreated(method, p, body));
      return why === undefined ? undefined : note(method, p.path, why);
    },
    learn(ex, meta) {
      const res = ex.response;
      if (!res) return;
      const method = ex.request.method;
      const ok = res.status >= 200 && res.status < 300;
      const target = (() => {
        try {
          const u = new URL(ex.request.url);
          return { path: u.pathname, search: u.search };
        } catch {
          return { path: ex.request.url, search: '' };
        }
      })();
      // A login's (or sign-up's) answer, a signed-in identity's token and its "who am I" page name its own account.
      if (meta.login) {
        if (ok) protect(...idsIn(res.body, ACCOUNT_KEYS));
        return;
      }
      if (signedIn(meta)) {
        protect(...tokenNames(ex));
        if (ok && method === 'GET' && SELF_PATH.test(target.path)) protect(...idsIn(res.body, ACCOUNT_KEYS));
      }
      if (ok && method === 'GET') {
        const reset = reportsReset(res.body);
        if (reset) resets.set(target.path, `dangerous: GET ${target.path} answered "${reset}"`);
      }
      if (ok && (method === 'POST' || method === 'PUT')) {
        const location = res.headers.find(([k]) => k.toLowerCase() === 'location')?.[1];
        const base = target.path.replace(/\/+$/, '');
        // A create through a collection PUT made the object its answer names, not the collection.
        const byPut = method === 'PUT' && !putCreates.has(base);
        const paths = byPut ? [base] : idsIn(res.body, OBJECT_KEYS).map((id) => `${base}/${id}`);
        if (location) paths.push(parts(location.replace(/^[a-z]+:\/\/[^/]+/i, '')).path.replace(/\/+$/, ''));
        for (const x of paths) {
          const id = x.slice(x.lastIndexOf('/') + 1);
          if (protectedValues.has(id.toLowerCase())) continue;
          created.add(x);
          if (DISTINCT_ID.test(id)) createdIds.add(id);
        }
      }
    },
    protect,
    createdIdentity: (name, ...accounts) => {
      madeBy.add(name);
      for (const a of accounts) if (a !== '') registered.add(a.toLowerCase());
    },
    creates: (operations) => {
      for (const op of operations) if (collectionPutCreate(op)) putCreates.add(op.path.replace(/\/+$/, ''));
    },
    created: () => created,
    refusals: () => [...refused.values()].sort((a, b) => a.path.localeCompare(b.path) || a.method.localeCompare(b.method) || a.reason.localeCompare(b.reason)),
  };
}

/**
 * `report.excluded`: operations the plan left out to do no harm (once each, `requests: 0`) and what the guard refused
 * while the scan ran (with how many requests), sorted by path, method and reason.
 */
export function excludedList(skipped: readonly SkippedTask[], operations: readonly Operation[], refusals: readonly Refusal[]): Excluded[] {
  const byId = new Map(operations.map((o) => [o.id, o]));
  const out = new Map<string, Excluded>();
  for (const s of skipped) {
    const op = s.operationId ? byId.get(s.operationId) : undefined;
    if (!op || !isHarmReason(s.reason)) continue;
    const key = `${op.method} ${op.path} ${s.reason}`;
    if (!out.has(key)) out.set(key, { method: op.method, path: op.path, reason: s.reason, requests: 0 });
  }
  for (const r of refusals) out.set(`${r.method} ${r.path} ${r.reason}`, { ...r });
  return [...out.values()].sort((a, b) => a.path.localeCompare(b.path) || a.method.localeCompare(b.method) || a.reason.localeCompare(b.reason));
}
