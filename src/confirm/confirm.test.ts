// src/confirm/confirm.test.ts — stage 4 alone: a replay decides confidence, the proof gains its exchanges, and nothing
// is confirmed without an exchange, whatever a check claims or however its confirmation ends.
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { VouchError } from '../core/index.js';
import type { Candidate, HttpEngine, Identity, Surface } from '../core/index.js';
import { defineCheck, type Confirmation } from '../checks/kit/define.js';
import { confirm } from './index.js';

const anonymous: Identity = { name: 'anonymous', role: 'anonymous', auth: { kind: 'none' } };
const surface: Surface = { operations: [{ id: 'GET /a', method: 'GET', path: '/a', parameters: [], sources: ['spec'] }] } as unknown as Surface;
const engine = {} as HttpEngine;

function checkWith(outcome: () => Promise<Confirmation>, seen: Array<string | undefined> = []) {
  return defineCheck({
    id: 'probe-check',
    family: 'security',
    kind: 'active',
    scope: 'operation',
    meta: { title: 't', description: 'd', severity: 'high', remediation: 'r', proves: 'p' },
    options: z.object({}).default({}),
    run: () => Promise.resolve({ status: 'clean' }),
    confirm: (_c, ctx) => {
      seen.push(ctx.operation?.path);
      return outcome();
    },
    example: { url: '/a', summary: 's' },
  });
}

function candidate(over: Partial<Candidate> = {}): Candidate {
  return {
    checkId: 'probe-check',
    taskId: 't1',
    operation: { method: 'GET', path: '/a' },
    url: 'http://127.0.0.1/a',
    identity: 'anonymous',
    vulnClass: 'x',
    confidence: 'tentative',
    proof: { summary: 'sent x, saw y', exchangeIds: ['e1'] },
    ...over,
  };
}

const base = { surface, target: { url: 'http://127.0.0.1' } as never, engine, safeMode: false, identities: [anonymous] };

describe('confirm', () => {
  it('a reproduced replay confirms, with its exchanges added after the original ones and the operation handed to the check', async () => {
    const seen: Array<string | undefined> = [];
    const check = checkWith(() => Promise.resolve({ confirmed: true, exchangeIds: ['e1', 'e2'], summary: 'replayed' }), seen);
    const [c] = await confirm({ ...base, candidates: [candidate()], checks: [check] });
    expect(c!.confidence).toBe('confirmed');
    expect(c!.proof.exchangeIds).toEqual(['e1', 'e2']);
    expect(c!.proof.summary).toBe('replayed');
    expect(seen).toEqual(['/a']);
  });

  it('a replay that does not reproduce stays tentative and says why', async () => {
    const check = checkWith(() => Promise.resolve({ confirmed: false, exchangeIds: ['e3'], reason: 'control differed' }));
    const [c] = await confirm({ ...base, candidates: [candidate({ confidence: 'confirmed' })], checks: [check] });
    expect(c!.confidence).toBe('tentative');
    expect(c!.proof.summary).toContain('not confirmed: control differed');
  });

  it('a confirmation that throws leaves the candidate tentative with the error', async () => {
    const check = checkWith(() => Promise.reject(new Error('socket hang up')));
    const [c] = await confirm({ ...base, candidates: [candidate()], checks: [check] });
    expect(c!.confidence).toBe('tentative');
    expect(c!.proof.summary).toContain('confirmation crashed: socket hang up');
  });

  it('a confirmation the target could not answer (gone for good) stays tentative with that reason, not as a crash', async () => {
    const gone = new VouchError('VOUCH_TARGET_UNAVAILABLE', 'target-unavailable: http://127.0.0.1 stopped answering');
    const check = checkWith(() => Promise.reject(gone));
    const [c] = await confirm({ ...base, candidates: [candidate()], checks: [check] });
    expect(c!.confidence).toBe('tentative');
    expect(c!.proof.summary).toContain('(not confirmed: target-unavailable: http://127.0.0.1 stopped answering)');
    expect(c!.proof.summary).not.toContain('crashed');
  });

  it('a check without confirm() cannot claim confirmed without an exchange; with one it keeps its claim', async () => {
    const { confirm: _unused, ...bare } = checkWith(() => Promise.resolve({ confirmed: true, exchangeIds: [] }));
    const out = await confirm({
      ...base,
      candidates: [candidate({ confidence: 'confirmed', proof: { summary: 's', exchangeIds: [] } }), candidate({ confidence: 'confirmed' })],
      checks: [bare],
    });
    expect(out.map((c) => c.confidence)).toEqual(['tentative', 'confirmed']);
  });

  it('an aborted scan confirms nothing more', async () => {
    const ac = new AbortController();
    ac.abort();
    const check = checkWith(() => Promise.resolve({ confirmed: true, exchangeIds: ['e2'] }));
    const [c] = await confirm({ ...base, candidates: [candidate()], checks: [check], signal: ac.signal });
    expect(c!.confidence).toBe('tentative');
  });
});
