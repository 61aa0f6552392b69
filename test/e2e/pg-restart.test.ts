// test/e2e/pg-restart.test.ts — PostgreSQL restarted while a worker runs (a throwaway cluster of its own, so other test files are
// untouched): the worker reconnects and goes on; the scan it held and scans queued after the restart all end `done` with the same findings.
// A queued job carries its --har file's contents (the file is removed before the worker runs it).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLab, type RunningLab } from '../../lab/server.js';
import { openPostgresHistory } from '../../src/store/index.js';
import { throwawayCluster } from '../support/postgres.js';
import { root, vouch, NO_BROWSER } from './cli.js';

const cluster = await throwawayCluster();
const tmp = mkdtempSync(join(tmpdir(), 'vouch-pg-restart-'));
const cfg = join(tmp, 'vouch.yaml');
// Slowed by a rate limit so a scan is still running when the server restarts.
writeFileSync(cfg, 'target: { environment: local, spec: /openapi.json }\nbudget: { ratePerSecond: 40, concurrency: 4 }\n');
const CHECKS = 'security-headers,sensitive-files,verbose-errors';
const env = { ...('url' in cluster ? { VOUCH_DATABASE_URL: cluster.url } : {}), ...NO_BROWSER };
let lab: RunningLab;
let worker: ChildProcess | undefined;
let log = '';
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

beforeAll(async () => {
  if ('url' in cluster) lab = await startLab({ variant: 'candidate' });
});
afterAll(async () => {
  if (worker?.exitCode === null) worker.kill('SIGKILL');
  await lab?.close();
  if ('drop' in cluster) cluster.drop();
});

describe.skipIf(!('url' in cluster))(`PostgreSQL restarted under a worker${'skip' in cluster ? ` (skipped: ${cluster.skip})` : ''}`, () => {
  it('the worker reconnects: the scan it held when the server restarted and the scans queued afterwards all end done with the same findings', { timeout: 150_000 }, async () => {
    const url = (cluster as { url: string }).url;
    worker = spawn(process.execPath, [join(root, 'bin', 'vouch.js'), 'worker', '--config', cfg], { cwd: tmp, env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
    worker.stderr!.on('data', (d: Buffer) => (log += d.toString()));
    const queue = async (...extra: string[]): Promise<string> => {
      const q = await vouch(['scan', lab.url, '--config', cfg, '--check', CHECKS, '--queue', ...extra], { cwd: tmp, env });
      expect(q.code, q.stderr).toBe(0);
      return q.stdout.trim();
    };
    let store = await openPostgresHistory(url);
    // Queued at once, before the worker may have set up the queue's schema (two processes creating it at once is fine).
    const ids = [await queue(), await queue()];
    // Restart while the worker holds a running scan.
    let held: string | undefined;
    for (const by = Date.now() + 60_000; !held && Date.now() < by; ) {
      for (const id of ids) if ((await store.getJob(id))?.state === 'running') held ??= id;
      if (!held) await sleep(50);
    }
    expect(held, log).toBeDefined();
    await store.close();
    const r = (cluster as { restart(): { ok: boolean; out: string } }).restart();
    expect(r.ok, r.out).toBe(true);
    const restarted = Date.now();
    // Jobs queued after the restart are taken by the same worker process, on new connections.
    // The last carries a HAR recording: the job holds its contents, so the file may be gone before a worker runs it.
    const har = join(tmp, 'session.har');
    writeFileSync(har, JSON.stringify({ log: { entries: [{ request: { method: 'GET', url: `${lab.url}/recorded-only?from=har`, headers: [] } }] } }));
    ids.push(await queue(), await queue('--har', har));
    rmSync(har);
    store = await openPostgresHistory(url);
    try {
      let rows: { id: string; state: string; findingCount: number }[] = [];
      for (const by = Date.now() + 100_000; Date.now() < by; await sleep(500)) {
        rows = (await store.listScans({ limit: 20 })).filter((s) => ids.includes(s.id));
        if (rows.length === 4 && rows.every((x) => x.state !== 'queued' && x.state !== 'running')) break;
      }
      expect(rows.map((x) => x.state), log).toEqual(Array(4).fill('done'));
      expect(worker.exitCode, log).toBeNull(); // the worker never died
      // The scan held at the restart ended after it: it ran across the restart, on the same worker.
      expect(Date.parse((await store.listScans({ limit: 20 })).find((x) => x.id === held)!.finishedAt!)).toBeGreaterThan(restarted);
      const withHar = await store.getReport(ids[3]!);
      expect(withHar?.surface.operations.filter((o) => o.sources.includes('har')).map((o) => o.path)).toEqual(['/recorded-only']);
      const prints = await Promise.all(ids.map(async (id) => ((await store.getReport(id))?.findings.map((f) => f.fingerprint) ?? []).sort()));
      expect(prints[0]!.length).toBeGreaterThan(0);
      for (const p of prints) expect(p).toEqual(prints[0]);
      expect(log).not.toMatch(/vouch_test_pw/);
    } finally {
      await store.close();
    }
  });
});
