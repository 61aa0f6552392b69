// src/execute/index.ts — stage 3: runs the planned tasks; each ends found, clean, inconclusive, crashed or not run.
import { graphqlField, isVouchError, VouchError } from '../core/index.js';
import type { Candidate, EventSink, Operation, PermissionAudit, Plan, TaskOutcome } from '../core/index.js';
import type { AnyCheck } from '../checks/kit/define.js';
import { interruptReason } from '../net/engine.js';
import { createCheckContext, type ScanContextInput } from './context.js';

export { createCheckContext, type ScanContextInput } from './context.js';

export interface ExecuteInput extends ScanContextInput {
  plan: Plan;
  checks: readonly AnyCheck[];
  /** Raw options per check id from vouch.yaml, validated against each check's schema. */
  options?: Record<string, unknown>;
  signal?: AbortSignal;
  onEvent?: EventSink;
  /** Tasks run at once. Default 4. */
  concurrency?: number;
  /** Called as each task ends, with the candidates it proposed (the scan journal keeps them for resume). */
  onTaskDone?: (outcome: TaskOutcome, candidates: Candidate[], audits: PermissionAudit[]) => void;
}

export interface ExecuteResult {
  candidates: Candidate[];
  outcomes: TaskOutcome[];
  /** Permission audits the checks established (`report.audit`). */
  audits: PermissionAudit[];
  /** Why execution stopped early, when it did. */
  stopped?: string;
}

/** Validates every check's options up front, so a bad option fails before any request. */
export function resolveOptions(checks: readonly AnyCheck[], raw: Record<string, unknown> = {}): Map<string, unknown> {
  const out = new Map<string, unknown>();
  for (const check of checks) {
    const parsed = check.options.safeParse(raw[check.id] ?? {});
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new VouchError('VOUCH_CONFIG_INVALID', `checks.${check.id}.options.${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid'}`, { hint: `See docs/checks/${check.id}.md for its options.` });
    }
    out.set(check.id, parsed.data);
  }
  return out;
}

/**
 * A candidate seen on its task's GraphQL operation names the field (`query.search`): several fields share one path,
 * and the field is what its fingerprint, confirmation and re-test follow. Other candidates are kept as they are.
 */
export function withField<C extends Pick<Candidate, 'operation'>>(c: C, op: Operation | undefined): C {
  const field = op ? graphqlField(op) : undefined;
  if (!op || !field || c.operation.graphql || c.operation.method !== op.method || c.operation.path !== op.path) return c;
  return { ...c, operation: { ...c.operation, graphql: field } };
}

export async function execute(input: ExecuteInput): Promise<ExecuteResult> {
  const checks = new Map(input.checks.map((c) => [c.id, c]));
  const ops = new Map(input.surface.operations.map((o) => [o.id, o]));
  const identities = new Map(input.identities.map((i) => [i.name, i]));
  const options = resolveOptions(input.checks, input.options);
  const signal = input.signal ?? new AbortController().signal;
  const emit = input.onEvent ?? (() => undefined);
  const candidates: Candidate[] = [];
  const outcomes: TaskOutcome[] = [];
  const audits: PermissionAudit[] = [];
  let stopped: string | undefined;
  /** The target stopped answering for good: passive tasks still run (they only read what was recorded). */
  let targetGone = false;
  let done = 0;
  const total = input.plan.tasks.length;

  // Active tasks run in parallel; passive ones wait until every active task is done (they read its exchanges).
  const active = input.plan.tasks.filter((t) => checks.get(t.checkId)?.kind === 'active');
  const passive = input.plan.tasks.filter((t) => checks.get(t.checkId)?.kind !== 'active');

  async function runTask(task: Plan['tasks'][number]): Promise<void> {
    const check = checks.get(task.checkId);
    const identity = identities.get(task.identity);
    let outcome: TaskOutcome;
    const mine: Candidate[] = [];
    const mineAudits: PermissionAudit[] = [];
    if ((stopped && !(targetGone && check?.kind === 'passive')) || signal.aborted) {
      outcome = { taskId: task.id, status: 'not-run', reason: stopped ?? interruptReason(signal) };
    } else if (!check || !identity) {
      outcome = { taskId: task.id, status: 'crashed', reason: `plan names unknown ${check ? 'identity' : 'check'} (${task.checkId}/${task.identity})` };
    } else {
      emit({ type: 'task-started', task, total });
      const base = createCheckContext(input, { check, taskId: task.id, operation: task.operationId ? ops.get(task.operationId) : undefined, identity, options: options.get(check.id), signal });
      // Requests the harm guard refused: a task that needed one and found nothing did not run (do no harm), with why.
      let harmed: string | undefined;
      const ctx: typeof base = {
        ...base,
        send: async (r) => {
          const x = await base.send(r);
          if (x.error?.code === 'VOUCH_HARM_REFUSED') harmed ??= x.error.message;
          return x;
        },
      };
      try {
        const result = await check.run(ctx);
        if (result.audit) {
          audits.push(...result.audit);
          mineAudits.push(...result.audit);
        }
        if (result.status === 'found') {
          const op = task.operationId ? ops.get(task.operationId) : undefined;
          for (const c of result.candidates) mine.push({ ...withField(c, op), checkId: check.id, taskId: task.id, identity: c.identity ?? identity.name });
          candidates.push(...mine);
          outcome = { taskId: task.id, status: 'found', candidates: result.candidates.length };
        } else if (harmed !== undefined) outcome = { taskId: task.id, status: 'not-run', reason: harmed };
        else if (result.status === 'clean') outcome = { taskId: task.id, status: 'clean' };
        else outcome = { taskId: task.id, status: 'inconclusive', reason: result.reason };
      } catch (e) {
        if (isVouchError(e) && (e.code === 'VOUCH_BUDGET_EXHAUSTED' || e.code === 'VOUCH_INTERRUPTED' || e.code === 'VOUCH_TARGET_UNAVAILABLE')) {
          if (e.code === 'VOUCH_TARGET_UNAVAILABLE') targetGone = true;
          if (e.code !== 'VOUCH_BUDGET_EXHAUSTED' || !e.message.startsWith('check ')) stopped ??= e.message;
          outcome = { taskId: task.id, status: 'not-run', reason: e.message };
        } else {
          const msg = e instanceof Error ? e.message : String(e);
          outcome = { taskId: task.id, status: 'crashed', reason: `check ${task.checkId} crashed: ${msg}` };
        }
      }
    }
    outcomes.push(outcome);
    done++;
    input.onTaskDone?.(outcome, mine, mineAudits);
    emit({ type: 'task-finished', outcome, done, total });
  }

  async function pool(tasks: Plan['tasks'], width: number): Promise<void> {
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < tasks.length) {
        const task = tasks[next++]!;
        await runTask(task);
      }
    };
    await Promise.all(Array.from({ length: Math.min(width, tasks.length) }, worker));
  }

  await pool(active, input.concurrency ?? 4);
  await pool(passive, 1);
  const order = new Map(input.plan.tasks.map((t, i) => [t.id, i]));
  outcomes.sort((a, b) => (order.get(a.taskId) ?? 0) - (order.get(b.taskId) ?? 0));
  return { candidates, outcomes, audits, ...(stopped ? { stopped } : {}) };
}
