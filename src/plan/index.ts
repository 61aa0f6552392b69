// src/plan/index.ts — stage 2: checks × operations × identities into tasks, with a reason for everything skipped.
import { SKIP_DISABLED, SKIP_NOT_SELECTED } from '../core/index.js';
import type { Identity, Operation, Plan, SkippedTask, Surface, Task } from '../core/index.js';
import type { AnyCheck } from '../checks/kit/define.js';
import { allowedDangerous, excludedOperation } from './danger.js';

export interface PlanInput {
  surface: Surface;
  checks: readonly AnyCheck[];
  identities: readonly Identity[];
  safeMode: boolean;
  /** Per-check enable flags from vouch.yaml; a check absent here is enabled. */
  enabled?: Record<string, boolean>;
  /** Only these check ids (from `--check`), when given. */
  only?: readonly string[];
  /** Identities whose login failed: not used, with the reason. */
  unavailable?: ReadonlyMap<string, string>;
  /** `scope.allowDangerous`: dangerous operations that may be tested after all (docs/config.md#do-no-harm). */
  allowDangerous?: readonly string[];
}

/** The least-privileged identity that can reach an operation. */
export function leastIdentity(op: Operation | undefined, identities: readonly Identity[], unavailable: ReadonlyMap<string, string>): Identity | undefined {
  const usable = identities.filter((i) => !unavailable.has(i.name));
  // Declared required counts too: checks of an operation that lost its guard still need a signed-in comparison point.
  if (!op || (op.auth !== 'required' && op.declaredAuth !== 'required')) return usable.find((i) => i.role === 'anonymous') ?? usable[0];
  return usable.find((i) => i.role === 'user' && !i.intended) ?? usable.find((i) => i.role === 'user') ?? usable.find((i) => i.role === 'privileged');
}

export function plan(input: PlanInput): Plan {
  const tasks: Task[] = [];
  const skipped: SkippedTask[] = [];
  const unavailable = input.unavailable ?? new Map<string, string>();
  let n = 0;
  // Do no harm: operations that reset or wipe state, or change the caller's own account, get no task of any check.
  const allow = allowedDangerous(input.allowDangerous ?? []);
  const excluded = new Map(input.surface.operations.map((op) => [op.id, excludedOperation(op, allow)]));
  // Checks that change a password only to the identity's own current one are judged without the password rule.
  const excludedOwnPassword = new Map(input.surface.operations.map((op) => [op.id, excludedOperation(op, allow, { ownPassword: true })]));
  const add = (checkId: string, identity: string, operationId?: string): void => {
    n++;
    tasks.push({ id: `t${String(n).padStart(5, '0')}`, checkId, identity, ...(operationId ? { operationId } : {}) });
  };
  // Active checks first: passive ones read what the active ones recorded.
  const ordered = [...input.checks].sort((a, b) => (a.kind === b.kind ? 0 : a.kind === 'active' ? -1 : 1));
  for (const check of ordered) {
    if (input.only && !input.only.includes(check.id)) {
      skipped.push({ checkId: check.id, reason: SKIP_NOT_SELECTED });
      continue;
    }
    if (input.enabled?.[check.id] === false) {
      skipped.push({ checkId: check.id, reason: SKIP_DISABLED });
      continue;
    }
    if (check.scope === 'target') {
      const who = leastIdentity(undefined, input.identities, unavailable);
      if (who) add(check.id, who.name);
      else skipped.push({ checkId: check.id, reason: 'no usable identity' });
      continue;
    }
    if (input.safeMode && check.safeModeSkips) skipped.push({ checkId: check.id, reason: `safe mode: ${check.safeModeSkips}` });
    for (const op of input.surface.operations) {
      const reason = (check.ownPasswordOnly ? excludedOwnPassword : excluded).get(op.id) ?? check.appliesTo?.(op, { safeMode: input.safeMode });
      if (reason) {
        skipped.push({ checkId: check.id, operationId: op.id, reason });
        continue;
      }
      if (check.identities === 'each') {
        for (const i of input.identities) {
          if (unavailable.has(i.name)) skipped.push({ checkId: check.id, operationId: op.id, identity: i.name, reason: `identity ${i.name} unavailable: ${unavailable.get(i.name)}` });
          else add(check.id, i.name, op.id);
        }
        continue;
      }
      const who = leastIdentity(op, input.identities, unavailable);
      if (who) add(check.id, who.name, op.id);
      else skipped.push({ checkId: check.id, operationId: op.id, reason: op.auth === 'required' ? 'the operation needs authentication and no signed-in identity is usable' : 'no usable identity' });
    }
  }
  return { tasks, skipped };
}
