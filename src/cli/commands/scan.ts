// src/cli/commands/scan.ts — `vouch scan <url>` and `vouch gate --candidate <url> [--baseline <url|report.json>]`.
import { join } from 'node:path';
import { loadConfig, resolveRun } from '../../config/index.js';
import type { Environment } from '../../core/index.js';
import { runGate, type BaselineSource } from '../../engine/gate.js';
import { newScanId, runScan } from '../../engine/scan.js';
import { baselineFromReport } from '../../prioritize/index.js';
import { progressSink } from '../progress.js';
import { finish, interruptSignal, parseFormats, readBaselineReport, selectChecks } from './shared.js';

interface CommonOpts {
  spec?: string;
  config?: string;
  out?: string;
  format: string;
  check?: string;
  environment?: Environment;
  json?: true;
  quiet?: true;
}

export async function scanCommand(url: string, opts: CommonOpts & { baseline?: string }): Promise<number> {
  parseFormats(opts.format);
  const { config } = loadConfig(opts.config);
  const run = resolveRun(config, { url, ...(opts.spec ? { spec: opts.spec } : {}), ...(opts.environment ? { environment: opts.environment } : {}) });
  const { checks, only } = selectChecks(opts.check);
  const baseline = opts.baseline ? baselineFromReport(readBaselineReport(opts.baseline), opts.baseline) : undefined;
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
      ...(baseline ? { baseline } : {}),
      onEvent: progressSink({ json: Boolean(opts.json), quiet: Boolean(opts.quiet) }),
      signal: interrupt.signal,
    });
    return await finish(report, outDir, opts.format, opts);
  } finally {
    interrupt.dispose();
  }
}

export async function gateCommand(opts: CommonOpts & { candidate: string; baseline?: string }): Promise<number> {
  parseFormats(opts.format);
  const { config } = loadConfig(opts.config);
  const input = { ...(opts.spec ? { spec: opts.spec } : {}), ...(opts.environment ? { environment: opts.environment } : {}) };
  const candidate = resolveRun(config, { url: opts.candidate, ...input });
  const { checks, only } = selectChecks(opts.check);
  let baseline: BaselineSource | undefined;
  if (opts.baseline) {
    baseline = /^https?:\/\//i.test(opts.baseline)
      ? { kind: 'url', run: resolveRun(config, { url: opts.baseline, ...input }) }
      : { kind: 'report', report: readBaselineReport(opts.baseline), ref: opts.baseline };
  }
  const outDir = opts.out ?? join('.vouch', 'gates', newScanId());
  const interrupt = interruptSignal();
  try {
    if (!baseline) {
      const report = await runScan({ run: candidate, config, checks, ...(only ? { only } : {}), scanDir: outDir, onEvent: progressSink({ json: Boolean(opts.json), quiet: Boolean(opts.quiet) }), signal: interrupt.signal });
      return await finish(report, outDir, opts.format, opts);
    }
    const result = await runGate({
      candidate,
      baseline,
      config,
      checks,
      ...(only ? { only } : {}),
      outDir,
      onEvent: (label) => progressSink({ json: Boolean(opts.json), quiet: Boolean(opts.quiet), label }),
      signal: interrupt.signal,
    });
    return await finish(result.candidate, outDir, opts.format, opts);
  } finally {
    interrupt.dispose();
  }
}
