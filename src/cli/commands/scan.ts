// src/cli/commands/scan.ts — `vouch scan <url>` and `vouch gate --candidate <url> [--baseline <url|report.json>]`.
import { join, resolve } from 'node:path';
import { loadConfig, resolveRun, type VouchConfig } from '../../config/index.js';
import { VouchError, type Environment, type EventSink, type Report, type ScanResume } from '../../core/index.js';
import { runGate, type BaselineSource } from '../../engine/gate.js';
import { configSnapshot, newScanId, runScan } from '../../engine/scan.js';
import { createRedactor, interruptReason } from '../../net/index.js';
import { baselineFromReport } from '../../prioritize/index.js';
import { progressSink } from '../progress.js';
import { resolveAiInfluenced } from './ai.js';
import { resolveStoredBaseline, withHistory, withStoredAccepted } from './history.js';
import { baselineWant, exitCodeFor, interruptSignal, markInterrupted, parseFormats, printFinal, selectChecks, writeFinal, writeStage, type RunControl } from './shared.js';
import { parseSeed, queueGate, queueScan, type CommonOpts } from './queue.js';

/** `--expect-version` needs to know where the deployment shows its version. */
function expectVersionOf(expectVersion: string | undefined, config: VouchConfig): { expectVersion?: string } {
  if (expectVersion === undefined) return {};
  if (!expectVersion.trim()) throw new VouchError('VOUCH_USAGE', '--expect-version needs a version, e.g. --expect-version 1.4.2');
  if (!config.target.version) {
    throw new VouchError('VOUCH_USAGE', `--expect-version ${expectVersion}: the target does not say where its version is visible`, {
      hint: 'Add target.version to vouch.yaml: { header: X-App-Version }, { json: { url: /version.json, path: version } } or { meta: app-version }.',
    });
  }
  return { expectVersion: expectVersion.trim() };
}

/** `--har` / `--postman` add to `discovery.har` / `discovery.postman` of vouch.yaml. */
function withRecorded(config: VouchConfig, opts: CommonOpts): VouchConfig {
  config.discovery.har = [...config.discovery.har, ...(opts.har ?? [])];
  config.discovery.postman = [...config.discovery.postman, ...(opts.postman ?? [])];
  return config;
}

/** What `--resume` needs to rebuild a scan's run, kept with its plan (no secrets: those come from the config again). */
interface ScanArgs {
  url: string;
  spec?: string;
  config?: string;
  environment?: Environment;
  check?: string;
  out: string;
  format: string;
  baseline?: string;
  ai?: { why: string };
  har?: string[];
  postman?: string[];
  strength?: 'low' | 'default' | 'high';
  /** The seed for generated data: the one given, or the one the first run drew (kept by runScan). */
  seed?: number;
  /** The version the deployment must declare (`--expect-version`). */
  expectVersion?: string;
}

export async function scanCommand(url: string | undefined, opts: CommonOpts & { baseline?: string; resume?: string }): Promise<number> {
  if (opts.resume) return resumeCommand(url, opts.resume, opts);
  if (!url) throw new VouchError('VOUCH_USAGE', 'scan: give the target URL, or --resume <scan-id>', { hint: 'e.g. vouch scan http://127.0.0.1:8080' });
  parseFormats(opts.format);
  if (opts.queue) return queueScan(url, opts);
  const { scanId, args } = scanArgs(url, opts);
  return runScanCommand(scanId, args, opts);
}

/** A new scan's id and inputs from the options (`vouch scan` and the MCP `scan` tool). */
function scanArgs(url: string, opts: CommonOpts & { baseline?: string }): { scanId: string; args: ScanArgs } {
  parseFormats(opts.format);
  const scanId = newScanId();
  const args: ScanArgs = {
    url,
    ...(opts.spec ? { spec: opts.spec } : {}),
    ...(opts.config ? { config: resolve(opts.config) } : {}),
    ...(opts.environment ? { environment: opts.environment } : {}),
    ...(opts.check ? { check: opts.check } : {}),
    out: resolve(opts.out ?? join('.vouch', 'scans', scanId)),
    format: opts.format,
    ...(opts.baseline ? { baseline: opts.baseline } : {}),
    ...(opts.har?.length ? { har: opts.har.map((f) => resolve(f)) } : {}),
    ...(opts.postman?.length ? { postman: opts.postman.map((f) => resolve(f)) } : {}),
    ...(opts.strength ? { strength: opts.strength } : {}),
    ...parseSeed(opts.seed),
    ...(opts.expectVersion !== undefined ? { expectVersion: opts.expectVersion } : {}),
  };
  const ai = resolveAiInfluenced(opts);
  if (ai) args.ai = ai;
  return { scanId, args };
}

/** What a finished scan or gate gives its caller: the report (stored by now), the files written, and where. */
export interface RunResult {
  report: Report;
  paths: Record<string, string>;
  outDir: string;
}

/**
 * `vouch scan` without a terminal: runs, writes and stores one scan as the CLI does (same config validation, scope,
 * safe mode and budgets), its events to `onEvent`, stopped by `control`. Prints nothing: the MCP server calls it.
 */
export async function scanReport(url: string, opts: CommonOpts & { baseline?: string }, onEvent: EventSink, control: RunControl): Promise<RunResult> {
  const { scanId, args } = scanArgs(url, opts);
  return performScan(scanId, args, onEvent, control);
}

/** `vouch scan --resume <id>`: the same inputs, plan and finished tasks; runs the rest and writes one report. */
async function resumeCommand(url: string | undefined, scanId: string, opts: CommonOpts & { baseline?: string }): Promise<number> {
  const given = [url ? '<url>' : '', opts.spec ? '--spec' : '', opts.config ? '--config' : '', opts.out ? '--out' : '', opts.check ? '--check' : '', opts.environment ? '--environment' : '', opts.baseline ? '--baseline' : '', opts.har?.length ? '--har' : '', opts.postman?.length ? '--postman' : '', opts.strength ? '--strength' : '', opts.seed !== undefined ? '--seed' : '', opts.aiInfluenced || opts.commits ? '--ai-influenced/--commits' : ''].filter(Boolean);
  if (given.length) throw new VouchError('VOUCH_USAGE', `--resume ${scanId}: ${given.join(', ')} cannot be given again; a resumed scan keeps its original inputs`, { hint: `Run \`vouch scan --resume ${scanId}\` alone, or start a new scan.` });
  if (opts.queue) throw new VouchError('VOUCH_USAGE', `--resume ${scanId}: a resumed scan runs here and cannot be queued`, { hint: 'A worker resumes the scans of a worker that died by itself; run `vouch scan --resume` without --queue.' });
  // The store is found as any command finds it: VOUCH_DATABASE_URL, else store.url of ./vouch.yaml, else the SQLite file.
  const resume = await withHistory((s) => s.resumable(scanId), loadConfig(undefined).config.store?.url);
  const args = resume.inputs.args as unknown as ScanArgs;
  return runScanCommand(scanId, args, opts, resume);
}

async function runScanCommand(scanId: string, args: ScanArgs, opts: CommonOpts, resume?: ScanResume): Promise<number> {
  const interrupt = interruptSignal();
  try {
    const sink = progressSink({ json: Boolean(opts.json), quiet: Boolean(opts.quiet) });
    let planned = Boolean(resume);
    /** Whether a complete plan was made (and journaled) before any interrupt: only then can the scan be resumed. */
    const progress: EventSink = (e) => {
      if (e.type === 'stage-finished' && e.stage === 'plan' && !interrupt.signal.aborted) planned = true;
      sink(e);
    };
    const { report, paths } = await performScan(scanId, args, progress, interrupt, resume);
    printFinal(report, paths, opts.json);
    if (interrupt.signal.aborted) {
      const next = planned ? `continue it with: vouch scan --resume ${scanId}` : 'no plan was made yet; run the scan again';
      process.stderr.write(`scan ${scanId} was interrupted; ${next}\n`);
      return 2;
    }
    return exitCodeFor(report);
  } finally {
    interrupt.dispose();
  }
}

/** Runs one scan (or resumes it), writes its reports and stores it; prints nothing. */
async function performScan(scanId: string, args: ScanArgs, progress: EventSink, interrupt: RunControl, resume?: ScanResume): Promise<RunResult> {
  const recorded = { format: args.format, ...(args.har ? { har: args.har } : {}), ...(args.postman ? { postman: args.postman } : {}) };
  const config = withRecorded(await withStoredAccepted(loadConfig(args.config).config), recorded);
  const run = resolveRun(config, { url: args.url, ...(args.spec ? { spec: args.spec } : {}), ...(args.environment ? { environment: args.environment } : {}), ...(args.strength ? { strength: args.strength } : {}) });
  if (resume && configSnapshot(config, createRedactor(run.secrets)) !== resume.inputs.config) {
    throw new VouchError('VOUCH_USAGE', `--resume ${scanId}: the configuration (${args.config ?? 'defaults'} and its environment variables) changed since the scan started; resuming would mix two configurations`, {
      hint: 'Put the configuration back as it was, or start a new scan.',
    });
  }
  const { checks, only } = selectChecks(args.check);
  const expect = expectVersionOf(args.expectVersion, config);
  const stored = args.baseline ? await resolveStoredBaseline(args.baseline, run.target.name, config.store?.url, baselineWant(checks, only, config, run)) : undefined;
  const baseline = stored ? { ...baselineFromReport(stored.report, stored.ref), kind: stored.kind } : undefined;
  const report = await withHistory(async (store) => {
    interrupt.lastWords(() => store.markStoppedSync?.(scanId, 'interrupted', interruptReason(interrupt.signal)));
    const journal = store.journal((e) => progress({ type: 'warning', message: `scan progress could not be saved (${e.message}); this scan cannot be resumed` }));
    return runScan({
      run,
      config,
      checks,
      ...(only ? { only } : {}),
      scanId,
      scanDir: args.out,
      ...(args.seed !== undefined ? { seed: args.seed } : {}),
      ...(baseline ? { baseline } : {}),
      ...(stored?.report.deployment ? { baselineDeployment: stored.report.deployment } : {}),
      ...expect,
      ...(args.ai ? { aiInfluenced: args.ai } : {}),
      onEvent: progress,
      signal: interrupt.signal,
      journal,
      args: { ...args },
      ...(resume ? { resume } : {}),
    });
  }, config.store?.url);
  const stage = { onEvent: progress, deadlineMs: config.deadlines.report };
  let paths = await writeFinal(report, args.out, args.format, { ...stage, interrupt: interrupt.signal });
  await withHistory(async (s) => {
    if (interrupt.signal.aborted) s.markStoppedSync?.(scanId, 'interrupted', interruptReason(interrupt.signal));
    await s.saveReport(report);
    // Interrupted while it was stored: the files and the history say so too.
    if (markInterrupted(report, interrupt.signal)) {
      s.markStoppedSync?.(scanId, 'interrupted', interruptReason(interrupt.signal));
      paths = await writeStage(report, args.out, args.format, stage);
      await s.saveReport(report);
    }
  }, config.store?.url);
  return { report, paths, outDir: args.out };
}

export async function gateCommand(opts: CommonOpts & { candidate: string; baseline?: string }): Promise<number> {
  parseFormats(opts.format);
  if (opts.queue) return queueGate(opts);
  const interrupt = interruptSignal();
  try {
    const sink = (label?: string): EventSink => progressSink({ json: Boolean(opts.json), quiet: Boolean(opts.quiet), ...(label ? { label } : {}) });
    const { report, paths } = await gateReport(opts, sink, interrupt);
    printFinal(report, paths, opts.json);
    return interrupt.signal.aborted ? 2 : exitCodeFor(report);
  } finally {
    interrupt.dispose();
  }
}

/**
 * `vouch gate` without a terminal: scans the candidate (and a baseline URL), compares, writes and stores as the CLI
 * does; `sink(label)` gets each run's events (label `baseline` / `candidate` when two run). Prints nothing.
 */
export async function gateReport(opts: CommonOpts & { candidate: string; baseline?: string }, sink: (label?: string) => EventSink, interrupt: RunControl): Promise<RunResult & { baseline?: Report }> {
  parseFormats(opts.format);
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
      const stored = await resolveStoredBaseline(opts.baseline, candidate.target.name, config.store?.url, baselineWant(checks, only, config, candidate));
      baseline = { kind: stored.kind, report: stored.report, ref: stored.ref };
    }
  }
  const ai = resolveAiInfluenced(opts);
  const expect = expectVersionOf(opts.expectVersion, config);
  const outDir = opts.out ?? join('.vouch', 'gates', newScanId());
  const writing = { deadlineMs: config.deadlines.report, interrupt: interrupt.signal };
  if (!baseline) {
    const report = await runScan({ run: candidate, config, checks, ...expect, ...(only ? { only } : {}), ...(ai ? { aiInfluenced: ai } : {}), ...parseSeed(opts.seed), scanDir: outDir, onEvent: sink(), signal: interrupt.signal });
    const paths = await writeFinal(report, outDir, opts.format, writing);
    await withHistory((s) => s.saveReport(report), config.store?.url);
    return { report, paths, outDir };
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
    onEvent: sink,
    signal: interrupt.signal,
  });
  const paths = await writeFinal(result.candidate, outDir, opts.format, writing);
  await withHistory(async (s) => {
    if (result.baseline) await s.saveReport(result.baseline);
    await s.saveReport(result.candidate);
  }, config.store?.url);
  return { report: result.candidate, paths, outDir, ...(result.baseline ? { baseline: result.baseline } : {}) };
}
