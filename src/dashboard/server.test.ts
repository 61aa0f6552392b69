// src/dashboard/server.test.ts — the dashboard over a real SQLite store, in-process (no browser): every view, the
// bad inputs (empty, running, corrupt, newer schema, 404), accepted risks, and team-mode auth and CSRF.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import type { Report } from '../core/index.js';
import { HOSTILE, makeReport } from '../report/fixture.js';
import { toHtml } from '../report/html.js';
import { openSqliteDatabase, openSqliteHistory } from '../store/index.js';
import { createDashboardApp } from './server.js';

const dir = mkdtempSync(join(tmpdir(), 'vouch-dash-'));
const closers: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const c of closers) await c();
});

/** The fixture report plus the contracts other stages fill: latency, audit, params/shadow/zombie, accepted. */
export function fullReport(id: string, startedAt: string): Report {
  const r = makeReport();
  r.scanId = id;
  r.startedAt = startedAt;
  r.finishedAt = startedAt;
  r.latency = { 'GET /api/products/search': { samples: 20, p50: 33, p95: 45, p99: 52 }, [`GET /x${HOSTILE.script}`]: { samples: 5, p50: 1, p95: 2, p99: 3 } };
  r.audit = [
    {
      identity: 'agent',
      intended: ['GET /api/orders/*'],
      capabilities: [
        { operation: 'GET /api/orders/{id}', whose: 'own', established: 'executed', exchangeId: 'x-1', intended: true },
        { operation: 'DELETE /api/products/{id}', whose: 'any', established: 'executed', exchangeId: 'x-2', intended: false },
      ],
      undetermined: ['PUT /api/orders/{id}: 500 on every probe'],
    },
    { identity: 'bob', intended: [], capabilities: [], unavailable: `login failed: 401 ${HOSTILE.script}` },
  ];
  r.comparison!.permissions.identities[0]!.gainedBeyondIntended = ['DELETE /api/products/{id}'];
  r.comparison!.surface.paramsChanged = [{ operation: 'GET /api/products/search', parameter: 'limit', in: 'query', change: 'retyped', from: 'integer', to: 'string' }];
  r.comparison!.surface.shadow = ['GET /api/debug/env'];
  r.comparison!.surface.zombie = ['GET /api/legacy/export'];
  r.accepted = [{ fingerprint: '0a1b2c3d4e5f6789', reason: 'legacy, fixed next quarter', expires: '2099-01-01', state: 'active', matched: true }];
  return r;
}

async function setup(name: string, team = false, fill = true) {
  const path = join(dir, `${name}.db`);
  const history = await openSqliteHistory(path);
  if (fill) {
    const older = makeReport();
    older.scanId = 'scan-old';
    older.startedAt = older.finishedAt = '2026-11-01T00:00:00.000Z';
    older.findings = older.findings.filter((_, i) => i === 0 || i >= 3);
    delete older.comparison;
    older.verdict = { pass: true, status: 'pass', reasons: [] };
    await history.saveReport(older);
    await history.saveReport(fullReport('scan-new', '2026-11-02T00:00:00.000Z'));
  }
  await history.close();
  const db = await openSqliteDatabase(path);
  closers.push(() => db.destroy());
  const dash = createDashboardApp(db, { historyPath: path, team, now: () => Date.parse('2026-11-24T12:00:00Z') });
  const get = async (p: string, headers: Record<string, string> = {}) => {
    const res = await dash.app.request(p, { headers });
    return { status: res.status, text: await res.text(), headers: res.headers };
  };
  return { ...dash, path, db, get };
}

const csrfOf = (html: string): string => /name="_csrf" value="([^"]*)"/u.exec(html)?.[1] ?? '';

describe('dashboard: the incomplete verdict', () => {
  it('lists an incomplete scan as INCOMPLETE and shows its causes and coverage', async () => {
    const path = join(dir, 'incomplete.db');
    const history = await openSqliteHistory(path);
    const r = makeReport({ incomplete: true });
    r.scanId = 'scan-cut';
    await history.saveReport(r);
    await history.close();
    const db = await openSqliteDatabase(path);
    closers.push(() => db.destroy());
    const { app } = createDashboardApp(db, { historyPath: path, team: false, now: () => Date.parse('2026-11-24T12:00:00Z') });
    const home = await (await app.request('/')).text();
    expect(home).toMatch(/<b class="t-incomplete">INCOMPLETE<\/b> <a href="\/scans\/scan-cut">latest scan<\/a>/u);
    expect(home).toContain('<span class="t-incomplete" title="incomplete">?</span>');
    const scan = await (await app.request('/scans/scan-cut')).text();
    expect(scan).toContain('<title>INCOMPLETE candidate');
    expect(scan).toContain('<section class="verdict incomplete" id="verdict">');
    expect(scan).toContain('<h3>Never tested (4)</h3>');
    expect(scan).not.toContain(HOSTILE.script);
  });
});

describe('dashboard (local mode)', () => {
  it('renders targets, scans, a scan with every section, a finding, a comparison and the audit', async () => {
    const { get } = await setup('views');
    const home = await get('/');
    expect(home.status).toBe(200);
    expect(home.text).toContain('<table id="targets">');
    expect(home.text).toMatch(/<b class="t-fail">FAIL<\/b> <a href="\/scans\/scan-new">latest scan<\/a>/u);
    expect(home.headers.get('content-security-policy')).toMatch(/^default-src 'none'; script-src 'nonce-[^']+'; style-src 'self'/u);
    expect(home.headers.get('x-frame-options')).toBe('DENY');
    const nonce = /'nonce-([^']+)'/u.exec(home.headers.get('content-security-policy')!)![1]!;
    expect(home.text.match(/<script nonce="([^"]+)" src=/gu)!.every((s) => s.includes(nonce))).toBe(true);

    const scans = await get('/scans');
    expect(scans.text).toContain('scan-old');

    const scan = await get('/scans/scan-new');
    expect(scan.status).toBe(200);
    for (const id of ['verdict', 'findings-table', 'coverage', 'comparison', 'latency', 'audit', 'accepted', 'permission-diff', 'latency-compare']) expect(scan.text).toContain(`id="${id}"`);
    expect(scan.text).toContain('5 of 5 shown');
    expect(scan.text).toContain('Shadow: answers, not in the spec (1)');
    expect(scan.text).toContain('NOT INTENDED');
    expect(scan.text).toContain('Not audited: login failed: 401 &lt;script&gt;');
    expect(scan.text).toContain('undetermined (1)');
    expect(scan.text).toContain('gained DELETE /api/products/{id} <b class="lvl-fail">beyond intended scope</b>');
    expect(scan.text).not.toContain(HOSTILE.script);
    expect(scan.text).not.toContain(HOSTILE.attr);

    // The same views as report.html: the verdict and the findings table are byte-identical apart from the links.
    const report = toHtml(fullReport('scan-new', '2026-11-02T00:00:00.000Z'));
    const verdict = (h: string) => /<section class="verdict[\s\S]*?<\/section>/u.exec(h)?.[0];
    expect(verdict(scan.text)).toBe(verdict(report));
    const table = (h: string) => /<table id="findings-table">[\s\S]*?<\/table>/u.exec(h)?.[0]?.replace(/href="[^"]*"/gu, 'href');
    expect(table(scan.text)).toBe(table(report));
    expect(report).toContain('NOT INTENDED');

    // Server-side filters.
    const high = await get('/scans/scan-new?severity=high');
    expect(high.text).toContain('2 of 5 shown');
    expect(high.text).toContain('<option value="high" selected>');
    const both = await get('/scans/scan-new?severity=high&family=authorization&status=new&confidence=confirmed&exposure=anonymous');
    expect(both.text).toMatch(/[01] of 5 shown/u);

    const fp = /href="\/scans\/scan-new\/findings\/([^"]+)"/u.exec(scan.text)![1]!;
    const finding = await get(`/scans/scan-new/findings/${fp}`);
    expect(finding.status).toBe(200);
    expect(finding.text).toContain('<details class="finding" id="f0" open>');
    expect(finding.text).toContain('first seen');
    expect(finding.text).toContain('Accept this risk');
    expect(finding.text).toContain('pre class="repro"');

    // The hostile finding (300 kB body full of markup): cut for display, escaped, and the page stays small.
    const hostileFp = fullReport('x', 'y').findings.find((f) => f.proof.exchanges.some((x) => (x.response?.body.length ?? 0) > 100_000))!.fingerprint;
    const huge = await get(`/scans/scan-new/findings/${hostileFp}`);
    expect(huge.status).toBe(200);
    expect(huge.text.length).toBeLessThan(150_000);
    expect(huge.text).toContain('report.json has all of it');
    expect(huge.text).not.toContain(HOSTILE.script);

    const sqli = await get('/scans/scan-new/findings/3f9a1c0e8b7d6a52');
    expect(sqli.text).toContain('<mark class="evidence">');
    expect(sqli.text).toContain('https://cwe.mitre.org/data/definitions/89.html');

    const persisting = await get('/scans/scan-new/findings/0a1b2c3d4e5f6789');
    expect(persisting.text).toMatch(/Seen in scans \(1\)[\s\S]*scan-old/u);

    const cmp = await get('/compare?base=scan-old&head=scan-new');
    expect(cmp.status).toBe(200);
    expect(cmp.text).toMatch(/<h3>New \((\d+)\)<\/h3>/u);
    expect(cmp.text).toContain('<h3>Persisting (3)</h3>');
    const cmpDefault = await get('/compare?head=scan-new');
    expect(cmpDefault.text).toContain('scan-old');

    const audit = await get('/scans/scan-new/audit');
    expect(audit.text).toContain('DELETE /api/products/{id}');
    const assets = await get('/assets/htmx.min.js');
    expect(assets.status).toBe(200);
    expect(assets.headers.get('content-type')).toContain('javascript');
  });

  it('answers bad input clearly: 404 page, empty store, running scan, corrupt report, foreign Host', async () => {
    const { get } = await setup('bad');
    const nf = await get('/no/such/page');
    expect(nf.status).toBe(404);
    expect(nf.text).toContain('Not found');
    expect(nf.text).not.toMatch(/at .*\.ts:\d+/u);
    expect((await get('/scans/nope')).status).toBe(404);
    expect((await get('/scans/scan-new/findings/nope')).status).toBe(404);

    const raw = new BetterSqlite3(join(dir, 'bad.db'));
    raw.prepare(`insert into scans (id, target_name, target_url, state, started_at, finding_count, report, progress_done, progress_total, heartbeat_at) values ('run-1', 'shop', 'http://x', 'running', 1, 0, null, 3, 10, ?)`).run(Date.parse('2026-11-24T11:59:00Z'));
    raw.prepare(`insert into scans (id, target_name, target_url, state, started_at, finding_count, report) values ('bad-1', 'shop', 'http://x', 'done', 2, 1, '{"not json')`).run();
    raw.close();
    const running = await get('/scans/run-1');
    expect(running.text).toContain('still running');
    expect(running.text).toContain('<progress max="10" value="3">');
    expect((await get('/')).text).toContain('Running now');
    const corrupt = await get('/scans/bad-1');
    expect(corrupt.status).toBe(200);
    expect(corrupt.text).toContain('is not valid JSON');

    const foreign = await get('/', { host: 'evil.example:80' });
    expect(foreign.status).toBe(403);

    const empty = await setup('empty', false, false);
    const first = await empty.get('/');
    expect(first.text).toContain('No scans yet');
    expect(first.text).toContain('npm run demo');
  });

  it('refuses a store of a newer schema version with a clear error', async () => {
    const path = join(dir, 'newer.db');
    (await openSqliteHistory(path)).close();
    const raw = new BetterSqlite3(path);
    raw.prepare('insert into vouch_migrations (version, applied_at) values (99, 0)').run();
    raw.close();
    await expect(openSqliteDatabase(path)).rejects.toThrow(/newer vouch \(schema 99, this vouch knows \d+\)/u);
  });

  it('accepts and revokes a risk (CSRF token required), and scans see it', async () => {
    const { app, get, history } = await setup('accept');
    const page = await get('/scans/scan-new/findings/3f9a1c0e8b7d6a52');
    const csrf = csrfOf(page.text);
    expect(csrf).not.toBe('');
    const form = (extra: Record<string, string>) => new URLSearchParams({ fingerprint: '3f9a1c0e8b7d6a52', reason: 'compensating WAF rule', expires: '2027-02-01', ...extra });
    const post = (path: string, body: URLSearchParams, headers: Record<string, string> = {}) =>
      app.request(path, { method: 'POST', body, headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers } });
    expect((await post('/accepted', form({}))).status).toBe(403);
    expect((await post('/accepted', form({ _csrf: 'forged' }))).status).toBe(403);
    expect((await post('/accepted', form({ _csrf: csrf }), { origin: 'http://evil.example' })).status).toBe(403);
    expect((await post('/accepted', form({ _csrf: csrf, expires: '2020-01-01' }))).status).toBe(400);
    const ok = await post('/accepted', form({ _csrf: csrf, back: 'finding' }), { 'hx-request': 'true' });
    expect(ok.status).toBe(200);
    expect(await ok.text()).toContain('Accepted until 2027-02-01');
    expect((await history.listAccepted()).map((a) => a.fingerprint)).toEqual(['3f9a1c0e8b7d6a52']);
    expect((await get('/accepted')).text).toContain('compensating WAF rule');
    const revoked = await post('/accepted/revoke', new URLSearchParams({ fingerprint: '3f9a1c0e8b7d6a52', _csrf: csrf }));
    expect(revoked.status).toBe(303);
    expect(await history.listAccepted()).toEqual([]);
  });
});

describe('dashboard (team mode)', () => {
  it('needs a token (401), sessions carry CSRF (403 without), viewers cannot accept, expired tokens are refused', async () => {
    const { app, store } = await setup('team', true);
    const anon = await app.request('/');
    expect(anon.status).toBe(401);
    expect(await anon.text()).toContain('Sign in');
    expect((await app.request('/scans/scan-new')).status).toBe(401);
    expect((await app.request('/events/scans/scan-new')).status).toBe(401);
    expect((await app.request('/assets/style.css')).status).toBe(200);

    const maint = await store.createToken({ name: 'ci', role: 'maintainer', days: 1 });
    const viewer = await store.createToken({ name: 'ro', role: 'viewer', days: 1 });
    const expired = await store.createToken({ name: 'old', role: 'maintainer', days: 1e-9 });
    const login = (token: string) => app.request('/login', { method: 'POST', body: new URLSearchParams({ token }), headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect((await login('vouch_wrong')).status).toBe(401);
    await new Promise((r) => setTimeout(r, 5));
    const exp = await login(expired.token);
    expect(exp.status).toBe(401);
    expect(await exp.text()).toContain('expired');
    expect((await app.request('/', { headers: { authorization: `Bearer ${expired.token}` } })).status).toBe(401);

    const res = await login(maint.token);
    expect(res.status).toBe(303);
    const cookie = res.headers.get('set-cookie')!;
    expect(cookie).toMatch(/vouch_session=[^;]+;.*HttpOnly/iu);
    expect(cookie).toMatch(/SameSite=Strict/iu);
    const session = cookie.split(';')[0]!;
    const home = await app.request('/scans/scan-new/findings/3f9a1c0e8b7d6a52', { headers: { cookie: session } });
    expect(home.status).toBe(200);
    const csrf = csrfOf(await home.text());
    const accept = (headers: Record<string, string>, extra: Record<string, string> = {}) =>
      app.request('/accepted', { method: 'POST', body: new URLSearchParams({ fingerprint: '3f9a1c0e8b7d6a52', reason: 'ok for now', expires: '2027-01-01', ...extra }), headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers } });
    expect((await accept({ cookie: session })).status).toBe(403);
    expect((await accept({ cookie: session }, { _csrf: 'forged-token' })).status).toBe(403);
    expect((await accept({ cookie: session, 'x-csrf-token': csrf })).status).toBe(303);

    const vres = await login(viewer.token);
    const vsession = vres.headers.get('set-cookie')!.split(';')[0]!;
    const vpage = await app.request('/scans/scan-new/findings/b80e2f6d19c4a7e3', { headers: { cookie: vsession } });
    const vtext = await vpage.text();
    expect(vtext).toContain('Only maintainers can accept a risk.');
    expect((await accept({ cookie: vsession, 'x-csrf-token': csrfOf(vtext) })).status).toBe(403);
    // A bearer token (no ambient credential) reads without a session.
    expect((await app.request('/scans', { headers: { authorization: `Bearer ${viewer.token}` } })).status).toBe(200);
  });
});
