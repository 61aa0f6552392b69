// test/corpus/slice.test.ts — a slice of the spec corpus (test/corpus/slice.json, picked by pick-slice.mjs: 2.0, 3.0,
// 3.1, YAML, recursion, allOf/oneOf, huge and tiny) through the same survey as `npm run bench -- specs`, on src/:
// no crash, positives valid (≥ 99%), negatives break exactly their claim. Operations are capped per spec (first
// MAX_PATHS paths) to keep the wall time small; the bench runs every operation of every spec.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
// @ts-expect-error -- a plain ES module shared with the bench (no types)
import { analyseFile } from '../../bench/specs-survey.mjs';
import * as core from '../../src/core/index.js';
import * as openapi from '../../src/discover/openapi.js';
import * as generate from '../../src/generate/index.js';
import * as verify from '../../src/generate/verify.js';
import * as inspect from '../../src/inspect/analyse.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const slice = JSON.parse(readFileSync(join(root, 'test', 'corpus', 'slice.json'), 'utf8')) as { maxPaths: number; specs: string[] };

interface Survey {
  id: string;
  rejected?: string;
  operations: number;
  covered: number;
  positives: number;
  positivesValid: number;
  negatives: number;
  negativesExact: number;
  badPositives: string[];
  badNegatives: string[];
}

const present = slice.specs.filter((id) => existsSync(join(root, 'node_modules', id)));

describe('spec corpus slice', () => {
  it.skipIf(present.length === 0)(`${slice.specs.length} specs: no crash, positives valid, negatives exact`, async () => {
    // A missing corpus (package not installed) skips the test; a partly missing one is a broken install.
    expect(present).toHaveLength(slice.specs.length);
    const mods = { openapi, generate, verify, core, inspect };
    const crashes: string[] = [];
    const results: Survey[] = [];
    for (const id of present) {
      try {
        results.push((await analyseFile(join(root, 'node_modules', id), id, mods, { maxOps: slice.maxPaths, opBudgetMs: 2000 })) as Survey);
      } catch (e) {
        crashes.push(`${id}: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
      }
    }
    expect(crashes).toEqual([]);
    const sum = (k: keyof Survey): number => results.reduce((a, r) => a + (r[k] as number), 0);
    const usable = results.filter((r) => !r.rejected);
    expect(usable.length).toBeGreaterThan(slice.specs.length * 0.9);
    expect(sum('operations')).toBeGreaterThan(500);
    expect(sum('positivesValid') / sum('positives'), results.flatMap((r) => r.badPositives).join('\n')).toBeGreaterThanOrEqual(0.99);
    expect(sum('negativesExact') / sum('negatives'), results.flatMap((r) => r.badNegatives).join('\n')).toBeGreaterThanOrEqual(0.99);
    expect(sum('covered') / sum('operations')).toBeGreaterThan(0.9);
  }, 120_000);
});
