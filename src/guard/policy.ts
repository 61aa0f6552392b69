// src/guard/policy.ts — which operation of the surface a request is, and what the guard decides for it: deny, hold for
// a person, or allow, each naming the rule; budgets per agent. Pure but for the budget's counters.
import type { Operation } from '../core/index.js';
import { isRead, scopeCovers } from '../checks/kit/capability.js';

/** An agent as the policy sees it (config `guard.agents.<name>`). */
export interface AgentPolicy {
  name: string;
  intended: readonly string[];
  denied: readonly string[];
  approval: readonly string[];
  budgets?: { requestsPerMinute?: number; writesPerHour?: number };
}

export type Decision = 'allow' | 'deny' | 'hold';

export interface Judgement {
  decision: Decision;
  /** The rule that decided: `denied: DELETE /api/**`, `intended: GET /api/orders`, `unknown-operation`, `learn`, … */
  rule: string;
  /** `METHOD /template` of the surface, or undefined for a request no operation matches. */
  operation?: string;
}

const escape = (s: string): string => s.replace(/[.*+?^$()|[\]\\]/g, '\\$&');

/** Operations of a surface, compiled once into matchers; exact paths win over templates, longer templates first. */
export class OperationIndex {
  private readonly byMethod = new Map<string, Array<{ op: Operation; rx: RegExp; exact: boolean }>>();

  constructor(operations: readonly Operation[]) {
    for (const op of operations) {
      const method = op.method.toUpperCase();
      const exact = !/\{[^}]+\}/.test(op.path);
      const rx = new RegExp(`^${op.path.split(/\{[^}]+\}/).map(escape).join('[^/]+')}/?$`);
      const list = this.byMethod.get(method) ?? [];
      list.push({ op, rx, exact });
      this.byMethod.set(method, list);
    }
    for (const list of this.byMethod.values()) list.sort((a, b) => Number(b.exact) - Number(a.exact) || b.op.path.length - a.op.path.length);
  }

  get size(): number {
    let n = 0;
    for (const l of this.byMethod.values()) n += l.length;
    return n;
  }

  /** The operation a decoded path is (HEAD falls back to GET's operation). */
  match(method: string, path: string): Operation | undefined {
    const m = method.toUpperCase();
    const hit = this.byMethod.get(m)?.find((e) => e.rx.test(path))?.op;
    return hit ?? (m === 'HEAD' ? this.match('GET', path) : undefined);
  }
}

const first = (patterns: readonly string[], method: string, path: string): string | undefined => patterns.find((p) => scopeCovers(p, method, path));

/**
 * The decision for one request. Order: `denied` → unknown operation (denied, or allowed under `--learn`) → `learn`
 * (everything else allowed) → `approval` (held) → `intended` (allowed) → denied as not intended.
 * Patterns are matched against the operation's template, and also against the concrete path (a `denied` glob on
 * `/api/products/*` holds for `/api/products/7` whether or not the surface knows it).
 */
export function judge(agent: AgentPolicy, method: string, path: string, op: Operation | undefined, learn: boolean): Judgement {
  const route = op?.path ?? path;
  const operation = op ? `${op.method.toUpperCase()} ${op.path}` : undefined;
  const base = operation ? { operation } : {};
  const find = (patterns: readonly string[]): string | undefined => first(patterns, method, route) ?? first(patterns, method, path);
  const denied = find(agent.denied);
  if (denied) return { decision: 'deny', rule: `denied: ${denied}`, ...base };
  if (!op) return learn ? { decision: 'allow', rule: 'learn' } : { decision: 'deny', rule: 'unknown-operation' };
  if (learn) return { decision: 'allow', rule: 'learn', ...base };
  const held = find(agent.approval);
  if (held) return { decision: 'hold', rule: `approval: ${held}`, ...base };
  const intended = find(agent.intended);
  if (intended) return { decision: 'allow', rule: `intended: ${intended}`, ...base };
  return { decision: 'deny', rule: 'not-intended', ...base };
}

/** Sliding-window counters per agent: requests per minute, writes per hour. `now` is injectable for tests. */
export class Budgets {
  private readonly seen = new Map<string, { requests: number[]; writes: number[] }>();

  constructor(private readonly now: () => number = Date.now) {}

  /**
   * Counts one request against the agent's budgets; returns the budget it would exceed (then it is not counted),
   * or undefined.
   */
  take(agent: AgentPolicy, method: string): 'requestsPerMinute' | 'writesPerHour' | undefined {
    const b = agent.budgets;
    if (!b?.requestsPerMinute && !b?.writesPerHour) return undefined;
    const t = this.now();
    const s = this.seen.get(agent.name) ?? { requests: [], writes: [] };
    this.seen.set(agent.name, s);
    s.requests = s.requests.filter((x) => x > t - 60_000);
    s.writes = s.writes.filter((x) => x > t - 3_600_000);
    const write = !isRead(method);
    if (b.requestsPerMinute && s.requests.length >= b.requestsPerMinute) return 'requestsPerMinute';
    if (write && b.writesPerHour && s.writes.length >= b.writesPerHour) return 'writesPerHour';
    s.requests.push(t);
    if (write) s.writes.push(t);
    return undefined;
  }
}
