// src/store/history.test.ts — the SQLite history: save and list scans, find baselines, refuse a corrupt file untouched.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Report } from '../core/index.js';
import { makeReport } from '../report/fixture.js';
import { openSqliteHistory } from './history.js';

const dir = mkdtempSync(join(tmpdir(), 'vouch-store-'));

const variant = (id: string, pass: boolean, startedAt: string): Report => {
  const r = makeReport();
  return { ...r, scanId: id, startedAt, finishedAt: startedAt, target: { ...r.target, name: 'shop' }, verdict: { pass, reasons: [] } };
};

describe('history store', () => {
  it('saves reports, lists newest first, and finds the last passing scan of a target', async () => {
    const path = join(dir, 'h.db');
    const store = await openSqliteHistory(path);
    await store.saveReport(variant('s1', true, '2026-11-01T00:00:00.000Z'));
    await store.saveReport(variant('s2', false, '2026-11-02T00:00:00.000Z'));
    const list = await store.listScans();
    expect(list.map((s) => [s.id, s.verdict, s.state])).toEqual([
      ['s2', 'fail', 'done'],
      ['s1', 'pass', 'done'],
    ]);
    expect(list[0]!.findingCount).toBe(makeReport().findings.length);
    expect((await store.lastPassing('shop'))?.scanId).toBe('s1');
    expect(await store.lastPassing('other')).toBeUndefined();
    expect((await store.getReport('s2'))?.verdict.pass).toBe(false);
    await store.close();
    // Reopening migrates nothing twice.
    const again = await openSqliteHistory(path);
    expect((await again.listScans()).length).toBe(2);
    await again.close();
  });

  it('refuses a file that is not a vouch database and leaves it as it was', async () => {
    const path = join(dir, 'corrupt.db');
    writeFileSync(path, 'this is not sqlite at all '.repeat(100));
    await expect(openSqliteHistory(path)).rejects.toThrow(/corrupt\.db: the history database cannot be used .*left untouched/);
    expect(readFileSync(path, 'utf8').startsWith('this is not sqlite')).toBe(true);
  });
});
