// src/engine/gate.ts — a change gate: scan the baseline (or take it from a saved report), scan the candidate, compare.
import { join } from 'node:path';
import type { EventSink, Report } from '../core/index.js';
import type { ResolvedRun } from '../config/index.js';
import { DEFAULT_SEED } from '../generate/index.js';
import { baselineFromReport } from '../prioritize/index.js';
import { compareBehaviour } from './behaviour.js';
import { newScanId, runScan, type ScanOptions } from './scan.js';

export type BaselineSource = { kind: 'url'; run: ResolvedRun } | { kind: 'report' | 'scan'; report: Report; ref: string };

export interface GateOptions extends Omit<ScanOptions, 'run' | 'baseline' | 'scanDir' | 'onEvent'> {
  candidate: ResolvedRun;
  baseline: BaselineSource;
  /** Parent folder; each scan gets `<outDir>/<label>/`. */
  outDir: string;
  onEvent?: (label: 'baseline' | 'candidate') => EventSink;
  /** Compare behaviour (status, shape, latency) of the same seeded requests on both URLs. Default true. */
  compareBehaviour?: boolean;
}

export interface GateResult {
  baseline?: Report;
  candidate: Report;
}

export async function runGate(opts: GateOptions): Promise<GateResult> {
  const { candidate, baseline, outDir, onEvent, compareBehaviour: _cb, expectVersion, journal, resume, args, ...rest } = opts;
  // Both sides get the same seed, so they receive the same generated requests; a resumed gate keeps its first run's.
  const storedSeed = resume?.inputs.args.seed;
  const common = { ...rest, seed: typeof storedSeed === 'number' ? storedSeed : (rest.seed ?? DEFAULT_SEED) };
  let baselineReport: Report | undefined;
  let ref: { kind: 'url' | 'report' | 'scan'; ref: string; report: Report };
  if (baseline.kind === 'url') {
    baselineReport = await runScan({ ...common, run: baseline.run, scanId: newScanId(), scanDir: join(outDir, 'baseline'), ...(onEvent ? { onEvent: onEvent('baseline') } : {}) });
    ref = { kind: 'url', ref: baseline.run.target.url, report: baselineReport };
  } else {
    ref = { kind: baseline.kind, ref: baseline.ref, report: baseline.report };
  }
  const base = baselineFromReport(ref.report, ref.ref);
  // Same seeded requests to both deployments, before the candidate's scan so its verdict can weigh them.
  const behaviour = baseline.kind === 'url' && baselineReport && opts.compareBehaviour !== false
    ? await compareBehaviour({ baseline: baseline.run, candidate, surface: baselineReport.surface, seed: common.seed, auditDir: outDir, timeoutMs: common.config.budget.timeoutMs, ...(opts.signal ? { signal: opts.signal } : {}) })
    : undefined;
  const candidateReport = await runScan({
    ...common,
    ...(behaviour ? { behaviour } : {}),
    run: candidate,
    scanDir: join(outDir, 'candidate'),
    baseline: { ...base, kind: ref.kind },
    ...(ref.report.deployment ? { baselineDeployment: ref.report.deployment } : {}),
    ...(expectVersion !== undefined ? { expectVersion } : {}),
    ...(onEvent ? { onEvent: onEvent('candidate') } : {}),
    // Only the candidate's scan is journaled (it is the gate's scan id): a resumed gate scans the baseline again and
    // runs the candidate's remaining tasks.
    ...(journal ? { journal } : {}),
    ...(resume ? { resume } : {}),
    ...(args ? { args } : {}),
  });
  return { ...(baselineReport ? { baseline: baselineReport } : {}), candidate: candidateReport };
}
