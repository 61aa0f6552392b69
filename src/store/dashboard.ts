// src/store/dashboard.ts — the queries the dashboard needs: targets with trend, scans with progress, a finding's
// history, sign-in tokens and sessions (only hashes of secrets are stored).
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Report, VerdictStatus } from '../core/index.js';
import { storeError, verdictOfCode } from './history.js';
import type { Database } from './schema.js';

export type Role = 'viewer' | 'maintainer';

export interface ScanRow {
  id: string;
  target: string;
  url: string;
  state: string;
  startedAt: number;
  finishedAt: number | null;
  verdict: VerdictStatus | null;
  findingCount: number;
  progressDone: number;
  progressTotal: number;
  heartbeatAt: number | null;
}

export interface TargetOverview {
  target: string;
  url: string;
  latest: ScanRow;
  /** Oldest first, at most `trend` scans. */
  trend: ScanRow[];
  scans: number;
}

export interface DashboardStore {
  targets(trend?: number): Promise<TargetOverview[]>;
  scans(opts?: { target?: string; limit?: number; before?: number }): Promise<ScanRow[]>;
  scan(id: string): Promise<{ row: ScanRow; report?: Report; reportError?: string } | undefined>;
  /** The row alone (progress polling, cache checks): no report text is read. */
  scanRow(id: string): Promise<ScanRow | undefined>;
  /** The newest finished scan of a target before `startedAt` (the default left side of a comparison). */
  previousScan(target: string, startedAt: number): Promise<ScanRow | undefined>;
  findingHistory(fingerprint: string, limit?: number): Promise<{ first: number; last: number; count: number; scans: ScanRow[] }>;
  createToken(opts: { name: string; role: Role; days: number }): Promise<{ id: string; token: string; expiresAt: number }>;
  /** The token's row for a presented secret; `expired`/`revoked` say why it no longer works. */
  checkToken(token: string): Promise<{ id: string; role: Role; name: string } | { refused: 'unknown' | 'expired' | 'revoked' }>;
  createSession(tokenId: string, role: Role, ttlMs: number): Promise<{ secret: string; csrf: string; expiresAt: number }>;
  session(secret: string): Promise<{ role: Role; csrf: string; tokenId: string } | undefined>;
  deleteSession(secret: string): Promise<void>;
}

export const sha256 = (s: string): string => createHash('sha256').update(s, 'utf8').digest('hex');

const SCAN_COLUMNS = ['id', 'target_name', 'target_url', 'state', 'started_at', 'finished_at', 'verdict_pass', 'finding_count', 'progress_done', 'progress_total', 'heartbeat_at'] as const;

type ScanSelect = Pick<Database['scans'], 'id' | 'target_name' | 'target_url' | 'state' | 'started_at' | 'finished_at' | 'verdict_pass' | 'finding_count' | 'heartbeat_at'> & { progress_done: number; progress_total: number };

function toRow(r: ScanSelect): ScanRow {
  return {
    id: r.id,
    target: r.target_name,
    url: r.target_url,
    state: r.state,
    startedAt: Number(r.started_at),
    finishedAt: r.finished_at === null ? null : Number(r.finished_at),
    verdict: verdictOfCode(r.verdict_pass),
    findingCount: Number(r.finding_count),
    progressDone: Number(r.progress_done),
    progressTotal: Number(r.progress_total),
    heartbeatAt: r.heartbeat_at === null ? null : Number(r.heartbeat_at),
  };
}

export function dashboardOver(db: Kysely<Database>, where: string): DashboardStore {
  const wrap = async <T>(fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (e) {
      throw storeError(where, e);
    }
  };
  return {
    targets: (trend = 20) =>
      wrap(async () => {
        const names = await db.selectFrom('scans').select(['target_name']).select((eb) => eb.fn.countAll<number>().as('n')).groupBy('target_name').orderBy('target_name').execute();
        const out: TargetOverview[] = [];
        for (const n of names) {
          const rows = (await db.selectFrom('scans').select(SCAN_COLUMNS).where('target_name', '=', n.target_name).orderBy('started_at', 'desc').orderBy('id', 'desc').limit(trend).execute()).map(toRow);
          const latest = rows[0];
          if (latest) out.push({ target: n.target_name, url: latest.url, latest, trend: rows.reverse(), scans: Number(n.n) });
        }
        return out;
      }),
    scans: (opts = {}) =>
      wrap(async () => {
        let q = db.selectFrom('scans').select(SCAN_COLUMNS).orderBy('started_at', 'desc').orderBy('id', 'desc');
        if (opts.target !== undefined) q = q.where('target_name', '=', opts.target);
        if (opts.before !== undefined) q = q.where('started_at', '<', opts.before);
        return (await q.limit(opts.limit ?? 100).execute()).map(toRow);
      }),
    scan: (id) =>
      wrap(async () => {
        const r = await db.selectFrom('scans').select([...SCAN_COLUMNS, 'report']).where('id', '=', id).executeTakeFirst();
        if (!r) return undefined;
        const row = toRow(r);
        if (r.report === null) return { row };
        try {
          return { row, report: JSON.parse(r.report) as Report };
        } catch (e) {
          return { row, reportError: `the stored report of this scan is not valid JSON (${e instanceof Error ? e.message : String(e)})` };
        }
      }),
    scanRow: (id) =>
      wrap(async () => {
        const r = await db.selectFrom('scans').select(SCAN_COLUMNS).where('id', '=', id).executeTakeFirst();
        return r ? toRow(r) : undefined;
      }),
    previousScan: (target, startedAt) =>
      wrap(async () => {
        const r = await db.selectFrom('scans').select(SCAN_COLUMNS).where('target_name', '=', target).where('started_at', '<', startedAt).where('report', 'is not', null).orderBy('started_at', 'desc').limit(1).executeTakeFirst();
        return r ? toRow(r) : undefined;
      }),
    findingHistory: (fingerprint, limit = 50) =>
      wrap(async () => {
        const agg = await db
          .selectFrom('findings')
          .innerJoin('scans', 'scans.id', 'findings.scan_id')
          .where('findings.fingerprint', '=', fingerprint)
          .select((eb) => [eb.fn.min<number>('scans.started_at').as('first'), eb.fn.max<number>('scans.started_at').as('last'), eb.fn.countAll<number>().as('n')])
          .executeTakeFirst();
        const scans = await db
          .selectFrom('findings')
          .innerJoin('scans', 'scans.id', 'findings.scan_id')
          .where('findings.fingerprint', '=', fingerprint)
          .select(['scans.id', 'scans.target_name', 'scans.target_url', 'scans.state', 'scans.started_at', 'scans.finished_at', 'scans.verdict_pass', 'scans.finding_count', 'scans.progress_done', 'scans.progress_total', 'scans.heartbeat_at'])
          .orderBy('scans.started_at', 'desc')
          .limit(limit)
          .execute();
        return { first: Number(agg?.first ?? 0), last: Number(agg?.last ?? 0), count: Number(agg?.n ?? 0), scans: scans.map(toRow) };
      }),
    createToken: ({ name, role, days }) =>
      wrap(async () => {
        const token = `vouch_${randomBytes(32).toString('base64url')}`;
        const id = randomUUID();
        const now = Date.now();
        const expiresAt = now + days * 86_400_000;
        await db.insertInto('tokens').values({ id, name, role, hash: sha256(token), created_at: now, expires_at: expiresAt, revoked_at: null }).execute();
        return { id, token, expiresAt };
      }),
    checkToken: (token) =>
      wrap(async () => {
        const r = await db.selectFrom('tokens').selectAll().where('hash', '=', sha256(token)).executeTakeFirst();
        if (!r) return { refused: 'unknown' as const };
        if (r.revoked_at !== null) return { refused: 'revoked' as const };
        if (Number(r.expires_at) <= Date.now()) return { refused: 'expired' as const };
        return { id: r.id, role: r.role === 'maintainer' ? 'maintainer' : 'viewer', name: r.name };
      }),
    createSession: (tokenId, role, ttlMs) =>
      wrap(async () => {
        const secret = randomBytes(32).toString('base64url');
        const csrf = randomBytes(32).toString('base64url');
        const now = Date.now();
        await db.deleteFrom('sessions').where('expires_at', '<', now).execute();
        await db.insertInto('sessions').values({ hash: sha256(secret), token_id: tokenId, role, csrf, created_at: now, expires_at: now + ttlMs }).execute();
        return { secret, csrf, expiresAt: now + ttlMs };
      }),
    session: (secret) =>
      wrap(async () => {
        const r = await db
          .selectFrom('sessions')
          .innerJoin('tokens', 'tokens.id', 'sessions.token_id')
          .select(['sessions.role', 'sessions.csrf', 'sessions.token_id', 'sessions.expires_at', 'tokens.expires_at as token_expires', 'tokens.revoked_at'])
          .where('sessions.hash', '=', sha256(secret))
          .executeTakeFirst();
        const now = Date.now();
        // A session ends with its token: expiry or revocation of the token signs its sessions out.
        if (!r || Number(r.expires_at) <= now || Number(r.token_expires) <= now || r.revoked_at !== null) return undefined;
        return { role: r.role === 'maintainer' ? 'maintainer' : 'viewer', csrf: r.csrf, tokenId: r.token_id };
      }),
    deleteSession: (secret) =>
      wrap(async () => {
        await db.deleteFrom('sessions').where('hash', '=', sha256(secret)).execute();
      }),
  };
}
