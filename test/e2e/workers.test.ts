// test/e2e/workers.test.ts — team mode end to end on a real PostgreSQL: two `vouch worker` processes, eight scans queued with --queue,
// one worker SIGKILLed while it holds a running scan with tasks journaled; the other worker resumes it from the journal and
// every scan ends `done` with the findings of an uninterrupted run. Also `vouch cancel`.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLab, type RunningLab } from '../../lab/server.js';
import { openPostgresHistory } from '../../src/store/index.js';
import { testPostgres } from '../support/postgres.js';
import { root, vouch, NO_BROWSER } from './cli.js';

const pgdb = await testPostgres();
const tmp = mkdtempSync(join(tmpdir(), 'vouch-workers-'));
const cfg = join(tmp, 'vouch.yaml');
// A few checks with findings on the candidate, slowed by a rate limit so a scan is still running when its worker is killed.
writeFileSync(cfg, 'target: { environment: local, spec: /openapi.json }\nbudget: { ratePerSecond: 40, concurrency: 4 }\n');
// cors-misconfiguration is one task per operation (deterministic findings): enough tasks that a kill lands between them.
const CHECKS = 'security-headers,sensitive-files,verbose-errors,cors-misconfiguration';
let labs: RunningLab[] = [];
const workers: ChildProcess[] = [];
const env = { ...('url' in pgdb ? { VOUCH_DATABASE_URL: pgdb.url, VOUCH_WORKER_STALE_MS: '3000' } : {}), ...NO_BROWSER };

function startWorkerProcess(): ChildProcess {
  const child = spawn(process.execPath, [join(root, 'bin', 'vouch.js'), 'worker', '--config', cfg], { cwd: tmp, env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  child.stderr!.on('data', (d: Buffer) => (log += d.toString()));
  Object.assign(child, { log: () => log });
  workers.push(child);
  return child;
}

interface Row { id: string; target: string; state: string; verdict: string | null; findingCount: number }

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

beforeAll(async () => {
  if (!('url' in pgdb)) return;
  labs = await Promise.all([startLab({ variant: 'candidate' }), startLab({ variant: 'candidate' })]);
});
afterAll(async () => {
  for (const w of workers) if (w.exitCode === null) w.kill('SIGKILL');
  await Promise.all(labs.map((l) => l.close()));
  if ('drop' in pgdb) await pgdb.drop();
});

describe.skipIf(!('url' in pgdb))(`team mode workers${'skip' in pgdb ? ` (skipped: ${pgdb.skip})` : ''}`, () => {
  it('8 queued scans, 2 workers, one SIGKILLed while it holds a running scan with journaled tasks: the other worker resumes it from the journal; all end done with the findings of an uninterrupted run', { timeout: 180_000 }, async () => {
    const store = await openPostgresHistory((pgdb as { url: string }).url);
    try {
      // The uninterrupted reference, one per lab (the two labs are the same variant: the same findings).
      const ref = await vouch(['scan', labs[0]!.url, '--config', cfg, '--check', CHECKS, '-q', '--format', 'json', '--out', join(tmp, 'ref')], { cwd: tmp, env });
      expect(ref.code, ref.stderr).toBe(1);
      const refScan = (await store.listScans({ limit: 1 }))[0]!;
      const fingerprints = async (id: string): Promise<string[]> => ((await store.getReport(id))?.findings.map((f) => f.fingerprint) ?? []).sort();
      const expected = await fingerprints(refScan.id);
      expect(expected.length).toBeGreaterThan(0);

      const a = startWorkerProcess();
      const b = startWorkerProcess();
      await sleep(1500); // the workers set up the queue's schema first
      const queued = await Promise.all(Array.from({ length: 8 }, (_, i) => vouch(['scan', labs[i % 2]!.url, '--config', cfg, '--check', CHECKS, '--queue'], { cwd: tmp, env })));
      const ids = queued.map((q) => {
        expect(q.code, q.stderr).toBe(0);
        return q.stdout.trim();
      });
      expect(new Set(ids).size).toBe(8);

      // Kill worker A while it holds a running scan whose plan and first tasks are journaled (progress_done > 0 in
      // the store), so the takeover must go through the resume-from-journal path, not a fresh run.
      const victim = `:${a.pid}`;
      let killed: string | undefined;
      let doneBefore = 0;
      const killBy = Date.now() + 60_000;
      while (!killed && Date.now() < killBy) {
        // One query per poll (cheap on a loaded machine): a scan the victim holds, part-way, with journaled tasks.
        const held = await store.db
          .selectFrom('scans')
          .select((eb) => ['id', eb.selectFrom('scan_tasks').select((t) => t.fn.countAll().as('n')).whereRef('scan_tasks.scan_id', '=', 'scans.id').as('journaled')])
          .where('id', 'in', ids)
          .where('state', '=', 'running')
          .where('worker', 'like', `%${victim}`)
          .where('progress_done', '>', 0)
          .whereRef('progress_done', '<', 'progress_total')
          .executeTakeFirst();
        if (held && Number(held.journaled) > 0) {
          a.kill('SIGKILL');
          killed = held.id;
          doneBefore = Number(held.journaled);
        } else await sleep(40);
      }
      const logs = (): string => workers.map((w) => (w as unknown as { log(): string }).log()).join('\n');
      expect(killed, `worker A never held a running scan with journaled tasks:\n${logs()}`).toBeDefined();

      let rows: Row[] = [];
      const doneBy = Date.now() + 100_000;
      while (Date.now() < doneBy) {
        rows = (await store.listScans({ limit: 50 })).filter((s) => ids.includes(s.id));
        if (rows.length === 8 && rows.every((r) => r.state !== 'queued' && r.state !== 'running')) break;
        await sleep(500);
      }
      expect(rows.map((r) => r.state), logs()).toEqual(Array(8).fill('done'));
      // No finding lost, none duplicated: each scan's fingerprints (sorted, with repeats) are the uninterrupted run's.
      for (const id of ids) expect(await fingerprints(id), id).toEqual(expected);
      // Taken over by the other worker, which resumed it from the journal (at least the tasks seen done before the kill).
      const resumed = await store.getJob(killed!);
      expect(resumed?.worker).toBeTruthy();
      expect(resumed?.worker).not.toMatch(new RegExp(`${victim}$`));
      const line = new RegExp(`${killed}: resuming \\((\\d+) of (\\d+) tasks done before\\)`).exec(logs());
      expect(line, logs()).not.toBeNull();
      expect(Number(line![1])).toBeGreaterThanOrEqual(doneBefore);
      expect(Number(line![1])).toBeLessThan(Number(line![2]));
      expect(logs()).toMatch(new RegExp(`worker [^:]+:${b.pid}: ${killed}: resuming`));

      // history --json shows the contract fields.
      const h = JSON.parse((await vouch(['history', '--json'], { cwd: tmp, env })).stdout) as Row[];
      expect(h.find((r) => r.id === killed)).toMatchObject({ id: killed, state: 'done', verdict: 'fail', findingCount: expected.length, target: expect.any(String) });
    } finally {
      await store.close();
    }
  });

  it('vouch cancel: a queued scan never runs; a finished one cannot be cancelled; --queue needs the team store', async () => {
    for (const w of workers) if (w.exitCode === null) w.kill('SIGKILL');
    const q = await vouch(['scan', labs[0]!.url, '--config', cfg, '--check', CHECKS, '--queue'], { cwd: tmp, env });
    const id = q.stdout.trim();
    const c = await vouch(['cancel', id], { cwd: tmp, env });
    expect(c.stdout).toBe(`${id} cancelled (was queued)\n`);
    const again = await vouch(['cancel', id], { cwd: tmp, env });
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(new RegExp(`scan ${id} is already cancelled; nothing to cancel`));
    const embedded = await vouch(['scan', labs[0]!.url, '--queue'], { cwd: tmp, env: { VOUCH_DATABASE_URL: '', VOUCH_HISTORY: join(tmp, 'h.db') } });
    expect(embedded.code).toBe(2);
    expect(embedded.stderr).toMatch(/--queue needs the team store/);
  });
});
