// src/checks/reliability/use-after-delete.ts — a resource is still readable after a successful DELETE: create it,
// read it, delete it, read it again; proof is the whole sequence and a second read after the delete.
import { z } from 'zod';
import type { SendRequest } from '../../core/index.js';
import { lifecycleOf } from '../../generate/stateful.js';
import { defineCheck } from '../kit/define.js';
import { isSuccess } from '../kit/compare.js';
import { createResource, itemRequest } from '../kit/lifecycle.js';
import { all, methodIn, notSafeMode } from '../kit/guards.js';

/** Fields a soft delete may change (a flag, a state, a timestamp of the deletion). */
const DELETION_STATE = /delet|remov|archiv|status|state|active|enabled|visible|updated|modified|version|etag/i;

/**
 * The same resource read before and after the delete: identical bodies, or JSON objects whose fields are all equal
 * except ones a soft delete may change. An id reused by a resource created meanwhile differs elsewhere (its creation
 * time, its content), so it is not taken for the deleted one.
 */
function sameResource(a: string | undefined, b: string | undefined): boolean {
  if (a === undefined || b === undefined) return false;
  if (a === b) return true;
  try {
    const x = JSON.parse(a) as unknown;
    const y = JSON.parse(b) as unknown;
    if (!x || !y || typeof x !== 'object' || typeof y !== 'object' || Array.isArray(x) || Array.isArray(y)) return JSON.stringify(x) === JSON.stringify(y);
    const before = x as Record<string, unknown>;
    const after = y as Record<string, unknown>;
    const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
    return [...keys].every((k) => DELETION_STATE.test(k) || JSON.stringify(before[k]) === JSON.stringify(after[k]));
  } catch {
    return false;
  }
}

export default defineCheck({
  id: 'use-after-delete',
  family: 'reliability',
  kind: 'active',
  scope: 'operation',
  meta: {
    title: 'Resource readable after delete',
    description: 'After a DELETE that answered success, the same resource is still returned by its read operation: the delete is not effective (or only hides it from lists).',
    severity: 'medium',
    cwe: 'CWE-672',
    remediation: 'Make DELETE remove the resource (or mark it deleted and have every read honour the mark); answer 404/410 afterwards.',
    proves: 'Create → read (2xx) → delete (2xx) → read (2xx); a second read after the delete answers 2xx again.',
  },
  options: z.strictObject({}),
  appliesTo: all(methodIn('POST'), notSafeMode),
  async run(ctx) {
    const life = lifecycleOf(ctx.operation!, ctx.surface);
    if (!life?.read || !life.remove) return { status: 'inconclusive', reason: `no read and delete operation linked to ${ctx.operation!.id}` };
    const made = await createResource(ctx, life);
    if (!made.ok) return { status: 'inconclusive', reason: made.reason };
    const read = itemRequest(life.read, made.id);
    const before = await ctx.send(read);
    if (!isSuccess(before.response?.status)) return { status: 'inconclusive', reason: `the created resource is not readable before the delete (${before.response?.status ?? before.error?.code}); see resource-availability` };
    const del = await ctx.send({ ...itemRequest(life.remove, made.id), destructive: true });
    if (!isSuccess(del.response?.status)) return { status: 'inconclusive', reason: `${life.remove.op.id} answered ${del.response?.status ?? del.error?.code ?? 'nothing'}, so nothing was deleted` };
    const after = await ctx.send(read);
    if (!isSuccess(after.response?.status)) return { status: 'clean' };
    // Ids can be reused (SQLite rowids, sequences reset): another task's new resource under the same id is not this one.
    if (!sameResource(before.response?.body, after.response?.body)) {
      return { status: 'inconclusive', reason: `${read.method} ${read.url} answered ${after.response!.status} after the delete, but with another body: the id was probably reused by a resource created meanwhile` };
    }
    return {
      status: 'found',
      candidates: [
        {
          operation: { method: life.read.op.method, path: life.read.op.path },
          url: after.request.url,
          vulnClass: 'use-after-delete',
          confidence: 'tentative',
          proof: {
            summary: `${life.create.id} → ${made.exchange.response!.status} (${life.field} ${String(made.id)}); ${life.remove.op.method} ${del.request.url.replace(/^https?:\/\/[^/]+/, '')} → ${del.response!.status}; ${read.method} ${read.url} → ${after.response!.status} still`,
            exchangeIds: [after.id, made.exchange.id, before.id, del.id],
            evidence: `read after delete answered ${after.response!.status}`,
          },
          data: { request: read, link: life.source, body: before.response?.body ?? '' },
        },
      ],
    };
  },
  async confirm(candidate, ctx) {
    const data = candidate.data as { request?: SendRequest; body?: string } | undefined;
    const req = data?.request;
    if (!req) return { confirmed: false, exchangeIds: [], reason: 'no request to replay' };
    const again = await ctx.send(req);
    if (isSuccess(again.response?.status) && !sameResource(data?.body, again.response?.body)) {
      return { confirmed: false, exchangeIds: [again.id], reason: 'the replayed read returns another resource under the same id (the id was reused)' };
    }
    if (isSuccess(again.response?.status)) return { confirmed: true, exchangeIds: [again.id], summary: `${candidate.proof.summary}; a second read after the delete → ${again.response!.status} again` };
    return { confirmed: false, exchangeIds: [again.id], reason: `the second read answered ${again.response?.status ?? again.error?.code ?? 'nothing'} (eventually consistent delete?)` };
  },
  example: { url: 'http://127.0.0.1:8080/api/notes/7', summary: 'POST /api/notes → 201 (id 7); DELETE /api/notes/7 → 204; GET /api/notes/7 → 200 still; a second read after the delete → 200 again' },
});
