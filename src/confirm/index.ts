// src/confirm/index.ts — stage 4: replays and controls that prove a candidate; what cannot be proven stays tentative.
import { graphqlField, isVouchError } from '../core/index.js';
import type { Candidate } from '../core/index.js';
import type { AnyCheck } from '../checks/kit/define.js';
import { createCheckContext, resolveOptions, type ScanContextInput } from '../execute/index.js';

export interface ConfirmInput extends ScanContextInput {
  candidates: readonly Candidate[];
  checks: readonly AnyCheck[];
  options?: Record<string, unknown>;
  signal?: AbortSignal;
}

export async function confirm(input: ConfirmInput): Promise<Candidate[]> {
  const checks = new Map(input.checks.map((c) => [c.id, c]));
  const identities = new Map(input.identities.map((i) => [i.name, i]));
  const options = resolveOptions(input.checks, input.options);
  const signal = input.signal ?? new AbortController().signal;
  const out: Candidate[] = [];
  for (const c of input.candidates) {
    const check = checks.get(c.checkId);
    const identity = identities.get(c.identity);
    if (!check?.confirm || !identity || signal.aborted) {
      out.push(provable(c));
      continue;
    }
    // The same operation the candidate was seen on: for GraphQL the same root field, not the path's first field.
    const onRoute = input.surface.operations.filter((o) => o.method === c.operation.method && o.path === c.operation.path);
    const operation = onRoute.find((o) => graphqlField(o) === c.operation.graphql) ?? (c.operation.graphql ? undefined : onRoute[0]);
    const ctx = createCheckContext(input, { check, taskId: c.taskId, operation, identity, options: options.get(check.id), signal });
    try {
      const r = await check.confirm(c, ctx);
      const exchangeIds = [...c.proof.exchangeIds, ...r.exchangeIds.filter((id) => !c.proof.exchangeIds.includes(id))];
      const summary = r.confirmed ? (r.summary ?? c.proof.summary) : `${c.proof.summary} (not confirmed: ${r.reason ?? 'the replay did not reproduce it'})`;
      out.push(provable({ ...c, confidence: r.confirmed ? 'confirmed' : 'tentative', proof: { ...c.proof, summary, exchangeIds } }));
    } catch (e) {
      // The target gone for good (or the scan stopped) is why there is no proof, not a crash of the check.
      const why = isVouchError(e) ? e.message : `confirmation crashed: ${e instanceof Error ? e.message : String(e)}`;
      out.push({ ...c, confidence: 'tentative', proof: { ...c.proof, summary: `${c.proof.summary} (not confirmed: ${why})` } });
    }
  }
  return out;
}

/** A candidate may claim `confirmed` only with at least one exchange that shows it. */
export function provable(c: Candidate): Candidate {
  return c.confidence === 'confirmed' && c.proof.exchangeIds.length === 0 ? { ...c, confidence: 'tentative' } : c;
}
