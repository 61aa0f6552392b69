// src/store/open.ts — which history store a command uses: PostgreSQL when a database URL is given, else the SQLite file.
import type { Kysely } from 'kysely';
import type { HistoryStore } from './history.js';
import type { Database } from './schema.js';
import { redactDatabaseUrl } from './url.js';

/** The PostgreSQL side (the pg driver) is loaded only when a command uses a team store. */
const postgres = () => import('./postgres.js');
/** The Kysely store is loaded only when a command opens it (`vouch history` reads a SQLite file without it). */
const sqlite = () => import('./history.js');

export type StoreLocation = { kind: 'postgres'; url: string; from: string } | { kind: 'sqlite'; path: string };

/** VOUCH_DATABASE_URL wins over store.url in vouch.yaml; with neither, the embedded file (VOUCH_HISTORY or .vouch/history.db). */
export function storeLocation(configUrl?: string, env: NodeJS.ProcessEnv = process.env): StoreLocation {
  if (env.VOUCH_DATABASE_URL) return { kind: 'postgres', url: env.VOUCH_DATABASE_URL, from: 'VOUCH_DATABASE_URL' };
  if (configUrl) return { kind: 'postgres', url: configUrl, from: 'store.url' };
  return { kind: 'sqlite', path: env.VOUCH_HISTORY ?? '.vouch/history.db' };
}

/** How the store is named to the user (never with a password). */
export const describeStore = (loc: StoreLocation): string => (loc.kind === 'postgres' ? redactDatabaseUrl(loc.url) : loc.path);

export async function openHistory(loc: StoreLocation): Promise<HistoryStore> {
  return loc.kind === 'postgres' ? (await postgres()).openPostgresHistory(loc.url, { from: loc.from }) : (await sqlite()).openSqliteHistory(loc.path);
}

/** The migrated Kysely database itself (the dashboard's queries run on either engine). */
export async function openStoreDatabase(loc: StoreLocation): Promise<Kysely<Database>> {
  return loc.kind === 'postgres' ? (await postgres()).openPostgresDatabase(loc.url, { from: loc.from }) : (await sqlite()).openSqliteDatabase(loc.path);
}
