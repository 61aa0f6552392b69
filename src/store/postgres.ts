// src/store/postgres.ts — the team store: the same history repository and migrations on PostgreSQL (Kysely + pg).
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { VouchError } from '../core/index.js';
import { historyOver, storeError, type HistoryStore } from './history.js';
import { migrate } from './migrations.js';
import type { Database } from './schema.js';
import { redactDatabaseUrl } from './url.js';

const HINT = 'Check VOUCH_DATABASE_URL (or store.url in vouch.yaml): postgres://user:password@host:5432/database, a running server, and the role\'s rights.';

export { redactDatabaseUrl };

/** A redactor for anything a database error might echo: the URL and its password. */
function secretsOf(url: string): (s: string) => string {
  let password = '';
  try {
    password = decodeURIComponent(new URL(url).password);
  } catch {
    password = '';
  }
  const shown = redactDatabaseUrl(url);
  return (s) => {
    const out = s.split(url).join(shown);
    return password.length >= 4 ? out.split(password).join('[REDACTED]') : out;
  };
}

/** Checks the URL's form: a postgres:// or postgresql:// URL naming a host; anything else is a clear usage error. */
export function parseDatabaseUrl(url: string, from = 'VOUCH_DATABASE_URL'): URL {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new VouchError('VOUCH_CONFIG_INVALID', `${from} is not a URL: ${redactDatabaseUrl(url)}`, { hint: HINT });
  }
  if (u.protocol !== 'postgres:' && u.protocol !== 'postgresql:') {
    throw new VouchError('VOUCH_CONFIG_INVALID', `${from} must be a postgres:// URL, got ${u.protocol}// (${redactDatabaseUrl(url)})`, { hint: HINT });
  }
  return u;
}

/** A pg pool for `url`, whose idle-client errors are kept away from the process (a dropped server fails the next query instead). */
export function postgresPool(url: string, max = 4): pg.Pool {
  const pool = new pg.Pool({ connectionString: url, max, connectionTimeoutMillis: 5_000, idleTimeoutMillis: 10_000 });
  pool.on('error', () => undefined);
  return pool;
}

/** Opens the team store at `url`, migrating it under an advisory lock; refuses an unreachable server or a newer schema with one clear line. */
export async function openPostgresHistory(url: string, opts: { from?: string; max?: number } = {}): Promise<HistoryStore & { db: Kysely<Database> }> {
  const db = await openPostgresDatabase(url, opts);
  return { ...historyOver(db, redactDatabaseUrl(url), secretsOf(url)), db };
}

/** The migrated Kysely database of the team store (the history and the dashboard share it). */
export async function openPostgresDatabase(url: string, opts: { from?: string; max?: number } = {}): Promise<Kysely<Database>> {
  parseDatabaseUrl(url, opts.from);
  const shown = redactDatabaseUrl(url);
  const redact = secretsOf(url);
  const pool = postgresPool(url, opts.max);
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  try {
    const client = await pool.connect();
    client.release();
  } catch (e) {
    await db.destroy().catch(() => undefined);
    const msg = e instanceof Error ? e.message || (e as { code?: string }).code || e.name : String(e);
    throw new VouchError('VOUCH_STORE_ERROR', redact(`${shown}: cannot connect to the team store (${msg})`), { hint: HINT });
  }
  try {
    await migrate(db);
  } catch (e) {
    await db.destroy().catch(() => undefined);
    const err = storeError(shown, e, HINT);
    throw new VouchError(err.code, redact(err.message), err.hint ? { hint: err.hint } : {});
  }
  return db;
}
