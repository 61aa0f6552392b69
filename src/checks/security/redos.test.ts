// src/checks/security/redos.test.ts — ReDoS on a catastrophic `(a+)+` query check and a naive e-mail pattern on a
// JSON field, against linear twins, a payload that is slow but does not grow, and targets that give no answer.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveFixture, sendJson, type Fixture } from '../kit/fixture.js';
import { testCheck } from '../kit/tester.js';
import { pbkdf2Sync } from 'node:crypto';
import check, { benign, proven, SHAPES, shapesFor, stringPoints, type Round } from './redos.js';

// eslint-disable-next-line no-useless-escape -- the vulnerable pattern as found in the wild, escapes and all
const EMAIL = /^([a-zA-Z0-9])(([\-.]|[_]+)?([a-zA-Z0-9]+))*(@){1}[a-z0-9]+[.]{1}(([a-z]{2,3})|([a-z]{2,3}[.]{1}[a-z]{2,3}))$/;
const LINEAR_EMAIL = /^[^@\s]+@[^@\s.]+(\.[^@\s.]+)+$/;
const wait = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

let app: Fixture;
beforeAll(async () => {
  app = await serveFixture(async (req, res, url) => {
    const q = url.searchParams.get('q') ?? '';
    if (url.pathname === '/search') {
      // A backtracking engine's time doubles per character of the run it gives up on; simulated with a timer so a
      // machine loaded by the rest of the suite measures the same curve (the e-mail test below runs a real pattern).
      const run = /^(a+)[^a]/.exec(q)?.[1]?.length ?? 0;
      if (run > 12) await wait(Math.min(2 ** (run - 16), 5000));
      return sendJson(res, 200, { valid: /^a+$/.test(q) });
    }
    if (url.pathname === '/search-safe') return sendJson(res, 200, { valid: /^a+$/.test(q) });
    if (url.pathname === '/bang') {
      if (q.includes('!')) await wait(300); // slow for the breaking character, whatever the length
      return sendJson(res, 200, { ok: true });
    }
    if (url.pathname === '/down') return sendJson(res, 503, { error: 'maintenance' });
    if (url.pathname === '/login') {
      // A login whose time is set by a CPU-bound hash (synchronous, as the lab's scrypt): under concurrent requests
      // each answer waits for the hashes queued before it, whatever the input.
      const body = JSON.parse(req.body || '{}') as { user?: string; password?: string };
      pbkdf2Sync(String(body.password ?? ''), 'salt', 40_000, 32, 'sha256');
      return sendJson(res, 401, { error: 'bad credentials' });
    }
    const email = (JSON.parse(req.body || '{}') as { email?: string }).email ?? '';
    if (url.pathname === '/signup') return sendJson(res, EMAIL.test(email) ? 201 : 422, { email });
    if (url.pathname === '/signup-safe') return sendJson(res, LINEAR_EMAIL.test(email) ? 201 : 422, { email });
    return sendJson(res, 404, {});
  });
});
afterAll(() => app.close());

const query = (path: string) => ({ method: 'GET', path, params: [{ name: 'q', in: 'query' as const, schema: { type: 'string' }, examples: ['aaa'] }] });
const signup = (path: string) => ({ method: 'POST', path, params: [], requestBody: { contentType: 'application/json', schema: { type: 'object', properties: { email: { type: 'string', format: 'email' }, age: { type: 'integer' } } } } });
/** The simulated (a+)+ doubles its time per character: this ladder crosses at 26 chars in ~0.5 s. */
const short = { lengths: [14, 18, 22, 26] };

describe('redos', () => {
  it('builds pattern-breaking and benign values of each length, and picks shapes by field', () => {
    expect(SHAPES.letters(6)).toBe('aaaaa!');
    expect(SHAPES.email(10)).toBe('a@a.aaaaa!');
    expect(benign(7)).toBe('a b c d');
    for (const n of [16, 28]) for (const v of [SHAPES.letters(n), SHAPES.digits(n), SHAPES.email(n), benign(n)]) expect(v).toHaveLength(n);
    const op = { ...signup('/signup'), id: 'POST /signup', auth: 'none' as const, sources: ['spec' as const] };
    expect(stringPoints(op).map((p) => p.name)).toEqual(['email']); // the integer field is no string
    expect(shapesFor(op, stringPoints(op)[0]!)).toEqual(['letters', 'email', 'digits']);
  });

  // Timing proofs: on a machine loaded by the rest of the suite one measurement can drown in noise; retried.
  it('confirms a query parameter whose time doubles per character, as (a+)+ does; its linear twin is clean', { retry: 2, timeout: 20_000 }, async () => {
    const r = await testCheck(check, { url: app.url, operations: [query('/search')], options: short });
    expect(r.findings.map((f) => [f.parameter, f.vulnClass, f.confidence])).toEqual([['query:q', 'redos:letters', 'confirmed']]);
    const f = r.findings[0]!;
    expect(f.proof.summary).toMatch(/the time still grows in 3 more rounds \(26 chars: \d+ ms, \d+ ms, \d+ ms \(controls \d+, \d+, \d+ ms\); 22 chars: /);
    expect(f.proof.exchanges).toHaveLength(24); // payload and control at two lengths, three rounds, then three more
    const safe = await testCheck(check, { url: app.url, operations: [query('/search-safe')], options: short });
    expect(safe.findings).toEqual([]);
    expect(safe.outcomes.map((o) => o.status)).toEqual(['clean']);
  });

  it('confirms a naive e-mail pattern on a JSON field with the default ladder; a linear e-mail check is clean', { retry: 2, timeout: 30_000 }, async () => {
    const started = Date.now();
    const r = await testCheck(check, { url: app.url, operations: [signup('/signup')] });
    expect(r.findings.map((f) => [f.parameter, f.confidence])).toEqual([['json:email', 'confirmed']]);
    expect(Date.now() - started).toBeLessThan(15_000); // the ladder stopped at the first step over the bound
    const safe = await testCheck(check, { url: app.url, operations: [signup('/signup-safe')] });
    expect(safe.findings).toEqual([]);
    expect(safe.outcomes.map((o) => o.status)).toEqual(['clean']);
  });

  it('a payload that is slow but does not grow with its length is no finding', async () => {
    const r = await testCheck(check, { url: app.url, operations: [query('/bang')], options: short, strength: 'low' });
    expect(r.findings).toEqual([]);
    expect(r.outcomes.map((o) => o.status)).toEqual(['clean']);
  }, 20_000);

  it('proves growth only when the longer payload is slow every round, beyond the slowest control', () => {
    const o = { boundMs: 2000, ratio: 10, minExtraMs: 150, growth: 3 };
    const round = (lowPay: number, highPay: number, lowCtl = 5, highCtl = 5): Round => ({ low: { n: 24, control: lowCtl, payload: lowPay }, high: { n: 28, control: highCtl, payload: highPay } });
    // A backtracking pattern: slow every time, by its length, on a noisy server too.
    expect(proven([round(60, 1000), round(80, 1100, 40), round(70, 990, 5, 90)], o)).toBeUndefined();
    // Load: one round's longer payload landed behind a burst of hashes; the others were fast.
    expect(proven([round(8, 900), round(6, 12), round(7, 10)], o)).toMatch(/fastest answer \(10 ms\) was not 150 ms slower/);
    // Load that also fell on a control: the slowest control takes the margin away.
    expect(proven([round(8, 700), round(6, 650, 600), round(7, 690)], o)).toMatch(/slowest control \(600 ms\)/);
    // Slow every time but not growing: the shorter payload is as slow.
    expect(proven([round(500, 800), round(520, 790), round(510, 810)], o)).toMatch(/did not grow 3×/);
    // Slower, but under the bound and under ratio × the slowest control.
    expect(proven([round(5, 300, 5, 40), round(5, 310), round(5, 305)], o)).toMatch(/under the bound/);
  });

  it('a login whose time is set by a CPU-bound hash, under concurrent load, is no finding', { timeout: 60_000 }, async () => {
    // The lab's scrypt login once confirmed redos in one scan of two: its time rose with the scan's concurrency.
    const login = { method: 'POST', path: '/login', params: [], requestBody: { contentType: 'application/json', schema: { type: 'object', properties: { user: { type: 'string' }, password: { type: 'string' } } } } };
    // The load comes in bursts, as another check's burst of logins: each blocks the server for a while, then it is idle.
    let loading = true;
    const hit = (): Promise<unknown> => fetch(`${app.url}/login`, { method: 'POST', body: '{"password":"x"}', headers: { 'content-type': 'application/json' } }).then((r) => r.arrayBuffer()).catch(() => undefined);
    const load = async (): Promise<void> => {
      for (let i = 0; loading; i++) {
        await Promise.all(Array.from({ length: 6 + (i % 4) * 4 }, hit));
        await wait(150 + ((i * 137) % 400));
      }
    };
    const loaders = [load()];
    try {
      // Sensitive settings, so that single slow answers would cross: a small margin and ratio.
      const r = await testCheck(check, { url: app.url, operations: [login], options: { ...short, minExtraMs: 40, ratio: 3 }, strength: 'high' });
      expect(r.findings).toEqual([]);
      // Judged (clean), or honestly too noisy to judge: never a finding.
      expect(['clean', 'inconclusive']).toContain(r.outcomes[0]?.status);
    } finally {
      loading = false;
      await Promise.all(loaders);
    }
  });

  it('says why it did not fire: no answer to judge by, safe mode, no string parameter', async () => {
    const down = await testCheck(check, { url: app.url, operations: [query('/down')], options: short });
    expect(down.outcomes).toEqual([expect.objectContaining({ status: 'inconclusive', reason: expect.stringContaining('no real answer (503)') })]);
    const safe = await testCheck(check, { url: app.url, operations: [query('/search')], safeMode: true });
    expect(safe.outcomes).toEqual([]);
    expect(safe.skipped).toContainEqual(expect.stringContaining('GET /search: safe mode: its payloads are built to keep the server busy'));
    const numeric = { method: 'GET', path: '/search', params: [{ name: 'page', in: 'query' as const, schema: { type: 'integer' } }] };
    const none = await testCheck(check, { url: app.url, operations: [numeric] });
    expect(none.skipped).toEqual([expect.stringContaining('no string parameter')]);
  });
});
