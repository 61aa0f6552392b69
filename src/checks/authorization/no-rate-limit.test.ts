// src/checks/authorization/no-rate-limit.test.ts — a sign-in and a reset-code check that answer every wrong guess
// alike, and their safe twins: a 429 after 5 failures, a lockout message, a growing delay; a target that limits from
// the start, one that fails, a form with a stale anti-forgery token, and safe mode.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { sendJson, serveFixture, type Fixture } from '../kit/fixture.js';
import { testCheck } from '../kit/tester.js';
import check from './no-rate-limit.js';

const failures = new Map<string, number>();
/** Accounts guessed at, to prove only unknown (vouch-made) accounts are. */
const guessedAt = new Set<string>();
const wait = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

let app: Fixture;
beforeAll(async () => {
  app = await serveFixture(async (req, res, url) => {
    const body = (req.headers['content-type'] ?? '').includes('json') ? (JSON.parse(req.body || '{}') as Record<string, string>) : Object.fromEntries(new URLSearchParams(req.body));
    guessedAt.add(body.username ?? '');
    const n = (failures.get(url.pathname) ?? 0) + 1;
    failures.set(url.pathname, n);
    switch (url.pathname) {
      case '/login':
        return sendJson(res, 401, { error: 'Invalid credentials' });
      case '/reset/new-password':
        return sendJson(res, 400, { detail: 'Invalid reset password code' });
      case '/limited/login':
        return n > 5 ? sendJson(res, 429, { error: 'slow down' }, { 'retry-after': '1' }) : sendJson(res, 401, { error: 'Invalid credentials' });
      case '/lockout/login':
        return sendJson(res, 401, { error: n > 3 ? 'Account locked for 15 minutes' : 'Invalid credentials' });
      case '/slow/login':
        await wait(Math.min(n * 25, 500));
        return sendJson(res, 401, { error: 'Invalid credentials' });
      case '/always429/login':
        return sendJson(res, 429, { error: 'too many requests' }, { 'retry-after': '0' });
      case '/broken/login':
        return sendJson(res, 500, { error: 'boom' });
      default:
        return sendJson(res, 404, {});
    }
  });
});
afterAll(() => app.close());
beforeEach(() => {
  failures.clear();
  guessedAt.clear();
});

const str = { type: 'string' };
const json = (path: string, properties: Record<string, unknown>) => ({ method: 'POST', path, params: [], requestBody: { contentType: 'application/json', schema: { type: 'object', required: Object.keys(properties), properties } } });
const signIn = (path: string) => json(path, { username: str, password: str });
const resetCode = (path: string) => json(path, { username: str, reset_password_code: { type: 'string', example: '1234' }, new_password: str });
const run = (ops: ReturnType<typeof json>[], options: Record<string, unknown> = {}) => testCheck(check, { url: app.url, operations: ops, options: { attempts: 10, replayAttempts: 3, ...options } });

describe('no-rate-limit', () => {
  it('confirms a sign-in and a reset-code check that answer every wrong guess alike, code check first', async () => {
    const r = await run([signIn('/login'), resetCode('/reset/new-password')]);
    expect(r.findings.map((f) => [f.operation.path, f.vulnClass, f.confidence])).toEqual([
      ['/reset/new-password', 'no-rate-limit:code', 'confirmed'],
      ['/login', 'no-rate-limit:sign-in', 'confirmed'],
    ]);
    const code = r.findings.find((f) => f.vulnClass === 'no-rate-limit:code')!;
    expect(code.proof.summary).toMatch(/10 wrong guesses in [\d.]+ s all answered 400 .*Invalid reset password code.*wrong codes in json:reset_password_code for an unknown account.*replayed: 3 wrong guesses/);
    // 10 guesses and 3 on replay per operation; only vouch's own unknown accounts were guessed at.
    expect([failures.get('/login'), failures.get('/reset/new-password')]).toEqual([13, 13]);
    expect([...guessedAt].every((u) => /^vouch[0-9a-f]{10}$/.test(u))).toBe(true);
    const codes = code.proof.exchanges.map((x) => JSON.parse(x.request.body ?? '{}').reset_password_code as string);
    expect(codes.every((c) => /^\d{4}$/.test(c))).toBe(true); // the example's shape: four digits
  });

  it('finds nothing where a 429 with Retry-After comes after 5 failures, a lockout message after 3, or the delay grows', async () => {
    const r = await run([signIn('/limited/login'), signIn('/lockout/login'), signIn('/slow/login')], { attempts: 20 });
    expect(r.findings).toEqual([]);
    // The lockout message is a limit; a 429 stops the run early.
    expect(failures.get('/limited/login')).toBe(6);
    expect(r.outcomes.map((o) => o.status)).toEqual(['clean']);
  });

  it('is inconclusive, never clean, where the target limits from the first guess or fails', async () => {
    for (const path of ['/always429/login', '/broken/login']) {
      const r = await run([signIn(path)]);
      expect(r.findings).toEqual([]);
      expect(r.outcomes.map((o) => o.status)).toEqual(['inconclusive']);
      expect('reason' in r.outcomes[0]! && r.outcomes[0].reason).toMatch(/first guess/);
    }
  });

  it('leaves alone a form whose anti-forgery token it cannot renew, and runs nothing in safe mode', async () => {
    const form = { method: 'POST', path: '/login', params: ['username', 'password', 'user_token'].map((name) => ({ name, in: 'form' as const, schema: str })) };
    const r = await testCheck(check, { url: app.url, operations: [form] });
    expect(r.requests).toBe(0);
    expect('reason' in r.outcomes[0]! && r.outcomes[0].reason).toMatch(/anti-forgery token \(user_token\)/);
    const safe = await testCheck(check, { url: app.url, operations: [signIn('/login')], safeMode: true });
    expect(safe.requests).toBe(0);
  });
});
