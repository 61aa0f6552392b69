// src/checks/authorization/mass-assignment.ts — privileged fields the request schema does not offer (`role`, `isAdmin`,
// `price`, ...) accepted on create or update; proof is the field taking effect next to a control request without it.
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { Exchange, Identity, JsonSchema, Operation, SendRequest } from '../../core/index.js';
import { buildRequest } from '../../inject/index.js';
import { defineCheck, type CandidateInput, type CheckContext, type CheckResult } from '../kit/define.js';
import { excerpt, flatten, isSuccess, parseJson } from '../kit/compare.js';
import { all, methodIn, notSafeMode } from '../kit/guards.js';
import { accountReads, bodyFields, bodyTemplate, exclusive, fieldOf, isSelfPath, isSignUp, loginMode, loginOf, signIn, objectOf, registeredUsers, ROLE_FIELD, roleValues, same, seenValues, selfRead, withBody } from './support/accounts.js';

/** Fields that grant privilege or set what only the server should, with the value that would show it took effect. */
export const PRIVILEGED: ReadonlyArray<readonly [string, unknown]> = [
  ['role', 'admin'],
  ['isAdmin', true],
  ['is_admin', true],
  ['admin', true],
  ['isSuperuser', true],
  ['verified', true],
  ['emailVerified', true],
  ['owner', 1],
  ['ownerId', 1],
  ['userId', 1],
  ['price', 0.01],
  ['balance', 1_000_000],
  ['credits', 1_000_000],
  ['discount', 100],
];

/** Names of fields whose value must be unique (a second sign-up with the same username is refused). */
const UNIQUE = /^(user(_?name)?|login|e-?mail|handle|slug|nick(_?name)?|account|phone(_?number)?|mobile)$/i;
/** Names of flags that grant privilege (`isAdmin`, `is_staff`, `verified`). */
const PRIVILEGED_NAME = /admin|super|staff|verified|approved|active|privileged|moderator/i;

/** The body with unique-looking fields made unique, so the control and the attack both create something. */
export function uniquified(body: Record<string, unknown>, schema: JsonSchema | undefined): Record<string, unknown> {
  const props = (schema ? (flatten(schema).properties as Record<string, JsonSchema> | undefined) : undefined) ?? {};
  const out = { ...body };
  for (const [k, v] of Object.entries(body)) {
    if (typeof v !== 'string' || !UNIQUE.test(k)) continue;
    if (/^\+?\d{4,}$/.test(v)) {
      // A phone number stays digits: its last six are made up.
      out[k] = v.slice(0, -6) + String(randomBytes(3).readUIntBE(0, 3) % 1_000_000).padStart(6, '0');
      continue;
    }
    const tag = `v${randomBytes(3).toString('hex')}`;
    if (v.includes('@')) {
      const [local, domain] = v.split('@') as [string, string];
      out[k] = `${local}+${tag}@${domain}`;
      continue;
    }
    const max = typeof props[k]?.maxLength === 'number' ? (props[k].maxLength as number) : 64;
    out[k] = `${v.slice(0, Math.max(1, max - tag.length - 1))}_${tag}`;
  }
  return out;
}

const options = z.strictObject({
  /** Privileged fields to try, replacing the defaults: `{ "tier": "gold" }`. */
  fields: z.record(z.string(), z.unknown()).optional(),
  /** When all fields at once are refused or take no effect: how many single field-and-value writes to try. */
  singles: z.number().int().min(0).max(30).default(10),
});
type Options = z.infer<typeof options>;

interface Sent {
  write: Exchange;
  readBack?: Exchange;
}

export default defineCheck({
  id: 'mass-assignment',
  family: 'authorization',
  kind: 'active',
  scope: 'operation',
  meta: {
    title: 'Mass assignment of a privileged field',
    description: 'A create or update operation binds fields the client should not set (a role, an admin flag, an owner, a price) because the server copies the request body into the object.',
    severity: 'high',
    cwe: 'CWE-915',
    owasp: 'API3:2023 Broken Object Property Level Authorization',
    remediation: 'Bind only an allow-list of fields per operation (a strict input schema or DTO); set roles, owners and prices on the server from the caller and the catalogue, never from the body.',
    proves: 'The same request with the privileged field added (a field the request schema does not offer) creates or updates an object whose response or read-back carries the sent value, while the control request without it shows a different server-set value.',
  },
  options,
  appliesTo: all(methodIn('POST', 'PUT', 'PATCH'), (op) => (op.requestBody?.contentType.includes('json') ? undefined : 'no JSON request body'), notSafeMode),
  async run(ctx) {
    const op = ctx.operation!;
    // A change of one's own account (`PATCH /profile`) is sent only as an account vouch registered, one test at a time
    // on it: another task's change must not look like this one's.
    const as = op.method !== 'POST' && isSelfPath(op.path) ? (ctx.identity.account ? ctx.identity : registeredUsers(ctx)[0]) : ctx.identity;
    if (!as) return { status: 'inconclusive', reason: `${op.method} ${op.path} changes the caller's own account: only an account vouch registered is changed (identities: auto, or accounts: auto beside the named identities), and none can sign in` };
    return as.account ? exclusive([as.name], () => test(ctx, as)) : test(ctx, as);
  },
  example: { url: 'http://127.0.0.1:8080/api/register', summary: 'POST /api/register with {"role":"admin"} added (not in the request schema) → 201, the response says role "admin"; without it role is "user"' },
});

/** The control, the attack (all fields at once, then one field and value at a time), the read-backs, the undo. */
async function test(ctx: CheckContext<Options>, as: Identity): Promise<CheckResult> {
  const op = ctx.operation!;
  const template = bodyTemplate(op);
  if (!template) return { status: 'inconclusive', reason: 'the request body is not a JSON object' };
  const { base, body } = template;
  const schema = op.requestBody?.schema;
  const declared = bodyFields(op);
  const offered = (k: string): boolean => k in declared && !declared[k]!.readOnly;
  const own = op.method !== 'POST' && isSelfPath(op.path);
  const read = own ? selfRead(ctx.surface.operations, op) : undefined;
  // The account as it is: the control sends what it holds, so only the added fields can change anything.
  const current = read ? objectOf(await ctx.send({ ...buildRequest(read), identity: as.name })) : undefined;
  // A sign-up also carries the login's other fields (`"op": "basic"`: the way the new account will sign in).
  const mode = op.method === 'POST' && isSignUp(body) ? loginMode(ctx.surface.operations, body) : {};
  const start = current ? Object.fromEntries(Object.entries(body).map(([k, v]) => [k, k in current && current[k] !== null ? current[k] : v])) : { ...mode, ...body };
  const fields = privileged(ctx.options.fields, current, (k) => !offered(k) && !(k in body), (f, v) => seenValues(ctx.recorded(), f, v));
  if (!fields.length) return { status: 'inconclusive', reason: 'the request schema offers every privileged field already' };

  const send = async (extra: Record<string, unknown>): Promise<Sent> => {
    const write = await ctx.send({ ...withBody(base, { ...(current ? start : uniquified(start, schema)), ...extra }), identity: as.name });
    return { write, ...(isSuccess(write.response?.status) ? await readBack(ctx, write, as.name, read) : {}) };
  };
  const control = await send({});
  if (!isSuccess(control.write.response?.status)) return { status: 'inconclusive', reason: `the request without extra fields answered ${control.write.response?.status ?? control.write.error?.code ?? 'nothing'}, so there is nothing to compare with` };
  const first = fields.map(([k, values]) => [k, values[0]] as const);
  const together = await send(Object.fromEntries(first));
  const took = isSuccess(together.write.response?.status);
  let found = took ? assigned(op, together, control, first, own ? { as: as.name } : {}) : [];
  let tried = first;
  if (!found.length) {
    // Refused all at once (a strict schema, a value the store rejects): one field and value at a time; accepted
    // without effect: the other values of fields that have several (another role than the first).
    const singles = fields.flatMap(([k, values]) => (took ? values.slice(1) : values).map((v) => [k, v] as const));
    for (const [k, v] of singles.slice(0, ctx.options.singles)) {
      const one = await send({ [k]: v });
      if (!isSuccess(one.write.response?.status)) continue;
      found = assigned(op, one, control, [[k, v]], own ? { as: as.name } : {});
      tried = [[k, v]];
      if (found.length) break;
    }
  }
  // A sign-up whose answer shows nothing: each new account signs in and reads itself (`GET /users/{email}/…`).
  if (!found.length && took && op.method === 'POST' && isSignUp(body)) found = await throughLogin(ctx, op, control, together, first);
  if (op.method !== 'POST' && found.length) await restore(ctx, base, current ? start : body, control, tried, as.name);
  return found.length ? { status: 'found', candidates: found } : { status: 'clean' };
}

/**
 * Both new accounts sign in through the login operation with what their sign-ups sent and read themselves with each
 * account read (`/me`, `GET /users/{email}/adminpermission`): the field the attack sent shows there, and the control's
 * account shows another value. Nothing when there is no login or no such read.
 */
async function throughLogin(ctx: CheckContext<Options>, op: Operation, control: Sent, attack: Sent, tried: ReadonlyArray<readonly [string, unknown]>): Promise<CandidateInput[]> {
  const login = loginOf(ctx.surface.operations);
  const reads = accountReads(ctx.surface.operations);
  if (!login || !reads.length) return [];
  const sent = (x: Exchange): Record<string, unknown> => (parseJson(x.request.body)?.value as Record<string, unknown> | undefined) ?? {};
  const c = await signIn(ctx as CheckContext<unknown>, login, sent(control.write));
  const a = 'reason' in c ? c : await signIn(ctx as CheckContext<unknown>, login, sent(attack.write));
  if ('reason' in c || 'reason' in a) return [];
  for (const read of reads) {
    // The account's name in the path parameter, its credential in the headers; nothing else.
    const req = (who: typeof a) => ctx.send({ method: 'GET', url: read.path.replace(/\{[^}]+\}/, encodeURIComponent(who.name)), headers: who.headers, identity: 'anonymous' });
    const readC = await req(c);
    const readA = await req(a);
    if (!isSuccess(readA.response?.status)) continue;
    const refused = readC.response?.status === 401 || readC.response?.status === 403;
    const hit = tried.find(([f, v]) => same(fieldOf(readA, f), v));
    if (refused && hit) {
      // The control's account may not even read it: the field granted the attack's account what it shows.
      const [field, value] = hit;
      const summary = `${op.method} ${op.path} with ${JSON.stringify({ [field]: value })} added (not in the request schema) → ${attack.write.response!.status}; the new account, signed in through ${login.path}, reads GET ${read.path} → ${readA.response!.status} with ${field} ${JSON.stringify(value)}, while the control's account (the same sign-up without it) is refused there (${readC.response!.status})`;
      return [{ operation: { method: op.method, path: op.path }, url: attack.write.request.url, parameter: `json:${field}`, vulnClass: 'mass-assignment', confidence: 'confirmed', proof: { summary, exchangeIds: [attack.write.id, a.exchange.id, readA.id, control.write.id, c.exchange.id, readC.id], evidence: excerpt(readA.response?.body, 200), payload: JSON.stringify({ [field]: value }) } }];
    }
    if (!isSuccess(readC.response?.status)) continue;
    const found = assigned(op, { write: attack.write, readBack: readA }, { write: control.write, readBack: readC }, tried, { via: `the new account's own read (signed in through ${login.path}, GET ${read.path})`, also: [a.exchange, c.exchange] });
    if (found.length) return found;
  }
  return [];
}

/** The object as stored: GET of the Location header, else the account's own read, else GET of the same path. */
async function readBack(ctx: CheckContext<unknown>, write: Exchange, identity: string, self: Operation | undefined): Promise<{ readBack?: Exchange }> {
  const op = ctx.operation!;
  const location = write.response?.headers.find(([k]) => k.toLowerCase() === 'location')?.[1];
  const samePath = op.method !== 'POST' && ctx.surface.operations.some((o) => o.method === 'GET' && o.path === op.path);
  const url = location ?? (self ? self.path : samePath ? write.request.url : undefined);
  if (!url) return {};
  const x = await ctx.send({ method: 'GET', url, identity });
  return isSuccess(x.response?.status) ? { readBack: x } : {};
}

/** Fields whose values showed what was assigned, as candidates: the read-back (or answer) says the sent value. */
function assigned(op: Operation, attack: Sent, control: Sent, tried: ReadonlyArray<readonly [string, unknown]>, how: { as?: string; via?: string; also?: Exchange[] }): CandidateInput[] {
  const as = how.as;
  const out: CandidateInput[] = [];
  for (const [field, value] of tried) {
    const viaRead = attack.readBack && control.readBack;
    const got = fieldOf(viaRead ? attack.readBack : attack.write, field);
    const before = fieldOf(viaRead ? control.readBack : control.write, field);
    if (!same(got, value) || (before !== undefined && same(before, value))) continue;
    // The control must show a different, server-set value; a field absent from it may just be echoed back.
    const proven = before !== undefined && !same(before, value);
    const shown = viaRead ? (how.via ?? 'the read-back') : 'the response';
    const exchanges = [attack.write, ...(attack.readBack ? [attack.readBack] : []), control.write, ...(control.readBack ? [control.readBack] : []), ...(how.also ?? [])];
    out.push({
      operation: { method: op.method, path: op.path },
      url: attack.write.request.url,
      parameter: `json:${field}`,
      vulnClass: 'mass-assignment',
      confidence: proven ? 'confirmed' : 'tentative',
      ...(as ? { identity: as } : {}),
      proof: {
        summary: `${op.method} ${op.path}${as ? ` as ${as} (an account vouch registered)` : ''} with ${JSON.stringify({ [field]: value })} added (not in the request schema) → ${attack.write.response!.status}, ${shown} says ${field} ${JSON.stringify(got)}; without it ${field} is ${before === undefined ? 'absent (the value may only be echoed)' : JSON.stringify(before)}`,
        exchangeIds: exchanges.map((x) => x.id),
        evidence: excerpt((viaRead ? attack.readBack : attack.write)?.response?.body, 200),
        payload: JSON.stringify({ [field]: value }),
      },
    });
  }
  return out;
}

/**
 * The fields to try, each with its values: `fields` from vouch.yaml, else those the account's own read shows that look
 * privileged (another role than its own, a flag flipped), then the wordlist.
 */
function privileged(configured: Record<string, unknown> | undefined, current: Record<string, unknown> | undefined, usable: (k: string) => boolean, seen: (field: string, current: unknown) => string[]): Array<[string, unknown[]]> {
  if (configured) return Object.entries(configured).filter(([k]) => usable(k)).map(([k, v]) => [k, [v]]);
  const out = new Map<string, unknown[]>();
  for (const [k, v] of Object.entries(current ?? {})) {
    if (!usable(k)) continue;
    if (ROLE_FIELD.test(k) && typeof v === 'string') out.set(k, roleValues(v, seen(k, v)));
    else if (PRIVILEGED_NAME.test(k) && typeof v === 'boolean') out.set(k, [!v]);
  }
  for (const [k, v] of PRIVILEGED) if (usable(k) && !out.has(k) && !(current && k in current && typeof current[k] !== typeof v)) out.set(k, [v]);
  return [...out.entries()];
}

/** An update that took the field is sent again with the control's values, so the account is not left changed. */
async function restore(ctx: CheckContext<unknown>, base: SendRequest, body: Record<string, unknown>, control: Sent, fields: ReadonlyArray<readonly [string, unknown]>, identity: string): Promise<void> {
  const original = Object.fromEntries(fields.map(([f]) => [f, fieldOf(control.readBack ?? control.write, f)]).filter(([, v]) => v !== undefined));
  if (Object.keys(original).length) await ctx.send({ ...withBody(base, { ...body, ...original }), identity });
}
