// test/e2e/schedules.test.ts — `vouch watch` in team mode on a real PostgreSQL: pg-boss schedules (cron from the interval), rounds run by a
// `vouch worker` as scan jobs, drift and webhooks when a round ends; a round sent to the schedule's queue directly (as pg-boss cron would) is handled end to end.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLab, type RunningLab } from '../../lab/server.js';
import { openPostgresHistory } from '../../src/store/index.js';
import { pgBossQueue } from '../../src/team/queue.js';
import { roundQueueName } from '../../src/team/schedule.js';
import { testPostgres } from '../support/postgres.js';
import { webhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.js';
import { root, vouch, NO_BROWSER } from './cli.js';

const pgdb = await testPostgres();
const tmp = mkdtempSync(join(tmpdir(), 'vouch-schedules-'));
const cfg = join(tmp, 'vouch.yaml');
// Both labs under one target name: the candidate is "the same target, redeployed".
writeFileSync(cfg, 'target: { name: shop, environment: local, spec: /openapi.json, version: { header: X-Lab-Version } }\n');
const CHECKS = 'security-headers,sensitive-files';
const env = { ...('url' in pgdb ? { VOUCH_DATABASE_URL: pgdb.url } : {}), ...NO_BROWSER };
let base: RunningLab;
let cand: RunningLab;
let hook: WebhookReceiver;
let worker: ChildProcess | undefined;
let log = '';
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

beforeAll(async () => {
  if (!('url' in pgdb)) return;
  [base, cand] = await Promise.all([startLab({ variant: 'baseline' }), startLab({ variant: 'candidate' })]);
  hook = await webhookReceiver();
});
afterAll(async () => {
  if (worker?.exitCode === null) worker.kill('SIGKILL');
  hook?.close();
  await Promise.all([base, cand].map((l) => l?.close()));
  if ('drop' in pgdb) await pgdb.drop();
});

describe.skipIf(!('url' in pgdb))(`vouch watch in team mode${'skip' in pgdb ? ` (skipped: ${pgdb.skip})` : ''}`, () => {
  it('schedules rounds with pg-boss; a worker runs them: the first is accepted, a redeployed target drifts and fires webhooks, a round sent to the schedule queue is handled the same way', { timeout: 150_000 }, async () => {
    const url = (pgdb as { url: string }).url;
    const store = await openPostgresHistory(url);
    const boss = await pgBossQueue(url, { sendOnly: true });
    try {
      worker = spawn(process.execPath, [join(root, 'bin', 'vouch.js'), 'worker', '--config', cfg], { cwd: tmp, env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
      worker.stderr!.on('data', (d: Buffer) => (log += d.toString()));
      const waitDone = async (id: string, after: RegExp): Promise<void> => {
        const by = Date.now() + 60_000;
        while (Date.now() < by && !((await store.getJob(id))?.state === 'done' && after.test(log))) await sleep(300);
        expect((await store.getJob(id))?.state, log).toBe('done');
        expect(log).toMatch(after);
      };

      // 1. The baseline target: scheduled every minute; its first round (queued at once) becomes the accepted state.
      const a = await vouch(['watch', base.url, '--every', '1m', '--check', CHECKS, '--config', cfg], { cwd: tmp, env });
      expect(a.code, a.stderr).toBe(0);
      expect(a.stderr).toMatch(new RegExp(`every 1m \\(cron '\\* \\* \\* \\* \\*' UTC, pg-boss schedule ${roundQueueName(base.url)}\\); first round queued as scan`));
      const first = a.stdout.trim();
      await waitDone(first, new RegExp(`shop: scan ${first} is the accepted state`));

      // 2. The redeployed target under the same name, every 10 minutes with webhooks: its first round drifts.
      const hookUrl = hook.url;
      const c = await vouch(['watch', cand.url, '--every', '10m', '--check', CHECKS, '--config', cfg, '--webhook', `${hookUrl}/json`, '--slack-webhook', `${hookUrl}/slack`], { cwd: tmp, env });
      expect(c.code, c.stderr).toBe(0);
      expect(c.stderr).toMatch(/cron '\*\/10 \* \* \* \*' UTC/);
      const second = c.stdout.trim();
      await waitDone(second, new RegExp(`shop: scan ${second} drifted from accepted ${first}`));
      expect(log).toMatch(/deployment: version 1\.4\.0 → 1\.5\.0, assets changed/);
      for (const by = Date.now() + 20_000; hook.received.length < 2 && Date.now() < by; ) await sleep(200); // webhooks go after the drift lines
      expect(hook.received.filter((r) => r.path === '/json').map((r) => r.body.scanId)).toEqual([second]);
      expect(hook.received.find((r) => r.path === '/slack')?.body.text).toMatch(/^vouch: shop drifted from its accepted state/);

      // 3. What pg-boss cron sends when the schedule fires: the schedule's own data to its queue. The worker (which
      //    finds schedules added after it started) turns it into a scan job and settles the round.
      const schedules = await boss.rounds!.list();
      expect(schedules.map((s) => [s.name, s.cron]).sort()).toEqual([[roundQueueName(base.url), '* * * * *'], [roundQueueName(cand.url), '*/10 * * * *']].sort());
      const candSchedule = schedules.find((s) => s.name === roundQueueName(cand.url))!;
      expect(candSchedule.data).toMatchObject({ url: cand.url, every: '10m', check: CHECKS, webhooks: [{ format: 'json' }, { format: 'slack' }] });
      const before = new Set((await store.listScans({ limit: 50 })).map((s) => s.id));
      await boss.rounds!.send(candSchedule.name, candSchedule.data);
      let third: string | undefined;
      for (const by = Date.now() + 60_000; !third && Date.now() < by; await sleep(300)) {
        // The candidate's new scan: the baseline's every-minute cron may queue a round of its own meanwhile.
        third = (await store.listScans({ limit: 50 })).find((s) => !before.has(s.id) && s.url.startsWith(cand.url))?.id;
      }
      expect(third, log).toBeDefined();
      await waitDone(third!, new RegExp(`shop: scan ${third} drifted from accepted ${first}`));
      for (const by = Date.now() + 20_000; hook.received.length < 4 && Date.now() < by; ) await sleep(200);
      expect(hook.received.filter((r) => r.path === '/json').map((r) => r.body.scanId)).toEqual([second, third]);

      // 4. --stop removes a schedule; the other stays.
      const stop = await vouch(['watch', cand.url, '--stop', '--config', cfg], { cwd: tmp, env });
      expect(stop.code, stop.stderr).toBe(0);
      expect(stop.stderr).toMatch(/schedule removed/);
      expect((await boss.rounds!.list()).map((s) => s.name)).toEqual([roundQueueName(base.url)]);
    } finally {
      await boss.stop();
      await store.close();
    }
  });

  it('refuses intervals a pg-boss cron cannot keep, and --count, with one clear line each (nothing scheduled)', async () => {
    const short = await vouch(['watch', base.url, '--every', '30s', '--config', cfg], { cwd: tmp, env });
    expect(short.code).toBe(2);
    expect(short.stderr).toMatch(/--every 30s: team mode schedules rounds with pg-boss cron, whose granularity is one minute/);
    const uneven = await vouch(['watch', base.url, '--every', '90m', '--config', cfg], { cwd: tmp, env });
    expect(uneven.code).toBe(2);
    expect(uneven.stderr).toMatch(/--every 90m: a cron schedule cannot repeat every 90m evenly/);
    const count = await vouch(['watch', base.url, '--every', '1m', '--count', '1', '--config', cfg], { cwd: tmp, env });
    expect(count.code).toBe(2);
    expect(count.stderr).toMatch(/--count runs rounds in this process/);
    expect(`${short.stderr}${uneven.stderr}${count.stderr}`).not.toMatch(/vouch_test_pw|\n\s+at /);
  });
});
