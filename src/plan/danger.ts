// src/plan/danger.ts — operations that reset, wipe or re-create a target's state (DVWA's "Create / Reset Database"):
// recognised by their name, a form's label, or an answer that reports a reset; excluded unless scope.allowDangerous.
import type { Operation } from '../core/index.js';

/**
 * Words that name a state-wiping operation, matched as whole words of the path, query or label (split on
 * non-letters and camelCase, so `/api/reset-db`, `?action=purge`, `createDb` and `create_db` all count).
 */
const DANGEROUS_WORDS = ['reset', 'drop', 'createdb', 'setup', 'purge', 'wipe', 'truncate', 'flush', 'seed', 'install', 'reinstall', 'reinitialize', 'reinit', 'nuke'];
/** Word pairs that name one together (`create_db`, `factory-reset` is `reset` already). */
const DANGEROUS_PAIRS: Array<[string, string]> = [
  ['create', 'db'],
  ['create', 'database'],
  ['init', 'db'],
  ['delete', 'all'],
  ['clear', 'all'],
  ['clear', 'database'],
  ['clear', 'db'],
];
/** A GET whose answer says this re-created the state: every later request to it is refused. */
const RESET_ANSWER = /\b(database|db|data|tables?)\b[^.<\n]{0,40}\b(has been|have been|was|were)\s+(re-?set|re-?created|created|dropped|wiped|purged|truncated|re-?initiali[sz]ed)\b/i;

/** Lower-case words of a path, a query or a label: `createDb` → `create db`, `factory-reset.php` → `factory reset php`. */
export function words(text: string): string[] {
  let decoded = text;
  try {
    decoded = decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    decoded = text; // a lone `%`: the raw text is what the words come from
  }
  return decoded
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
}

/** Words that make "reset" an account-recovery step (`/reset-password`, `passwordReset`), not a wipe of the state. */
const ACCOUNT_RESET = new Set(['password', 'passwd', 'pass', 'pwd', 'pin', 'credentials']);

/**
 * "reset" right next to a password word: a password-reset request asks for a code; the harm guard judges its writes.
 * A word between (`reset-chef-password`) names whose password is reset, by the call itself: an account vouch did not
 * create, so it stays dangerous.
 */
const accountReset = (ws: readonly string[], i: number): boolean => ACCOUNT_RESET.has(ws[i - 1] ?? '') || ACCOUNT_RESET.has(ws[i + 1] ?? '');

/** The reason a set of words names a dangerous operation, or undefined. */
function dangerIn(ws: readonly string[], where: string): string | undefined {
  const set = new Set(ws.filter((w, i) => !(w === 'reset' && accountReset(ws, i))));
  const word = DANGEROUS_WORDS.find((w) => set.has(w));
  if (word) return `its ${where} says "${word}"`;
  const pair = DANGEROUS_PAIRS.find(([a, b]) => ws.some((w, i) => w === a && ws[i + 1] === b));
  if (pair) return `its ${where} says "${pair.join(' ')}"`;
  return undefined;
}

/**
 * Whether a request or operation resets, wipes or re-creates the target's state, by its path, its query (names and
 * values, e.g. `?action=reset`) and its label (a form's button text, a link's text): the reason, or undefined.
 * Pure; any method (a `GET /setup.php?create_db=1` is as dangerous as a POST). `url` is a path or an absolute URL.
 */
export function isDangerous(method: string, url: string, label?: string): string | undefined {
  const q = url.indexOf('?');
  let path = q < 0 ? url : url.slice(0, q);
  const m = /^[a-z][a-z0-9+.-]*:\/\/[^/]*/i.exec(path);
  if (m) path = path.slice(m[0].length);
  const query = q < 0 ? '' : url.slice(q + 1);
  const why = dangerIn(words(path), 'path') ?? (query ? dangerIn(words(query), 'query') : undefined) ?? (label ? dangerIn(words(label), 'label') : undefined);
  return why === undefined ? undefined : `dangerous: ${method.toUpperCase()} ${path || '/'} may reset or wipe the target's state (${why})`;
}

/** Whether an answer reports that state was reset or re-created ("Database has been created."): the phrase, or undefined. */
export function reportsReset(body: string | undefined): string | undefined {
  if (!body) return undefined;
  const m = RESET_ANSWER.exec(body.length > 200_000 ? body.slice(0, 200_000) : body);
  return m ? m[0].replace(/\s+/g, ' ') : undefined;
}

/**
 * `scope.allowDangerous` patterns: a `*` matches any run of characters, anything else is literal; a pattern with a
 * method (`POST /setup.php`) matches that method only. Compared with `METHOD /path` of a request.
 */
export function allowedDangerous(patterns: readonly string[]): (method: string, path: string) => boolean {
  const compiled = patterns.map((p) => {
    const [first, ...rest] = p.trim().split(/\s+/);
    const hasMethod = rest.length > 0 && /^[A-Za-z]+$/.test(first ?? '');
    const pathPattern = hasMethod ? rest.join(' ') : p.trim();
    const re = new RegExp(`^${pathPattern.split('*').map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
    return { method: hasMethod ? first!.toUpperCase() : undefined, re };
  });
  return (method, path) => compiled.some((c) => (c.method === undefined || c.method === method.toUpperCase()) && c.re.test(path));
}

/** An operation's words beyond its path: its summary, its form fields' names and the examples of its fields. */
function labelOf(op: Operation): string {
  const parts = [op.summary ?? ''];
  for (const p of op.params) {
    if (p.in === 'form') parts.push(p.name);
    if (p.in === 'form' || p.in === 'query') for (const e of p.examples ?? []) if (typeof e === 'string') parts.push(e);
  }
  return parts.join(' ');
}

/**
 * Why an operation is left out of every stage (do no harm), or undefined: it resets or wipes state (unless
 * `scope.allowDangerous` names it), or it ends or takes away the caller's own account (`DELETE /me`, `POST /logout`,
 * a password change). A plain change of one's own account (`PATCH /me`) is planned: the engine's guard lets it
 * through only for an account vouch created.
 */
export function excludedOperation(op: Operation, allow: (method: string, path: string) => boolean, opts: { ownPassword?: boolean } = {}): string | undefined {
  if (op.graphql) return undefined;
  if (!allow(op.method, op.path)) {
    const danger = isDangerous(op.method, op.path, labelOf(op));
    if (danger) return danger;
  }
  // A check that sets a password only to the identity's own current one (`ownPasswordOnly`) may test the change.
  if (!opts.ownPassword && op.params.some((p) => (p.in === 'query' || p.in === 'form') && NEW_PASSWORD.test(p.name)) && !/regist|sign-?up|join/i.test(op.path)) {
    return `do no harm: ${op.method} ${op.path} would change the caller's password (${op.params.find((p) => NEW_PASSWORD.test(p.name))?.name})`;
  }
  const own = ownAccountAct(op.method, op.path);
  return own && !(opts.ownPassword && own.password) ? own.reason : undefined;
}

/** Path words of the caller's own account, and of actions on it. */
const OWN = new Set(['me', 'self', 'myself', 'whoami', 'account', 'profile']);
const ON_OWN = new Set(['deactivate', 'unregister', 'deregister', 'password', 'passwd']);
const RECOVERY = new Set(['reset', 'forgot', 'forgotten', 'recover', 'recovery', 'lost']);
const SETS = new Set(['new', 'change', 'set', 'update', 'confirm', 'complete', 'finish']);
const END_SESSION = /(^|[^a-z])(log[-_]?out|log[-_]?off|sign[-_]?out)([^a-z]|$)/i;
/** Field names of a new password (DVWA's `GET /vulnerabilities/csrf/?password_new=…`): a request that changes it. */
export const NEW_PASSWORD = /^(new_?pass(word)?|pass(word)?_?new|new_?pw|pass(word)?_?(conf|confirm(ation)?)|confirm_?pass(word)?)$/i;

/**
 * Why a request ends or takes away the caller's own account or session (`GET /logout`, `DELETE /me`,
 * `POST /account/deactivate`, a password change): never sent as a signed-in identity, or undefined.
 */
export function harmsOwnAccount(method: string, path: string): string | undefined {
  return ownAccountAct(method, path)?.reason;
}

/** `harmsOwnAccount` with whether the harm is a password change (`password`), which `ownPasswordOnly` checks may test. */
function ownAccountAct(method: string, path: string): { reason: string; password: boolean } | undefined {
  const m = method.toUpperCase();
  if (END_SESSION.test(path)) return { reason: `do no harm: ${m} ${path} would end the identity's session`, password: false };
  if (m === 'GET' || m === 'HEAD' || m === 'OPTIONS') return undefined;
  const ws = words(path.replace(/\{[^}]*\}/g, ''));
  const own = ws.find((w) => OWN.has(w));
  if (own && m === 'DELETE') return { reason: `do no harm: DELETE ${path} would delete the caller's own account (/${own})`, password: false };
  // A password-reset *request* (`POST /reset-password`, `/forgot-password`) asks for a code and changes nothing; a
  // step that sets the new one (`/reset-password/new-password`, `/password/change`) does.
  const recovery = ws.some((w) => RECOVERY.has(w)) && !ws.some((w) => SETS.has(w));
  const act = ws.find((w) => ON_OWN.has(w) && !(recovery && (w === 'password' || w === 'passwd'))) ?? (ws.includes('delete') && ws.includes('account') ? 'delete account' : undefined);
  if (!act) return undefined;
  const password = act === 'password' || act === 'passwd';
  return { reason: `do no harm: ${m} ${path} would ${password ? 'change the password of' : act} the caller's own account`, password };
}

/**
 * Why a write changes the caller's own account (`PATCH /me`, `PUT /profile`), or undefined: sent only as an identity
 * whose account vouch created (`identities: auto`), never as a configured one.
 */
export function changesOwnAccount(method: string, path: string): string | undefined {
  const m = method.toUpperCase();
  if (m === 'GET' || m === 'HEAD' || m === 'OPTIONS') return undefined;
  const own = words(path.replace(/\{[^}]*\}/g, '')).find((w) => OWN.has(w));
  return own ? `do no harm: ${m} ${path} would change the caller's own account (/${own}), which vouch did not create` : undefined;
}
