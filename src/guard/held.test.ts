// src/guard/held.test.ts — holds mirrored into a real SQLite store; a decision made in the store settles the hold.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { guardStoreOver, openStoreDatabase } from '../store/index.js';
import { Approvals } from './approvals.js';
import { mirrorHolds } from './held.js';

const dir = mkdtempSync(join(tmpdir(), 'vouch-held-'));
let n = 0;
const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanup.splice(0)) await c();
});

async function setup(timeoutMs = 10_000) {
  const db = await openStoreDatabase({ kind: 'sqlite', path: join(dir, `h${++n}.db`) });
  const store = guardStoreOver(db, 'test');
  const approvals = new Approvals(timeoutMs);
  const mirror = mirrorHolds(approvals, store, { session: 's1', pollMs: 20, redact: (s) => s.replaceAll('SECRET', '***') });
  cleanup.push(async () => {
    approvals.rejectAll();
    await mirror.close();
    await db.destroy();
  });
  return { store, approvals, mirror };
}

const what = { agent: 'bot', method: 'POST', path: '/api/orders/SECRET', operation: 'POST /api/orders/{id}', rule: 'approval: POST /api/orders/*', requestBytes: 3 };
const until = async (ok: () => Promise<boolean>): Promise<void> => {
  for (let i = 0; i < 200 && !(await ok()); i++) await new Promise((r) => setTimeout(r, 10));
};

describe('held requests mirrored into the store', () => {
  it('a hold appears pending (redacted); approving it in the store settles the guard’s hold as approved', async () => {
    const { store, approvals } = await setup();
    const outcome = approvals.hold(what, new AbortController().signal);
    await until(async () => (await store.pending()).length === 1);
    const [p] = await store.pending();
    expect(p).toMatchObject({ session: 's1', agent: 'bot', path: '/api/orders/***', state: 'pending', operation: 'POST /api/orders/{id}' });
    expect(await store.decide(p!.id, true, 'dashboard: local user')).toBe(true);
    expect(await outcome).toBe('approved');
    expect(approvals.list()).toEqual([]);
  });

  it('a rejection in the store gives rejected; a decision through the guard’s API is written back', async () => {
    const { store, approvals } = await setup();
    const first = approvals.hold(what, new AbortController().signal);
    await until(async () => (await store.pending()).length === 1);
    await store.decide((await store.pending())[0]!.id, false, 'dashboard: x');
    expect(await first).toBe('rejected');
    const second = approvals.hold({ ...what, path: '/api/orders/2' }, new AbortController().signal);
    const id = approvals.list()[0]!.id;
    expect(approvals.decide(id, true)).toBe(true);
    expect(await second).toBe('approved');
    await until(async () => (await store.settled([id])).length === 1);
    expect(await store.settled([id])).toEqual([{ id, state: 'approved', decidedBy: 'approval API' }]);
  });

  it('a time-out closes the stored hold: the dashboard can no longer decide it', async () => {
    const { store, approvals, mirror } = await setup(50);
    const outcome = approvals.hold(what, new AbortController().signal);
    const id = approvals.list()[0]!.id;
    expect(await outcome).toBe('timeout');
    await mirror.close();
    expect(await store.pending({ now: 0 })).toEqual([]);
    expect(await store.decide(id, true, 'dashboard: late', 0)).toBe(false);
  });
});
