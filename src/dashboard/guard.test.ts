// src/dashboard/guard.test.ts — the /guard page over a real SQLite store, in-process: held requests and decisions shown
// escaped, approve / reject with the CSRF token (maintainers only in team mode), the live part and its state hash.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { GuardRecord } from '../core/index.js';
import { guardStoreOver, openSqliteDatabase } from '../store/index.js';
import { createDashboardApp } from './server.js';

const dir = mkdtempSync(join(tmpdir(), 'vouch-dash-guard-'));
const closers: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const c of closers) await c();
});

const NOW = Date.parse('2026-12-06T05:00:00Z');
const HOSTILE = '/api/<script>alert(1)</script>';
const ids = { a: '11111111-1111-4111-8111-111111111111', b: '22222222-2222-4222-8222-222222222222' };

async function setup(name: string, team: boolean) {
  const path = join(dir, `${name}.db`);
  const db = await openSqliteDatabase(path);
  closers.push(() => db.destroy());
  const gs = guardStoreOver(db, path);
  const hold = { session: 'g1', method: 'POST', requestBytes: 9, heldAt: new Date(NOW - 1000).toISOString(), expiresAt: new Date(NOW + 60_000).toISOString() };
  await gs.hold({ ...hold, id: ids.a, agent: 'bot', path: HOSTILE, operation: 'POST /api/orders', rule: `approval: POST ${HOSTILE}` });
  await gs.hold({ ...hold, id: ids.b, agent: 'other"><img src=x>', path: '/api/orders', rule: 'approval: POST /api/orders' });
  const decided: GuardRecord = { session: 'g1', at: new Date(NOW - 5000).toISOString(), agent: 'bot', method: 'POST', path: '/api/orders', operation: 'POST /api/orders', decision: 'allow', rule: 'approval: POST /api/orders (approved)', approval: 'approved', status: 201, upstreamStatus: 201, ms: 812.4, requestBytes: 9, responseBytes: 30, learn: false };
  const { approval: _a, upstreamStatus: _u, ...plain } = decided;
  await gs.record([decided, { ...plain, at: new Date(NOW - 4000).toISOString(), agent: 'other', decision: 'deny', rule: 'denied: DELETE /api/*', status: 403, ms: 1 }]);
  const { app, store } = createDashboardApp(db, { historyPath: path, team, now: () => NOW });
  const get = async (p: string, headers: Record<string, string> = {}) => {
    const res = await app.request(p, { headers });
    return { status: res.status, text: await res.text(), headers: res.headers };
  };
  const post = (p: string, body: Record<string, string>, headers: Record<string, string> = {}) =>
    app.request(p, { method: 'POST', body: new URLSearchParams(body), headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers } });
  return { app, store, gs, get, post };
}

const csrfOf = (html: string): string => /name="_csrf" value="([^"]*)"/u.exec(html)?.[1] ?? '';

describe('dashboard /guard', () => {
  it('shows held requests and decisions escaped, newest first; the nav links it; filters narrow it', async () => {
    const { get } = await setup('show', false);
    const page = await get('/guard');
    expect(page.status).toBe(200);
    expect(page.text).toContain('<a href="/guard">guard</a>');
    expect(page.text).not.toContain('<script>alert(1)');
    expect(page.text).not.toContain('<img src=x>');
    expect(page.text).toContain('/api/&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(page.text).toContain('Waiting for a person (2)');
    expect(page.text.indexOf('denied: DELETE')).toBeLessThan(page.text.indexOf('allowed (approved)')); // newest first
    expect((await get('/guard/live?agent=bot')).text).toContain('Waiting for a person (1)');
    expect((await get('/guard/live?session=nope')).text).toContain('No request is waiting for a person.');
    expect(page.text).toMatch(/<option value="g1">g1<\/option>/u);
  });

  it('the live part carries a state hash the page starts with; it changes when a hold is decided', async () => {
    const { get, post } = await setup('live', false);
    const page = await get('/guard');
    const state = /data-live-state="([^"]+)"/u.exec(page.text)?.[1];
    const live = await get('/guard/live');
    expect(live.headers.get('x-live-state')).toBe(state);
    expect(live.headers.get('content-security-policy')).toContain("script-src 'nonce-");
    expect((await post(`/guard/held/${ids.b}/reject`, { _csrf: csrfOf(page.text) })).status).toBe(303);
    expect((await get('/guard/live')).headers.get('x-live-state')).not.toBe(state);
  });

  it('approves and rejects with the CSRF token only, once, and says so when the hold is gone', async () => {
    const { get, post, gs } = await setup('decide', false);
    const csrf = csrfOf((await get('/guard')).text);
    expect(csrf).not.toBe('');
    expect((await post(`/guard/held/${ids.a}/approve`, {})).status).toBe(403);
    expect((await post(`/guard/held/${ids.a}/approve`, { _csrf: 'forged' })).status).toBe(403);
    expect((await post(`/guard/held/${ids.a}/approve`, { _csrf: csrf }, { origin: 'http://evil.example' })).status).toBe(403);
    expect(await gs.settled([ids.a])).toEqual([]);
    const ok = await post(`/guard/held/${ids.a}/approve`, { _csrf: csrf });
    expect(ok.status).toBe(303);
    expect(ok.headers.get('location')).toBe('/guard');
    expect((await post(`/guard/held/${ids.a}/reject`, { _csrf: csrf })).status).toBe(409);
    expect((await post(`/guard/held/${ids.b}/reject`, { _csrf: csrf })).status).toBe(303);
    expect((await gs.settled([ids.a, ids.b])).sort((x, y) => x.id.localeCompare(y.id))).toEqual([
      { id: ids.a, state: 'approved', decidedBy: 'dashboard: local user' },
      { id: ids.b, state: 'rejected', decidedBy: 'dashboard: local user' },
    ]);
    expect((await post('/guard/held/not-an-id/approve', { _csrf: csrf })).status).toBe(404);
    expect((await post(`/guard/held/${ids.a}/delete`, { _csrf: csrf })).status).toBe(404);
  });

  it('team mode: a viewer sees the buttons disabled and is refused; a maintainer decides', async () => {
    const { app, store, post, gs } = await setup('team', true);
    expect((await app.request('/guard')).status).toBe(401);
    expect((await app.request('/guard/live')).status).toBe(401);
    const login = async (role: 'viewer' | 'maintainer') => {
      const tok = await store.createToken({ name: role, role, days: 1 });
      const res = await app.request('/login', { method: 'POST', body: new URLSearchParams({ token: tok.token }), headers: { 'content-type': 'application/x-www-form-urlencoded' } });
      const cookie = res.headers.get('set-cookie')!.split(';')[0]!;
      const page = await (await app.request('/guard', { headers: { cookie } })).text();
      return { cookie, page, csrf: csrfOf(page) };
    };
    const viewer = await login('viewer');
    expect(viewer.page).toMatch(/<button type="submit" data-act="approve" disabled/u);
    expect(viewer.page).toContain('Only maintainers can approve or reject.');
    expect((await post(`/guard/held/${ids.a}/approve`, { _csrf: viewer.csrf }, { cookie: viewer.cookie })).status).toBe(403);
    expect(await gs.settled([ids.a])).toEqual([]);
    const maint = await login('maintainer');
    expect(maint.page).not.toMatch(/data-act="approve" disabled/u);
    expect((await post(`/guard/held/${ids.a}/approve`, { _csrf: maint.csrf }, { cookie: maint.cookie })).status).toBe(303);
    const [settled] = await gs.settled([ids.a]);
    expect(settled).toMatchObject({ id: ids.a, state: 'approved' });
    expect(settled?.decidedBy).toMatch(/^dashboard: token [0-9a-f-]{8}$/u);
  });
});
