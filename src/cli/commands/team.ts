// src/cli/commands/team.ts — team mode: `vouch worker` runs jobs from pg-boss, `vouch cancel` (`--queue` is queue.ts).
import { mkdirSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { configSchema, loadConfig, parseConfig, resolveRun, type VouchConfig } from '../../config/index.js';
import { VouchError, type Report } from '../../core/index.js';
import { runGate, type BaselineSource } from '../../engine/gate.js';
import { configSnapshot, runScan } from '../../engine/scan.js';
import { baselineFromReport } from '../../prioritize/index.js';
import { createRedactor } from '../../net/index.js';
import { describeStore, storeLocation, type HistoryStore, type JobRow } from '../../store/index.js';
import { pgBossQueue, type JobQueue } from '../../team/queue.js';
import { settleRound } from '../../team/round.js';
import type { RoundData } from '../../team/schedule.js';
import { startWorker, type JobHooks } from '../../team/worker.js';
import { resolveStoredBaseline, withStoredAccepted } from './history.js';
import { sendJob, withTeamStore, type JobSpec, type RecordedFile } from './queue.js';
import { baselineWant, selectChecks } from './shared.js';

export { enqueueCommand, recordedFiles, sendJob, type JobSpec, type RecordedFile } from './queue.js';

/** Writes a job's recorded-traffic files under its scan directory on the worker; returns their paths. */
function writeRecorded(dir: string, files: readonly RecordedFile[] | undefined, kind: string): string[] {
  if (!files?.length) return [];
  const where = join(dir, 'inputs');
  mkdirSync(where, { recursive: true });
  return files.map((f, i) => {
    const path = resolve(where, `${kind}-${i}-${f.name.replace(/[^\w.-]/g, '_')}`);
    writeFileSync(path, f.text);
    return path;
  });
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
  // The recorded traffic the job carries replaces the paths of the machine that queued it.
  if (job.har || job.postman) {
    config.discovery.har = writeRecorded(dir, job.har, 'har');
    config.discovery.postman = writeRecorded(dir, job.postman, 'postman');
  }
  // A job keeps a journal; a retry after a dead or stopped worker resumes it unless the config it resolves to changed.
  let resume = hooks.resume;
  if (resume && configSnapshot(config, createRedactor(run.secrets)) !== resume.inputs.config) {
    hooks.log('the configuration resolves differently on this worker than when the scan started; running it afresh');
    resume = undefined;
  }
  const { config: _text, har: _har, postman: _postman, ...args } = job;
  const kept = { journal: hooks.journal, args: { ...args }, ...(resume ? { resume } : {}) };
  if (job.kind === 'gate' && job.baseline) {
    let baseline: BaselineSource;
    if (/^https?:\/\//i.test(job.baseline)) baseline = { kind: 'url', run: resolveRun(config, { url: job.baseline, ...input }) };
    else {
      const stored = await resolveStoredBaseline(job.baseline, run.target.name, config.store?.url, baselineWant(checks, only, config, run));
      baseline = { kind: stored.kind, report: stored.report, ref: stored.ref };
    }
    const r = await runGate({ ...common, ...kept, candidate: run, baseline, scanId: row.id, outDir: dir, onEvent: (label) => (label === 'candidate' ? onEvent : () => undefined) });
    return [...(r.baseline ? [r.baseline] : []), r.candidate];
  }
  // A watch round is scanned against its target's accepted state (read again when it ends, to settle the round).
  const accepted = job.watch ? await hooks.store.accepted(run.target.name) : undefined;
  const baseline = accepted ? { baseline: { ...baselineFromReport(accepted, accepted.scanId), kind: 'scan' as const }, ...(accepted.deployment ? { baselineDeployment: accepted.deployment } : {}) } : {};
  return [await runScan({ ...common, ...baseline, ...kept, run, scanId: row.id, scanDir: dir, onEvent })];
}

/** After a job's reports are saved: a watch round accepts its first scan or compares with the accepted state and notifies. */
export async function afterJob(store: HistoryStore, row: JobRow, reports: Report[], log: (line: string) => void): Promise<void> {
  const job = row.job ? (JSON.parse(row.job) as JobSpec) : undefined;
  const report = reports.at(-1);
  if (!job?.watch || !report) return;
  if (report.partial) return log(`watch round not compared: the scan is partial (${report.verdict.reasons[0] ?? 'stopped early'})`);
  // The accepted state the scan was compared with (its comparison's baseline), unless none was accepted then.
  const ref = report.comparison?.baseline.kind === 'scan' ? report.comparison.baseline.ref : undefined;
  const accepted = ref ? await store.getReport(ref) : undefined;
  await settleRound(store, report, accepted, job.watch.webhooks, log);
}

/** A scheduled round (pg-boss schedule, or `vouch watch` queuing the first one): becomes a scan job, one active per target. */
export async function roundToJob(store: HistoryStore, queue: JobQueue, data: RoundData, log: (line: string) => void): Promise<string> {
  const job: JobSpec = { kind: 'scan', url: data.url, ...(data.check ? { check: data.check } : {}), ...(data.config ? { config: data.config } : {}), watch: { every: data.every, webhooks: data.webhooks } };
  const run = resolveRun(jobConfig(job), { url: data.url });
  const scanId = await sendJob(store, queue, { ...job, ...(data.har?.length ? { har: data.har } : {}), ...(data.postman?.length ? { postman: data.postman } : {}) }, run.target);
  log(`round queued as scan ${scanId}`);
  return scanId;
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
      finished: (row, reports, say) => afterJob(store, row, reports, say),
      rounds: async (data, say) => void (await roundToJob(store, queue, data, say)),
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
