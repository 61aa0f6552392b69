// src/cli/commands/queue.ts — team mode's `scan|gate --queue`: the job recorded and sent, its id printed at once. It loads
// neither the engine nor a check (docs/benchmarks.md#start-up); the worker side is team.ts.
import { existsSync, readFileSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { loadConfig } from '../../config/load.js';
import { resolveRun } from '../../config/resolve.js';
import { VouchError } from '../../core/errors.js';
import type { Environment } from '../../core/index.js';
import { newScanId } from '../../core/ids.js';
import { parseFormats } from '../../report/formats.js';
import { describeStore, openHistory, storeLocation } from '../../store/open.js';
import type { HistoryStore } from '../../store/index.js';
import { pgBossQueue, type JobQueue } from '../../team/queue.js';
import type { Webhook } from '../../team/webhooks.js';
import { parseCheckIds } from '../checkids.js';
import { resolveAiInfluenced } from './ai.js';

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
  /** Recorded traffic (`--har`/`--postman` and discovery.har/postman of vouch.yaml) as file contents: a worker may run elsewhere. */
  har?: RecordedFile[];
  postman?: RecordedFile[];
  /** A round of `vouch watch` (team mode): scanned against the target's accepted state; drift goes to these webhooks. */
  watch?: { every: string; webhooks: Webhook[] };
}

export interface RecordedFile {
  name: string;
  text: string;
}

/** Reads recorded-traffic files where the job is queued (a clear usage error when one cannot be read). */
export function recordedFiles(files: readonly string[], flag: string): RecordedFile[] {
  return files.map((f) => {
    try {
      return { name: basename(f), text: readFileSync(f, 'utf8') };
    } catch (e) {
      throw new VouchError('VOUCH_USAGE', `${flag} ${f}: cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); a queued job carries the file's contents`, { hint: 'Give a readable HAR or Postman file.' });
    }
  });
}

function jobSpec(kind: JobSpec['kind'], url: string, opts: CommonOpts & { baseline?: string }): Omit<JobSpec, 'config'> {
  return {
    kind,
    url,
    ...(opts.baseline ? { baseline: opts.baseline } : {}),
    ...(opts.spec ? { spec: opts.spec } : {}),
    ...(opts.check ? { check: opts.check } : {}),
    ...(opts.environment ? { environment: opts.environment } : {}),
    ...(opts.strength ? { strength: opts.strength } : {}),
    ...(opts.expectVersion ? { expectVersion: opts.expectVersion } : {}),
    ...parseSeed(opts.seed),
  };
}

/** The job for `--queue`: what the command line says, with AI influence resolved here (the commits are in this checkout). */
function queued(kind: JobSpec['kind'], url: string, opts: CommonOpts & { baseline?: string }): Omit<JobSpec, 'config'> {
  const ai = resolveAiInfluenced(opts);
  return { ...jobSpec(kind, url, opts), ...(ai ? { ai } : {}) };
}

export interface CommonOpts {
  aiInfluenced?: true;
  commits?: string;
  spec?: string;
  har?: string[];
  postman?: string[];
  config?: string;
  out?: string;
  format: string;
  check?: string;
  environment?: Environment;
  strength?: 'low' | 'default' | 'high';
  json?: true;
  quiet?: true;
  expectVersion?: string;
  queue?: true;
  seed?: string;
}

/** `--seed <n>`: a non-negative integer, else a clear error. */
export function parseSeed(seed: string | undefined): { seed?: number } {
  if (seed === undefined) return {};
  if (!/^\d{1,10}$/.test(seed) || Number(seed) > 2 ** 31 - 1) throw new VouchError('VOUCH_USAGE', `--seed ${seed}: expected an integer from 0 to 2147483647`, { hint: 'Take the seed from a report (report.json "seed") to reproduce that run.' });
  return { seed: Number(seed) };
}

export async function withTeamStore<T>(configUrl: string | undefined, what: string, fn: (store: HistoryStore, url: string) => Promise<T>): Promise<T> {
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

/** Records the job as a queued scan in the store and sends it to the queue; returns the scan id. */
export async function sendJob(store: HistoryStore, queue: JobQueue, job: JobSpec, target: { name: string; url: string }): Promise<string> {
  const scanId = newScanId();
  await store.enqueue({ id: scanId, kind: job.kind, target: target.name, url: target.url, job: JSON.stringify(job) });
  await store.setJobId(scanId, await queue.send({ scanId, key: new URL(target.url).origin }));
  return scanId;
}

/** `vouch scan|gate ... --queue`: records the scan as queued, sends the job, prints the scan id at once. */
export async function enqueueCommand(spec: Omit<JobSpec, 'config' | 'har' | 'postman'>, configPath: string | undefined, recorded: { har?: string[]; postman?: string[] } = {}): Promise<number> {
  const file = configPath ?? (existsSync('vouch.yaml') ? 'vouch.yaml' : undefined);
  const { config } = loadConfig(configPath); // invalid config or URL: said now, not by a worker later
  const run = resolveRun(config, { url: spec.url, ...(spec.spec ? { spec: spec.spec } : {}), ...(spec.environment ? { environment: spec.environment } : {}) });
  parseCheckIds(spec.check);
  const har = recordedFiles([...config.discovery.har, ...(recorded.har ?? [])], '--har');
  const postman = recordedFiles([...config.discovery.postman, ...(recorded.postman ?? [])], '--postman');
  const job: JobSpec = { ...spec, ...(file ? { config: { name: resolve(file), text: readFileSync(file, 'utf8') } } : {}), ...(har.length ? { har } : {}), ...(postman.length ? { postman } : {}) };
  let scanId = '';
  await withTeamStore(config.store?.url, '--queue', async (store, url) => {
    const queue = await pgBossQueue(url, { sendOnly: true });
    try {
      scanId = await sendJob(store, queue, job, run.target);
    } finally {
      await queue.stop();
    }
  });
  process.stdout.write(`${scanId}\n`);
  return 0;
}

/** `vouch scan <url> --queue`. */
export function queueScan(url: string, opts: CommonOpts & { baseline?: string }): Promise<number> {
  parseFormats(opts.format);
  return enqueueCommand(queued('scan', url, opts), opts.config, opts);
}

/** `vouch gate --candidate <url> --queue`. */
export function queueGate(opts: CommonOpts & { candidate: string; baseline?: string }): Promise<number> {
  parseFormats(opts.format);
  return enqueueCommand(queued('gate', opts.candidate, opts), opts.config, opts);
}
