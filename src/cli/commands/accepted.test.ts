// src/cli/commands/accepted.test.ts — risks accepted in the dashboard (the history store) reach every scan's config,
// alongside vouch.yaml and .vouch/accepted.yaml; a file entry wins for the same fingerprint; revoked ones do not.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openSqliteHistory } from '../../store/index.js';
import { withStoredAccepted } from './history.js';

const saved = process.env.VOUCH_HISTORY;
afterEach(() => {
  if (saved === undefined) delete process.env.VOUCH_HISTORY;
  else process.env.VOUCH_HISTORY = saved;
});

describe('withStoredAccepted', () => {
  it('adds stored, unrevoked acceptances to the config; file entries win', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'vouch-acc-')), 'h.db');
    process.env.VOUCH_HISTORY = path;
    const store = await openSqliteHistory(path);
    await store.acceptRisk({ fingerprint: 'aaaaaa111111', reason: 'from the dashboard', expires: '2099-01-01', by: 'test' });
    await store.acceptRisk({ fingerprint: 'bbbbbb222222', reason: 'stored twin', expires: '2099-01-01', by: 'test' });
    await store.acceptRisk({ fingerprint: 'cccccc333333', reason: 'revoked later', expires: '2099-01-01', by: 'test' });
    expect(await store.revokeRisk('cccccc333333', 'test')).toBe(true);
    await store.close();
    const config = { accepted: [{ fingerprint: 'bbbbbb222222', reason: 'from vouch.yaml', expires: '2098-01-01' }], other: 1 };
    const merged = await withStoredAccepted(config);
    expect(merged.other).toBe(1);
    expect(merged.accepted).toEqual([
      { fingerprint: 'bbbbbb222222', reason: 'from vouch.yaml', expires: '2098-01-01' },
      { fingerprint: 'aaaaaa111111', reason: 'from the dashboard', expires: '2099-01-01' },
    ]);
  });
});
