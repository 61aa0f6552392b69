// src/store/scan-rows.ts — a `scans` row as a history line (ScanSummary), shared by the Kysely store and the quick read path.
import type { VerdictStatus } from '../core/types.js';

/** The newest migration version (kept equal to the last of MIGRATIONS by src/store/quick.test.ts). */
export const LATEST_MIGRATION = 9;

export interface ScanSummary {
  id: string;
  target: string;
  url: string;
  state: string;
  startedAt: string;
  finishedAt: string | null;
  verdict: VerdictStatus | null;
  findingCount: number;
  /** The version the deployment declared, when the target says where to look. */
  version: string | null;
  /** Fingerprint of the deployment's front-end assets. */
  assetsFingerprint: string | null;
  /** Tasks finished and planned (live while running). */
  progress: { done: number; total: number };
}

/** The columns a history line reads. */
export const SUMMARY_COLUMNS = ['id', 'target_name', 'target_url', 'state', 'started_at', 'finished_at', 'verdict_pass', 'finding_count', 'deployed_version', 'assets_fingerprint', 'progress_done', 'progress_total'] as const;

export type SummaryRow = Record<(typeof SUMMARY_COLUMNS)[number], string | number | bigint | null>;

/** The verdict kept in a `verdict_pass` column; null when the scan has not finished. */
export function verdictOfCode(n: number | string | bigint | null): VerdictStatus | null {
  if (n === null) return null;
  return Number(n) === 1 ? 'pass' : Number(n) === 2 ? 'incomplete' : 'fail';
}

const text = (v: string | number | bigint | null): string | null => (v === null ? null : String(v));

export function scanSummaryOf(r: SummaryRow): ScanSummary {
  return {
    id: String(r.id),
    target: String(r.target_name),
    url: String(r.target_url),
    state: String(r.state),
    startedAt: new Date(Number(r.started_at)).toISOString(),
    finishedAt: r.finished_at === null ? null : new Date(Number(r.finished_at)).toISOString(),
    verdict: verdictOfCode(r.verdict_pass),
    findingCount: Number(r.finding_count),
    version: text(r.deployed_version),
    assetsFingerprint: text(r.assets_fingerprint),
    progress: { done: Number(r.progress_done), total: Number(r.progress_total) },
  };
}
