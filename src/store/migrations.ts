// src/store/migrations.ts — forward-only, versioned migrations, written once for SQLite and PostgreSQL alike.
import type { Kysely } from 'kysely';
import type { Database } from './schema.js';

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
        .addColumn('row_id', 'integer', (c) => c.primaryKey().autoIncrement())
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
];

/** The store's schema is newer than this vouch knows: upgrade vouch, never downgrade the store. */
export class NewerStoreError extends Error {
  constructor(readonly found: number, readonly known: number) {
    super(`the store was written by a newer vouch (schema ${found}, this vouch knows ${known})`);
  }
}

/** Applies pending migrations in order, each recorded; returns the versions applied. */
export async function migrate(db: Kysely<Database>): Promise<number[]> {
  await db.schema
    .createTable('vouch_migrations')
    .ifNotExists()
    .addColumn('version', 'integer', (c) => c.primaryKey())
    .addColumn('applied_at', 'bigint', (c) => c.notNull())
    .execute();
  const done = new Set((await db.selectFrom('vouch_migrations').select('version').execute()).map((r) => Number(r.version)));
  // A store written by a newer vouch is refused before anything is applied to it.
  const newest = Math.max(0, ...done);
  const known = Math.max(...MIGRATIONS.map((m) => m.version));
  if (newest > known) throw new NewerStoreError(newest, known);
  const applied: number[] = [];
  for (const m of MIGRATIONS) {
    if (done.has(m.version)) continue;
    await db.transaction().execute(async (trx) => {
      await m.up(trx);
      await trx.insertInto('vouch_migrations').values({ version: m.version, applied_at: Date.now() }).execute();
    });
    applied.push(m.version);
  }
  return applied;
}
