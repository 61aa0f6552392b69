// src/store/quick.test.ts — `vouch history`'s quick read: the same lines as the full store, nothing created for a
// missing file, and the full store left to answer for another schema version.
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { makeReport } from '../report/fixture.js';
import { openSqliteHistory } from './history.js';
import { MIGRATIONS } from './migrations.js';
import { quickListScans } from './quick.js';
import { LATEST_MIGRATION } from './scan-rows.js';

const dir = mkdtempSync(join(tmpdir(), 'vouch-quick-'));

describe('quickListScans', () => {
  it('knows the newest migration', () => {
    expect(LATEST_MIGRATION).toBe(MIGRATIONS[MIGRATIONS.length - 1]!.version);
  });

  it('reads a missing file as an empty history and creates nothing', async () => {
    const path = join(dir, 'none', 'history.db');
    expect(await quickListScans(path, { limit: 10 })).toEqual([]);
    expect(existsSync(path)).toBe(false);
  });

  it('gives what the full store gives, newest first, by target and limit', async () => {
    const path = join(dir, 'h.db');
    const store = await openSqliteHistory(path, () => undefined);
    const a = makeReport();
    const b = { ...makeReport({ incomplete: true }), scanId: 'second', startedAt: '2099-01-01T00:00:00.000Z' };
    const c = { ...makeReport(), scanId: 'other', target: { ...a.target, name: 'other-target' } };
    for (const r of [a, b, c]) await store.saveReport(r);
    for (const want of [{ limit: 10 }, { limit: 1 }, { limit: 10, target: a.target.name }]) {
      expect(await quickListScans(path, want)).toEqual(await store.listScans(want));
    }
    await store.close();
    expect((await quickListScans(path, { limit: 10 }))?.map((s) => s.verdict)).toContain('incomplete');
  });

  it('leaves a file of another schema version, or not a history, to the full store', async () => {
    const path = join(dir, 'old.db');
    const db = new BetterSqlite3(path);
    db.exec('CREATE TABLE vouch_migrations (version INTEGER, applied_at INTEGER); INSERT INTO vouch_migrations VALUES (3, 0);');
    db.close();
    expect(await quickListScans(path, { limit: 10 })).toBeUndefined();
    const notDb = join(dir, 'text.db');
    await import('node:fs').then((fs) => fs.writeFileSync(notDb, 'not sqlite'));
    expect(await quickListScans(notDb, { limit: 10 })).toBeUndefined();
  });
});
