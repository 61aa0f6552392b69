// src/prioritize/completeness.test.ts — coverage from task records and skips, each incomplete cause, fail over incomplete.
import { describe, expect, it } from 'vitest';
import type { Family, SkippedTask, TaskRecord, VerdictReason } from '../core/index.js';
import { computeCoverage, finalVerdict, incompleteCauses, type CompletenessInput, type CoverageInput } from './completeness.js';

const families: Record<string, Family> = { 'sql-injection': 'security', 'missing-headers': 'security', 'response-time': 'reliability', bola: 'authorization' };

const task = (checkId: string, operationId: string | undefined, status: TaskRecord['status'], identity = 'anon', reason?: string): TaskRecord => ({
  checkId,
  identity,
  status,
  ...(operationId ? { operationId } : {}),
  ...(reason ? { reason } : reason === undefined && status !== 'found' && status !== 'clean' ? { reason: `${status} because` } : {}),
});

const coverageOf = (tasks: TaskRecord[], skipped: SkippedTask[] = [], over: Partial<CoverageInput> = {}) =>
  computeCoverage({ tasks, skipped, operations: ['GET /a', 'GET /b', 'POST /c'], families, minCoverage: 0.9, ...over });

/** Ten tasks on GET /a and GET /b of which `answered` get a real answer, the rest inconclusive. */
const tenTasks = (answered: number): TaskRecord[] =>
  Array.from({ length: 10 }, (_, i) => task('sql-injection', i % 2 ? 'GET /a' : 'GET /b', i < answered ? (i % 3 ? 'clean' : 'found') : 'inconclusive', `u${i}`));

const judge = (over: Partial<CompletenessInput> & { tasks: TaskRecord[] }, skipped: SkippedTask[] = []) =>
  incompleteCauses({ coverage: coverageOf(over.tasks, skipped), identities: [], ...over });

describe('computeCoverage', () => {
  it('counts real answers (found, clean) over planned tasks, per family and per operation', () => {
    const tasks = [
      task('sql-injection', 'GET /a', 'found'),
      task('sql-injection', 'GET /b', 'clean'),
      task('response-time', 'GET /a', 'inconclusive', 'anon', 'rate limited'),
      task('bola', 'GET /b', 'crashed', 'alice', 'check bola crashed: boom'),
      task('missing-headers', undefined, 'not-run', 'anon', 'interrupted by SIGINT'),
    ];
    const skipped: SkippedTask[] = [{ checkId: 'bola', operationId: 'POST /c', reason: 'identity bob could not log in' }];
    const c = coverageOf(tasks, skipped);
    expect(c).toMatchObject({ planned: 5, answered: 2, inconclusive: 1, crashed: 1, notRun: 1, skipped: 1, ratio: 0.4, minCoverage: 0.9 });
    expect(c.byFamily.map((f) => [f.family, f.answered, f.planned, f.skipped])).toEqual([
      ['authorization', 0, 1, 1],
      ['reliability', 0, 1, 0],
      ['security', 2, 3, 0],
    ]);
    expect(c.operations.map((o) => [o.operationId, o.answered, o.planned])).toEqual([
      ['GET /a', 1, 2],
      ['GET /b', 1, 2],
      ['POST /c', 0, 0],
      ['*', 0, 1],
    ]);
    // POST /c got nothing: named, with the plan's reason; target-wide tasks are never an "operation".
    expect(c.untested).toEqual([{ operationId: 'POST /c', reason: 'skipped: identity bob could not log in' }]);
    expect(c.gaps.map((g) => `${g.status} ${g.checkId} ${g.operationId ?? '-'} ${g.identity ?? '-'}: ${g.reason}`)).toEqual([
      'inconclusive response-time GET /a anon: rate limited',
      'crashed bola GET /b alice: check bola crashed: boom',
      'not-run missing-headers - anon: interrupted by SIGINT',
      'skipped bola POST /c -: identity bob could not log in',
    ]);
  });

  it('names an operation without any task as untested because no check applies', () => {
    const c = coverageOf([task('sql-injection', 'GET /a', 'clean'), task('sql-injection', 'GET /b', 'clean')]);
    expect(c.untested).toEqual([{ operationId: 'POST /c', reason: 'no check applies' }]);
  });

  it('counts not re-tested baseline findings as planned tasks without an answer', () => {
    const plain = coverageOf(tenTasks(10));
    const retest = coverageOf(tenTasks(10), [], { notRetested: 2 });
    expect(plain.ratio).toBe(1);
    expect(retest).toMatchObject({ planned: 12, answered: 10, notRetested: 2 });
    expect(retest.ratio).toBeCloseTo(10 / 12, 3);
  });

  it('gives ratio 1 for an empty plan', () => {
    expect(coverageOf([]).ratio).toBe(1);
  });
});

describe('incompleteCauses', () => {
  it('gives none for a complete, well-covered scan', () => {
    expect(judge({ tasks: tenTasks(10) })).toEqual([]);
  });

  it('login-failed and session-lost name the identity', () => {
    const causes = judge({
      tasks: tenTasks(10),
      identities: [
        { name: 'alice', reason: 'login http://x/login answered 401', lost: false },
        { name: 'bob', reason: 're-login answered 500', lost: true },
      ],
    });
    expect(causes.map((c) => [c.cause, c.identity])).toEqual([
      ['login-failed', 'alice'],
      ['session-lost', 'bob'],
    ]);
    expect(causes[0]!.message).toContain('answered 401');
  });

  it.each([
    ['interrupted', 'interrupted by SIGINT'],
    ['budget', 'the request budget of 10 is spent'],
    ['target-unavailable', 'http://x failed 5 times in a row; vouch stopped sending there'],
  ] as const)('a stop by %s is its own cause with the tasks not run', (by, reason) => {
    const causes = judge({ tasks: tenTasks(10), stop: { by, reason, notRun: 3 } });
    expect(causes).toEqual([{ cause: by, tasks: 3, message: `${reason}; 3 planned tasks not run` }]);
  });

  it('an origin the breaker left open is target-unavailable, once', () => {
    expect(judge({ tasks: tenTasks(10), unavailable: ['http://127.0.0.1:1'] }).map((c) => c.cause)).toEqual(['target-unavailable']);
    const stop = { by: 'target-unavailable' as const, reason: 'http://127.0.0.1:1 stopped answering', notRun: 1 };
    expect(judge({ tasks: tenTasks(10), unavailable: ['http://127.0.0.1:1'], stop }).map((c) => c.cause)).toEqual(['target-unavailable']);
  });

  it('check-crashed: one cause per check, with the count', () => {
    const tasks = [...tenTasks(10), ...Array.from({ length: 3 }, (_, i) => task('bola', 'GET /a', 'crashed', `u${i}`, 'check bola crashed: TypeError'))];
    // 10 of 13 answered: also below 0.9, so coverage follows the crash.
    const causes = judge({ tasks });
    expect(causes.map((c) => c.cause)).toEqual(['check-crashed', 'coverage']);
    expect(causes[0]).toMatchObject({ checkId: 'bola', tasks: 3 });
    expect(causes[0]!.message).toContain('check bola crashed: TypeError (3 tasks)');
  });

  it('coverage: exactly minCoverage passes, just below is incomplete', () => {
    expect(judge({ tasks: tenTasks(9) })).toEqual([]);
    const causes = judge({ tasks: tenTasks(8) });
    expect(causes).toHaveLength(1);
    expect(causes[0]).toMatchObject({ cause: 'coverage' });
    expect(causes[0]!.message).toMatch(/^8 of 10 planned tasks got a real answer \(80%, policy.minCoverage 90%\): 2 inconclusive/u);
  });

  it('coverage: minCoverage 0 accepts any ratio; an empty plan is never complete', () => {
    const coverage = computeCoverage({ tasks: tenTasks(0), skipped: [], operations: [], families, minCoverage: 0 });
    expect(incompleteCauses({ coverage, tasks: tenTasks(0), identities: [] })).toEqual([]);
    const empty = judge({ tasks: [] }, [{ checkId: 'bola', reason: 'identity alice could not log in' }]);
    expect(empty).toEqual([{ cause: 'coverage', message: 'nothing was tested: the plan has no task (1 skipped)' }]);
  });
});

describe('finalVerdict', () => {
  const fail: VerdictReason = { rule: 'new-confirmed-high', level: 'fail', message: '1 finding', fingerprints: ['f'] };
  const warn: VerdictReason = { rule: 'tentative', level: 'warn', message: '1 finding', fingerprints: ['g'] };
  const cause = { cause: 'interrupted' as const, message: 'interrupted by SIGINT; 3 planned tasks not run' };

  it('pass only with no failing rule and no cause', () => {
    expect(finalVerdict({ reasons: [warn] }, [])).toEqual({ pass: true, status: 'pass', reasons: [warn] });
  });

  it('incomplete when a cause applies and no rule fails; pass is false', () => {
    expect(finalVerdict({ reasons: [warn] }, [cause])).toEqual({ pass: false, status: 'incomplete', reasons: [warn], incomplete: [cause] });
  });

  it('fail wins over incomplete and keeps the causes', () => {
    expect(finalVerdict({ reasons: [warn, fail] }, [cause])).toEqual({ pass: false, status: 'fail', reasons: [warn, fail], incomplete: [cause] });
  });

  it('extra reasons (deployment) come first and can fail; the profile is kept', () => {
    const v = finalVerdict({ reasons: [warn], profile: { name: 'ai-influenced', why: 'trailer' } }, [], [fail]);
    expect(v).toEqual({ pass: false, status: 'fail', reasons: [fail, warn], profile: { name: 'ai-influenced', why: 'trailer' } });
  });
});

describe('do no harm in coverage', () => {
  it('counts a task held back to do no harm as skipped, with its reason, not against coverage', () => {
    const held = task('bola', 'POST /c', 'not-run', 'alice', 'do no harm: DELETE /c/1 is aimed at an object vouch did not create');
    const stopped = task('bola', 'GET /b', 'not-run', 'alice', 'the scan was interrupted');
    const c = coverageOf([task('sql-injection', 'GET /a', 'clean'), held, stopped]);
    expect(c.planned).toBe(2);
    expect(c.answered).toBe(1);
    expect(c.skipped).toBe(1);
    expect(c.notRun).toBe(1);
    expect(c.gaps).toContainEqual({ operationId: 'POST /c', checkId: 'bola', identity: 'alice', status: 'skipped', reason: held.reason });
  });
});
