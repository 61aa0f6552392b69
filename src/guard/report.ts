// src/guard/report.ts — what each agent did through the guard against its `intended` list, and the least-privilege
// `intended` list its actual use proposes. Pure: records in, data and text out.
import { scopeCovers } from '../checks/kit/capability.js';
import type { GuardRecord } from './records.js';

export interface OperationUse {
  /** `METHOD /template`, or `METHOD /path` for a request no operation of the surface matched. */
  operation: string;
  allowed: number;
  denied: number;
  /** The intended pattern covering it, if any. */
  intendedBy?: string;
}

export interface AgentUsage {
  agent: string;
  intended: string[];
  used: OperationUse[];
  /** Intended patterns nothing it did needed. */
  unused: string[];
  /** Operations it did (forwarded) that its intended list does not cover. */
  beyond: string[];
  /** The least-privilege intended list: exactly the operations it did (forwarded upstream). */
  proposed: string[];
  /** Requests refused before matching (no token, path tricks, limits), by rule. */
  refused: Record<string, number>;
}

const PRE_MATCH = /^(auth|path-trick|query-trick|method|limit)[:-]|^method$/;

const key = (r: GuardRecord): string => r.operation ?? `${r.method} ${r.path}`;

/** Usage per agent; agents named in `intended` come first (also with no requests), the rest after, by name. */
export function guardUsage(records: readonly GuardRecord[], intended: Record<string, readonly string[]>): AgentUsage[] {
  const names = [...new Set([...Object.keys(intended), ...records.map((r) => r.agent).filter((a) => a !== '-')])];
  return names.map((agent) => {
    const mine = records.filter((r) => r.agent === agent);
    const patterns = [...(intended[agent] ?? [])];
    const refused: Record<string, number> = {};
    const byOp = new Map<string, OperationUse>();
    for (const r of mine) {
      if (PRE_MATCH.test(r.rule)) {
        refused[r.rule] = (refused[r.rule] ?? 0) + 1;
        continue;
      }
      const k = key(r);
      const u = byOp.get(k) ?? { operation: k, allowed: 0, denied: 0 };
      if (r.decision === 'allow' && r.upstreamStatus !== undefined) u.allowed++;
      else u.denied++;
      byOp.set(k, u);
    }
    const used = [...byOp.values()].sort((a, b) => a.operation.localeCompare(b.operation));
    for (const u of used) {
      const [method, path] = u.operation.split(' ') as [string, string];
      const by = patterns.find((p) => scopeCovers(p, method, path));
      if (by) u.intendedBy = by;
    }
    const proposed = used.filter((u) => u.allowed > 0).map((u) => u.operation);
    return {
      agent,
      intended: patterns,
      used,
      unused: patterns.filter((p) => !used.some((u) => u.intendedBy === p)),
      beyond: used.filter((u) => u.allowed > 0 && !u.intendedBy).map((u) => u.operation),
      proposed,
      refused,
    };
  });
}

/** The report as terminal text, with the proposed list as YAML ready to paste under `guard.agents.<name>`. */
export function guardReportText(usage: readonly AgentUsage[], session: string | undefined): string {
  const lines: string[] = [`vouch guard report${session ? ` (session ${session})` : ' (all sessions)'}`];
  if (!usage.length) lines.push('', 'no agent is configured and no decision is recorded');
  for (const a of usage) {
    lines.push('', `agent ${a.agent}: ${a.used.reduce((n, u) => n + u.allowed + u.denied, 0)} requests matched, ${a.intended.length} intended patterns`);
    for (const u of a.used) {
      const mark = u.intendedBy ? 'intended' : u.allowed ? 'BEYOND  ' : 'denied  ';
      lines.push(`  ${mark}  ${u.operation.padEnd(40)}  allowed ${u.allowed}, denied ${u.denied}${u.intendedBy ? `  (${u.intendedBy})` : ''}`);
    }
    for (const p of a.unused) lines.push(`  unused    ${p}`);
    for (const [rule, n] of Object.entries(a.refused).sort()) lines.push(`  refused   ${rule}: ${n}`);
    lines.push(`  proposed intended (what it did): ${JSON.stringify(a.proposed)}`);
    if (a.beyond.length) lines.push(`  did beyond its intended list: ${a.beyond.join(', ')}`);
  }
  return lines.join('\n') + '\n';
}
