// src/store/contract.test.ts — one repository contract, run on SQLite and on a real PostgreSQL (skipped only, with the reason, when no server can be had).
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { SKIP_NOT_SELECTED } from '../core/index.js';
import type { Exchange, Report, ScanInputs } from '../core/index.js';
import { makeReport } from '../report/fixture.js';
import { postgresServer, testPostgres } from '../../test/support/postgres.js';
import { KNOWN_VERSION, MIGRATIONS } from './migrations.js';
import { dashboardOver } from './dashboard.js';
import { guardStoreOver } from './guard.js';
import { historyOver } from './history.js';
import { openHistory, openStoreDatabase, storeLocation, type StoreLocation } from './open.js';
import { openPostgresHistory } from './postgres.js';

const dir = mkdtempSync(join(tmpdir(), 'vouch-store-'));
const server = await postgresServer();
const drops: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const d of drops) await d();
});

let n = 0;
const engines: { name: string; skip?: string; fresh(): Promise<StoreLocation> }[] = [
  { name: 'sqlite', fresh: async () => ({ kind: 'sqlite', path: join(dir, `h${++n}.db`) }) },
  {
    name: 'postgres',
    ...(typeof server === 'string' ? {} : { skip: server.skip }),
    fresh: async () => {
      const db = await testPostgres();
      if (!('url' in db)) throw new Error(db.skip);
      drops.push(db.drop);
      return { kind: 'postgres', url: db.url, from: 'VOUCH_DATABASE_URL' };
    },
  },
];

const variant = (id: string, pass: boolean, startedAt: string, version?: string): Report => {
  const r = makeReport();
  return {
    ...r,
    scanId: id,
    startedAt,
    finishedAt: startedAt,
    target: { ...r.target, name: 'shop' },
    verdict: { pass, status: pass ? 'pass' : 'fail', reasons: [] },
    ...(version ? { deployment: { version, versionSource: 'header X-Version', assets: { fingerprint: 'a'.repeat(64), files: [] } } } : {}),
  };
};

for (const engine of engines) {
  describe.skipIf(engine.skip !== undefined)(`history store contract on ${engine.name}${engine.skip ? ` (skipped: ${engine.skip})` : ''}`, () => {
    it('records guard decisions and reads them back per session and agent, types normalized', async () => {
      const db = await openStoreDatabase(await engine.fresh());
      try {
        const gs = guardStoreOver(db, engine.name);
        const row = { session: 'g1', at: '2026-12-06T03:00:00.000Z', agent: 'bot', method: 'GET', path: '/api/orders', operation: 'GET /api/orders', decision: 'allow' as const, rule: 'intended: GET /api/orders', status: 200, upstreamStatus: 200, ms: 1.25, requestBytes: 0, responseBytes: 42, learn: false };
        const { upstreamStatus: _held, ...base } = row;
        const held = { ...base, at: '2026-12-06T03:00:01.000Z', method: 'POST', operation: 'POST /api/orders', decision: 'deny' as const, rule: 'approval: POST /api/orders (timed out)', approval: 'timeout' as const, status: 403, requestBytes: 12 };
        const { operation: _o, upstreamStatus: _u, ...unmatched } = { ...row, session: 'g2', agent: 'other', path: '/x', decision: 'deny' as const, rule: 'unknown-operation', status: 403, learn: true, at: '2026-12-06T04:00:00.000Z' };
        await gs.record([row, held]);
        await gs.record([unmatched]);
        expect(await gs.decisions({ session: 'g1' })).toEqual([row, held]);
        expect(await gs.decisions({ agent: 'other' })).toEqual([unmatched]);
        expect(await gs.decisions({ latest: 2 })).toEqual([unmatched, held]);
        expect((await gs.sessions()).map((x) => [x.session, x.count, x.learn])).toEqual([['g2', 1, true], ['g1', 2, false]]);
      } finally {
        await db.destroy();
      }
    });

    it('holds guard requests: pending until decided once, before expiry; settled and closed as the guard sees them', async () => {
      const db = await openStoreDatabase(await engine.fresh());
      try {
        const gs = guardStoreOver(db, engine.name);
        const t0 = Date.parse('2026-12-06T05:00:00.000Z');
        const iso = (ms: number): string => new Date(ms).toISOString();
        const base = { session: 'g1', agent: 'bot', method: 'POST', path: '/api/orders', operation: 'POST /api/orders', rule: 'approval: POST /api/orders', requestBytes: 12 };
        const a = { ...base, id: '00000000-0000-4000-8000-00000000000a', heldAt: iso(t0), expiresAt: iso(t0 + 60_000) };
        const { operation: _o, ...noOp } = base;
        const b = { ...noOp, id: '00000000-0000-4000-8000-00000000000b', agent: 'other', path: '/api/<script>', heldAt: iso(t0 + 1), expiresAt: iso(t0 + 1000) };
        const c = { ...base, id: '00000000-0000-4000-8000-00000000000c', session: 'g2', heldAt: iso(t0 + 2), expiresAt: iso(t0 + 60_000) };
        for (const h of [a, b, c]) await gs.hold(h);
        expect(await gs.pending({ now: t0 + 10 })).toEqual([a, b, c].map((h) => ({ ...h, state: 'pending' })));
        expect((await gs.pending({ now: t0 + 5000 })).map((h) => h.id)).toEqual([a.id, c.id]); // b expired
        expect((await gs.pending({ now: t0 + 10, agent: 'other' })).map((h) => h.id)).toEqual([b.id]);
        expect((await gs.pending({ now: t0 + 10, session: 'g2' })).map((h) => h.id)).toEqual([c.id]);
        expect(await gs.decide(b.id, true, 'dashboard: late', t0 + 5000)).toBe(false); // expired
        expect(await gs.decide(a.id, true, 'dashboard: local user', t0 + 20)).toBe(true);
        expect(await gs.decide(a.id, false, 'dashboard: second', t0 + 21)).toBe(false); // decided once
        expect(await gs.decide('00000000-0000-4000-8000-0000000000ff', true, 'x', t0)).toBe(false);
        expect(await gs.settled([a.id, b.id, c.id])).toEqual([{ id: a.id, state: 'approved', decidedBy: 'dashboard: local user' }]);
        expect(await gs.settled([])).toEqual([]);
        await gs.close(a.id, 'approved'); // the guard's own close never overwrites the dashboard's decision
        await gs.close(c.id, 'rejected', 'approval API', t0 + 30);
        await gs.close(b.id, 'timeout', undefined, t0 + 2000);
        expect((await gs.settled([a.id, b.id, c.id])).sort((x, y) => x.id.localeCompare(y.id))).toEqual([
          { id: a.id, state: 'approved', decidedBy: 'dashboard: local user' },
          { id: c.id, state: 'rejected', decidedBy: 'approval API' },
        ]);
        expect(await gs.pending({ now: t0 + 10 })).toEqual([]);
        expect(await gs.decide(c.id, true, 'dashboard: late', t0 + 40)).toBe(false);
      } finally {
        await db.destroy();
      }
    });

    it('saves reports, lists newest first with normalized types, finds the last passing scan, and reopens without migrating twice', async () => {
      const loc = await engine.fresh();
      const store = await openHistory(loc);
      await store.saveReport(variant('s1', true, '2026-11-01T00:00:00.000Z', '1.0.0'));
      await store.saveReport(variant('s2', false, '2026-11-02T00:00:00.000Z'));
      await store.saveReport(variant('s2', false, '2026-11-02T00:00:00.000Z')); // saving again replaces, never duplicates
      const list = await store.listScans();
      expect(list.map((s) => [s.id, s.verdict, s.state, s.version])).toEqual([
        ['s2', 'fail', 'done', null],
        ['s1', 'pass', 'done', '1.0.0'],
      ]);
      expect(list[0]).toMatchObject({ findingCount: makeReport().findings.length, startedAt: '2026-11-02T00:00:00.000Z', target: 'shop' });
      expect(typeof list[0]!.findingCount).toBe('number');
      expect(list[1]!.assetsFingerprint).toBe('a'.repeat(64));
      expect((await store.lastPassing('shop')).report?.scanId).toBe('s1');
      expect(await store.lastPassing('other')).toEqual({ passedOver: [] });
      expect((await store.getReport('s2'))?.verdict.pass).toBe(false);
      expect(await store.getReport('nope')).toBeUndefined();
      expect((await store.listScans({ target: 'other' })).length).toBe(0);
      expect((await store.listScans({ limit: 1 })).map((s) => s.id)).toEqual(['s2']);
      await store.close();
      const again = await openHistory(loc);
      expect((await again.listScans()).length).toBe(2);
      await again.close();
    });

    it('keeps an incomplete verdict as such (listed INCOMPLETE, never the last passing scan)', async () => {
      const store = await openHistory(await engine.fresh());
      await store.saveReport(variant('p1', true, '2026-11-01T00:00:00.000Z'));
      const cut = variant('i1', false, '2026-11-02T00:00:00.000Z');
      await store.saveReport({ ...cut, verdict: { ...cut.verdict, status: 'incomplete', incomplete: [{ cause: 'login-failed', identity: 'alice', message: 'could not log in' }] } });
      expect((await store.listScans()).map((s) => [s.id, s.verdict])).toEqual([
        ['i1', 'incomplete'],
        ['p1', 'pass'],
      ]);
      expect((await store.lastPassing('shop')).report?.scanId).toBe('p1');
      expect((await store.getReport('i1'))?.verdict.incomplete?.[0]?.cause).toBe('login-failed');
      await store.close();
    });

    // Separate processes (SQLite's lock waits synchronously, so one process could not race itself), released at one
    // instant onto one fresh store, three times: each opens it, exactly one migrates, none fails.
    it('three processes opening a fresh store at once migrate it exactly once', { timeout: 60_000 }, async () => {
      const entry = pathToFileURL(join(import.meta.dirname, '..', '..', 'dist', 'src', 'store', 'index.js')).href;
      if (!existsSync(fileURLToPath(entry))) throw new Error('dist/ is missing: run `npm run setup` (npm test does it for you)');
      const script = join(dir, 'open-store.mjs');
      writeFileSync(script, [
        'const [entry, loc, at] = process.argv.slice(2);',
        'const { openHistory } = await import(entry);',
        'while (Date.now() < Number(at));',
        'try { const s = await openHistory(JSON.parse(loc)); await s.close(); process.stdout.write("ok"); }',
        'catch (e) { process.stdout.write(`error: ${e.message}`); process.exitCode = 1; }',
      ].join('\n'));
      for (let round = 0; round < 3; round++) {
        const loc = await engine.fresh();
        const at = String(Date.now() + 1_200); // after every child has loaded its modules
        const outs = await Promise.all(
          Array.from({ length: 3 }, () =>
            new Promise<string>((done) => {
              const child = spawn(process.execPath, [script, entry, JSON.stringify(loc), at], { stdio: ['ignore', 'pipe', 'inherit'] });
              let out = '';
              child.stdout.on('data', (d: Buffer) => (out += d.toString()));
              child.on('close', (code) => done(`${out} (exit ${code})`));
            }),
          ),
        );
        expect(outs).toEqual(Array(3).fill('ok (exit 0)'));
        const db = await openStoreDatabase(loc);
        const rows = await db.selectFrom('vouch_migrations').select('version').orderBy('version').execute();
        expect(rows.map((r) => Number(r.version))).toEqual(MIGRATIONS.map((m) => m.version));
        await db.destroy();
      }
    });

    it('keeps team jobs: queued → claimed with heartbeats and progress → requeued when silent → cancelled or failed; a report keeps the job columns', async () => {
      const store = await openHistory(await engine.fresh());
      try {
        await store.enqueue({ id: 'j1', kind: 'scan', target: 'shop', url: 'http://shop', job: '{"kind":"scan"}', at: 1000 });
        await store.enqueue({ id: 'j2', kind: 'gate', target: 'shop', url: 'http://shop', job: '{}', at: 2000 });
        await store.setJobId('j1', 'boss-1');
        expect((await store.listScans()).map((s) => [s.id, s.state, s.verdict])).toEqual([['j2', 'queued', null], ['j1', 'queued', null]]);
        const claimed = await store.claim('j1', 'w1');
        expect(claimed).toMatchObject({ id: 'j1', state: 'running', kind: 'scan', job: '{"kind":"scan"}', jobId: 'boss-1', worker: 'w1' });
        expect(await store.beat('j1', 'w1', { done: 3, total: 9 })).toBe('running');
        expect((await store.getJob('j1'))?.progress).toEqual({ done: 3, total: 9 });
        expect(await store.stale(Date.now() - 60_000)).toEqual([]);
        const later = Date.now() + 1;
        expect((await store.stale(later)).map((r) => r.id)).toEqual(['j1']);
        expect(await store.requeue('j1', later)).toBe(true);
        expect(await store.requeue('j1', later)).toBe(false); // another sweeper got there first
        expect(await store.claim('j1', 'w2')).toMatchObject({ state: 'running', worker: 'w2' });
        expect(await store.beat('j1', 'w1')).toBe('running'); // the old worker's beat changes nothing of w2's
        expect((await store.getJob('j1'))?.worker).toBe('w2');
        await store.saveReport({ ...variant('j1', true, '2026-11-01T00:00:00.000Z') });
        expect(await store.getJob('j1')).toMatchObject({ state: 'done', kind: 'scan', jobId: 'boss-1' });
        expect(await store.claim('j1', 'w3')).toBeUndefined(); // a done scan is never run again
        expect(await store.cancel('j2')).toBe('queued');
        expect(await store.claim('j2', 'w1')).toBeUndefined();
        expect(await store.cancel('j1')).toBe('done');
        expect(await store.cancel('nope')).toBeUndefined();
        await store.enqueue({ id: 'j3', kind: 'scan', target: 'shop', url: 'http://shop', job: '{}' });
        await store.markFailed('j3', 'target unreachable');
        expect(await store.getJob('j3')).toMatchObject({ state: 'failed', error: 'target unreachable' });
      } finally {
        await store.close();
      }
    });

    it('journals a scan for resume (migration 3): a job left by a dead worker is resumable once requeued, a fresh rerun replaces its journal, cancel wins, a command-line scan is never requeued', async () => {
      const store = await openHistory(await engine.fresh());
      const ex = (id: string, taskId?: string): Exchange => ({ id, request: { method: 'GET', url: `http://127.0.0.1:1/${id}`, headers: [] }, response: { status: 200, headers: [], body: 'ok' }, timing: { startedAt: 1, totalMs: 1 }, identity: 'anonymous', ...(taskId ? { taskId } : {}) });
      const tasks = ['t1', 't2', 't3'].map((id) => ({ id, checkId: 'c', identity: 'anonymous' }));
      const inputs: ScanInputs = { args: { url: 'http://shop', seed: 7 }, config: '{}', surface: { target: 'http://shop', operations: [], warnings: [] }, plan: { tasks, skipped: [] } };
      const stats = { sent: 2, refused: 0, errors: 0, byStatus: { '200': 2 } };
      const errors: Error[] = [];
      try {
        await store.enqueue({ id: 'r1', kind: 'scan', target: 'shop', url: 'http://shop', job: '{}', at: 1000 });
        await store.claim('r1', 'w1');
        const j = store.journal((e) => errors.push(e));
        j.started({ scanId: 'r1', targetName: 'shop', targetUrl: 'http://shop', startedAt: 1000 });
        const recorded = [ex('x000001')]; // the engine's live list: the scan goes on recording into it before the write runs
        j.planned(inputs, recorded);
        recorded.push(ex('x000002', 't1'));
        j.taskDone({ outcome: { taskId: 't1', status: 'clean' }, candidates: [] }, [ex('x000002', 't1')], { done: 1, total: 3, exchangeCount: 2 });
        await j.flush();
        await expect(store.resumable('r1')).rejects.toThrow(/still running/);
        // w1 dies (no more heartbeats): any sweeper requeues it, and the next worker resumes it.
        const later = Date.now() + 1;
        expect(await store.requeue('r1', later)).toBe(true);
        const r = await store.resumable('r1');
        expect(r).toMatchObject({ scanId: 'r1', targetName: 'shop', startedAt: 1000, exchangeCount: 2, runs: 0 });
        expect(r.inputs).toEqual(inputs);
        expect(r.done.map((d) => d.outcome.taskId)).toEqual(['t1']);
        expect(r.exchanges.map((x) => x.id)).toEqual(['x000001', 'x000002']);
        // A worker that must run it afresh (its config resolves differently) replaces the journal, never mixes two.
        expect(await store.claim('r1', 'w2')).toMatchObject({ state: 'running', worker: 'w2' });
        const again = store.journal((e) => errors.push(e));
        again.started({ scanId: 'r1', targetName: 'shop', targetUrl: 'http://shop', startedAt: 2000 });
        again.planned(inputs, []);
        again.finished('interrupted', stats, 3, 'worker stopping');
        await again.flush();
        expect((await store.resumable('r1')).done).toEqual([]);
        expect(await store.claim('r1', 'w3')).toMatchObject({ state: 'running', worker: 'w3' }); // an interrupted job is retried
        // Cancelled while running: the journal's end does not undo it.
        expect(await store.cancel('r1')).toBe('running');
        const last = store.journal((e) => errors.push(e));
        last.started({ scanId: 'r1', targetName: 'shop', targetUrl: 'http://shop', startedAt: 2000 });
        last.finished('interrupted', stats, 3, 'cancelled');
        await last.flush();
        expect((await store.getJob('r1'))?.state).toBe('cancelled');
        // A scan run from the command line (no job) that went silent is the user's to resume, not a worker's.
        const cli = store.journal((e) => errors.push(e));
        cli.started({ scanId: 'c1', targetName: 'shop', targetUrl: 'http://shop', startedAt: 3000 });
        await cli.flush();
        expect((await store.stale(Date.now() + 1)).map((x) => x.id)).toEqual([]);
        expect(await store.requeue('c1', Date.now() + 1)).toBe(false);
        cli.finished('done', stats, 0);
        await cli.flush();
        await store.saveReport(variant('c1', true, '2026-11-03T00:00:00.000Z', '2.0.0'));
        expect((await store.listScans()).find((x) => x.id === 'c1')).toMatchObject({ state: 'done', version: '2.0.0' });
        await expect(store.resumable('c1')).rejects.toThrow(/already finished/);
        expect(errors).toEqual([]);
      } finally {
        await store.close();
      }
    });

    it('takes as last-passing only a complete, passing scan that ran the wanted checks in the same scope, and says why not', async () => {
      const store = await openHistory(await engine.fresh());
      try {
        const scope = { origins: ['http://127.0.0.1:4100'], include: [], exclude: ['/logout'] };
        const want = { checks: ['sqli-error', 'server-errors'], url: 'http://127.0.0.1:4200', scope: { ...scope, origins: ['http://127.0.0.1:4200'] } };
        const scan = (id: string, day: number, over: Partial<Report> = {}): Report => ({ ...variant(id, true, `2026-11-0${day}T00:00:00.000Z`), scope, ...over });
        const base = scan('b1', 1);
        await store.saveReport(base);
        await store.saveReport(scan('b2', 2, { partial: { reason: 'interrupted by SIGINT', notRun: 3 } }));
        const onlySqli = { ...base.stats, checks: { run: base.stats.checks.run.filter((c) => c.checkId === 'sqli-error'), skipped: [{ checkId: 'server-errors', reason: SKIP_NOT_SELECTED }] } };
        await store.saveReport(scan('b3', 3, { stats: onlySqli }));
        await store.saveReport(scan('b4', 4, { scope: { ...scope, exclude: ['/logout', '/admin'] } }));
        await store.saveReport(scan('b5', 5, { verdict: { pass: true, reasons: [], status: 'incomplete' } as Report['verdict'] }));
        await store.saveReport(scan('b6', 6, { verdict: { pass: false, status: 'fail', reasons: [] } }));
        const { scope: _s, ...older } = scan('b7', 7);
        await store.saveReport(older);
        const r = await store.lastPassing('shop', want);
        expect(r.report?.scanId).toBe('b1');
        expect(r.passedOver.map((p) => `${p.scanId}: ${p.why}`)).toEqual([
          'b7: its scope is not recorded (an older vouch scanned it)',
          'b6: its verdict failed',
          'b5: its verdict was incomplete',
          'b4: other path scope (include [], exclude ["/logout","/admin"])',
          'b3: did not run server-errors',
          'b2: state failed',
        ]);
        // Fewer checks wanted: the scan that ran only sql-injection covers them; no wish at all: the newest complete pass.
        expect((await store.lastPassing('shop', { ...want, checks: ['sqli-error'] })).report?.scanId).toBe('b3');
        expect((await store.lastPassing('shop')).report?.scanId).toBe('b7');
        // The run's own origin differs from the scans' (a preview URL of the same target): that is no other scope, but
        // another origin besides it is.
        const none = await store.lastPassing('shop', { ...want, scope: { ...want.scope, origins: ['http://127.0.0.1:4200', 'http://127.0.0.1:9'] } });
        expect(none.report).toBeUndefined();
        expect(none.passedOver).toHaveLength(7);
      } finally {
        await store.close();
      }
    });

    it('keeps accepted states per target and webhook dead letters', async () => {
      const store = await openHistory(await engine.fresh());
      try {
        await store.saveReport(variant('s1', true, '2026-11-01T00:00:00.000Z'));
        await store.saveReport(variant('s2', false, '2026-11-02T00:00:00.000Z'));
        expect(await store.accepted('shop')).toBeUndefined();
        expect(await store.accept('s1')).toEqual({ target: 'shop' });
        expect(await store.accept('s2')).toEqual({ target: 'shop' }); // moves it
        expect((await store.accepted('shop'))?.scanId).toBe('s2');
        expect(await store.accept('nope')).toBeUndefined();
        await store.deadLetter({ url: 'http://hook/[REDACTED]', scanId: 's2', payload: '{"a":1}', error: 'status 500', attempts: 4 });
        expect(await store.deadLetters()).toEqual([{ url: 'http://hook/[REDACTED]', scanId: 's2', payload: '{"a":1}', error: 'status 500', attempts: 4, createdAt: expect.any(Number) }]);
      } finally {
        await store.close();
      }
    });

    it('serves the dashboard queries, tokens, sessions and accepted risks with normalized types', async () => {
      const db = await openStoreDatabase(await engine.fresh());
      try {
        const h = historyOver(db, engine.name);
        await h.saveReport(variant('s1', true, '2026-11-01T00:00:00.000Z'));
        await h.saveReport(variant('s2', false, '2026-11-02T00:00:00.000Z'));
        const d = dashboardOver(db, engine.name);
        const [t] = await d.targets(5);
        expect(t).toMatchObject({ target: 'shop', latest: { id: 's2', verdict: 'fail', startedAt: Date.parse('2026-11-02T00:00:00.000Z'), findingCount: makeReport().findings.length } });
        expect((await d.scans({ limit: 5 })).map((r) => r.id)).toEqual(['s2', 's1']);
        expect((await d.previousScan('shop', Date.parse('2026-11-02T00:00:00.000Z')))?.id).toBe('s1');
        expect(await d.findingHistory(makeReport().findings[0]!.fingerprint)).toMatchObject({ count: 2, first: Date.parse('2026-11-01T00:00:00.000Z') });
        const tok = await d.createToken({ name: 'ci', role: 'viewer', days: 1 });
        expect(await d.checkToken(tok.token)).toMatchObject({ id: tok.id, role: 'viewer' });
        const sess = await d.createSession(tok.id, 'viewer', 60_000);
        expect(await d.session(sess.secret)).toMatchObject({ role: 'viewer', tokenId: tok.id });
        await h.acceptRisk({ fingerprint: 'abcdef12', reason: 'first', expires: '2099-01-01', by: 'me' });
        await h.acceptRisk({ fingerprint: 'abcdef12', reason: 'again', expires: '2099-01-01', by: 'me' });
        expect((await h.listAccepted()).map((a) => a.reason)).toEqual(['again']);
        expect(await h.revokeRisk('abcdef12', 'me')).toBe(true);
      } finally {
        await db.destroy();
      }
    });

    it('refuses a store of a newer schema, says which, and writes nothing', async () => {
      const loc = await engine.fresh();
      const store = await openHistory(loc);
      await store.saveReport(variant('s1', true, '2026-11-01T00:00:00.000Z'));
      await store.close();
      await withDb(loc, (run) => run(`insert into vouch_migrations (version, applied_at) values (${KNOWN_VERSION + 7}, 0)`));
      await expect(openHistory(loc)).rejects.toThrow(new RegExp(`written by a newer vouch \\(schema ${KNOWN_VERSION + 7}, this vouch knows ${KNOWN_VERSION}\\).*left untouched`));
    });
  });
}

/** Runs raw SQL on a store behind the repository's back (to fake a newer vouch). */
async function withDb(loc: StoreLocation, fn: (run: (q: string) => Promise<unknown>) => Promise<unknown>): Promise<void> {
  if (loc.kind === 'postgres') {
    const s = await openPostgresHistory(loc.url);
    await fn((q) => sql.raw(q).execute(s.db));
    await s.close();
    return;
  }
  const { default: Sqlite } = await import('better-sqlite3');
  const db = new Sqlite(loc.path);
  await fn(async (q) => db.exec(q));
  db.close();
}

describe('store location and errors', () => {
  it('VOUCH_DATABASE_URL wins over store.url; neither means the SQLite file', () => {
    expect(storeLocation('postgres://a/b', { VOUCH_DATABASE_URL: 'postgres://c/d' })).toMatchObject({ kind: 'postgres', url: 'postgres://c/d' });
    expect(storeLocation('postgres://a/b', {})).toMatchObject({ kind: 'postgres', url: 'postgres://a/b', from: 'store.url' });
    expect(storeLocation(undefined, { VOUCH_HISTORY: '/x.db' })).toEqual({ kind: 'sqlite', path: '/x.db' });
  });

  it('an unreachable server: one clear line with the password redacted', async () => {
    const url = 'postgres://vouch:s3cret-pw@127.0.0.1:1/vouch';
    const err = (await openPostgresHistory(url).catch((e: unknown) => e)) as Error & { code: string; hint: string };
    expect(err).toMatchObject({ code: 'VOUCH_STORE_ERROR' });
    expect(err.message).toMatch(/^postgres:\/\/vouch:\[REDACTED\]@127\.0\.0\.1:1\/vouch: cannot connect to the team store \(.*ECONNREFUSED/);
    expect(`${err.message}${err.hint}`).not.toContain('s3cret-pw');
    expect(err.message).not.toContain('\n');
  });

  it('a URL that is not postgres:// is refused before any connection', async () => {
    await expect(openPostgresHistory('mysql://u:pw1234@h/db')).rejects.toThrow(/VOUCH_DATABASE_URL must be a postgres:\/\/ URL, got mysql:\/\/ \(mysql:\/\/u:\[REDACTED\]@h\/db\)/);
  });

  it.skipIf(typeof server !== 'string')('a wrong password on a real server: clear line, password redacted', async () => {
    const u = new URL(server as string);
    u.password = 'definitely-wrong-pw';
    const err = (await openPostgresHistory(u.toString()).catch((e: unknown) => e)) as Error;
    expect(err.message).toMatch(/cannot connect to the team store \(password authentication failed/);
    expect(err.message).not.toContain('definitely-wrong-pw');
  });
});

describe('sqlite file', () => {
  it('refuses a file that is not a vouch database and leaves it as it was', async () => {
    const path = join(dir, 'corrupt.db');
    writeFileSync(path, 'this is not sqlite at all '.repeat(100));
    await expect(openHistory({ kind: 'sqlite', path })).rejects.toThrow(/corrupt\.db: the history database cannot be used .*left untouched/);
    expect(readFileSync(path, 'utf8').startsWith('this is not sqlite')).toBe(true);
  });
});
