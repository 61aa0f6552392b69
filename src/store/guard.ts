// src/store/guard.ts — the decisions of `vouch guard` (table guard_decisions, migration 8) and the requests it holds for a
// person (guard_held, migration 9: what the dashboard shows and decides), on SQLite or PostgreSQL.
import type { Kysely } from 'kysely';
import { VouchError, type GuardHold, type GuardRecord } from '../core/index.js';
import { storeError } from './history.js';
import type { Database } from './schema.js';

/** A stored guard decision: core's `GuardRecord`, the shape the guard writes. */
export type GuardDecisionRow = GuardRecord;

export interface GuardStore {
  record(rows: readonly GuardDecisionRow[]): Promise<void>;
  /** Decisions oldest first (`latest`: only the last n, newest first); `session` or `agent` narrow them. */
  decisions(filter?: { session?: string; agent?: string; limit?: number; latest?: number }): Promise<GuardDecisionRow[]>;
  /** Sessions, newest first, with their first and last decision times. */
  sessions(): Promise<Array<{ session: string; first: string; last: string; count: number; learn: boolean }>>;
  /** Mirrors a request the guard holds (state pending). */
  hold(entry: Omit<GuardHold, 'state' | 'decidedBy' | 'decidedAt'>): Promise<void>;
  /** Held requests still pending and not expired at `now`, oldest first; `session` or `agent` narrow them. */
  pending(filter?: { session?: string; agent?: string; now?: number }): Promise<GuardHold[]>;
  /** Approves or rejects a held request while it is pending and not expired; whether it took effect. */
  decide(id: string, approve: boolean, by: string, now?: number): Promise<boolean>;
  /** Of `ids`, those someone decided (approved or rejected) in the store, e.g. from the dashboard. */
  settled(ids: readonly string[]): Promise<Array<Pick<GuardHold, 'id' | 'state' | 'decidedBy'>>>;
  /** Ends a hold the guard settled itself (its own API, a time-out, the agent gone); a decided one is kept. */
  close(id: string, state: Exclude<GuardHold['state'], 'pending'>, by?: string, now?: number): Promise<void>;
}

type HeldRow = Database['guard_held'];

const holdOf = (r: HeldRow): GuardHold => ({
  id: r.id,
  session: r.session,
  agent: r.agent,
  method: r.method,
  path: r.path,
  ...(r.operation !== null ? { operation: r.operation } : {}),
  rule: r.rule,
  requestBytes: Number(r.request_bytes),
  heldAt: new Date(Number(r.held_at)).toISOString(),
  expiresAt: new Date(Number(r.expires_at)).toISOString(),
  state: r.state as GuardHold['state'],
  ...(r.decided_by !== null ? { decidedBy: r.decided_by } : {}),
  ...(r.decided_at !== null ? { decidedAt: new Date(Number(r.decided_at)).toISOString() } : {}),
});

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
        const rows = await (filter.latest !== undefined ? q.orderBy('id', 'desc').limit(filter.latest) : q.orderBy('id').limit(filter.limit ?? 100_000)).execute();
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
    hold: (e) =>
      wrap(async () => {
        await db
          .insertInto('guard_held')
          .values({
            id: e.id,
            session: e.session,
            agent: e.agent,
            method: e.method,
            path: e.path,
            operation: e.operation ?? null,
            rule: e.rule,
            request_bytes: e.requestBytes,
            held_at: Date.parse(e.heldAt),
            expires_at: Date.parse(e.expiresAt),
            state: 'pending',
            decided_by: null,
            decided_at: null,
          })
          .execute();
      }),
    pending: (filter = {}) =>
      wrap(async () => {
        let q = db.selectFrom('guard_held').selectAll().where('state', '=', 'pending').where('expires_at', '>', filter.now ?? Date.now());
        if (filter.session) q = q.where('session', '=', filter.session);
        if (filter.agent) q = q.where('agent', '=', filter.agent);
        return (await q.orderBy('held_at').orderBy('id').limit(1000).execute()).map(holdOf);
      }),
    decide: (id, approve, by, now = Date.now()) =>
      wrap(async () => {
        const r = await db
          .updateTable('guard_held')
          .set({ state: approve ? 'approved' : 'rejected', decided_by: by, decided_at: now })
          .where('id', '=', id)
          .where('state', '=', 'pending')
          .where('expires_at', '>', now)
          .executeTakeFirst();
        return Number(r.numUpdatedRows) > 0;
      }),
    settled: (ids) =>
      wrap(async () => {
        if (!ids.length) return [];
        const rows = await db.selectFrom('guard_held').select(['id', 'state', 'decided_by']).where('id', 'in', [...ids]).where('state', 'in', ['approved', 'rejected']).execute();
        return rows.map((r) => ({ id: r.id, state: r.state as GuardHold['state'], ...(r.decided_by !== null ? { decidedBy: r.decided_by } : {}) }));
      }),
    close: (id, state, by, now = Date.now()) =>
      wrap(async () => {
        await db
          .updateTable('guard_held')
          .set({ state, decided_by: by ?? null, decided_at: now })
          .where('id', '=', id)
          .where('state', '=', 'pending')
          .execute();
      }),
  };
}
