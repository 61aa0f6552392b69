// src/store/guard.ts — the decisions of `vouch guard` (table guard_decisions, migration 8), on SQLite or PostgreSQL.
import type { Kysely } from 'kysely';
import { VouchError, type GuardRecord } from '../core/index.js';
import { storeError } from './history.js';
import type { Database } from './schema.js';

/** A stored guard decision: core's `GuardRecord`, the shape the guard writes. */
export type GuardDecisionRow = GuardRecord;

export interface GuardStore {
  record(rows: readonly GuardDecisionRow[]): Promise<void>;
  /** Decisions oldest first; `session` or `agent` narrow them. */
  decisions(filter?: { session?: string; agent?: string; limit?: number }): Promise<GuardDecisionRow[]>;
  /** Sessions, newest first, with their first and last decision times. */
  sessions(): Promise<Array<{ session: string; first: string; last: string; count: number; learn: boolean }>>;
}

export function guardStoreOver(db: Kysely<Database>, where: string): GuardStore {
  const wrap = async <T>(fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (e) {
      const err = storeError(where, e);
      throw new VouchError(err.code, err.message, err.hint ? { hint: err.hint } : {});
    }
  };
  return {
    record: (rows) =>
      wrap(async () => {
        if (!rows.length) return;
        await db
          .insertInto('guard_decisions')
          .values(
            rows.map((r) => ({
              session: r.session,
              at: Date.parse(r.at),
              agent: r.agent,
              method: r.method,
              path: r.path,
              operation: r.operation ?? null,
              decision: r.decision,
              rule: r.rule,
              approval: r.approval ?? null,
              status: r.status,
              upstream_status: r.upstreamStatus ?? null,
              ms: r.ms,
              request_bytes: r.requestBytes,
              response_bytes: r.responseBytes,
              learn: r.learn ? 1 : 0,
            })),
          )
          .execute();
      }),
    decisions: (filter = {}) =>
      wrap(async () => {
        let q = db.selectFrom('guard_decisions').selectAll();
        if (filter.session) q = q.where('session', '=', filter.session);
        if (filter.agent) q = q.where('agent', '=', filter.agent);
        const rows = await q.orderBy('id').limit(filter.limit ?? 100_000).execute();
        return rows.map((r) => ({
          session: r.session,
          at: new Date(Number(r.at)).toISOString(),
          agent: r.agent,
          method: r.method,
          path: r.path,
          ...(r.operation !== null ? { operation: r.operation } : {}),
          decision: r.decision as GuardDecisionRow['decision'],
          rule: r.rule,
          ...(r.approval !== null ? { approval: r.approval as NonNullable<GuardDecisionRow['approval']> } : {}),
          status: Number(r.status),
          ...(r.upstream_status !== null ? { upstreamStatus: Number(r.upstream_status) } : {}),
          ms: Number(r.ms),
          requestBytes: Number(r.request_bytes),
          responseBytes: Number(r.response_bytes),
          learn: Number(r.learn) === 1,
        }));
      }),
    sessions: () =>
      wrap(async () => {
        const rows = await db
          .selectFrom('guard_decisions')
          .select((eb) => ['session', eb.fn.min('at').as('first'), eb.fn.max('at').as('last'), eb.fn.countAll().as('count'), eb.fn.max('learn').as('learn')])
          .groupBy('session')
          .execute();
        return rows
          .map((r) => ({ session: r.session, first: new Date(Number(r.first)).toISOString(), last: new Date(Number(r.last)).toISOString(), count: Number(r.count), learn: Number(r.learn) === 1 }))
          .sort((a, b) => b.last.localeCompare(a.last));
      }),
  };
}
