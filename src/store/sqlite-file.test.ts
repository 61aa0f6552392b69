// src/store/sqlite-file.test.ts — the SQLite history's hygiene: private modes whatever the umask, looser modes tightened
// with a warning, deleted rows wiped from free pages, an old file converted to incremental vacuum, the file shrinking.
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import type { Exchange, ScanInputs } from '../core/index.js';
import { openSqliteHistory } from './history.js';

const modeOf = (p: string): number => statSync(p).mode & 0o777;
const sizeOf = (p: string): number => (existsSync(p) ? statSync(p).size : 0);
/** The file and its WAL and shm, as raw bytes (what `strings` would read). */
const raw = (p: string): string => [p, `${p}-wal`, `${p}-shm`].filter(existsSync).map((f) => readFileSync(f).toString('latin1')).join('\n');
const fresh = (): string => mkdtempSync(join(tmpdir(), 'vouch-sqlite-file-'));

let umask: number | undefined;
afterEach(() => {
  if (umask !== undefined) process.umask(umask);
  umask = undefined;
});

const MARK = 'vouch-test-marker-3f9c1e';
const big = (i: number): Exchange => ({ id: `x${String(i).padStart(6, '0')}`, request: { method: 'GET', url: `http://127.0.0.1:1/${i}`, headers: [] }, response: { status: 200, headers: [], body: `${MARK} ${'z'.repeat(4000)}` }, timing: { startedAt: 1, totalMs: 1 }, identity: 'anonymous' });
const inputs: ScanInputs = { args: {}, config: '{}', surface: { target: 'http://127.0.0.1:1', operations: [], warnings: [] }, plan: { tasks: [{ id: 't1', checkId: 'c', identity: 'anonymous' }], skipped: [] } };
const stats = { sent: 0, refused: 0, errors: 0, byStatus: {} };

/** Journals a scan holding `n` large exchanges, then ends it `state`. */
async function journalScan(path: string, id: string, n: number, state: 'done' | 'interrupted'): Promise<void> {
  const store = await openSqliteHistory(path, () => undefined);
  const errors: Error[] = [];
  const j = store.journal((e) => errors.push(e));
  j.started({ scanId: id, targetName: 'local', targetUrl: 'http://127.0.0.1:1', startedAt: 1 });
  j.planned(inputs, Array.from({ length: n }, (_, i) => big(i + 1)));
  j.finished(state, stats, n);
  await j.flush();
  await store.close();
  expect(errors).toEqual([]);
}

describe('history file modes', () => {
  it('creates the folder 0700 and the file, WAL and shm 0600 even under umask 000', async () => {
    umask = process.umask(0);
    const path = join(fresh(), 'deep', '.vouch', 'history.db');
    const warnings: string[] = [];
    const store = await openSqliteHistory(path, (m) => warnings.push(m));
    await store.listScans(); // the WAL and shm exist while a connection is open
    expect(modeOf(join(path, '..'))).toBe(0o700);
    for (const f of [path, `${path}-wal`, `${path}-shm`]) expect([f, modeOf(f)]).toEqual([f, 0o600]);
    await store.close();
    expect(warnings).toEqual([]);
  });

  it('tightens an existing world-readable file and .vouch folder with a warning, leaves another folder alone', async () => {
    const home = fresh();
    const dir = join(home, '.vouch');
    mkdirSync(dir);
    const path = join(dir, 'history.db');
    await (await openSqliteHistory(path, () => undefined)).close();
    chmodSync(path, 0o644);
    chmodSync(dir, 0o755);
    const warnings: string[] = [];
    await (await openSqliteHistory(path, (m) => warnings.push(m))).close();
    expect(modeOf(path)).toBe(0o600);
    expect(modeOf(dir)).toBe(0o700);
    expect(warnings.join('\n')).toMatch(/history file .*history\.db was readable by others \(mode 0644\); tightened to 0600/);
    expect(warnings.join('\n')).toMatch(/history folder .*\.vouch was readable by others \(mode 0755\); tightened to 0700/);

    // A folder that is not vouch's own (here the temp dir) keeps its mode; the file in it is still private.
    chmodSync(home, 0o755);
    const other = join(home, 'elsewhere.db');
    await (await openSqliteHistory(other, () => undefined)).close();
    expect(modeOf(home)).toBe(0o755);
    expect(modeOf(other)).toBe(0o600);
  });
});

describe('a file that is not a vouch database', () => {
  it('is refused and left as it was, mode included, with no warning', async () => {
    const path = join(fresh(), 'notes.db');
    writeFileSync(path, 'my notes, not sqlite '.repeat(100));
    chmodSync(path, 0o644);
    const warnings: string[] = [];
    await expect(openSqliteHistory(path, (m) => warnings.push(m))).rejects.toMatchObject({ code: 'VOUCH_STORE_ERROR' });
    expect(modeOf(path)).toBe(0o644);
    expect(readFileSync(path, 'utf8').startsWith('my notes')).toBe(true);
    expect(warnings).toEqual([]);
  });
});

describe('history file space', () => {
  it('wipes a finished scan\'s journal rows and gives the pages back: the file shrinks, nothing deleted is readable', async () => {
    const path = join(fresh(), 'h.db');
    await journalScan(path, 's1', 400, 'interrupted');
    const held = sizeOf(path) + sizeOf(`${path}-wal`);
    expect(held).toBeGreaterThan(400 * 4000);
    expect(raw(path)).toContain(MARK);
    // Resumed to the end: a finished scan's resume data goes, and its pages with it.
    await journalScan(path, 's1', 400, 'done');
    expect(raw(path)).not.toContain(MARK);
    const after = sizeOf(path) + sizeOf(`${path}-wal`);
    expect(after).toBeLessThan(held / 10);
    // Ten more scans, each journaling 1.6 MB: the file does not grow with them.
    for (let i = 0; i < 10; i++) await journalScan(path, `n${i}`, 400, 'done');
    expect(sizeOf(path) + sizeOf(`${path}-wal`)).toBeLessThan(after + 64 * 1024);
    const db = new BetterSqlite3(path, { readonly: true });
    expect(db.pragma('freelist_count', { simple: true })).toBe(0);
    db.close();
  });

  it('converts a file made without incremental vacuum once, dropping what its free pages held', async () => {
    const path = join(fresh(), 'old.db');
    const old = new BetterSqlite3(path);
    old.pragma('journal_mode = WAL');
    old.exec('CREATE TABLE leftovers (v TEXT)');
    const put = old.prepare('INSERT INTO leftovers VALUES (?)');
    for (let i = 0; i < 200; i++) put.run(`${MARK} ${'q'.repeat(2000)}`);
    old.exec('DELETE FROM leftovers');
    old.pragma('wal_checkpoint(TRUNCATE)');
    old.close();
    expect(raw(path)).toContain(MARK);
    await (await openSqliteHistory(path, () => undefined)).close();
    expect(raw(path)).not.toContain(MARK);
    const db = new BetterSqlite3(path, { readonly: true });
    expect(db.pragma('auto_vacuum', { simple: true })).toBe(2);
    db.close();
  });
});
