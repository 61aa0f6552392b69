// src/cli/commands/shared.ts — what scan, gate and demo share: config, checks, interrupts, baseline reports, output.
import { existsSync, readFileSync } from 'node:fs';
import { killBrowser, within } from '../../browser/chromium.js';
import { VouchError, REPORT_SCHEMA_VERSION } from '../../core/index.js';
import type { EventSink, Report, Scope } from '../../core/index.js';
import { formatMs } from '../../engine/scan.js';
import { interruptReason } from '../../net/index.js';
import { allChecks } from '../../checks/index.js';
import type { AnyCheck } from '../../checks/kit/define.js';
import { checkEntries, type VouchConfig } from '../../config/index.js';
import type { BaselineWant } from '../../store/index.js';
import { renderTerminal, specSource, validateReport, writeReports, parseFormats } from '../../report/index.js';
import { verdictStatus } from '../../report/text.js';
import { finalVerdict } from '../../prioritize/completeness.js';
import { outWriteError } from '../out.js';
import { parseCheckIds } from '../checkids.js';

export { parseFormats };

/**
 * What a `last-passing` baseline must cover for this run: the checks it will plan (the registry, `--check`, minus
 * checks disabled in vouch.yaml) and its scope.
 */
export function baselineWant(checks: readonly AnyCheck[], only: readonly string[] | undefined, config: VouchConfig, run: { target: { url: string }; scope: Scope }): BaselineWant {
  const disabled = new Set(checkEntries(config).filter(([, c]) => c.enabled === false).map(([id]) => id));
  return { checks: checks.map((c) => c.id).filter((id) => (!only || only.includes(id)) && !disabled.has(id)), url: run.target.url, scope: run.scope };
}

/** Validates `--check a,b` against the registry. */
export function selectChecks(list: string | undefined): { checks: readonly AnyCheck[]; only?: string[] } {
  const only = parseCheckIds(list);
  return only ? { checks: allChecks, only } : { checks: allChecks };
}

/** After a first interrupt, the process exits by this time whatever still runs (the partial report is written by then). */
export const INTERRUPT_EXIT_MS = 9_000;

/**
 * An AbortSignal fired by the first Ctrl-C (or SIGTERM), its reason saying which: Chromium is killed at once, the scan
 * ends with a partial report, and if the process is still alive INTERRUPT_EXIT_MS later it exits (code 2) anyway. A
 * second signal runs `lastWords` (quick, synchronous: mark the scan interrupted in the store) and exits at once with
 * code 2. Finished tasks are already stored; report files are written atomically, so none is left half-written.
 */
export function interruptSignal(): { signal: AbortSignal; lastWords(fn: () => void): void; dispose(): void } {
  const controller = new AbortController();
  let last: (() => void) | undefined;
  const quit = (): never => {
    try {
      last?.();
    } finally {
      killBrowser();
      process.exit(2);
    }
  };
  const on = (sig: NodeJS.Signals): void => {
    if (controller.signal.aborted) {
      process.stderr.write(`\n${sig} again: exiting now; finished tasks are kept\n`);
      quit();
    }
    process.stderr.write(`\ninterrupted (${sig}): finishing what is in flight and writing what was found (Ctrl-C again to quit now)\n`);
    controller.abort(new Error(`interrupted by ${sig}`));
    // The scan is over: a browser (crawl, execution proof) is not asked to close, it is killed.
    killBrowser();
    // Not held open by this timer (unref): it fires only when something else keeps the process alive.
    setTimeout(() => {
      const open = process.getActiveResourcesInfo().join(', ') || 'an open handle';
      process.stderr.write(`vouch: still running ${INTERRUPT_EXIT_MS / 1000} s after ${sig} (${open}); exiting\n`);
      quit();
    }, INTERRUPT_EXIT_MS).unref();
  };
  const onInt = (): void => on('SIGINT');
  const onTerm = (): void => on('SIGTERM');
  process.on('SIGINT', onInt);
  process.on('SIGTERM', onTerm);
  return {
    signal: controller.signal,
    lastWords: (fn) => void (last = fn),
    dispose: () => {
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
    },
  };
}

/** Reads a saved report.json to use as a baseline; refuses other schema versions clearly. */
export function readBaselineReport(path: string): Report {
  if (!existsSync(path)) throw new VouchError('VOUCH_REPORT_INVALID', `${path}: baseline report not found`);
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new VouchError('VOUCH_REPORT_INVALID', `${path}: not JSON (${(e as Error).message})`);
  }
  const version = (value as { schemaVersion?: unknown } | null)?.schemaVersion;
  if (version !== REPORT_SCHEMA_VERSION) {
    throw new VouchError('VOUCH_REPORT_INVALID', `${path}: report schemaVersion ${String(version)} is not supported (this vouch reads ${REPORT_SCHEMA_VERSION})`, {
      hint: 'Re-create the baseline with this version of vouch.',
    });
  }
  const v = validateReport(value);
  if (!v.valid) throw new VouchError('VOUCH_REPORT_INVALID', `${path}: not a valid vouch report: ${v.errors.slice(0, 3).join('; ')}`);
  return value as Report;
}

const useColor = (): boolean => Boolean(process.stdout.isTTY) && !process.env.CI && !process.env.NO_COLOR;

/**
 * A scan interrupted once its report was built (while it was written or stored): the report says so, as any
 * interrupted scan's does. True when it changed the report (the caller writes it again).
 */
export function markInterrupted(report: Report, signal: AbortSignal | undefined): boolean {
  if (!signal?.aborted || report.partial) return false;
  const reason = `${interruptReason(signal)} while the reports were written (every task had finished)`;
  report.partial = { reason, notRun: 0 };
  // Interrupted is never a pass: the one rule that decides verdicts (fail wins over incomplete) applies.
  const cause = { cause: 'interrupted' as const, tasks: 0, message: reason };
  report.verdict = finalVerdict(report.verdict, [cause, ...(report.verdict.incomplete ?? [])]);
  return true;
}

/** The report stage: every requested format written within `deadlineMs`, with its events. */
export async function writeStage(
  report: Report,
  outDir: string,
  formats: string,
  o: { onEvent?: EventSink; deadlineMs?: number } = {},
): Promise<Record<string, string>> {
  const emit = o.onEvent ?? ((): void => undefined);
  const deadlineMs = o.deadlineMs ?? 120_000;
  const target = report.target.url;
  emit({ type: 'stage-started', stage: 'report', target });
  const t0 = performance.now();
  let paths: Record<string, string>;
  try {
    const sarif = specSource(report.target.spec); // SARIF points at the operations in a spec file of the repository
    paths = await within(writeReports(report, outDir, parseFormats(formats), sarif), deadlineMs, 'writing the reports');
  } catch (e) {
    if (e instanceof VouchError) throw e;
    const unwritable = outWriteError(outDir, e);
    if (unwritable) throw unwritable;
    emit({ type: 'stage-deadline', stage: 'report', target, deadlineMs });
    throw new VouchError('VOUCH_INTERNAL', `the report stage reached its deadline of ${formatMs(deadlineMs)} writing to ${outDir}`, {
      hint: 'Check that the output folder (--out) is on a disk that answers, or raise deadlines.report in vouch.yaml.',
    });
  }
  const ms = Math.round(performance.now() - t0);
  emit({ type: 'stage-finished', stage: 'report', target, ms, detail: `${Object.keys(paths).length} files` });
  return paths;
}

/** How a run is stopped: the CLI's Ctrl-C (`interruptSignal`), or an MCP request's cancellation. */
export interface RunControl {
  signal: AbortSignal;
  /** What to record, quickly and synchronously, if the process is about to exit at once (a second Ctrl-C). */
  lastWords(fn: () => void): void;
}

/** A control for callers that are not a terminal (the MCP server): stopped by `signal`, nothing to say on exit. */
export const controlOf = (signal: AbortSignal): RunControl => ({ signal, lastWords: () => undefined });

/**
 * Writes the reports; an interrupt that arrives while they are written (`interrupt`) marks the report partial and
 * writes it again. Returns the paths written, by format.
 */
export async function writeFinal(
  report: Report,
  outDir: string,
  formats: string,
  opts: { onEvent?: EventSink; deadlineMs?: number; interrupt?: AbortSignal },
): Promise<Record<string, string>> {
  const stage = {
    ...(opts.onEvent ? { onEvent: opts.onEvent } : {}),
    ...(opts.deadlineMs !== undefined ? { deadlineMs: opts.deadlineMs } : {}),
  };
  const paths = await writeStage(report, outDir, formats, stage);
  return markInterrupted(report, opts.interrupt) ? writeStage(report, outDir, formats, stage) : paths;
}

/** Prints the summary (verdict first) and where the reports are, or one JSON line with `--json`. */
export function printFinal(report: Report, paths: Record<string, string>, json: boolean | undefined): void {
  if (json) {
    process.stdout.write(JSON.stringify({ type: 'reports', verdict: report.verdict, paths }) + '\n');
    return;
  }
  process.stdout.write(renderTerminal(report, { color: useColor() }) + '\n');
  process.stdout.write(`\nreports:\n${Object.entries(paths).map(([f, p]) => `  ${f.padEnd(9)} ${p}`).join('\n')}\n`);
}

/** Writes the reports and prints the summary (verdict first); returns the exit code for the verdict. */
export async function finish(
  report: Report,
  outDir: string,
  formats: string,
  opts: {
    json?: boolean | undefined;
    quiet?: boolean | undefined;
    onEvent?: EventSink;
    deadlineMs?: number;
    interrupt?: AbortSignal;
  },
): Promise<number> {
  const paths = await writeFinal(report, outDir, formats, opts);
  printFinal(report, paths, opts.json);
  return exitCodeFor(report);
}

/** 0 pass, 1 fail (a failing rule wins), 2 incomplete: vouch could not establish enough to pass (docs/verdict.md). */
export function exitCodeFor(report: Pick<Report, 'verdict' | 'partial'>): number {
  const status = verdictStatus(report.verdict);
  if (status === 'fail') return 1;
  return status === 'incomplete' || report.partial ? 2 : 0;
}
