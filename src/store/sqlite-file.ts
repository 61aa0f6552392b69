// src/store/sqlite-file.ts — the SQLite history file's hygiene: private modes (0600 file, 0700 folder), and free pages
// wiped and given back to the file system so the file holds what it stores, nothing deleted.
import { chmodSync, closeSync, existsSync, mkdirSync, openSync, statSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import type BetterSqlite3 from 'better-sqlite3';
import type { Kysely } from 'kysely';
import type { Database } from './schema.js';

/** Mode of the history file and of the -wal / -shm files SQLite creates beside it (it copies the file's mode). */
export const FILE_MODE = 0o600;
/** Mode of the folder vouch creates for the history (and of `.vouch`, its own folder). */
export const DIR_MODE = 0o700;
/** The WAL is cut back to this size after a checkpoint (a long scan's WAL does not keep its peak size). */
const WAL_LIMIT_BYTES = 4 * 1024 * 1024;

/** Where a store says what it changed or could not change on its own (looser modes); the CLI default is stderr. */
export type StoreWarn = (message: string) => void;
export const warnOnStderr: StoreWarn = (m) => void process.stderr.write(`warning: ${m}\n`);

const octal = (mode: number): string => `0${(mode & 0o777).toString(8)}`;

/** Removes the bits `allowed` does not have from `path`'s mode; a warning says so (or why it could not). */
function tighten(path: string, allowed: number, what: string, warn: StoreWarn): void {
  let mode: number;
  try {
    mode = statSync(path).mode & 0o777;
  } catch (e) {
    if ((e as { code?: string }).code === 'ENOENT') return; // a WAL removed meanwhile (another process closed the file)
    throw e;
  }
  if ((mode & ~allowed) === 0) return;
  const want = mode & allowed;
  try {
    chmodSync(path, want);
    warn(`${what} ${path} was readable by others (mode ${octal(mode)}); tightened to ${octal(want)}`);
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    warn(`${what} ${path} is readable by others (mode ${octal(mode)}) and could not be tightened (${why}); run chmod ${octal(want).slice(1)} on it`);
  }
}

/**
 * Creates what is missing of the history's place, private: the folder 0700, the file 0600 whatever the umask (SQLite
 * gives its -wal and -shm files the mode of the file). Existing ones are left for `tightenPaths`.
 */
export function createPrivate(path: string): void {
  const dir = dirname(path);
  if (!existsSync(dir)) mkdirSync(dir, { recursive: true, mode: DIR_MODE });
  if (existsSync(path)) return;
  closeSync(openSync(path, 'a', FILE_MODE));
  chmodSync(path, FILE_MODE); // the umask may have taken bits off; 0600 is what SQLite then copies
}

/**
 * Once the file has opened as a vouch database (a file that is not one is left untouched): the file, WAL and shm
 * readable by group or others are tightened to 0600 with a warning, and so is the folder to 0700 when it is vouch's
 * own `.vouch` (any other existing folder, /tmp say, is the user's and left alone).
 */
export function tightenPaths(path: string, warn: StoreWarn = warnOnStderr): void {
  const dir = dirname(path);
  if (basename(dir) === '.vouch') tighten(dir, DIR_MODE, 'history folder', warn);
  for (const f of [path, `${path}-wal`, `${path}-shm`]) if (existsSync(f)) tighten(f, FILE_MODE, 'history file', warn);
}

/** The better-sqlite3 handle under each Kysely database opened here (space is reclaimed on it directly). */
const RAW = new WeakMap<Kysely<Database>, BetterSqlite3.Database>();

/**
 * Per-connection settings for privacy and size: `secure_delete` overwrites deleted content with zeros (a deleted row
 * cannot be read back from a free page); a WAL cut back after checkpoints; `auto_vacuum = INCREMENTAL` takes effect on
 * a new file (an existing one is converted by `convertToIncremental`).
 */
export function privacyPragmas(sqlite: BetterSqlite3.Database): void {
  sqlite.pragma('secure_delete = ON');
  sqlite.pragma(`journal_size_limit = ${WAL_LIMIT_BYTES}`);
  sqlite.pragma('auto_vacuum = INCREMENTAL');
}

/**
 * A file made before incremental vacuum (or by another tool) is converted once: VACUUM rebuilds it with
 * `auto_vacuum = INCREMENTAL` and, by rewriting every page, drops whatever old free pages still held. Returns whether
 * it ran. Runs outside any transaction (VACUUM cannot run in one), after the migrations.
 */
export function convertToIncremental(sqlite: BetterSqlite3.Database): boolean {
  if (Number(sqlite.pragma('auto_vacuum', { simple: true })) === 2) return false;
  sqlite.pragma('auto_vacuum = INCREMENTAL');
  sqlite.exec('VACUUM');
  sqlite.pragma('wal_checkpoint(TRUNCATE)');
  return true;
}

/** Remembers the raw handle of a SQLite Kysely database, for `reclaimSpace`. */
export function registerSqlite(db: Kysely<Database>, sqlite: BetterSqlite3.Database): void {
  RAW.set(db, sqlite);
}

/**
 * After rows are deleted (a finished scan's journal, a report replaced): the free pages go back to the file system and
 * the WAL is checkpointed and truncated, so the file's size tracks what it holds. A no-op on PostgreSQL. Taken on
 * Kysely's connection, so it never runs inside another query's transaction.
 */
export async function reclaimSpace(db: Kysely<Database>): Promise<void> {
  const sqlite = RAW.get(db);
  if (!sqlite) return;
  await db.connection().execute(async () => {
    // Through better-sqlite3's pragma() (all rows): a run() would step once and free a single page.
    sqlite.pragma('incremental_vacuum');
    // TRUNCATE waits (busy_timeout) for readers on an older snapshot; when they do not finish, the next checkpoint does it.
    sqlite.pragma('wal_checkpoint(TRUNCATE)');
  });
}
