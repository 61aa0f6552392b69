// src/cli/commands/scan.ts — `vouch scan <url>` and `vouch gate --candidate <url> [--baseline <url|report.json>]`.
import { join } from 'node:path';
import { loadConfig, resolveRun, type VouchConfig } from '../../config/index.js';
import { VouchError, type Environment } from '../../core/index.js';
import { runGate, type BaselineSource } from '../../engine/gate.js';
import { newScanId, runScan } from '../../engine/scan.js';
import { baselineFromReport } from '../../prioritize/index.js';
import { progressSink } from '../progress.js';
import { resolveAiInfluenced } from './ai.js';
import { resolveStoredBaseline, withHistory, withStoredAccepted } from './history.js';
import { finish, interruptSignal, parseFormats, selectChecks } from './shared.js';
import { enqueueCommand, type JobSpec } from './team.js';

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
    ...(opts.aiInfluenced ? { aiInfluenced: true as const } : {}),
  };
}

interface CommonOpts {
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

/** `--expect-version` needs to know where the deployment shows its version. */
function expectVersionOf(opts: CommonOpts, config: VouchConfig): { expectVersion?: string } {
  if (opts.expectVersion === undefined) return {};
  if (!opts.expectVersion.trim()) throw new VouchError('VOUCH_USAGE', '--expect-version needs a version, e.g. --expect-version 1.4.2');
  if (!config.target.version) {
    throw new VouchError('VOUCH_USAGE', `--expect-version ${opts.expectVersion}: the target does not say where its version is visible`, {
      hint: 'Add target.version to vouch.yaml: { header: X-App-Version }, { json: { url: /version.json, path: version } } or { meta: app-version }.',
    });
  }
  return { expectVersion: opts.expectVersion.trim() };
}

/** `--seed <n>`: a non-negative integer, else a clear error. */
function parseSeed(seed: string | undefined): { seed?: number } {
  if (seed === undefined) return {};
  if (!/^\d{1,10}$/.test(seed) || Number(seed) > 2 ** 31 - 1) throw new VouchError('VOUCH_USAGE', `--seed ${seed}: expected an integer from 0 to 2147483647`, { hint: 'Take the seed from a report (report.json "seed") to reproduce that run.' });
  return { seed: Number(seed) };
}

/** `--har` / `--postman` add to `discovery.har` / `discovery.postman` of vouch.yaml. */
function withRecorded(config: VouchConfig, opts: CommonOpts): VouchConfig {
  config.discovery.har = [...config.discovery.har, ...(opts.har ?? [])];
  config.discovery.postman = [...config.discovery.postman, ...(opts.postman ?? [])];
  return config;
}

export async function scanCommand(url: string, opts: CommonOpts & { baseline?: string }): Promise<number> {
  parseFormats(opts.format);
  if (opts.queue) return enqueueCommand(jobSpec('scan', url, opts), opts.config);
  const loaded = loadConfig(opts.config).config;
  await withHistory(async () => undefined, loaded.store?.url); // an unusable store is said before the scan, not after it
  const config = withRecorded(await withStoredAccepted(loaded), opts);
  const run = resolveRun(config, { url, ...(opts.spec ? { spec: opts.spec } : {}), ...(opts.environment ? { environment: opts.environment } : {}), ...(opts.strength ? { strength: opts.strength } : {}) });
  const { checks, only } = selectChecks(opts.check);
  const stored = opts.baseline ? await resolveStoredBaseline(opts.baseline, run.target.name, config.store?.url) : undefined;
  const baseline = stored ? { ...baselineFromReport(stored.report, stored.ref), kind: stored.kind } : undefined;
  const ai = resolveAiInfluenced(opts);
  const expect = expectVersionOf(opts, config);
  const scanId = newScanId();
  const outDir = opts.out ?? join('.vouch', 'scans', scanId);
  const interrupt = interruptSignal();
  try {
    const report = await runScan({
      run,
      config,
      checks,
      ...(only ? { only } : {}),
      scanId,
      scanDir: outDir,
      ...parseSeed(opts.seed),
      ...(baseline ? { baseline } : {}),
      ...(stored?.report.deployment ? { baselineDeployment: stored.report.deployment } : {}),
      ...expect,
      ...(ai ? { aiInfluenced: ai } : {}),
      onEvent: progressSink({ json: Boolean(opts.json), quiet: Boolean(opts.quiet) }),
      signal: interrupt.signal,
    });
    const code = await finish(report, outDir, opts.format, opts);
    await withHistory((s) => s.saveReport(report), config.store?.url);
    return code;
  } finally {
    interrupt.dispose();
  }
}

export async function gateCommand(opts: CommonOpts & { candidate: string; baseline?: string }): Promise<number> {
  parseFormats(opts.format);
  if (opts.queue) return enqueueCommand(jobSpec('gate', opts.candidate, opts), opts.config);
  const loaded = loadConfig(opts.config).config;
  await withHistory(async () => undefined, loaded.store?.url); // an unusable store is said before the scan, not after it
  const config = withRecorded(await withStoredAccepted(loaded), opts);
  const input = { ...(opts.spec ? { spec: opts.spec } : {}), ...(opts.environment ? { environment: opts.environment } : {}), ...(opts.strength ? { strength: opts.strength } : {}) };
  const candidate = resolveRun(config, { url: opts.candidate, ...input });
  const { checks, only } = selectChecks(opts.check);
  let baseline: BaselineSource | undefined;
  if (opts.baseline) {
    if (/^https?:\/\//i.test(opts.baseline)) baseline = { kind: 'url', run: resolveRun(config, { url: opts.baseline, ...input }) };
    else {
      const stored = await resolveStoredBaseline(opts.baseline, candidate.target.name, config.store?.url);
      baseline = { kind: stored.kind, report: stored.report, ref: stored.ref };
    }
  }
  const ai = resolveAiInfluenced(opts);
  const expect = expectVersionOf(opts, config);
  const outDir = opts.out ?? join('.vouch', 'gates', newScanId());
  const interrupt = interruptSignal();
  try {
    if (!baseline) {
      const report = await runScan({ run: candidate, config, checks, ...expect, ...(only ? { only } : {}), ...(ai ? { aiInfluenced: ai } : {}), ...parseSeed(opts.seed), scanDir: outDir, onEvent: progressSink({ json: Boolean(opts.json), quiet: Boolean(opts.quiet) }), signal: interrupt.signal });
      const code = await finish(report, outDir, opts.format, opts);
      await withHistory((s) => s.saveReport(report), config.store?.url);
      return code;
    }
    const result = await runGate({
      candidate,
      baseline,
      config,
      checks,
      ...(only ? { only } : {}),
      outDir,
      ...expect,
      ...parseSeed(opts.seed),
      ...(ai ? { aiInfluenced: ai } : {}),
      onEvent: (label) => progressSink({ json: Boolean(opts.json), quiet: Boolean(opts.quiet), label }),
      signal: interrupt.signal,
    });
    const code = await finish(result.candidate, outDir, opts.format, opts);
    await withHistory(async (s) => {
      if (result.baseline) await s.saveReport(result.baseline);
      await s.saveReport(result.candidate);
    }, config.store?.url);
    return code;
  } finally {
    interrupt.dispose();
  }
}
