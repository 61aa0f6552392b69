// src/store/migrations.ts — forward-only, versioned migrations, written once for SQLite and PostgreSQL alike.
import { PostgresAdapter, sql, type Kysely } from 'kysely';
import type { Database } from './schema.js';

/** True when `db` talks to PostgreSQL (the few DDL spellings that differ branch on it). */
export const isPostgres = (db: Kysely<Database>): boolean => db.getExecutor().adapter instanceof PostgresAdapter;

/** The PostgreSQL advisory lock key held while migrating ("vouch" in ASCII), so two processes never migrate at once. */
export const MIGRATION_LOCK_KEY = 0x766f756368;

/** A store whose schema is newer than this vouch knows: refused, never downgraded or written. */
export class NewerStoreError extends Error {
  constructor(
    readonly found: number,
    readonly known: number,
  ) {
    super(`the store was written by a newer vouch (schema ${found}, this vouch knows ${known})`);
  }
}

export interface Migration {
  version: number;
  name: string;
  up(db: Kysely<Database>): Promise<void>;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'scans and findings',
    async up(db) {
      await db.schema
        .createTable('scans')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('target_name', 'text', (c) => c.notNull())
        .addColumn('target_url', 'text', (c) => c.notNull())
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('started_at', 'bigint', (c) => c.notNull())
        .addColumn('finished_at', 'bigint')
        .addColumn('verdict_pass', 'integer')
        .addColumn('finding_count', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('report', 'text')
        .execute();
      await db.schema.createIndex('scans_target_started').on('scans').columns(['target_name', 'started_at']).execute();
      await db.schema
        .createTable('findings')
        .addColumn('row_id', isPostgres(db) ? 'serial' : 'integer', (c) => (isPostgres(db) ? c.primaryKey() : c.primaryKey().autoIncrement()))
        .addColumn('scan_id', 'text', (c) => c.notNull().references('scans.id').onDelete('cascade'))
        .addColumn('fingerprint', 'text', (c) => c.notNull())
        .addColumn('check_id', 'text', (c) => c.notNull())
        .addColumn('severity', 'text', (c) => c.notNull())
        .addColumn('confidence', 'text', (c) => c.notNull())
        .addColumn('status', 'text')
        .addColumn('risk', 'integer', (c) => c.notNull())
        .addColumn('title', 'text', (c) => c.notNull())
        .addColumn('method', 'text', (c) => c.notNull())
        .addColumn('path', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('findings_fingerprint').on('findings').columns(['fingerprint', 'scan_id']).execute();
    },
  },
  {
    version: 2,
    name: 'scan progress',
    async up(db) {
      await db.schema.alterTable('scans').addColumn('progress_done', 'integer', (c) => c.notNull().defaultTo(0)).execute();
      await db.schema.alterTable('scans').addColumn('progress_total', 'integer', (c) => c.notNull().defaultTo(0)).execute();
      await db.schema.alterTable('scans').addColumn('heartbeat_at', 'bigint').execute();
    },
  },
  {
    version: 3,
    name: 'scan resume: inputs, finished tasks, exchanges',
    async up(db) {
      await db.schema
        .createTable('scan_inputs')
        .addColumn('scan_id', 'text', (c) => c.primaryKey().references('scans.id').onDelete('cascade'))
        .addColumn('args', 'text', (c) => c.notNull())
        .addColumn('config', 'text', (c) => c.notNull())
        .addColumn('surface', 'text', (c) => c.notNull())
        .addColumn('plan', 'text', (c) => c.notNull())
        .addColumn('stats', 'text', (c) => c.notNull())
        .addColumn('runs', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('reason', 'text')
        .addColumn('exchange_count', 'bigint', (c) => c.notNull().defaultTo(0))
        .execute();
      await db.schema
        .createTable('scan_tasks')
        .addColumn('scan_id', 'text', (c) => c.notNull().references('scans.id').onDelete('cascade'))
        .addColumn('task_id', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('reason', 'text')
        .addColumn('candidates', 'text', (c) => c.notNull())
        .addColumn('audits', 'text')
        .addColumn('finished_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('scan_tasks_pk', ['scan_id', 'task_id'])
        .execute();
      await db.schema
        .createTable('scan_exchanges')
        .addColumn('scan_id', 'text', (c) => c.notNull().references('scans.id').onDelete('cascade'))
        .addColumn('exchange_id', 'text', (c) => c.notNull())
        .addColumn('seq', 'bigint', (c) => c.notNull())
        .addColumn('task_id', 'text')
        .addColumn('exchange', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('scan_exchanges_pk', ['scan_id', 'exchange_id'])
        .execute();
    },
  },
  {
    version: 4,
    name: 'dashboard: accepted risks, tokens, sessions, page indexes',
    async up(db) {
      await db.schema
        .createTable('accepted_risks')
        .addColumn('fingerprint', 'text', (c) => c.primaryKey())
        .addColumn('reason', 'text', (c) => c.notNull())
        .addColumn('expires', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('created_by', 'text', (c) => c.notNull())
        .addColumn('revoked_at', 'bigint')
        .addColumn('revoked_by', 'text')
        .execute();
      await db.schema
        .createTable('tokens')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('role', 'text', (c) => c.notNull())
        .addColumn('hash', 'text', (c) => c.notNull().unique())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .addColumn('revoked_at', 'bigint')
        .execute();
      await db.schema
        .createTable('sessions')
        .addColumn('hash', 'text', (c) => c.primaryKey())
        .addColumn('token_id', 'text', (c) => c.notNull().references('tokens.id').onDelete('cascade'))
        .addColumn('role', 'text', (c) => c.notNull())
        .addColumn('csrf', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .execute();
      // The dashboard lists scans newest first across targets, a scan's findings by risk, and running scans.
      await db.schema.createIndex('scans_started').on('scans').columns(['started_at', 'id']).execute();
      await db.schema.createIndex('scans_state').on('scans').column('state').execute();
      await db.schema.createIndex('findings_scan_risk').on('findings').columns(['scan_id', 'risk']).execute();
    },
  },
  // Versions are applied by number, in order; each runs once per store.
  {
    version: 5,
    name: 'deployment version and asset fingerprint',
    async up(db) {
      await db.schema.alterTable('scans').addColumn('deployed_version', 'text').execute();
      await db.schema.alterTable('scans').addColumn('assets_fingerprint', 'text').execute();
    },
  },
  {
    version: 6,
    name: 'team jobs',
    async up(db) {
      for (const col of ['kind', 'job', 'job_id', 'worker', 'error']) await db.schema.alterTable('scans').addColumn(col, 'text').execute();
      await db.schema.createIndex('scans_state_heartbeat').on('scans').columns(['state', 'heartbeat_at']).execute();
    },
  },
  {
    version: 7,
    name: 'continuous verification: accepted states, webhook dead letters',
    async up(db) {
      await db.schema
        .createTable('accepted_states')
        .addColumn('target_name', 'text', (c) => c.primaryKey())
        .addColumn('scan_id', 'text', (c) => c.notNull().references('scans.id').onDelete('cascade'))
        .addColumn('accepted_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('webhook_dead_letters')
        .addColumn('id', isPostgres(db) ? 'serial' : 'integer', (c) => (isPostgres(db) ? c.primaryKey() : c.primaryKey().autoIncrement()))
        .addColumn('url', 'text', (c) => c.notNull())
        .addColumn('scan_id', 'text')
        .addColumn('payload', 'text', (c) => c.notNull())
        .addColumn('error', 'text', (c) => c.notNull())
        .addColumn('attempts', 'integer', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();
    },
  },
  {
    version: 8,
    name: 'guard decisions',
    async up(db) {
      await db.schema
        .createTable('guard_decisions')
        .addColumn('id', isPostgres(db) ? 'serial' : 'integer', (c) => (isPostgres(db) ? c.primaryKey() : c.primaryKey().autoIncrement()))
        .addColumn('session', 'text', (c) => c.notNull())
        .addColumn('at', 'bigint', (c) => c.notNull())
        .addColumn('agent', 'text', (c) => c.notNull())
        .addColumn('method', 'text', (c) => c.notNull())
        .addColumn('path', 'text', (c) => c.notNull())
        .addColumn('operation', 'text')
        .addColumn('decision', 'text', (c) => c.notNull())
        .addColumn('rule', 'text', (c) => c.notNull())
        .addColumn('approval', 'text')
        .addColumn('status', 'integer', (c) => c.notNull())
        .addColumn('upstream_status', 'integer')
        .addColumn('ms', 'real', (c) => c.notNull())
        .addColumn('request_bytes', 'integer', (c) => c.notNull())
        .addColumn('response_bytes', 'integer', (c) => c.notNull())
        .addColumn('learn', 'integer', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('guard_decisions_agent_at').on('guard_decisions').columns(['agent', 'at']).execute();
    },
  },
  {
    version: 9,
    name: 'guard held requests',
    async up(db) {
      await db.schema
        .createTable('guard_held')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('session', 'text', (c) => c.notNull())
        .addColumn('agent', 'text', (c) => c.notNull())
        .addColumn('method', 'text', (c) => c.notNull())
        .addColumn('path', 'text', (c) => c.notNull())
        .addColumn('operation', 'text')
        .addColumn('rule', 'text', (c) => c.notNull())
        .addColumn('request_bytes', 'integer', (c) => c.notNull())
        .addColumn('held_at', 'bigint', (c) => c.notNull())
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('decided_by', 'text')
        .addColumn('decided_at', 'bigint')
        .execute();
      await db.schema.createIndex('guard_held_state').on('guard_held').columns(['state', 'held_at']).execute();
    },
  },
];

/** The newest schema version this vouch knows. */
export const KNOWN_VERSION = Math.max(...MIGRATIONS.map((m) => m.version));

/**
 * Applies pending migrations in order, each recorded, all in one transaction on one connection under a lock
 * (PostgreSQL: a transaction-scoped advisory lock; SQLite: BEGIN IMMEDIATE, the single writer), so two processes
 * starting at once never migrate twice. A store of a newer schema is refused before anything is written.
 * Returns the versions applied.
 */
export async function migrate(db: Kysely<Database>): Promise<number[]> {
  const pg = isPostgres(db);
  return db.connection().execute(async (conn) => {
    await sql.raw(pg ? 'begin' : 'begin immediate').execute(conn);
    try {
      if (pg) await sql`select pg_advisory_xact_lock(${MIGRATION_LOCK_KEY})`.execute(conn);
      await conn.schema
        .createTable('vouch_migrations')
        .ifNotExists()
        .addColumn('version', 'integer', (c) => c.primaryKey())
        .addColumn('applied_at', 'bigint', (c) => c.notNull())
        .execute();
      const done = new Set((await conn.selectFrom('vouch_migrations').select('version').execute()).map((r) => Number(r.version)));
      const newest = Math.max(0, ...done);
      if (newest > KNOWN_VERSION) throw new NewerStoreError(newest, KNOWN_VERSION);
      const applied: number[] = [];
      for (const m of MIGRATIONS) {
        if (done.has(m.version)) continue;
        await m.up(conn);
        await conn.insertInto('vouch_migrations').values({ version: m.version, applied_at: Date.now() }).execute();
        applied.push(m.version);
      }
      await sql.raw('commit').execute(conn);
      return applied;
    } catch (e) {
      await sql.raw('rollback').execute(conn).catch(() => undefined);
      throw e;
    }
  });
}
