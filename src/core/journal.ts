// src/core/journal.ts — the contract between a running scan and the store that keeps its progress (interrupt/resume).
import type { EngineStats } from './http.js';
import type { Candidate, Exchange, PermissionAudit, Plan, Surface, TaskOutcome } from './types.js';

/** How a scan ended, as the store records it. `interrupted` and `failed` scans with saved inputs can be resumed. */
export type ScanState = 'running' | 'done' | 'interrupted' | 'failed';

/** What a scan needs to continue in another process: everything but secrets. */
export interface ScanInputs {
  /** The command-line inputs the scan was started with (url, spec, config path, environment, checks, out dir, formats...). */
  args: Record<string, unknown>;
  /** The resolved configuration as JSON with every secret replaced by the redaction marker. */
  config: string;
  surface: Surface;
  plan: Plan;
}

/** One finished task and what it proposed. */
export interface TaskResult {
  outcome: TaskOutcome;
  candidates: Candidate[];
  /** Permission audits the task established (`report.audit`). */
  audits?: PermissionAudit[];
}

/** What a stored scan hands back to continue it. */
export interface ScanResume {
  scanId: string;
  targetName: string;
  targetUrl: string;
  startedAt: number;
  inputs: ScanInputs;
  /** Tasks that ended (found, clean, inconclusive, crashed): they are not run again. */
  done: TaskResult[];
  /** Exchanges recorded by the earlier runs (proofs and what passive checks read), ids kept. */
  exchanges: Exchange[];
  /** Request counts of the earlier runs, added to this run's. */
  stats: EngineStats;
  /** Earlier runs that stopped before the plan was done. */
  runs: number;
  /** The highest exchange id number the earlier runs handed out (new ids continue after it). */
  exchangeCount: number;
}

/**
 * Where a running scan writes its progress. Calls are made in order and awaited by the journal itself (a scan never
 * waits on storage per task); `flush()` resolves when everything given so far is stored.
 */
export interface ScanJournal {
  /** The scan starts (state running, heartbeat now). */
  started(scan: { scanId: string; targetName: string; targetUrl: string; startedAt: number }): void;
  /** The plan is made: inputs and the exchanges discovery made. */
  planned(inputs: ScanInputs, exchanges: readonly Exchange[]): void;
  /** A task ended; `exchanges` are the ones recorded since the last call that it (or no task) made, and those it cites. */
  taskDone(result: TaskResult, exchanges: readonly Exchange[], progress: { done: number; total: number; exchangeCount: number }): void;
  heartbeat(): void;
  /** The scan ends; `stats` are all runs' request counts together. */
  finished(state: Exclude<ScanState, 'running'>, stats: EngineStats, exchangeCount: number, reason?: string): void;
  flush(): Promise<void>;
}

/**
 * Whether a finished task's results may be journaled: no candidate declares `secrets`, and masking every secret the
 * scan knows (`mask`: the redactor, configured and issued secrets, secret URL parts) changes no string in them. A task
 * that fails this is not journaled; a resume runs it again and derives its secrets from the configuration and fresh
 * sessions, so no token, password or cracked key is ever stored to be replayed.
 */
export function keepsNoSecret(result: TaskResult, mask: (s: string) => string): boolean {
  if (result.candidates.some((c) => c.secrets?.length)) return false;
  let clean = true;
  // Value by value (a secret with quotes or backslashes would not be found in the JSON text); keys too.
  JSON.stringify(result, (key: string, value: unknown) => {
    if (clean && ((key && mask(key) !== key) || (typeof value === 'string' && mask(value) !== value))) clean = false;
    return value;
  });
  return clean;
}

/** Heartbeat period of a running scan, ms; a `running` scan silent for 3 periods is taken as dead (resumable). */
export const HEARTBEAT_MS = 2_000;

/** Request counts of two runs of one scan, added. */
export function addStats(a: EngineStats, b: EngineStats): EngineStats {
  const byStatus = { ...a.byStatus };
  for (const [k, v] of Object.entries(b.byStatus)) byStatus[k] = (byStatus[k] ?? 0) + v;
  return { sent: a.sent + b.sent, refused: a.refused + b.refused, errors: a.errors + b.errors, byStatus };
}
