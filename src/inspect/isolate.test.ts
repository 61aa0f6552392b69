// src/inspect/isolate.test.ts — the generation worker: a never-ending generation is stopped at the hard limit, the rest go on.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { Operation } from '../core/index.js';
import { casesFor, type CaseResult } from './cases.js';
import { generateIsolated } from './isolate.js';

// The compiled worker's protocol over dist/ (npm test builds it first), except that /never spins forever: the
// generator itself now ends on every schema the corpus offered, so a real never-ending schema is not at hand.
const WORKER = new URL('../../test/support/hanging-worker.mjs', import.meta.url);
const DIST = new URL('../../dist/src/inspect/worker.js', import.meta.url);

const op = (path: string, schema: Record<string, unknown>): Operation => ({ id: `GET ${path}`, method: 'GET', path, params: [{ name: 'q', in: 'query', required: true, schema }], auth: 'none', sources: ['spec'] });
const NEVER = op('/never', { type: 'string' });
const FINE = op('/fine', { type: 'string', maxLength: 8 });
const options = { positives: 2, negatives: 1, seed: 9, specVersion: '3.0.3', budgetMs: 60_000 };

describe('generateIsolated', () => {
  it('stops the operation that never ends, reports it, and generates the others as in-process', async () => {
    expect(existsSync(fileURLToPath(DIST)), 'dist/ is missing: run npm run setup').toBe(true);
    const got: Array<[number, CaseResult]> = [];
    const t0 = performance.now();
    const next = await generateIsolated([FINE, NEVER, FINE], options, 1500, (i, r) => got.push([i, r]), WORKER);
    expect(next).toBe(3);
    expect(performance.now() - t0).toBeLessThan(20_000);
    expect(got.map(([i]) => i)).toEqual([0, 1, 2]);
    expect(got[1]![1]).toMatchObject({ cases: [], timedOut: true, skipped: 'generation did not finish within 1500 ms and was stopped' });
    const inProcess = casesFor(FINE, options);
    for (const i of [0, 2]) expect(got[i]![1].cases).toEqual(inProcess.cases);
    expect(inProcess.cases.length).toBeGreaterThan(1);
  });
});
