// src/engine/gate-resume.test.ts — a gate's candidate scan is journaled like a scan: interrupted after some tasks, it resumes from the store with the findings of an uninterrupted gate.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startLab, type RunningLab } from '../../lab/server.js';
import { selectChecks } from '../cli/commands/shared.js';
import { parseConfig, resolveRun } from '../config/index.js';
import type { EventSink, Report } from '../core/index.js';
import { openSqliteHistory, type HistoryStore } from '../store/index.js';
import { runGate } from './gate.js';
import { runScan } from './scan.js';

const tmp = mkdtempSync(join(tmpdir(), 'vouch-gate-resume-'));
let lab: RunningLab;
let store: HistoryStore;
beforeAll(async () => {
  lab = await startLab({ variant: 'candidate' });
  store = await openSqliteHistory(join(tmp, 'h.db'));
});
afterAll(async () => {
  await store?.close();
  await lab?.close();
});

it('an interrupted gate job resumes its candidate from the journal: no task run twice, the same findings', { timeout: 60_000 }, async () => {
  const config = parseConfig('target: { environment: local, spec: /openapi.json }\nbudget: { concurrency: 2 }\ndiscovery: { crawl: false }\n', 'vouch.yaml');
  const run = resolveRun(config, { url: lab.url });
  const { checks, only } = selectChecks('security-headers,sensitive-files,verbose-errors');
  const common = { config, checks, ...(only ? { only } : {}), candidate: run, seed: 7 };
  const base = await runScan({ run, config, checks, ...(only ? { only } : {}), scanDir: join(tmp, 'base'), seed: 7 });
  const baseline = { kind: 'report' as const, report: base, ref: 'base.json' };
  const prints = (r: Report): string[] => r.findings.map((f) => f.fingerprint).sort();
  const reference = await runGate({ ...common, baseline, outDir: join(tmp, 'ref') });

  // Stopped once its first candidate task has ended (a worker stopping, or dying after its journal was written).
  const stop = new AbortController();
  const onEvent = (label: 'baseline' | 'candidate'): EventSink => (e) => {
    if (label === 'candidate' && e.type === 'task-finished') stop.abort(new Error('worker stopping'));
  };
  const first = store.journal((e) => expect.fail(e.message));
  const cut = await runGate({ ...common, baseline, scanId: 'g1', outDir: join(tmp, 'g1'), journal: first, args: { url: lab.url }, signal: stop.signal, onEvent });
  await first.flush();
  expect(cut.candidate.partial).toMatchObject({ reason: 'worker stopping' });
  const resume = await store.resumable('g1');
  expect(resume.done.length).toBeGreaterThan(0);
  expect(resume.done.length).toBeLessThan(resume.inputs.plan.tasks.length);
  expect(resume.inputs.args.seed).toBe(7);

  const again = store.journal((e) => expect.fail(e.message));
  const ran: string[] = [];
  const resumed = await runGate({ ...common, baseline, scanId: 'g1', outDir: join(tmp, 'g1b'), journal: again, resume, args: { url: lab.url }, onEvent: (label) => (e) => void (label === 'candidate' && e.type === 'task-finished' && ran.push(e.outcome.taskId)) });
  await again.flush();
  expect(resumed.candidate.partial).toBeFalsy();
  expect(resumed.candidate.scanId).toBe('g1');
  const before = new Set(resume.done.map((d) => d.outcome.taskId));
  expect(ran.filter((t) => before.has(t))).toEqual([]); // finished tasks are not run again
  expect(prints(resumed.candidate)).toEqual(prints(reference.candidate));
});
