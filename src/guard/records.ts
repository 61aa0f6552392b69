// src/guard/records.ts — one record per guard decision, and where records go: the audit log (redacted) and the store.
import type { GuardRecord } from '../core/index.js';
import type { AuditLog, GuardAuditFields } from '../net/index.js';

/** What the guard did with one request: the shape lives in core, where the store reads it too. */
export type { GuardRecord };

export type RecordSink = (r: GuardRecord) => void;

/** Writes each record as an audit line: `identity` is the agent, `outcome` sent (forwarded) or refused. */
export function auditSink(log: AuditLog, upstream: string): RecordSink {
  return (r) => {
    // Built field by field: spreading optional fields into a literal costs more than the rest of the line.
    const guard: GuardAuditFields = { decision: r.decision, rule: r.rule, requestBytes: r.requestBytes, responseBytes: r.responseBytes };
    if (r.operation) guard.operation = r.operation;
    if (r.approval) guard.approval = r.approval;
    log.write({
      at: r.at,
      identity: r.agent,
      method: r.method,
      url: upstream + r.path,
      outcome: r.decision === 'allow' && r.upstreamStatus !== undefined ? 'sent' : r.decision === 'allow' ? 'error' : 'refused',
      status: r.status,
      ms: r.ms,
      guard,
    });
  };
}
