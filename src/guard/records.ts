// src/guard/records.ts — one record per guard decision, and where records go: the audit log (redacted) and the store.
import type { AuditLog } from '../net/index.js';
import type { Decision } from './policy.js';

/** What the guard did with one request (stored in `guard_decisions`, written to the audit log). */
export interface GuardRecord {
  /** ISO time the request arrived. */
  at: string;
  /** The guard run (one `vouch guard` process). */
  session: string;
  /** The agent's name, or `-` when no valid token was presented. */
  agent: string;
  method: string;
  /** The decoded path, query left out (it may hold secrets). */
  path: string;
  /** `METHOD /template` of the surface, when one matched. */
  operation?: string;
  /** The final decision: a held request ends allowed (approved) or denied (rejected, timed out). */
  decision: Exclude<Decision, 'hold'>;
  rule: string;
  /** Whether it was held for a person, and how that ended. */
  approval?: 'approved' | 'rejected' | 'timeout';
  /** The status the agent got. */
  status: number;
  /** The upstream's status, when the request was forwarded and answered. */
  upstreamStatus?: number;
  /** Milliseconds from arrival to the last byte sent to the agent (a hold's wait included). */
  ms: number;
  requestBytes: number;
  responseBytes: number;
  learn: boolean;
}

export type RecordSink = (r: GuardRecord) => void;

/** Writes each record as an audit line: `identity` is the agent, `outcome` sent (forwarded) or refused. */
export function auditSink(log: AuditLog, upstream: string): RecordSink {
  return (r) =>
    log.write({
      at: r.at,
      identity: r.agent,
      method: r.method,
      url: upstream + r.path,
      outcome: r.decision === 'allow' && r.upstreamStatus !== undefined ? 'sent' : r.decision === 'allow' ? 'error' : 'refused',
      status: r.status,
      ms: r.ms,
      guard: { decision: r.decision, rule: r.rule, ...(r.operation ? { operation: r.operation } : {}), ...(r.approval ? { approval: r.approval } : {}), requestBytes: r.requestBytes, responseBytes: r.responseBytes },
    });
}
