// src/checks/reliability/resource-availability.ts — a resource the API just created (2xx with its id) cannot be
// read back by its own read operation; proof is the create and a read that fails twice.
import { z } from 'zod';
import type { SendRequest } from '../../core/index.js';
import { lifecycleOf } from '../../generate/stateful.js';
import { defineCheck } from '../kit/define.js';
import { isSuccess } from '../kit/compare.js';
import { createResource, itemRequest } from '../kit/lifecycle.js';
import { all, methodIn, notSafeMode } from '../kit/guards.js';

export default defineCheck({
  id: 'resource-availability',
  family: 'reliability',
  kind: 'active',
  scope: 'operation',
  meta: {
    title: 'Created resource not retrievable',
    description: 'The create operation answers success with an id, but the read operation for that id answers 404 (or another failure): the link between them is broken.',
    severity: 'medium',
    cwe: 'CWE-1068',
    remediation: 'Return the id the read operation accepts (and the Location header), and make the resource readable by its creator as soon as the create answers.',
    proves: 'Create → 2xx with an id; reading that id fails, and fails again on a replay.',
  },
  options: z.strictObject({}),
  appliesTo: all(methodIn('POST'), notSafeMode),
  async run(ctx) {
    const life = lifecycleOf(ctx.operation!, ctx.surface);
    if (!life?.read) return { status: 'inconclusive', reason: `no read operation linked to ${ctx.operation!.id}` };
    const made = await createResource(ctx, life);
    if (!made.ok) return { status: 'inconclusive', reason: made.reason };
    const read = itemRequest(life.read, made.id);
    const x = await ctx.send(read);
    if (isSuccess(x.response?.status)) {
      if (life.remove) await ctx.send({ ...itemRequest(life.remove, made.id), destructive: true }); // tidy up
      return { status: 'clean' };
    }
    if (!x.response) return { status: 'inconclusive', reason: `the read failed: ${x.error?.message ?? 'no response'}` };
    return {
      status: 'found',
      candidates: [
        {
          operation: { method: life.read.op.method, path: life.read.op.path },
          url: x.request.url,
          vulnClass: 'created-not-readable',
          confidence: 'tentative',
          proof: {
            summary: `${life.create.id} → ${made.exchange.response!.status} (${life.field} ${String(made.id)}); ${read.method} ${read.url} → ${x.response.status}`,
            exchangeIds: [x.id, made.exchange.id],
            evidence: `read of the created resource answered ${x.response.status}`,
          },
          data: { request: read },
        },
      ],
    };
  },
  async confirm(candidate, ctx) {
    const req = (candidate.data as { request?: SendRequest } | undefined)?.request;
    if (!req) return { confirmed: false, exchangeIds: [], reason: 'no request to replay' };
    const again = await ctx.send(req);
    if (again.response && !isSuccess(again.response.status)) return { confirmed: true, exchangeIds: [again.id], summary: `${candidate.proof.summary}; read again → ${again.response.status}` };
    return { confirmed: false, exchangeIds: [again.id], reason: `the second read answered ${again.response?.status ?? again.error?.code ?? 'nothing'} (eventually consistent?)` };
  },
  example: { url: 'http://127.0.0.1:8080/api/notes/8', summary: 'POST /api/notes → 201 (id 8); GET /api/notes/8 → 404; read again → 404' },
});
