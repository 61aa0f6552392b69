// src/checks/kit/lifecycle.ts — shared steps of stateful checks: create a resource through ctx.send() and read the
// id the response names, then build item requests for it.
import type { Exchange, SendRequest } from '../../core/index.js';
import { buildRequest, sampleValue } from '../../inject/index.js';
import { itemPath, pick, type Lifecycle } from '../../generate/stateful.js';
import type { CheckContext } from './define.js';
import { isSuccess, jsonBody } from './compare.js';

export type Created = { ok: true; id: unknown; exchange: Exchange } | { ok: false; reason: string };

/** Sends the create operation with its sample body and reads the new resource's id. */
export async function createResource(ctx: CheckContext<unknown>, life: Lifecycle): Promise<Created> {
  const x = await ctx.send({ ...buildRequest(life.create), destructive: true });
  if (!isSuccess(x.response?.status)) return { ok: false, reason: `${life.create.id} did not create anything (answered ${x.response?.status ?? x.error?.code ?? 'nothing'})` };
  const body = jsonBody(x);
  const id = body ? pick(body.value, life.field) : undefined;
  if (id === undefined || id === null || typeof id === 'object') return { ok: false, reason: `the ${x.response!.status} response of ${life.create.id} has no ${life.field} to follow` };
  return { ok: true, id, exchange: x };
}

/** The request for an item operation of the life cycle, naming the created resource. */
export function itemRequest(step: NonNullable<Lifecycle['read']>, id: unknown): SendRequest {
  const url = itemPath(step.op, step.parameter, id, (name) => String(sampleValue(step.op.params.find((p) => p.name === name)?.schema, step.op.params.find((p) => p.name === name)?.examples)));
  return { method: step.op.method, url };
}
