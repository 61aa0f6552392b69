// src/checks/security/weak-session-id.test.ts — weak-session-id against a fixture issuing cookies from a counter, the
// clock and the MD5 of a counter (confirmed by the next value), and its safe twins: random values, a visit counter
// that is no identifier, a POST with data (never repeated).
import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendHtml, serveFixture, type Fixture } from '../kit/fixture.js';
import { testCheck } from '../kit/tester.js';
import check, { modelOf, type Issued } from './weak-session-id.js';

let app: Fixture;
const counters = new Map<string, number>();
const hits = new Map<string, number>();
const next = (k: string): number => {
  const n = (counters.get(k) ?? 40) + 1;
  counters.set(k, n);
  return n;
};
const md5 = (s: string): string => createHash('md5').update(s).digest('hex');

beforeAll(async () => {
  app = await serveFixture((req, res, url) => {
    hits.set(url.pathname, (hits.get(url.pathname) ?? 0) + 1);
    const value: Record<string, () => string> = {
      '/counter': () => `appSession=${next('c')}`,
      '/clock': () => `appSession=${Math.floor(Date.now() / 1000)}`,
      '/hashed': () => `appSession=${md5(String(next('h')))}; Path=/hashed`,
      '/random': () => `appSession=${randomBytes(20).toString('hex')}`,
      '/visits': () => `visits=${next('v')}`,
      '/comment': () => `appSession=${next('d')}`,
    };
    const make = value[url.pathname];
    if (!make) return sendHtml(res, 404, 'no');
    return sendHtml(res, 200, '<p>ok</p>', { 'set-cookie': make() });
  });
});

afterAll(async () => {
  await app.close();
});

const action = (method: string, path: string) => ({ method, path, params: [], sources: ['html' as const] });

describe('weak-session-id', () => {
  it('confirms a counter, the Unix time and the MD5 of a counter by predicting the next value', async () => {
    const r = await testCheck(check, { url: app.url, operations: [action('POST', '/counter'), action('POST', '/clock'), action('GET', '/hashed')] });
    const by = new Map(r.findings.map((f) => [f.operation.path, f]));
    expect([...by.keys()].sort()).toEqual(['/clock', '/counter', '/hashed']);
    for (const f of r.findings) expect(f.confidence, f.operation.path).toBe('confirmed');
    expect(by.get('/counter')!.proof.summary).toMatch(/set appSession = 41, 42, 43, 44, 45, 46: a counter stepping by 1; the next is predicted to be 47; the next request set appSession = 47/);
    expect(by.get('/clock')!.proof.summary).toMatch(/the Unix time in seconds/);
    expect(by.get('/hashed')!.proof.summary).toContain(`the md5 of a counter stepping by 1; the next is predicted to be ${md5('47')}; the next request set appSession = ${md5('47')}`);
  });

  it('no finding for random values, a cookie that is no identifier, or a POST that carries data (never sent)', async () => {
    hits.clear();
    const comment = { method: 'POST', path: '/comment', params: [{ name: 'text', in: 'form' as const }], sources: ['html' as const] };
    const r = await testCheck(check, { url: app.url, operations: [action('POST', '/random'), action('GET', '/visits'), comment] });
    expect(r.findings).toEqual([]);
    expect(r.outcomes.map((o) => o.status)).toEqual(['clean', 'clean']);
    expect(r.skipped).toContain('POST /comment: a POST with data fields (text): only bare action POSTs are repeated');
    const needs = { method: 'GET', path: '/counter', params: [{ name: 'path', in: 'query' as const, required: true }] };
    const api = await testCheck(check, { url: app.url, operations: [{ ...action('POST', '/counter'), sources: ['spec' as const] }, needs] });
    expect(api.requests).toBe(0);
    expect(api.skipped).toEqual([
      'POST /counter: a POST that is no HTML form: only the bare action of a page (a button) is repeated',
      'GET /counter: a GET with required parameters (path): only bare requests are repeated',
    ]);
    expect(hits.get('/comment')).toBeUndefined();
    expect(hits.get('/random')).toBe(6);
  });

  it('repeats no POST in safe mode', async () => {
    const r = await testCheck(check, { url: app.url, safeMode: true, operations: [action('POST', '/counter')] });
    expect(r.requests).toBe(0);
    expect(r.skipped.join('\n')).toMatch(/safe mode/);
  });

  it('recognises the SHA-1 of the time and stays out of random hex of the same length', () => {
    const now = Date.now();
    const at = (value: string, i: number): Issued => ({ value, sentAt: now + i * 10, answeredAt: now + i * 10 + 5 });
    const sha1 = (s: string): string => createHash('sha1').update(s).digest('hex');
    const t = Math.floor(now / 1000);
    expect(modelOf([0, 1, 2].map((i) => at(sha1(String(t)), i)))).toEqual({ kind: 'time', unit: 's', hash: 'sha1' });
    expect(modelOf([0, 1, 2, 3].map((i) => at(randomBytes(20).toString('hex'), i)))).toBeUndefined();
    expect(modelOf(['a1', 'b2', 'c3'].map(at))).toEqual({ kind: 'short', length: 2 });
    expect(modelOf(['7', '7', '7'].map(at))).toBeUndefined();
  });
});
