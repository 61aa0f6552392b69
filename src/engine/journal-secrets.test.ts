// src/engine/journal-secrets.test.ts — what the scan journal keeps holds no secret: keepsNoSecret (which finished
// tasks may be kept) and surfaceSnapshot (the surface kept for resume).
import { describe, expect, it } from 'vitest';
import { createRedactor } from '../net/index.js';
import { keepsNoSecret, type Candidate, type Surface, type TaskResult } from '../core/index.js';
import { surfaceSnapshot } from './scan.js';

const TOKEN = 'tok-"quoted"\\-9f3a';
const redact = createRedactor([TOKEN]);
const candidate = (extra: Partial<Candidate> = {}): Candidate => ({ checkId: 'c', taskId: 't1', operation: { method: 'GET', path: '/me' }, url: 'http://127.0.0.1:1/me', identity: 'alice', vulnClass: 'v', confidence: 'tentative', proof: { summary: 'GET /me → 200', exchangeIds: ['x000001'] }, ...extra });
const result = (...candidates: Candidate[]): TaskResult => ({ outcome: { taskId: 't1', status: candidates.length ? 'found' : 'clean', ...(candidates.length ? { candidates: candidates.length } : {}) } as TaskResult['outcome'], candidates });

describe('keepsNoSecret', () => {
  it('keeps results that hold no secret the redactor knows', () => {
    expect(keepsNoSecret(result(), redact.url)).toBe(true);
    expect(keepsNoSecret(result(candidate({ data: { probe: '/me', n: 3 } })), redact.url)).toBe(true);
  });

  it('refuses a known secret anywhere (data, proof, a key), quotes and backslashes included, and a secret URL part', () => {
    expect(keepsNoSecret(result(candidate({ data: { token: TOKEN } })), redact.url)).toBe(false);
    expect(keepsNoSecret(result(candidate({ proof: { summary: `sent ${TOKEN}`, exchangeIds: [] } })), redact.url)).toBe(false);
    expect(keepsNoSecret(result(candidate({ data: { [TOKEN]: 1 } })), redact.url)).toBe(false);
    expect(keepsNoSecret(result(candidate({ url: 'http://127.0.0.1:1/me?access_token=abcdef' })), redact.url)).toBe(false);
    const inconclusive: TaskResult = { outcome: { taskId: 't1', status: 'inconclusive', reason: `login answered ${TOKEN}` }, candidates: [] };
    expect(keepsNoSecret(inconclusive, redact.url)).toBe(false);
  });

  it('refuses a candidate that declares secrets the redactor does not know (a cracked key)', () => {
    expect(keepsNoSecret(result(candidate({ data: { secret: 'shhhhhhared-secret' }, secrets: ['shhhhhhared-secret'] })), redact.url)).toBe(false);
    expect(keepsNoSecret(result(candidate({ data: { secret: 'shhhhhhared-secret' } })), redact.url)).toBe(true);
  });
});

describe('surfaceSnapshot', () => {
  const surface = (password: string, sid: string): Surface => ({
    target: 'http://127.0.0.1:1',
    warnings: [],
    operations: [
      { id: 'POST /login', method: 'POST', path: '/login', auth: 'none', sources: ['har'], params: [{ name: 'user', in: 'form', examples: ['alice'] }, { name: 'password', in: 'form', examples: [password] }] },
      { id: 'GET /feed', method: 'GET', path: '/feed', auth: 'unknown', sources: ['html'], params: [{ name: 'ref', in: 'query', examples: [`http://127.0.0.1:1/x?session=${sid}`, TOKEN] }] },
    ],
  });

  it('drops examples of secret-named parameters and masks known secrets and secret URL parts; the rest is kept', () => {
    const kept = JSON.stringify(surfaceSnapshot(surface('hunter2-pw', 'abcdef123456'), redact));
    for (const secret of ['hunter2-pw', 'abcdef123456', TOKEN]) expect(kept).not.toContain(secret);
    const again = surfaceSnapshot(surface('hunter2-pw', 'abcdef123456'), redact);
    expect(again.operations[0]!.params).toEqual([{ name: 'user', in: 'form', examples: ['alice'] }, { name: 'password', in: 'form' }]);
    expect(again.operations[1]!.params[0]!.examples).toEqual(['http://127.0.0.1:1/x?session=[REDACTED]', '[REDACTED]']);
  });
});
