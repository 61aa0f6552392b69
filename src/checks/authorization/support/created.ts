// src/checks/authorization/support/created.ts — a role boundary proven on an object vouch creates: the privileged
// identity creates it (the lower one is refused the create), the lower one deletes it, the privileged one reads it gone.
import { collectionPutCreate, OBJECT_KEYS } from '../../../core/index.js';
import type { Exchange, Identity, Operation, SendRequest } from '../../../core/index.js';
import { buildRequest } from '../../../inject/index.js';
import type { CandidateInput, CheckContext } from '../../kit/define.js';
import { isAuthDenied, itemRequest } from '../../kit/capability.js';
import { harvestIds, isSuccess, jsonBody, listItems } from '../../kit/compare.js';
import { bodyTemplate, objectOf, statusOf, withBody } from './accounts.js';

/** A delete on an item route, the create of its collection, and how to read an item back. */
export interface Boundary {
  del: Operation;
  create: Operation;
  /** `GET /c/{id}` when the surface has it. */
  item?: Operation;
  /** `GET /c` when the surface has it. */
  list?: Operation;
}

/** The creates of a collection path: a POST to it, or a PUT the spec calls a create (core/creates.ts). */
const createsOn = (ops: readonly Operation[], path: string): Operation | undefined =>
  ops.find((o) => (o.path === path || o.path === `${path}/`) && !o.graphql && (o.method === 'POST' || (o.method === 'PUT' && collectionPutCreate(o) !== undefined)));

/** Every `DELETE /c/{id}` of the surface whose collection `/c` has a create and an item or list read. */
export function boundaries(ops: readonly Operation[]): Boundary[] {
  return ops.flatMap((del) => {
    if (del.method !== 'DELETE' || del.graphql || !/^[^{}]*\/\{[^}/]+\}$/.test(del.path)) return [];
    const path = del.path.replace(/\/\{[^}]+\}$/, '');
    const create = createsOn(ops, path);
    const item = ops.find((o) => o.method === 'GET' && o.path === del.path);
    const list = ops.find((o) => o.method === 'GET' && (o.path === path || o.path === `${path}/`));
    if (!create || (!item && !list)) return [];
    return [{ del, create, ...(item ? { item } : {}), ...(list ? { list } : {}) }];
  });
}

/** The create's request with only its required fields (an optional `image_url` would make the server fetch 'test'). */
export function createRequest(op: Operation): SendRequest {
  const t = bodyTemplate(op);
  const required = op.requestBody?.schema?.required;
  if (!t || !Array.isArray(required)) return buildRequest(op);
  return withBody(t.base, Object.fromEntries(Object.entries(t.body).filter(([k]) => required.includes(k))));
}

/** The new object's id in a create's answer (`{"id": 12}`, `{"data": {"id": 12}}`). */
function newId(x: Exchange): string | undefined {
  const o = objectOf(x);
  const v = [o, ...Object.values(o ?? {})].map((y) => (y && typeof y === 'object' && !Array.isArray(y) ? (y as Record<string, unknown>) : undefined))
    .flatMap((y) => (y ? OBJECT_KEYS.map((k) => y[k]) : []))
    .find((id) => typeof id === 'string' || typeof id === 'number');
  return v === undefined ? undefined : String(v as string | number);
}

/** Whether the object is there, as `who` reads it: its item read 2xx (404 is gone), or its id in the list. */
async function present(ctx: CheckContext<unknown>, b: Boundary, id: string, who: string): Promise<{ there: boolean | undefined; x?: Exchange; how: string }> {
  if (b.item) {
    const x = await ctx.send({ ...itemRequest(b.item, id), identity: who });
    const s = x.response?.status;
    return { there: isSuccess(s) ? true : s === 404 || s === 410 ? false : undefined, x, how: `GET ${b.item.path.replace(/\{[^}]+\}$/, id)} → ${statusOf(x)}` };
  }
  const x = await ctx.send({ ...buildRequest(b.list!), identity: who });
  const body = isSuccess(x.response?.status) ? jsonBody(x) : undefined;
  const ids = body && listItems(body.value) ? (harvestIds(x) ?? []) : undefined;
  if (!ids) return { there: undefined, x, how: `GET ${b.list!.path} → ${statusOf(x)}, no list of objects with ids` };
  return { there: ids.includes(id), x, how: `GET ${b.list!.path} ${ids.includes(id) ? 'lists' : 'does not list'} ${id}` };
}

export type Outcome = { proven: true; summary: string; url: string; exchangeIds: string[] } | { proven: false; refused: boolean; reason: string };

/**
 * One test of a boundary: `lower` is refused the create; `upper` creates an object and sees it; `lower` deletes it;
 * `upper` no longer sees it. Whatever stays is deleted again by its creator. Sends nothing destructive to objects
 * vouch did not create (the harm guard holds to that too).
 */
export async function deleteAcross(ctx: CheckContext<unknown>, b: Boundary, lower: Identity, upper: Identity): Promise<Outcome> {
  const route = `${b.del.method} ${b.del.path}`;
  const req = createRequest(b.create);
  const denied = await ctx.send({ ...req, identity: lower.name });
  if (isSuccess(denied.response?.status)) {
    const id = newId(denied);
    if (id !== undefined) await ctx.send({ ...itemRequest(b.del, id), identity: lower.name });
    return { proven: false, refused: false, reason: `${lower.name} may ${b.create.method} ${b.create.path} too (${statusOf(denied)}): no role boundary between it and ${upper.name} to test ${route} across` };
  }
  if (!isAuthDenied(denied.response?.status)) return { proven: false, refused: false, reason: `${lower.name}'s ${b.create.method} ${b.create.path} answered ${statusOf(denied)}, not a refusal of its role` };
  const made = await ctx.send({ ...req, identity: upper.name });
  const id = isSuccess(made.response?.status) ? newId(made) : undefined;
  if (id === undefined) return { proven: false, refused: false, reason: `${upper.name}'s ${b.create.method} ${b.create.path} answered ${statusOf(made)} without a new object's id` };
  const before = await present(ctx, b, id, upper.name);
  const gone = await ctx.send({ ...itemRequest(b.del, id), identity: lower.name });
  const after = isSuccess(gone.response?.status) ? await present(ctx, b, id, upper.name) : undefined;
  if (after?.there !== false) await ctx.send({ ...itemRequest(b.del, id), identity: upper.name }); // vouch's own object
  if (isAuthDenied(gone.response?.status)) return { proven: false, refused: true, reason: `${lower.name} is refused ${route} (${statusOf(gone)})` };
  if (before.there !== true || !after || after.there !== false) {
    return { proven: false, refused: false, reason: `${lower.name}'s ${route} on ${id} answered ${statusOf(gone)}; ${upper.name} read ${before.how} before${after ? `, ${after.how} after` : ''}: no disappearance shown` };
  }
  const steps = [`${upper.name} ${b.create.method} ${b.create.path} → ${statusOf(made)} (id ${id})`, `${lower.name} ${b.create.method} ${b.create.path} → ${statusOf(denied)}`, `before: ${before.how}`, `${lower.name} ${b.del.method} ${b.del.path.replace(/\{[^}]+\}$/, id)} → ${statusOf(gone)}`, `after: ${after.how}`];
  return {
    proven: true,
    summary: `${lower.name} (${lower.role}) could ${route} on an item only ${upper.name} (${upper.role}) could create: ${steps.join('; ')}`,
    url: gone.request.url,
    exchangeIds: [gone, denied, made, before.x, after.x].filter((x): x is Exchange => x !== undefined).map((x) => x.id),
  };
}

/**
 * Each boundary tested once, with the first plain user as the lower identity and the privileged one as the upper: the
 * candidates (`data.across` names the delete, both identities), how many were judged, and why others were not.
 */
export async function acrossRoles(ctx: CheckContext<unknown>, tests: readonly Boundary[], lower: Identity, upper: Identity | undefined): Promise<{ candidates: CandidateInput[]; judged: number; notes: string[] }> {
  const out = { candidates: [] as CandidateInput[], judged: 0, notes: [] as string[] };
  for (const b of tests) {
    const route = `${b.del.method} ${b.del.path}`;
    if (!upper) {
      out.notes.push(`${route}: no privileged identity to create an object for ${lower.name} to delete`);
      continue;
    }
    const r = await deleteAcross(ctx, b, lower, upper);
    if (!r.proven) {
      if (r.refused) out.judged++;
      else out.notes.push(`${route}: ${r.reason}`);
      continue;
    }
    out.judged++;
    out.candidates.push({
      operation: { method: b.del.method, path: b.del.path },
      url: r.url,
      identity: lower.name,
      vulnClass: 'bfla',
      confidence: 'tentative',
      proof: { summary: r.summary, exchangeIds: r.exchangeIds, evidence: r.summary.slice(r.summary.indexOf(': ') + 2) },
      data: { across: { del: b.del.id, upper: upper.name } },
    });
  }
  return out;
}

/** The confirmation of an `acrossRoles` candidate: the whole test again, on a fresh object. */
export async function confirmAcross(ctx: CheckContext<unknown>, across: { del: string; upper: string }, lowerName: string): Promise<{ confirmed: boolean; exchangeIds: string[]; summary?: string; reason?: string }> {
  const b = boundaries(ctx.surface.operations).find((x) => x.del.id === across.del);
  const lower = ctx.identities.find((i) => i.name === lowerName);
  const upper = ctx.identities.find((i) => i.name === across.upper);
  if (!b || !lower || !upper) return { confirmed: false, exchangeIds: [], reason: 'the operations or identities are gone' };
  const r = await deleteAcross(ctx, b, lower, upper);
  if (r.proven) return { confirmed: true, exchangeIds: r.exchangeIds, summary: 'the same test on a fresh object proved it again' };
  return { confirmed: false, exchangeIds: [], reason: `the test again on a fresh object: ${r.reason}` };
}
