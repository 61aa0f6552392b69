// src/cli/commands/team.ts — team mode: `scan|gate --queue` enqueue, `vouch worker` runs jobs from pg-boss, `vouch cancel`.
import { existsSync, readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { configSchema, loadConfig, parseConfig, resolveRun, type VouchConfig } from '../../config/index.js';
import { VouchError, type Environment, type Report } from '../../core/index.js';
import { runGate, type BaselineSource } from '../../engine/gate.js';
import { configSnapshot, newScanId, runScan } from '../../engine/scan.js';
import { createRedactor } from '../../net/index.js';
import { describeStore, openHistory, storeLocation, type HistoryStore, type JobRow } from '../../store/index.js';
import { pgBossQueue } from '../../team/queue.js';
import { startWorker, type JobHooks } from '../../team/worker.js';
import { resolveStoredBaseline, withStoredAccepted } from './history.js';
import { selectChecks } from './shared.js';

/** A job's inputs, kept as JSON in its `scans` row: what the command line said, and the config file's text (secrets stay `${ENV}`). */
export interface JobSpec {
  kind: 'scan' | 'gate';
  url: string;
  baseline?: string;
  spec?: string;
  check?: string;
  environment?: Environment;
  strength?: 'low' | 'default' | 'high';
  expectVersion?: string;
  /** Jobs queued before `ai` existed say `aiInfluenced: true`. */
  aiInfluenced?: true;
  /** Why the change counts as AI-influenced (resolved where it was queued: `--commits` reads that checkout's git log). */
  ai?: { why: string };
  /** Seed for generated data (`--seed`). */
  seed?: number;
  config?: { name: string; text: string };
}

async function withTeamStore<T>(configUrl: string | undefined, what: string, fn: (store: HistoryStore, url: string) => Promise<T>): Promise<T> {
  const loc = storeLocation(configUrl);
  if (loc.kind !== 'postgres') {
    throw new VouchError('VOUCH_USAGE', `${what} needs the team store, and none is set (the embedded store is ${describeStore(loc)})`, {
      hint: 'Set VOUCH_DATABASE_URL=postgres://user:password@host/db (or store.url in vouch.yaml); see docs/team-mode.md.',
    });
  }
  const store = await openHistory(loc);
  try {
    return await fn(store, loc.url);
  } finally {
    await store.close();
  }
}

/** `vouch scan|gate ... --queue`: records the scan as queued, sends the job, prints the scan id at once. */
export async function enqueueCommand(spec: Omit<JobSpec, 'config'>, configPath: string | undefined): Promise<number> {
  const file = configPath ?? (existsSync('vouch.yaml') ? 'vouch.yaml' : undefined);
  const { config } = loadConfig(configPath); // invalid config or URL: said now, not by a worker later
  const run = resolveRun(config, { url: spec.url, ...(spec.spec ? { spec: spec.spec } : {}), ...(spec.environment ? { environment: spec.environment } : {}) });
  selectChecks(spec.check);
  const job: JobSpec = { ...spec, ...(file ? { config: { name: resolve(file), text: readFileSync(file, 'utf8') } } : {}) };
  const scanId = newScanId();
  await withTeamStore(config.store?.url, '--queue', async (store, url) => {
    await store.enqueue({ id: scanId, kind: spec.kind, target: run.target.name, url: run.target.url, job: JSON.stringify(job) });
    const queue = await pgBossQueue(url, { sendOnly: true });
    try {
      await store.setJobId(scanId, await queue.send({ scanId, key: new URL(run.target.url).origin }));
    } finally {
      await queue.stop();
    }
  });
  process.stdout.write(`${scanId}\n`);
  return 0;
}

function jobConfig(job: JobSpec): VouchConfig {
  return job.config ? parseConfig(job.config.text, job.config.name) : configSchema.parse({});
}

/** Runs one queued job as the CLI would have, without printing; the reports go to the store (and the audit log under .vouch/). */
export async function runJob(row: JobRow, hooks: JobHooks): Promise<Report[]> {
  if (!row.job) throw new Error(`scan ${row.id} has no job inputs`);
  const job = JSON.parse(row.job) as JobSpec;
  const config = await withStoredAccepted(jobConfig(job));
  const input = { ...(job.spec ? { spec: job.spec } : {}), ...(job.environment ? { environment: job.environment } : {}), ...(job.strength ? { strength: job.strength } : {}) };
  const run = resolveRun(config, { url: job.url, ...input });
  const { checks, only } = selectChecks(job.check);
  const onEvent = (e: { type: string; done?: number; total?: number }): void => {
    if (e.type === 'task-finished' && e.done !== undefined && e.total !== undefined) hooks.onProgress(e.done, e.total);
  };
  const common = {
    config,
    checks,
    ...(only ? { only } : {}),
    ...(job.expectVersion ? { expectVersion: job.expectVersion } : {}),
    ...(job.ai ? { aiInfluenced: job.ai } : job.aiInfluenced ? { aiInfluenced: { why: '--ai-influenced' } } : {}),
    ...(job.seed !== undefined ? { seed: job.seed } : {}),
    signal: hooks.signal,
  };
  const dir = join('.vouch', 'scans', row.id);
  if (job.kind === 'gate' && job.baseline) {
    let baseline: BaselineSource;
    if (/^https?:\/\//i.test(job.baseline)) baseline = { kind: 'url', run: resolveRun(config, { url: job.baseline, ...input }) };
    else {
      const stored = await resolveStoredBaseline(job.baseline, run.target.name, config.store?.url);
      baseline = { kind: stored.kind, report: stored.report, ref: stored.ref };
    }
    const r = await runGate({ ...common, candidate: run, baseline, scanId: row.id, outDir: dir, onEvent: (label) => (label === 'candidate' ? onEvent : () => undefined) });
    return [...(r.baseline ? [r.baseline] : []), r.candidate];
  }
  // A scan job keeps a journal; a retry after a dead or stopped worker resumes it unless the config it resolves to changed.
  let resume = hooks.resume;
  if (resume && configSnapshot(config, createRedactor(run.secrets)) !== resume.inputs.config) {
    hooks.log('the configuration resolves differently on this worker than when the scan started; running it afresh');
    resume = undefined;
  }
  const { config: _text, ...args } = job;
  return [await runScan({ ...common, run, scanId: row.id, scanDir: dir, onEvent, journal: hooks.journal, args: { ...args }, ...(resume ? { resume } : {}) })];
}

/** `vouch worker`: takes jobs until SIGINT/SIGTERM; one line per job on stderr. */
export async function workerCommand(opts: { concurrency: string; config?: string }): Promise<number> {
  const concurrency = Number(opts.concurrency);
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 64) throw new VouchError('VOUCH_USAGE', `--concurrency must be an integer from 1 to 64, got ${opts.concurrency}`);
  const { config } = loadConfig(opts.config);
  return withTeamStore(config.store?.url, 'vouch worker', async (store, url) => {
    const workerId = `${hostname()}:${process.pid}`;
    const log = (line: string): void => void process.stderr.write(`worker ${workerId}: ${line}\n`);
    const queue = await pgBossQueue(url);
    const worker = await startWorker({
      store,
      queue,
      run: runJob,
      workerId,
      concurrency,
      ...(process.env.VOUCH_WORKER_STALE_MS ? { staleMs: Number(process.env.VOUCH_WORKER_STALE_MS) } : {}),
      log,
    });
    log(`taking jobs from ${describeStore(storeLocation(config.store?.url))} (concurrency ${concurrency})`);
    await new Promise<void>((done) => {
      const stop = (): void => {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
        done();
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    });
    log('stopping');
    await worker.stop();
    return 0;
  });
}

/** `vouch cancel <id>`: a queued scan never starts; a running one stops at its worker's next heartbeat. */
export async function cancelCommand(id: string, opts: { config?: string }): Promise<number> {
  const { config } = loadConfig(opts.config);
  return withTeamStore(config.store?.url, 'vouch cancel', async (store) => {
    const before = await store.cancel(id);
    if (before === undefined) throw new VouchError('VOUCH_USAGE', `no scan ${id} in the team store`, { hint: 'List scans with `vouch history`.' });
    if (before !== 'queued' && before !== 'running') throw new VouchError('VOUCH_USAGE', `scan ${id} is already ${before}; nothing to cancel`);
    process.stdout.write(`${id} cancelled (was ${before})\n`);
    return 0;
  });
}
