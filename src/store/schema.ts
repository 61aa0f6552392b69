// src/store/schema.ts — the history tables as Kysely sees them; portable types only (text ids, epoch ms, JSON as text).
import type { Generated } from 'kysely';

export interface ScansTable {
  id: string;
  target_name: string;
  target_url: string;
  /** queued | running | done | failed | cancelled */
  state: string;
  started_at: number;
  finished_at: number | null;
  /** 1 pass, 0 fail, null unknown (not finished). */
  verdict_pass: number | null;
  finding_count: number;
  /** The whole report.json, as text. */
  report: string | null;
  /** Tasks finished and planned, for live progress (migration 2). */
  progress_done: Generated<number>;
  progress_total: Generated<number>;
  /** Epoch ms of the last sign of life of the process running the scan. */
  heartbeat_at: number | null;
}

export interface FindingsTable {
  row_id: Generated<number>;
  scan_id: string;
  fingerprint: string;
  check_id: string;
  severity: string;
  confidence: string;
  status: string | null;
  risk: number;
  title: string;
  method: string;
  path: string;
}

/** Risks accepted from the dashboard (migration 4); scans honour them alongside vouch.yaml and .vouch/accepted.yaml. */
export interface AcceptedRisksTable {
  fingerprint: string;
  reason: string;
  /** YYYY-MM-DD; the suppression ends at the start of that day (UTC). */
  expires: string;
  created_at: number;
  created_by: string;
  /** Set when revoked: the entry no longer suppresses anything. */
  revoked_at: number | null;
  revoked_by: string | null;
}

/** Dashboard sign-in tokens (team mode); only a SHA-256 of the token is stored. */
export interface TokensTable {
  id: string;
  name: string;
  /** viewer | maintainer */
  role: string;
  hash: string;
  created_at: number;
  expires_at: number;
  revoked_at: number | null;
}

/** Dashboard sessions; the cookie carries the session secret, the table its SHA-256 and the CSRF token. */
export interface SessionsTable {
  hash: string;
  token_id: string;
  role: string;
  csrf: string;
  created_at: number;
  expires_at: number;
}

export interface MigrationsTable {
  version: number;
  applied_at: number;
}

export interface Database {
  scans: ScansTable;
  findings: FindingsTable;
  vouch_migrations: MigrationsTable;
  accepted_risks: AcceptedRisksTable;
  tokens: TokensTable;
  sessions: SessionsTable;
}
