// src/guard/drift.ts — drift in what an agent does: the first time (per guard session) it asks for an operation its
// policy does not grant, or under --learn does one beyond its intended list. Pure but for the `seen` set it is given.
import { scopeCovers } from '../checks/kit/capability.js';
import type { GuardRecord } from './records.js';

/** The webhook payload of one drift (`event: guard-drift`). */
export interface GuardDrift {
  event: 'guard-drift';
  kind: 'denied' | 'beyond-intended';
  session: string;
  at: string;
  agent: string;
  /** `METHOD /template`, or `METHOD /path` when no operation matched. */
  operation: string;
  rule: string;
}

const POLICY_DENIALS = /^(not-intended|unknown-operation|denied: )/;

/** The drift a record shows, once per agent, operation and kind; undefined when it shows none or was already told. */
export function driftOf(r: GuardRecord, intended: readonly string[], seen: Set<string>): GuardDrift | undefined {
  const operation = r.operation ?? `${r.method} ${r.path}`;
  const [method, route] = operation.split(' ') as [string, string];
  const kind = r.decision === 'deny' && POLICY_DENIALS.test(r.rule) ? 'denied' : r.decision === 'allow' && r.learn && !intended.some((p) => scopeCovers(p, method, route)) ? 'beyond-intended' : undefined;
  if (!kind) return undefined;
  const key = `${r.agent}\n${operation}\n${kind}`;
  if (seen.has(key)) return undefined;
  seen.add(key);
  return { event: 'guard-drift', kind, session: r.session, at: r.at, agent: r.agent, operation, rule: r.rule };
}
