// src/store/schema.ts — the history tables as Kysely sees them; portable types only (text ids, epoch ms, JSON as text).
import type { Generated } from 'kysely';

export interface ScansTable {
  id: string;
  target_name: string;
  target_url: string;
  /** queued | running | done | interrupted | failed | cancelled */
  state: string;
  started_at: number;
  finished_at: number | null;
  /** 1 pass, 0 fail, 2 incomplete, null unknown (not finished). */
  verdict_pass: number | null;
  finding_count: number;
  /** The whole report.json, as text. */
  report: string | null;
  /** Tasks finished and planned, for live progress (migration 2). */
  progress_done: Generated<number>;
  progress_total: Generated<number>;
  /** Epoch ms of the last sign of life of the process running the scan. */
  heartbeat_at: number | null;
  /** The version the deployment said it was (migration 5), when the target declares where to look. */
  deployed_version: string | null;
  /** SHA-256 over the hashes of the scripts and styles its pages load (migration 5). */
  assets_fingerprint: string | null;
  /** Team jobs (migration 6): `scan` or `gate`; the job's inputs as JSON; the queue's job id; the worker running it; why it failed. */
  kind: string | null;
  job: string | null;
  job_id: string | null;
  worker: string | null;
  error: string | null;
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

/** What a scan needs to be resumed, without secrets (migration 3). One row per scan that got as far as a plan. */
export interface ScanInputsTable {
  scan_id: string;
  /** Command-line inputs, JSON. */
  args: string;
  /** Resolved configuration with secrets redacted, JSON. */
  config: string;
  surface: string;
  plan: string;
  /** Request counts of the runs before this one, JSON (EngineStats). */
  stats: string;
  /** Runs that stopped before the plan was done. */
  runs: number;
  /** Why the last run stopped. */
  reason: string | null;
  /** The highest exchange id number handed out so far (a resumed run's ids continue after it). */
  exchange_count: number;
}

/** A finished task of a scan and the candidates it proposed (migration 3). */
export interface ScanTasksTable {
  scan_id: string;
  task_id: string;
  status: string;
  reason: string | null;
  /** Candidate[] as JSON. */
  candidates: string;
  /** PermissionAudit[] as JSON, when the task established any. */
  audits: string | null;
  finished_at: number;
}

/** An exchange a scan recorded, kept for resume: proofs and what passive checks read (migration 3). */
export interface ScanExchangesTable {
  scan_id: string;
  exchange_id: string;
  /** The numeric part of the id, for order. */
  seq: number;
  task_id: string | null;
  /** Exchange as JSON. */
  exchange: string;
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

/** The scan a target's continuous verification compares with (migration 7). */
export interface AcceptedStatesTable {
  target_name: string;
  scan_id: string;
  accepted_at: number;
}

/** A drift notification that could not be delivered after its retries (migration 7). */
export interface WebhookDeadLettersTable {
  id: Generated<number>;
  /** The webhook URL, secrets redacted. */
  url: string;
  scan_id: string | null;
  payload: string;
  error: string;
  attempts: number;
  created_at: number;
}

/** One decision of `vouch guard` (migration 8). */
export interface GuardDecisionsTable {
  id: Generated<number>;
  session: string;
  at: number;
  agent: string;
  method: string;
  path: string;
  operation: string | null;
  decision: string;
  rule: string;
  approval: string | null;
  status: number;
  upstream_status: number | null;
  ms: number;
  request_bytes: number;
  response_bytes: number;
  learn: number;
}

/** A request `vouch guard` holds for a person (migration 9); `state` pending | approved | rejected | timeout. */
export interface GuardHeldTable {
  id: string;
  session: string;
  agent: string;
  method: string;
  path: string;
  operation: string | null;
  rule: string;
  request_bytes: number;
  held_at: number;
  expires_at: number;
  state: string;
  decided_by: string | null;
  decided_at: number | null;
}

export interface Database {
  guard_decisions: GuardDecisionsTable;
  guard_held: GuardHeldTable;
  accepted_states: AcceptedStatesTable;
  webhook_dead_letters: WebhookDeadLettersTable;
  scans: ScansTable;
  findings: FindingsTable;
  scan_inputs: ScanInputsTable;
  scan_tasks: ScanTasksTable;
  scan_exchanges: ScanExchangesTable;
  vouch_migrations: MigrationsTable;
  accepted_risks: AcceptedRisksTable;
  tokens: TokensTable;
  sessions: SessionsTable;
}
