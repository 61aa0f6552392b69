// src/checks/authorization/bola.ts — broken object-level authorization: user B reads or changes an object of user A's
// (one only A's list holds, one a list names A as owner of, one A created, A's user id in a query, or through a
// GraphQL field's id argument), or a write
// names another user's account in its body; a read is proven by A's marker, next to B's own object as the control.
import { z } from 'zod';
import type { Exchange, Identity, Operation, SendRequest } from '../../core/index.js';
import { buildRequest, injectionPoints, type InjectionPoint } from '../../inject/index.js';
import { defineCheck, type CandidateInput, type CheckContext, type CheckResult } from '../kit/define.js';
import { harvestIds, isSuccess, jsonBody, listItems } from '../kit/compare.js';
import { all, methodIn, requiresAuth, singleTrailingPathParam, type Guard } from '../kit/guards.js';
import { idParam, knownNames, markerOf, ownedBy, userIdOf } from './support/owned.js';
import { accountField, accountName, bodyFields, bodyTemplate, exclusive, fieldOf, fieldToChange, names, objectOf, registeredUsers, same, seenValues, selfRead, withBody } from './support/accounts.js';
import { fieldData, idArgument, idSources, idsIn, refusal, withId } from './support/graphql.js';

export { harvestIds, listItems } from '../kit/compare.js';

const idOf = (x: Exchange): string | undefined => {
  const v = jsonBody(x)?.value;
  const id = v && typeof v === 'object' ? (v as Record<string, unknown>).id : undefined;
  return typeof id === 'string' || typeof id === 'number' ? String(id) : undefined;
};

/** B got what A got: the same body, or an object with the same `id`. */
const sameObject = (a: Exchange, b: Exchange): boolean => (a.response?.body ?? '') === (b.response?.body ?? '') || (idOf(a) !== undefined && idOf(a) === idOf(b));

const collectionOf = (op: Operation, ops: readonly Operation[], method = 'GET'): Operation | undefined => {
  const path = op.path.replace(/\/\{[^}]+\}$/, '');
  return ops.find((o) => o.method === method && (o.path === path || o.path === `${path}/`));
};

const WRITES = ['DELETE', 'PUT', 'PATCH'];

/** The check's one candidate on `op`, shown by the exchange `x`. */
const foundOne = (op: Operation, x: Exchange, c: Omit<CandidateInput, 'operation' | 'url'>): CheckResult => ({ status: 'found', candidates: [{ operation: { method: op.method, path: op.path }, url: x.request.url, ...c }] });
const statusOf = (x: Exchange | undefined): string => (x?.response ? String(x.response.status) : (x?.error?.code ?? 'nothing'));
const writesOnlyOutsideSafeMode: Guard = (op, env) => (env.safeMode && WRITES.includes(op.method) ? `safe mode: ${op.method} would change another user's object` : undefined);

/** A creates an object through `POST <collection>` (only objects vouch created are ever changed); its id, or why not. */
async function createAs(ctx: CheckContext<{ objects: number }>, op: Operation, a: Identity): Promise<{ id: string; created: Exchange } | { reason: string }> {
  const post = collectionOf(op, ctx.surface.operations, 'POST');
  if (!post) return { reason: `no POST ${op.path.replace(/\/\{[^}]+\}$/, '')} to create an object of ${a.name}'s with (vouch changes only objects it created)` };
  if (ctx.safeMode) return { reason: 'safe mode: no object is created' };
  const created = await ctx.send({ ...buildRequest(post), identity: a.name });
  const location = created.response?.headers.find(([k]) => k.toLowerCase() === 'location')?.[1];
  const id = idOf(created) ?? location?.split('/').filter(Boolean).pop();
  if (!isSuccess(created.response?.status) || id === undefined) return { reason: `creating an object as ${a.name}: POST ${post.path} answered ${statusOf(created)}${isSuccess(created.response?.status) ? ' without an id' : ''}` };
  return { id, created };
}

/** B changes an object A created: A's read before (control), B's write, A's read after shows it deleted or changed. */
async function changeOthers(ctx: CheckContext<{ objects: number }>, op: Operation, a: Identity, b: Identity, param: string): Promise<CheckResult> {
  const read = ctx.surface.operations.find((o) => o.method === 'GET' && o.path === op.path);
  if (!read) return { status: 'inconclusive', reason: `no GET ${op.path} to read the object back with` };
  const made = await createAs(ctx, op, a);
  if ('reason' in made) return { status: 'inconclusive', reason: made.reason };
  const point = (o: Operation) => injectionPoints(o).find((p) => p.location === 'path');
  const before = await ctx.send({ ...buildRequest(read, point(read), made.id), identity: a.name });
  if (!isSuccess(before.response?.status)) return { status: 'inconclusive', reason: `${a.name} cannot read the object they created: GET ${op.path} answered ${statusOf(before)}` };
  const write = await ctx.send({ ...buildRequest(op, point(op), made.id), identity: b.name });
  if (!isSuccess(write.response?.status)) return { status: 'clean' };
  const after = await ctx.send({ ...buildRequest(read, point(read), made.id), identity: a.name });
  const deleted = op.method === 'DELETE' && (after.response?.status === 404 || after.response?.status === 410);
  const changed = op.method !== 'DELETE' && isSuccess(after.response?.status) && (after.response?.body ?? '') !== (before.response?.body ?? '');
  if (!deleted && !changed) return { status: 'clean' };
  const path = write.request.url.replace(/^https?:\/\/[^/]+/, '');
  return foundOne(op, write, {
    parameter: `path:${param}`,
    identity: b.name,
    vulnClass: op.method === 'DELETE' ? 'bola-delete' : 'bola-write',
    // The reads before and after are the control and the proof; a change is not replayed.
    confidence: 'confirmed',
    proof: {
      summary: `${b.name} ${deleted ? 'deleted' : 'changed'} ${a.name}'s object: ${op.method} ${path} as ${b.name} → ${write.response!.status}; ${a.name}'s read answered ${before.response!.status} before and ${statusOf(after)}${changed ? ' with a different body' : ''} after (the object was created by ${a.name} for this test)`,
      exchangeIds: [write.id, after.id, before.id, made.created.id],
      evidence: (after.response?.body ?? '').slice(0, 200),
      payload: made.id,
    },
  });
}

/** The first guard that passes, else both reasons. */
const either =
  (a: Guard, b: Guard): Guard =>
  (op, env) => {
    const ra = a(op, env);
    const rb = ra === undefined ? undefined : b(op, env);
    return ra === undefined || rb === undefined ? undefined : `${ra}; and ${rb}`;
  };

/** A write without path parameters whose JSON body names the account it changes (`PUT /profile {"username"}`). */
const namesAnAccount: Guard = (op) => {
  const update = ['PUT', 'PATCH'].includes(op.method) || (op.method === 'POST' && /update|edit|change|modify|set/i.test(op.path));
  if (!update || op.path.includes('{')) return 'not an update without path parameters';
  return accountField(op) ? undefined : 'its JSON body has no field naming an account (username, email, …)';
};

/**
 * A writes to B's account by naming it in the body: both accounts vouch registered. B reads its own account before
 * (the control) and after (the proof: it carries the value A sent); the change is undone as A afterwards.
 */
async function changeOthersAccount(ctx: CheckContext<{ objects: number }>, op: Operation, field: string): Promise<CheckResult> {
  const users = registeredUsers(ctx);
  if (users.length < 2) {
    return { status: 'inconclusive', reason: `needs two accounts vouch registered (identities: auto, or accounts: auto beside the named identities): ${op.method} ${op.path} names the account it changes in its body field ${field}, and vouch writes only to accounts it created; ${users.length} can sign in` };
  }
  const [a, b] = users as [Identity, Identity];
  const victim = accountName(b, field);
  const read = selfRead(ctx.surface.operations, op);
  if (!read) return { status: 'inconclusive', reason: `no read-back operation: no GET of the caller's own account (/me, /profile, …) to read ${b.name}'s state with` };
  const template = bodyTemplate(op);
  if (!template || victim === undefined) return { status: 'inconclusive', reason: `the request body of ${op.method} ${op.path} is not a JSON object` };
  const readB = () => ctx.send({ ...buildRequest(read), identity: b.name });
  const before = await readB();
  const state = objectOf(before);
  if (!isSuccess(before.response?.status) || !state) return { status: 'inconclusive', reason: `${b.name} cannot read their own account: GET ${read.path} answered ${statusOf(before)}${isSuccess(before.response?.status) ? ' without a JSON object' : ''}` };
  if (!names(state, b)) return { status: 'inconclusive', reason: `GET ${read.path} as ${b.name} does not name ${b.name}'s account (${victim}), so it cannot show whose state it is` };
  const shared = Object.keys(bodyFields(op)).filter((k) => k !== field && k in state);
  const change = fieldToChange(shared, state, (f) => seenValues(ctx.recorded(), f, state[f]));
  if (!change) return { status: 'inconclusive', reason: `${op.method} ${op.path} and GET ${read.path} share no field vouch can set to a value of its own (a name, a role, a flag)` };
  // Every field the read shows is sent as B has it: only the one under test changes.
  const kept = Object.fromEntries(Object.entries(template.body).map(([k, v]) => [k, k in state && state[k] !== null ? state[k] : v]));
  const send = (value: unknown) => ctx.send({ ...withBody(template.base, { ...kept, [field]: victim, [change.field]: value }), identity: a.name, account: victim });
  let last: Exchange | undefined;
  for (const value of change.values) {
    const write = await send(value);
    last = write;
    if (!isSuccess(write.response?.status)) continue;
    const after = await readB();
    if (!same(fieldOf(after, change.field), value) || same(state[change.field], value)) continue;
    // Undone as A (the same hole); B's read then says whether it took.
    const undo = await send(state[change.field]);
    const again = isSuccess(undo.response?.status) ? await readB() : undefined;
    const restored = again !== undefined && same(fieldOf(again, change.field), state[change.field]);
    const path = write.request.url.replace(/^https?:\/\/[^/]+/, '');
    return foundOne(op, write, {
      parameter: `json:${field}`,
      identity: a.name,
      vulnClass: 'bola-write',
      // B's reads before and after are the control and the proof; a change is not replayed.
      confidence: 'confirmed',
      proof: {
        summary: `${a.name} changed ${b.name}'s account by naming it in the body: ${op.method} ${path} as ${a.name} with ${JSON.stringify({ [field]: victim, [change.field]: value })} → ${write.response!.status}; ${b.name}'s own GET ${read.path} said ${change.field} ${JSON.stringify(state[change.field])} before and ${JSON.stringify(value)} after (both accounts were registered by vouch for this test; ${restored ? 'the change was undone' : `undoing it answered ${statusOf(again ?? undo)}`})`,
        exchangeIds: [write.id, after.id, before.id, undo.id, ...(again ? [again.id] : [])],
        evidence: (after.response?.body ?? '').slice(0, 200),
        payload: JSON.stringify({ [field]: victim, [change.field]: value }),
      },
    });
  }
  const status = last?.response?.status;
  // A refusal is the app checking ownership; no answer or a server error says nothing.
  if (status === undefined || status >= 500) return { status: 'inconclusive', reason: `${op.method} ${op.path} as ${a.name} naming ${b.name}'s account answered ${statusOf(last)}` };
  return { status: 'clean' };
}

/** Leaf values of a JSON value other than ids, as `path=value` strings. */
const leaves = (v: unknown, at = '', out: string[] = []): string[] => {
  if (v !== null && typeof v === 'object') for (const [k, x] of Object.entries(v)) if (k !== 'id') leaves(x, `${at}.${k}`, out);
  if (v === null || typeof v !== 'object') out.push(`${at}=${JSON.stringify(v)}`);
  return out;
};

/** B's data for the field is A's object: the same JSON, or the same id with most of A's other values (A's marker). */
function sameData(a: unknown, b: unknown): boolean {
  if (JSON.stringify(a) === JSON.stringify(b)) return true;
  const ida = idsIn([a]);
  if (!ida.size || [...ida].some((id) => !idsIn([b]).has(id))) return false;
  const la = leaves(a);
  const lb = new Set(leaves(b));
  return la.length > 0 && la.filter((l) => lb.has(l)).length * 2 >= la.length;
}

/**
 * A GraphQL query field taking an object's id (`order(id:)`): ids come from A's answers to the endpoint's other
 * query fields and must be missing from B's answers to the same fields; A reads the object (control), B asks for it
 * and gets A's data, and the anonymous identity does not (else the object is public).
 */
async function readOthersGraphql(ctx: CheckContext<{ objects: number }>, op: Operation, a: Identity, b: Identity, arg: string): Promise<CheckResult> {
  const field = op.graphql!.field;
  const sources = idSources(op, ctx.surface.operations);
  if (!sources.length) return { status: 'inconclusive', reason: `no query field of ${op.path} without required arguments selects an id: nowhere to read ${a.name}'s object ids from for ${field}(${arg})` };
  // Per field, as with a REST collection: ids in A's answer to it and not in B's answer to the same field.
  const owned = new Set<string>();
  let seen = 0;
  const harvest: Exchange[] = [];
  for (const s of sources) {
    const f = s.graphql!.field;
    const xa = await ctx.send({ ...buildRequest(s), identity: a.name });
    const idsA = idsIn(fieldData(xa, f), arg);
    if (!idsA.size) continue;
    const xb = await ctx.send({ ...buildRequest(s), identity: b.name });
    harvest.push(xa, xb);
    const idsB = idsIn(fieldData(xb, f), arg);
    seen += idsA.size;
    for (const id of idsA) if (!idsB.has(id)) owned.add(id);
  }
  const asked = sources.map((s) => s.graphql!.field).join(', ');
  if (!owned.size) {
    const why = seen ? `every id in ${a.name}'s answers to ${asked} is in ${b.name}'s answer to the same field too` : `${a.name}'s answers to ${asked} hold no id`;
    return { status: 'inconclusive', reason: `${why}: no object known to be ${a.name}'s alone to ask ${field}(${arg}) for` };
  }
  const anonymous = ctx.identities.find((i) => i.role === 'anonymous' && i.auth.kind === 'none');
  let ownReads = 0;
  let last: Exchange | undefined;
  for (const id of [...owned].slice(0, ctx.options.objects)) {
    const req = withId(op, arg, id);
    const readA = await ctx.send({ ...req, identity: a.name });
    last = readA;
    const dataA = fieldData(readA, field);
    if (dataA === undefined) continue;
    ownReads++;
    const readB = await ctx.send({ ...req, identity: b.name });
    if (!sameData(dataA, fieldData(readB, field))) continue;
    const control = anonymous ? await ctx.send({ ...req, identity: anonymous.name }) : undefined;
    // The anonymous identity gets it too: a public object, not another user's.
    if (control && sameData(dataA, fieldData(control, field))) continue;
    return foundOne(op, readB, {
      parameter: `graphql:variables.${arg}`,
      identity: b.name,
      vulnClass: 'bola-read',
      confidence: 'tentative',
      proof: {
        summary: `${b.name} read ${a.name}'s object through GraphQL ${op.graphql!.kind}.${field}(${arg}: ${JSON.stringify(id)}) → the data ${a.name} gets (id ${id} is in ${a.name}'s answers to ${asked}, not in ${b.name}'s${control ? `; without credentials → ${refusal(control)}` : ''})`,
        exchangeIds: [readB.id, readA.id, ...(control ? [control.id] : []), ...harvest.map((x) => x.id)],
        evidence: (readB.response?.body ?? '').slice(0, 200),
        payload: id,
      },
      data: { id, readAId: readA.id, arg },
    });
  }
  return ownReads ? { status: 'clean' } : { status: 'inconclusive', reason: `${a.name} could not read their own objects through ${field}(${arg}): ${refusal(last)}` };
}

/** The replay of a GraphQL read as B: A's data again. */
async function confirmGraphql(op: Operation, data: { id: string; arg: string }, readA: Exchange, send: (r: SendRequest) => Promise<Exchange>): Promise<{ ok: boolean; replay: Exchange }> {
  const replay = await send(withId(op, data.arg, data.id));
  const field = op.graphql!.field;
  return { ok: sameData(fieldData(readA, field), fieldData(replay, field)) && fieldData(replay, field) !== undefined, replay };
}

/** GraphQL query fields with an id argument; GraphQL goes by POST, which safe mode refuses. */
const graphqlIdField: Guard = (op, env) => {
  if (!idArgument(op)) return 'not a GraphQL query field with an id argument (id, userId, …)';
  return env.safeMode && op.method !== 'GET' ? `safe mode: GraphQL is sent by ${op.method}` : undefined;
};

/** A GET without path parameters whose query names a user (`?user_id=`, `?userId=`, `?uid=`): ids from `/me`. */
const userIdInQuery: Guard = (op) => (op.method === 'GET' && !op.path.includes('{') && idParam(op) ? undefined : 'not a GET naming a user id in its query (?user_id=)');

type Ctx = CheckContext<{ objects: number }>;
type Who = Identity;
const bodyText = (x: Exchange | undefined): string => x?.response?.body ?? '';
const pathOf = (x: Exchange): string => x.request.url.replace(/^https?:\/\/[^/]+/, '');

/** A's object as B read it: B's read carries A's marker (or, lacking one, is A's object); the control is B's own. */
interface Trial {
  id: string;
  /** How the id was learned, for the summary. */
  source: string;
  /** Whether B was shown the object (a shared list): then only a marker can prove B got more than it may see. */
  shared: boolean;
}

/** Reads each of A's objects as A and as B; the first that B gets with A's marker is the candidate. */
async function tryReads(ctx: Ctx, op: Operation, point: InjectionPoint | undefined, a: Who, b: Who, trials: Trial[], shown: Exchange[], own: Exchange | undefined, context: string[]): Promise<CheckResult> {
  const param = point ? `${point.location}:${point.name}` : 'path:id';
  let ownReads = 0;
  let unmarked = 0;
  for (const t of trials.slice(0, ctx.options.objects)) {
    const req = buildRequest(op, point, t.id);
    const readA = await ctx.send({ ...req, identity: a.name });
    if (!isSuccess(readA.response?.status)) continue;
    ownReads++;
    const objA = jsonBody(readA)?.value ?? bodyText(readA);
    const marker = markerOf(objA, t.id, [...shown, ...(own ? [own] : [])].map(bodyText));
    if (!marker && t.shared) {
      unmarked++; // everything of A's object was already shown to B
      continue;
    }
    const readB = await ctx.send({ ...req, identity: b.name });
    const carries = marker ? bodyText(readB).includes(marker.value) : sameObject(readA, readB);
    if (!isSuccess(readB.response?.status) || !carries) continue;
    const control = own ? `; ${b.name}'s read of their own object (the control) does not carry it` : '';
    return foundOne(op, readB, {
      parameter: param,
      identity: b.name,
      vulnClass: 'bola-read',
      confidence: 'tentative',
      proof: {
        summary: `${b.name} read ${a.name}'s object: ${op.method} ${pathOf(readB)} as ${b.name} → ${readB.response!.status} ${marker ? `carrying ${a.name}'s ${marker.field} ${JSON.stringify(marker.value)}, a value ${b.name} was never shown` : `with the object ${a.name} gets`} (${t.source})${marker ? control : ''}`,
        exchangeIds: [readB.id, readA.id, ...context, ...(own ? [own.id] : [])],
        evidence: bodyText(readB).slice(0, 200),
        payload: t.id,
      },
      data: { id: t.id, readAId: readA.id, point: param, ...(marker ? { marker: marker.value } : {}) },
    });
  }
  if (ownReads && unmarked === ownReads) return { status: 'inconclusive', reason: `${a.name}'s objects (${trials.map((t) => t.id).join(', ')}) carry no value ${b.name}'s own list does not already show: nothing would tell ${a.name}'s object from what ${b.name} may see` };
  return ownReads ? { status: 'clean' } : { status: 'inconclusive', reason: `${a.name} could not read the objects learned as theirs (${trials.map((t) => t.id).join(', ')}) through ${op.method} ${op.path}` };
}

/**
 * B reads an item route `/x/{id}` with the ids of A's objects: ids only A's list holds, items of a list whose owner
 * field (`owner`, `user`, `username`, `userId`) names A, or an object A creates. B reads its own object as the control.
 */
async function readOthers(ctx: Ctx, op: Operation, a: Who, b: Who, param: string): Promise<CheckResult> {
  const point = injectionPoints(op).find((p) => p.location === 'path' && p.name === param) ?? injectionPoints(op).find((p) => p.location === 'path');
  const collection = collectionOf(op, ctx.surface.operations);
  if (!collection) return { status: 'inconclusive', reason: `no collection operation GET ${op.path.replace(/\/\{[^}]+\}$/, '')} to harvest object ids from` };
  const listA = await ctx.send({ ...buildRequest(collection), identity: a.name });
  const listB = await ctx.send({ ...buildRequest(collection), identity: b.name });
  for (const [who, x] of [[a.name, listA], [b.name, listB]] as const) {
    if (!isSuccess(x.response?.status)) return { status: 'inconclusive', reason: `cannot harvest ids: GET ${collection.path} as ${who} answered ${statusOf(x)}` };
  }
  const idsA = harvestIds(listA) ?? (ctx.safeMode ? undefined : []);
  if (!idsA) return { status: 'inconclusive', reason: `cannot harvest ids: GET ${collection.path} as ${a.name} is not a JSON list of objects with an id` };
  const idsB = harvestIds(listB) ?? [];
  const trials: Trial[] = idsA.filter((id) => !idsB.includes(id)).map((id) => ({ id, source: `id ${id} is in ${a.name}'s list of ${collection.path}, not in ${b.name}'s`, shared: false }));
  // A shared list: the items whose owner field names A (and not B) are A's.
  const namesA = [...knownNames(a), a.name.toLowerCase()];
  const namesB = [...knownNames(b), b.name.toLowerCase()];
  const items = [...(listItems(jsonBody(listA)?.value) ?? []), ...(listItems(jsonBody(listB)?.value) ?? [])];
  const byOwner = (names: string[]) => items.filter((it) => ownedBy(it, names)).map((it) => String((it as Record<string, unknown>).id ?? '')).filter(Boolean);
  const ownedB = new Set(byOwner(namesB));
  for (const id of byOwner(namesA)) {
    if (!ownedB.has(id) && !trials.some((t) => t.id === id)) trials.push({ id, source: `the item ${id} of ${collection.path} names ${a.name} as its owner`, shared: idsB.includes(id) });
  }
  const context = [listA.id, listB.id];
  if (!trials.length) {
    // Nothing known to be A's alone: an object A creates is.
    const made = await createAs(ctx, op, a);
    if ('reason' in made) return { status: 'inconclusive', reason: `every id in ${a.name}'s list is also in ${b.name}'s list and no item names ${a.name} as its owner: no object known to be ${a.name}'s alone (${made.reason})` };
    trials.push({ id: made.id, source: `id ${made.id} was created by ${a.name} for this test`, shared: false });
    context.push(made.created.id);
  }
  // The control: B reads an object of its own (one only B's list holds, or one naming B as its owner).
  const ownId = idsB.find((id) => !idsA.includes(id)) ?? [...ownedB][0];
  const own = ownId !== undefined ? await ctx.send({ ...buildRequest(op, point, ownId), identity: b.name }) : undefined;
  return tryReads(ctx, op, point, a, b, trials, [listB], own && isSuccess(own.response?.status) ? own : undefined, context);
}

/** B asks for A's user id in the query (`?user_id=`), learned from A's own account read; B's own id is the control. */
async function readByQuery(ctx: Ctx, op: Operation, a: Who, b: Who): Promise<CheckResult> {
  const name = idParam(op)!;
  const point = injectionPoints(op).find((p) => p.location === 'query' && p.name === name);
  const self = selfRead(ctx.surface.operations);
  if (!self) return { status: 'inconclusive', reason: `no read of the caller's own account (/me, /profile, …) to learn ${a.name}'s user id for ?${name}= from` };
  const meA = await ctx.send({ ...buildRequest(self), identity: a.name });
  const meB = await ctx.send({ ...buildRequest(self), identity: b.name });
  const idA = userIdOf(objectOf(meA), [...knownNames(a), a.name.toLowerCase()]);
  const idB = userIdOf(objectOf(meB), [...knownNames(b), b.name.toLowerCase()]);
  if (idA === undefined || idB === undefined || idA === idB) return { status: 'inconclusive', reason: `GET ${self.path} as ${idA === undefined ? a.name : b.name} answered ${statusOf(idA === undefined ? meA : meB)} without an id beside the account's name, so there is no user id to put in ?${name}=` };
  const own = await ctx.send({ ...buildRequest(op, point, idB), identity: b.name });
  if (!isSuccess(own.response?.status)) return { status: 'inconclusive', reason: `${b.name}'s own ${op.method} ${pathOf(own)} (the control) answered ${statusOf(own)}` };
  return tryReads(ctx, op, point, a, b, [{ id: idA, source: `${idA} is ${a.name}'s user id, from ${a.name}'s GET ${self.path}`, shared: false }], [meB], own, [meA.id, meB.id]);
}

export default defineCheck({
  id: 'bola',
  family: 'authorization',
  kind: 'active',
  scope: 'operation',
  identities: 'least',
  meta: {
    title: 'Broken object-level authorization (IDOR)',
    description: "A signed-in user reads another user's object by putting its id in the URL: the server checks that the caller is signed in, not that the object is theirs.",
    severity: 'high',
    cwe: 'CWE-639',
    owasp: 'API1:2023 Broken Object Level Authorization',
    remediation: "Check ownership (or an explicit grant) for every object loaded by id, e.g. `where id = ? and owner_id = ?`, and answer 404 for objects the caller may not see.",
    proves: "An object of user A's (an id only A's list holds, a list item whose owner field names A, an object A created, or A's user id from A's /me put in a ?user_id= query) is read by B with a 2xx that carries A's marker — a value of A's object that B's list and B's own object never showed (lacking one, the same object A reads, never for a shared list's item) — and a replay as B reproduces it; or, for a GraphQL query field with an id argument, an id only A's answers to the endpoint's other fields hold gets B A's data for the field where the anonymous identity gets none, and a replay as B does again; or B's DELETE/PUT/PATCH of an object A created succeeds and A's read afterwards shows it gone or changed; or A's write naming B's account in its body (both accounts registered by vouch) makes B's own read of their account carry the value A sent, where it did not before (undone afterwards).",
  },
  options: z.strictObject({
    /** Objects of A that B tries to read, at most. Default 2. */
    objects: z.number().int().min(1).max(10).default(2),
  }),
  appliesTo: (op, env) =>
    op.graphql
      ? graphqlIdField(op, env)
      : all(either(either(all(methodIn('GET', ...WRITES), singleTrailingPathParam), namesAnAccount), userIdInQuery), requiresAuth, writesOnlyOutsideSafeMode)(op, env),
  async run(ctx) {
    const op = ctx.operation!;
    if (namesAnAccount(op, { safeMode: ctx.safeMode }) === undefined) {
      // One test at a time on vouch's accounts: another task's change must not look like this one's.
      return exclusive(registeredUsers(ctx).slice(0, 2).map((i) => i.name), () => changeOthersAccount(ctx, op, accountField(op)!));
    }
    // Plain users (an identity with an intended scope is the permission audit's business) that could sign in.
    const plain = ctx.identities.filter((i) => i.role === 'user' && !i.intended);
    const users = plain.filter((i) => !ctx.unavailable.has(i.name)).slice(0, 2);
    if (users.length < 2) {
      const down = plain.filter((i) => ctx.unavailable.has(i.name)).map((i) => `${i.name} could not sign in: ${ctx.unavailable.get(i.name)}`);
      return { status: 'inconclusive', reason: `needs two user identities (role user) to compare${down.length ? `; ${down.join('; ')}` : ''}` };
    }
    const [a, b] = users as [(typeof users)[number], (typeof users)[number]];
    const arg = idArgument(op);
    if (arg) return readOthersGraphql(ctx, op, a, b, arg);
    const param = op.path.match(/\{([^}]+)\}$/)?.[1] ?? 'id';
    if (WRITES.includes(op.method)) return changeOthers(ctx, op, a, b, param);
    if (op.path.endsWith('}')) return readOthers(ctx, op, a, b, param);
    return readByQuery(ctx, op, a, b);
  },
  async confirm(candidate, ctx) {
    // A delete or change is proven by the owner's reads before and after; it is not done again.
    if (candidate.vulnClass !== 'bola-read') return { confirmed: true, exchangeIds: [] };
    const op = ctx.operation;
    const data = candidate.data as { id?: string; readAId?: string; marker?: string; point?: string } | undefined;
    const readA = ctx.recorded().find((x) => x.id === data?.readAId);
    if (!op || data?.id === undefined || !readA) return { confirmed: false, exchangeIds: [], reason: "the operation or the owner's read is gone" };
    if (op.graphql) {
      const { arg } = candidate.data as { arg?: string };
      if (!arg) return { confirmed: false, exchangeIds: [], reason: 'the id argument is gone' };
      const { ok, replay } = await confirmGraphql(op, { id: data.id, arg }, readA, (r) => ctx.send(r));
      if (ok) return { confirmed: true, exchangeIds: [replay.id], summary: `${candidate.proof.summary}; the replay as ${candidate.identity} got it again` };
      return { confirmed: false, exchangeIds: [replay.id], reason: `the replay as ${candidate.identity} answered ${refusal(replay)}` };
    }
    // The confirm context runs as the candidate's identity: B.
    const replay = await ctx.send(buildRequest(op, injectionPoints(op).find((p) => `${p.location}:${p.name}` === data.point) ?? injectionPoints(op).find((p) => p.location === 'path'), data.id));
    const carries = data.marker !== undefined ? (replay.response?.body ?? '').includes(data.marker) : sameObject(readA, replay);
    if (isSuccess(replay.response?.status) && carries) {
      return { confirmed: true, exchangeIds: [replay.id], summary: `${candidate.proof.summary}; the replay as ${candidate.identity} → ${replay.response!.status} again` };
    }
    return { confirmed: false, exchangeIds: [replay.id], reason: `the replay as ${candidate.identity} answered ${replay.response?.status ?? replay.error?.code ?? 'nothing'}` };
  },
  example: { url: 'http://127.0.0.1:8080/api/notes/1', summary: "bob read alice's object: GET /api/notes/1 as bob → 200 with the object alice gets (id 1 is in alice's list of /api/notes, not in bob's)" },
});
