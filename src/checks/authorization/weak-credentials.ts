// src/checks/authorization/weak-credentials.ts — sign-in operations that let a default username/password pair in
// (admin/admin, admin/password…): one attempt per pair, each hit proven against a wrong-password control and replayed.
import { z } from 'zod';
import type { Exchange, Operation } from '../../core/index.js';
import { pointLabel } from '../../inject/index.js';
import { escapeRegExp, excerpt } from '../kit/compare.js';
import { defineCheck, type CheckContext, type CheckResult, type Confirmation } from '../kit/define.js';
import { withFormFields } from '../kit/fields.js';
import { groupSightings } from '../kit/group.js';
import {
  configuredAccounts,
  credentialIn,
  gist,
  looksRefused,
  notSignIn,
  senderFor,
  requestWith,
  signedIn,
  signInFields,
  unknownAccount,
  wrongPassword,
  type SecretFields,
} from './support/sign-in.js';

/** Default pairs of appliances, frameworks and seeded demo data, most common first (at most 12 are tried). */
export const DEFAULT_PAIRS: ReadonlyArray<readonly [string, string]> = [
  ['admin', 'admin'],
  ['admin', 'password'],
  ['admin', '123456'],
  ['admin', 'admin123'],
  ['administrator', 'administrator'],
  ['root', 'root'],
  ['root', 'toor'],
  ['user', 'user'],
  ['test', 'test'],
  ['guest', 'guest'],
  ['demo', 'demo'],
  ['user', 'password'],
];

interface Options {
  /** Pairs to try (default `DEFAULT_PAIRS`), as `username:password`; at most 12. */
  pairs?: string[] | undefined;
  /** Sign-in operations tried per scan (default 10). */
  maxOperations: number;
}

type Ctx = CheckContext<Options>;

/** A real answer to judge by: not a rate limit, a server error or a failure. */
const judgeable = (x: Exchange): boolean => x.response !== undefined && x.response.status !== 429 && x.response.status < 500;
const said = gist;

/**
 * A write of this scan that named `user` as an account and was accepted (`POST /register` → 201 with
 * `"username":"test"`): vouch's own requests may have made the account, so its password proves no default.
 */
export function madeThisScan(recorded: readonly Exchange[], user: string, signInPaths: ReadonlySet<string>): Exchange | undefined {
  const named = new RegExp(`(?:^|[&{,\\s"'])(?:user(?:_?name)?|login|email|account)"?\\s*[:=]\\s*"?${escapeRegExp(user)}(?:["&,}\\s]|$)`, 'i');
  return recorded.find((x) => {
    const status = x.response?.status ?? 0;
    if (x.request.method === 'GET' || status < 200 || status > 299) return false;
    if (signInPaths.has(new URL(x.request.url).pathname)) return false;
    return named.test(String(x.request.body ?? ''));
  });
}

function pairsOf(o: Options): Array<readonly [string, string]> {
  if (!o.pairs) return [...DEFAULT_PAIRS];
  return o.pairs.map((p) => {
    const at = p.indexOf(':');
    return [p.slice(0, at), p.slice(at + 1)] as const;
  });
}

/** A sign-in operation as the check sends to it: its form fields made explicit, its fields and who sends. */
interface Target {
  op: Operation;
  f: SecretFields;
  as: string;
}

function targetFor(ctx: Ctx, raw: Operation): Target | string {
  const op = withFormFields(raw);
  const f = signInFields(op);
  const as = senderFor(ctx, op);
  if (!f) return 'no username and password fields';
  if (!as) return 'it needs a signed-in caller and no identity is signed in';
  return { op, f, as };
}

async function signIn(ctx: Ctx, t: Target, user: string, password: string): Promise<Exchange | string> {
  const req = requestWith(t.op, t.f, user, password);
  if (!req) return `the fields of ${t.op.method} ${t.op.path} cannot all be set in one request`;
  return ctx.send({ ...req, identity: t.as });
}

/**
 * Wrong passwords this check gives a configured account per scan (keyed by the scan's surface): one for the probe's
 * control and one for the replay's, and only where an unknown account gets no refusal to compare with.
 */
const BUDGET = 2;
const spent = new WeakMap<object, Map<string, number>>();
function takeWrongPassword(ctx: Ctx, user: string): boolean {
  let used = spent.get(ctx.surface);
  if (!used) spent.set(ctx.surface, (used = new Map()));
  const n = used.get(user.toLowerCase()) ?? 0;
  if (n >= BUDGET) return false;
  used.set(user.toLowerCase(), n + 1);
  return true;
}

/** A refused control for a pair and what it was, or why there is none. */
interface Control {
  x: Exchange;
  label: string;
}

/**
 * The control for a pair: the same username with a random wrong password; for a configured identity's account an
 * unknown account when that is refused (`unknown`, sent once per operation), else one of its two wrong passwords.
 */
async function controlFor(ctx: Ctx, t: Target, user: string, unknown: Exchange | undefined, phase: 'probe' | 'replay'): Promise<Control | string> {
  const configured = configuredAccounts(ctx).has(user.toLowerCase());
  if (configured && unknown && judgeable(unknown) && looksRefused(unknown)) return { x: unknown, label: 'an unknown account with a wrong password' };
  // The probe spends one wrong password per configured account in the whole scan; the replay the other.
  if (configured && (phase === 'probe' ? spentOn(ctx, user) >= 1 : false)) return `${user} is a configured account and already had its wrong-password control this scan`;
  if (configured && !takeWrongPassword(ctx, user)) return `${user} is a configured account whose ${BUDGET} wrong passwords this scan are spent`;
  const x = await signIn(ctx, t, user, wrongPassword());
  if (typeof x === 'string') return x;
  return { x, label: `${user} with a wrong password` };
}

const spentOn = (ctx: Ctx, user: string): number => spent.get(ctx.surface)?.get(user.toLowerCase()) ?? 0;

/** One operation where a pair signed in; `control` is set when a refused control proves it there. */
interface Hit {
  t: Target;
  x: Exchange;
  why: string;
  control?: Control;
}

interface Data {
  user: string;
  password: string;
}

async function probe(ctx: Ctx): Promise<CheckResult> {
  const ops = ctx.surface.operations.filter((op) => !notSignIn(op));
  if (!ops.length) return { status: 'clean' };
  const configured = configuredAccounts(ctx);
  const pairs = pairsOf(ctx.options)
    .slice(0, 12)
    .filter(([u, p]) => !configured.has(u.toLowerCase()) || configured.get(u.toLowerCase()) === p);
  if (!pairs.length) return { status: 'inconclusive', reason: 'every default pair names a configured account with another password: not tried (no wrong passwords for accounts vouch signs in with)' };
  const hits = new Map<string, Hit[]>();
  const notes: string[] = [];
  let judged = 0;
  for (const raw of ops.slice(0, ctx.options.maxOperations)) {
    const t = targetFor(ctx, raw);
    if (typeof t === 'string') {
      notes.push(`${raw.method} ${raw.path}: ${t}`);
      continue;
    }
    const unknown = await signIn(ctx, t, unknownAccount(), wrongPassword());
    if (typeof unknown === 'string') return { status: 'inconclusive', reason: unknown };
    if (judgeable(unknown) && !looksRefused(unknown)) {
      notes.push(`${t.op.method} ${t.op.path}: an unknown account with a random password was not refused (${said(unknown)}), so nothing tells a sign-in`);
      continue;
    }
    for (const [user, password] of pairs) {
      const x = await signIn(ctx, t, user, password);
      if (typeof x === 'string') return { status: 'inconclusive', reason: x };
      if (!judgeable(x)) continue;
      judged++;
      if (looksRefused(x)) continue;
      const c = await controlFor(ctx, t, user, unknown, 'probe');
      const key = `${user}\u0000${password}`;
      const list = hits.get(key) ?? [];
      if (typeof c === 'string' || !judgeable(c.x)) {
        // No refused control left here: a credential handed out still places the pair on this operation.
        const cred = credentialIn(x);
        if (cred && (list.length || typeof c === 'string') && !(judgeable(unknown) && credentialIn(unknown))) hits.set(key, [...list, { t, x, why: `${x.response!.status} with ${cred}` }]);
        continue;
      }
      const why = signedIn(x, c.x);
      if (why) hits.set(key, [...list, { t, x, why, control: c }]);
    }
  }
  if (notes.length === Math.min(ops.length, ctx.options.maxOperations)) return { status: 'inconclusive', reason: notes.join('; ') };
  if (!judged) return { status: 'inconclusive', reason: `no default pair got an answer to judge by (rate limits or server errors)${notes.length ? `; ${notes.join('; ')}` : ''}` };
  const candidates = [...hits].flatMap(([key, list]) => {
    const [user, password] = key.split('\u0000') as [string, string];
    const proven = list.filter((h) => h.control);
    const grouped = groupSightings(list.map((h) => ({ method: h.t.op.method, path: h.t.op.path, url: h.x.request.url, parameter: `${pointLabel(h.t.f.account!)}, ${pointLabel(h.t.f.secret)}`, hit: h })));
    const anchor = groupSightings(proven.map((h) => ({ method: h.t.op.method, path: h.t.op.path, url: h.x.request.url, hit: h })))?.first.hit;
    if (!grouped || !anchor) return [];
    const others = grouped.list.length > 1 ? `; also on ${grouped.list.filter((s) => s.hit !== anchor).map((s) => `${s.method} ${s.path} (${s.hit.why})`).join(', ')}` : '';
    return [
      {
        operation: { method: anchor.t.op.method, path: anchor.t.op.path },
        url: anchor.x.request.url,
        parameter: `${pointLabel(anchor.t.f.account!)}, ${pointLabel(anchor.t.f.secret)}`,
        title: `Default credentials accepted: ${user}/${password}`,
        vulnClass: `weak-credentials:${user}`,
        confidence: 'tentative' as const,
        grouped: true as const,
        locations: grouped.locations,
        proof: {
          summary: `${anchor.t.op.method} ${anchor.t.op.path}: the default pair ${user}/${password} signs in (${anchor.why}); control: ${anchor.control!.label} → ${said(anchor.control!.x)}${others}`,
          exchangeIds: [anchor.x.id, anchor.control!.x.id],
          evidence: excerpt(anchor.x.response?.body, 120),
          payload: `${user}/${password}`,
        },
        data: { user, password } satisfies Data,
      },
    ];
  });
  const kept = candidates.filter((c) => {
    const paths = new Set(ops.map((o) => o.path));
    const made = madeThisScan(ctx.recorded(), c.data.user, paths);
    if (made) notes.push(`${c.data.user}/${c.data.password} signs in, but this scan's ${made.request.method} ${new URL(made.request.url).pathname} → ${made.response!.status} named a user ${c.data.user}: vouch may have made that account, so it is no default`);
    return !made;
  });
  if (kept.length) return { status: 'found', candidates: kept };
  if (candidates.length) return { status: 'inconclusive', reason: notes.join('; ') };
  return { status: 'clean' };
}

async function replay(ctx: Ctx, raw: Operation, data: Data, found: string): Promise<Confirmation> {
  const t = targetFor(ctx, raw);
  if (typeof t === 'string') return { confirmed: false, exchangeIds: [], reason: t };
  const x = await signIn(ctx, t, data.user, data.password);
  if (typeof x === 'string') return { confirmed: false, exchangeIds: [], reason: x };
  const unknown = configuredAccounts(ctx).has(data.user.toLowerCase()) ? await signIn(ctx, t, unknownAccount(), wrongPassword()) : undefined;
  const c = await controlFor(ctx, t, data.user, typeof unknown === 'string' ? undefined : unknown, 'replay');
  if (typeof c === 'string') return { confirmed: false, exchangeIds: [x.id], reason: `no control for the replay: ${c}` };
  const ids = [x.id, c.x.id];
  if (!judgeable(x) || !judgeable(c.x)) return { confirmed: false, exchangeIds: ids, reason: `replay: no answer to judge by (${said(x)} / ${said(c.x)})` };
  const why = signedIn(x, c.x);
  if (!why) return { confirmed: false, exchangeIds: ids, reason: `the replay did not sign in again: ${data.user}/${data.password} → ${said(x)}; control → ${said(c.x)}` };
  return { confirmed: true, exchangeIds: ids, summary: `${found}; replayed with a fresh control (${c.label} → ${said(c.x)}): ${data.user}/${data.password} signs in again (${why})` };
}


export default defineCheck({
  id: 'weak-credentials',
  family: 'authorization',
  kind: 'active',
  scope: 'target',
  meta: {
    title: 'Default credentials accepted',
    description: 'A sign-in accepts a well-known default username and password (admin/admin, admin/password, root/root…), so anyone can sign in as that account.',
    severity: 'high',
    cwe: 'CWE-1392',
    owasp: 'API2:2023 Broken Authentication',
    remediation: 'Remove or disable default and demo accounts, force a password change at first sign-in, and refuse passwords from a list of common ones.',
    proves: 'The pair signs in (a 2xx/3xx where a wrong password gets a 4xx, a token or session cookie handed out, a redirect away from the form, a "welcome" page) where a control with the same username and a random wrong password is refused; replayed with a fresh control. One attempt per pair; a configured account is never given a wrong password (its control is an unknown account).',
  },
  options: z.strictObject({
    /** Pairs to try instead of the built-in list, as `username:password` (at most 12). */
    pairs: z.array(z.string().regex(/^[^:]+:.+$/)).min(1).max(12).optional(),
    /** Sign-in operations tried per scan (default 10). */
    maxOperations: z.number().int().min(1).max(50).default(10),
  }),
  safeModeSkips: 'default passwords are not tried in safe mode',
  run: (ctx) => (ctx.safeMode ? Promise.resolve({ status: 'inconclusive', reason: 'safe mode: default passwords are not tried' }) : probe(ctx)),
  async confirm(candidate, ctx) {
    const data = candidate.data as Data | undefined;
    if (!ctx.operation || !data?.user) return { confirmed: false, exchangeIds: [], reason: 'the operation is no longer in the surface' };
    return replay(ctx, ctx.operation, data, candidate.proof.summary);
  },
  example: {
    url: 'http://127.0.0.1:4357/api/auth/login',
    summary: 'POST /api/auth/login: the default pair admin/admin signs in (201 where the wrong password got 401; an authorization header (the wrong password got none))',
  },
});
