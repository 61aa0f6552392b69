// src/cli/commands/shared.ts — what scan, gate and demo share: config, checks, interrupts, baseline reports, output.
import { existsSync, readFileSync } from 'node:fs';
import { VouchError, REPORT_SCHEMA_VERSION } from '../../core/index.js';
import type { Report, Scope } from '../../core/index.js';
import { allChecks } from '../../checks/index.js';
import type { AnyCheck } from '../../checks/kit/define.js';
import { checkEntries, type VouchConfig } from '../../config/index.js';
import type { BaselineWant } from '../../store/index.js';
import { renderTerminal, validateReport, writeReports, parseFormats } from '../../report/index.js';
import { verdictStatus } from '../../report/text.js';

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
  if (!list) return { checks: allChecks };
  const ids = list.split(',').map((s) => s.trim()).filter(Boolean);
  const known = new Set(allChecks.map((c) => c.id));
  const unknown = ids.filter((id) => !known.has(id));
  if (unknown.length) throw new VouchError('VOUCH_USAGE', `unknown check id${unknown.length > 1 ? 's' : ''}: ${unknown.join(', ')}`, { hint: 'Run `vouch checks` to list the ids.' });
  return { checks: allChecks, only: ids };
}

/**
 * An AbortSignal fired by the first Ctrl-C (or SIGTERM), its reason saying which; a second one runs `lastWords` (quick,
 * synchronous: mark the scan interrupted in the store) and exits at once with code 2. Finished tasks are already stored.
 */
export function interruptSignal(): { signal: AbortSignal; lastWords(fn: () => void): void; dispose(): void } {
  const controller = new AbortController();
  let last: (() => void) | undefined;
  const on = (sig: NodeJS.Signals): void => {
    if (controller.signal.aborted) {
      process.stderr.write(`\n${sig} again: exiting now; finished tasks are kept\n`);
      try {
        last?.();
      } finally {
        process.exit(2);
      }
    }
    process.stderr.write(`\ninterrupted (${sig}): finishing what is in flight and writing what was found (Ctrl-C again to quit now)\n`);
    controller.abort(new Error(`interrupted by ${sig}`));
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

/** Writes the reports and prints the summary (verdict first); returns the exit code for the verdict (exitCodeFor). */
export async function finish(report: Report, outDir: string, formats: string, opts: { json?: boolean | undefined; quiet?: boolean | undefined }): Promise<number> {
  const paths = await writeReports(report, outDir, parseFormats(formats));
  if (opts.json) {
    process.stdout.write(JSON.stringify({ type: 'reports', verdict: report.verdict, paths }) + '\n');
  } else {
    process.stdout.write(renderTerminal(report, { color: useColor() }) + '\n');
    process.stdout.write(`\nreports:\n${Object.entries(paths).map(([f, p]) => `  ${f.padEnd(9)} ${p}`).join('\n')}\n`);
  }
  return exitCodeFor(report);
}

/** 0 pass, 1 fail (a failing rule wins), 2 incomplete: vouch could not establish enough to pass (docs/verdict.md). */
export function exitCodeFor(report: Pick<Report, 'verdict' | 'partial'>): number {
  const status = verdictStatus(report.verdict);
  if (status === 'fail') return 1;
  return status === 'incomplete' || report.partial ? 2 : 0;
}
