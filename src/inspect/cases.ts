// src/inspect/cases.ts — one operation's generated cases for inspect: positives then negatives, phase by phase, with a soft time budget.
import type { Operation } from '../core/index.js';
import { generateCases, type GeneratedCase, type Phase } from '../generate/index.js';

export interface CaseOptions {
  positives: number;
  negatives: number;
  seed: number;
  specVersion: string;
  /** Checked between phases (a phase itself is not interrupted here; isolate.ts stops one that never ends). */
  budgetMs: number;
}

export interface CaseResult {
  cases: GeneratedCase[];
  skipped?: string;
  timedOut?: boolean;
  /** What the generator set aside: examples that contradict their schema, patterns it could not use. */
  warnings?: string[];
  ms: number;
}

/**
 * Spec example, then generated valid values, then boundary values (at most `positives`); then invalid ones (at most
 * `negatives`). Same generator, seeds and counts-from-the-front as scans, so `--seed` reproduces a scan's data.
 */
export function casesFor(op: Operation, o: CaseOptions): CaseResult {
  const start = performance.now();
  const out: CaseResult = { cases: [], ms: 0 };
  const seen = new Set<string>();
  const positives: GeneratedCase[] = [];
  const negatives: GeneratedCase[] = [];
  const steps: Array<{ phases: Phase[]; into: GeneratedCase[]; want: number }> = [
    { phases: ['example'], into: positives, want: o.positives },
    { phases: ['positive'], into: positives, want: o.positives },
    { phases: ['boundary'], into: positives, want: o.positives },
    { phases: ['negative'], into: negatives, want: o.negatives },
  ];
  for (const step of steps) {
    if (step.into.length >= step.want) continue;
    if (performance.now() - start > o.budgetMs) {
      out.timedOut = true;
      out.skipped ??= `generation stopped at the ${o.budgetMs} ms budget`;
      break;
    }
    try {
      const want = step.want - step.into.length;
      const left = Math.max(1, o.budgetMs - (performance.now() - start));
      const set = generateCases(op, { seed: o.seed, count: want, negatives: want, specVersion: o.specVersion, phases: step.phases, budgetMs: left });
      for (const w of set.warnings ?? []) if (!(out.warnings ??= []).includes(w)) out.warnings.push(w);
      if (set.skipped && step.phases.includes('positive')) out.skipped = set.skipped;
      for (const c of set.cases) {
        const key = JSON.stringify(c.values);
        if (seen.has(key) || step.into.length >= step.want) continue;
        seen.add(key);
        step.into.push(c);
      }
    } catch (e) {
      out.skipped = `the generator failed: ${e instanceof Error ? e.message : String(e)}`;
      break;
    }
  }
  const ms = performance.now() - start;
  if (ms > o.budgetMs) out.timedOut = true;
  out.cases = [...positives, ...negatives];
  out.ms = Math.round(ms);
  return out;
}
