// src/checks/authorization/account-enumeration.test.ts — sign-in, sign-up and reset operations that tell existing
// from unknown accounts (by message, status and time) and their safe twins that answer everyone alike; the
// wrong-password limit, safe mode, volatile answers and missing accounts.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Identity } from '../../core/index.js';
import { serveFixture, sendJson, type Fixture } from '../kit/fixture.js';
import { testCheck } from '../kit/tester.js';
import check, { accountKind, answerKey, roleOf, unknownLike } from './account-enumeration.js';

const users = new Map<string, { password: string; email: string }>();
/** Wrong passwords each existing account got, and passwords changed through a reset. */
const wrong = new Map<string, number>();
let changed = 0;
let created = 0;
let noisy = 0;
const wait = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function reset(): void {
  users.clear();
  users.set('alice', { password: 'alice-pw', email: 'alice@shop.test' });
  users.set('bob', { password: 'bob-pw', email: 'bob@shop.test' });
  wrong.clear();
  changed = 0;
}

const byName = (name: string): [string, { password: string; email: string }] | undefined =>
  [...users.entries()].find(([u, v]) => u === name || v.email === name);

let app: Fixture;
beforeAll(async () => {
  app = await serveFixture(async (req, res, url) => {
    const body = (req.headers['content-type'] ?? '').includes('json') ? (JSON.parse(req.body || '{}') as Record<string, string>) : Object.fromEntries(new URLSearchParams(req.body));
    const name = body.username ?? body.email ?? '';
    const user = byName(name);
    const path = url.pathname;
    if (path.endsWith('/login')) {
      if (user && user[1].password === body.password) return sendJson(res, 200, { token: `t-${user[0]}` });
      if (user) wrong.set(user[0], (wrong.get(user[0]) ?? 0) + 1);
      if (path === '/login') return user ? sendJson(res, 401, { error: 'wrong password' }) : sendJson(res, 404, { error: `no user ${name}` });
      if (path === '/timing/login') await wait(user ? 600 : 0); // the password is hashed only for an existing account
      if (path === '/timing-safe/login') await wait(600); // a dummy hash for unknown accounts too
      if (path === '/busy/login') await wait(user ? 520 : 400); // slower, but not clearly: a busy target
      if (path === '/noisy/login') return sendJson(res, 401, { error: ['try again', 'nope', 'denied'][noisy++ % 3] });
      return sendJson(res, 401, { error: 'invalid credentials', at: new Date().toISOString() });
    }
    if (path === '/reset-password') return user ? sendJson(res, 200, { detail: 'code sent' }) : sendJson(res, 400, { detail: 'Invalid username' });
    if (path === '/safe/reset-password') return sendJson(res, 200, { detail: 'if the account exists, a code was sent' });
    if (path === '/reset-password/new') {
      if (!user) return sendJson(res, 404, { detail: 'unknown user' });
      if (body.code !== '1234') return sendJson(res, 400, { detail: 'wrong code' });
      user[1].password = body.new_password ?? '';
      changed++;
      return sendJson(res, 200, { detail: 'password changed' });
    }
    if (path === '/register') {
      if (user || [...users.values()].some((u) => u.email === body.email)) return sendJson(res, 409, { detail: 'already registered' });
      users.set(name, { password: body.password ?? '', email: body.email ?? '' });
      return sendJson(res, 201, { id: 100 + ++created, username: name, createdAt: new Date().toISOString() });
    }
    if (path === '/strict/register') {
      if (!/^[a-z]{3,8}$/.test(name)) return sendJson(res, 422, { detail: [{ loc: ['body', 'username'], msg: 'must match ^[a-z]{3,8}$' }] });
      return sendJson(res, user ? 409 : 201, { detail: user ? 'taken' : 'created' });
    }
    if (path === '/safe/register') return sendJson(res, 202, { detail: 'check your mail to finish signing up' });
    return sendJson(res, 404, {});
  });
});
afterAll(() => app.close());
beforeEach(reset);

const login = (user: string, password: string, by: 'username' | 'email' = 'username'): Identity => ({ name: user.split('@')[0]!, role: 'user', auth: { kind: 'json-login', url: '/login', body: { [by]: user, password }, tokenPath: 'token' } });
const alice = login('alice', 'alice-pw');
const bobByEmail = login('bob@shop.test', 'bob-pw', 'email');
const json = (path: string, properties: Record<string, unknown>, required = Object.keys(properties)) => ({
  method: 'POST',
  path,
  params: [],
  requestBody: { contentType: 'application/json', schema: { type: 'object', required, properties } },
});
const str = { type: 'string' };
const signIn = (path: string) => json(path, { username: str, password: str });
const form = (path: string) => ({
  method: 'POST',
  path,
  params: [],
  requestBody: { contentType: 'application/x-www-form-urlencoded', schema: { type: 'object', required: ['username', 'password'], properties: { grant_type: { type: 'string', pattern: 'password' }, username: str, password: str } } },
});

describe('account-enumeration', () => {
  it('recognizes account operations and fields by their words', () => {
    const op = (path: string, summary?: string) => ({ id: `POST ${path}`, method: 'POST', path, params: [], auth: 'none' as const, sources: ['spec' as const], ...(summary ? { summary } : {}) });
    expect([op('/token'), op('/api/v1/sign-in'), op('/users', 'Register user'), op('/password/forgot'), op('/authors'), op('/orders')].map(accountKind)).toEqual(['sign-in', 'sign-in', 'sign-up', 'reset', undefined, undefined]);
    expect(['user_name', 'email', 'password', 'new_password', 'reset_password_code', 'otp', 'phone_number'].map(roleOf)).toEqual(['account', 'account', 'password', 'password', 'code', 'code', 'other']);
    expect(unknownLike('bob@shop.test')).toMatch(/^vouch[0-9a-f]{5}@shop\.test$/);
    expect(unknownLike('alice')).toMatch(/^vouch[0-9a-f]{5}$/);
    expect(unknownLike('a.very.long_user-name')).toMatch(/^vouch[0-9a-f]{16}$/); // as long as the existing name
  });

  it('masks the account sent and volatile parts, and keeps what tells accounts apart', () => {
    const x = (status: number, body: string) => ({ id: 'x', request: { method: 'POST', url: '/', headers: [] }, response: { status, headers: [], body }, timing: { startedAt: 0, totalMs: 1 }, identity: 'a' });
    const a = answerKey(x(401, '{"error":"no user vouch-aa","at":"2026-01-01T10:00:00Z","req":"3f2a9c1b7d4e6f80"}'), ['vouch-aa']);
    const b = answerKey(x(401, '{"error":"no user vouch-bb","at":"2026-01-02T11:12:13Z","req":"9c1b7d4e6f803f2a"}'), ['vouch-bb']);
    expect(a).toBe(b);
    expect(answerKey(x(401, '{"error":"wrong password"}'), ['alice'])).not.toBe(answerKey(x(401, '{"error":"no user"}'), ['x']));
    expect(answerKey(x(200, 'ok'), [])).not.toBe(answerKey(x(400, 'ok'), []));
  });

  it('sign-in: confirms different messages for an existing and an unknown account; no more than two wrong passwords', async () => {
    const r = await testCheck(check, { url: app.url, operations: [signIn('/login'), signIn('/safe/login')], identities: [alice, bobByEmail] });
    expect(r.findings.map((f) => [f.operation.path, f.vulnClass, f.confidence])).toEqual([['/login', 'account-enumeration:sign-in:response', 'confirmed']]);
    const f = r.findings[0]!;
    expect(f.title).toBe('Account enumeration through sign-in');
    expect(f.proof.summary).toMatch(/the existing account "(alice|bob@shop\.test)" → 401/); // whichever task ran first took alice
    expect(f.proof.exchanges).toHaveLength(6); // existing + two unknown, then the replay's three
    // One operation took alice's two wrong passwords (probe and replay); the other had to use bob's.
    expect([...wrong.values()].sort()).toEqual([1, 2]);
    expect(r.outcomes.map((o) => o.status).sort()).toEqual(['clean', 'found']);
  });

  it('sign-in through a form body declared as a schema (an optional made-up field left out)', async () => {
    const r = await testCheck(check, { url: app.url, operations: [form('/login')], identities: [alice] });
    expect(r.findings.map((f) => [f.operation.path, f.confidence])).toEqual([['/login', 'confirmed']]);
    expect(r.findings[0]!.proof.exchanges[0]!.request.body).toMatch(/^username=alice&password=Vouch-wrong-/);
  });

  it('sends no account more than two wrong passwords a scan: a second sign-in operation finds none left', async () => {
    const r = await testCheck(check, { url: app.url, operations: [form('/login'), form('/timing-safe/login')], identities: [alice] });
    const reasons = r.outcomes.flatMap((o) => (o.status === 'inconclusive' ? [o.reason] : []));
    expect(reasons).toEqual([expect.stringContaining('wrong-password sign-ins this scan')]);
    expect(wrong.get('alice')).toBeLessThanOrEqual(2);
  });

  // Timing proofs: on a machine loaded by the rest of the suite one measurement can drown in noise; retried.
  it('sign-in by time: the existing account is slower twice; the twin that hashes for everyone is clean', { retry: 2 }, async () => {
    // A wide margin, so a stall of a loaded test machine is not taken for a hash.
    const wide = { timingExtraMs: 250 };
    const r = await testCheck(check, { url: app.url, operations: [signIn('/timing/login')], identities: [alice], options: wide });
    expect(r.findings.map((f) => [f.vulnClass, f.confidence])).toEqual([['account-enumeration:sign-in:timing', 'confirmed']]);
    expect(r.findings[0]!.proof.summary).toMatch(/took \d+ ms, two unknown accounts \d+ and \d+ ms; replayed: again slower/);
    const safe = await testCheck(check, { url: app.url, operations: [signIn('/timing-safe/login')], identities: [alice], options: wide });
    expect(safe.findings).toEqual([]);
    expect(safe.outcomes.map((o) => o.status)).toEqual(['clean']);
    const busy = await testCheck(check, { url: app.url, operations: [signIn('/busy/login')], identities: [alice], options: { timingExtraMs: 50 } });
    // Slower by the margin, not twice as slow: the probe hands it on, the replay does not confirm it.
    expect(busy.findings.map((f) => f.confidence)).toEqual(['tentative']);
    expect(busy.findings[0]!.proof.summary).toMatch(/not confirmed: .*too noisy to judge/);
  });

  it('password reset by e-mail: an unknown address in the same domain; the safe twin answers alike', async () => {
    const op = (path: string) => json(path, { email: { type: 'string', format: 'email' } });
    const r = await testCheck(check, { url: app.url, operations: [op('/reset-password'), op('/safe/reset-password')], identities: [alice, bobByEmail] });
    expect(r.findings.map((f) => [f.operation.path, f.title, f.confidence])).toEqual([['/reset-password', 'Account enumeration through password reset', 'confirmed']]);
    const sent = r.findings[0]!.proof.exchanges.map((x) => JSON.parse(String(x.request.body)) as { email: string });
    expect(sent[0]!.email).toBe('bob@shop.test'); // the e-mail field takes the account that is an e-mail
    expect(sent[1]!.email).toMatch(/^vouch[0-9a-f]{5}@shop\.test$/);
  });

  it('a reset step that sets a new password is never sent with a real account, so no password changes', async () => {
    const op = json('/reset-password/new', { username: str, code: str, new_password: str });
    // With the identity's own name, a target whose code check were broken would change its password: the plan's do
    // no harm leaves the step out (src/plan/danger.ts); the check itself sends an invalid code where it may run.
    const r = await testCheck(check, { url: app.url, operations: [op], identities: [alice] });
    expect(r.outcomes).toEqual([]);
    expect(r.skipped).toEqual([expect.stringContaining("would change the password of the caller's own account")]);
    expect(changed).toBe(0);
    expect(users.get('alice')!.password).toBe('alice-pw');
    const noCode = await testCheck(check, { url: app.url, operations: [json('/reset-password/new', { username: str, new_password: str })], identities: [alice] });
    expect(noCode.outcomes).toEqual([]);
    expect(noCode.skipped).toEqual([expect.stringMatching(/without a code would change the account|would change the password/)]);
  });

  it("sign-up: an existing name is refused, new ones created; the existing one is sent with its own password", async () => {
    const op = (path: string) => json(path, { username: str, password: str, email: str }, ['username', 'password']);
    const r = await testCheck(check, { url: app.url, operations: [op('/register'), op('/safe/register')], identities: [alice] });
    expect(r.findings.map((f) => [f.operation.path, f.severity, f.confidence])).toEqual([['/register', 'low', 'confirmed']]);
    const existing = JSON.parse(String(r.findings[0]!.proof.exchanges[0]!.request.body)) as Record<string, string>;
    expect(existing.username).toBe('alice');
    expect(users.get('alice')!.password).toBe('alice-pw');
    expect(existing.email).toMatch(/^vouch-[0-9a-f]{8}@example\.com$/); // fresh per request, so new accounts never collide
  });

  it('a difference that is only the unknown names failing validation is no proof', async () => {
    const r = await testCheck(check, { url: app.url, operations: [json('/strict/register', { username: str, password: str })], identities: [alice] });
    expect(r.findings).toEqual([]);
    expect(r.outcomes).toEqual([expect.objectContaining({ status: 'inconclusive', reason: expect.stringContaining('refused as malformed') })]);
  });

  it('safe mode: sign-in applies (a wrong password is a probe the engine lets through), sign-up and reset do not', () => {
    const applies = (o: ReturnType<typeof json>) => check.appliesTo!({ ...o, id: `POST ${o.path}`, auth: 'none', sources: ['spec'] }, { safeMode: true });
    expect([signIn('/login'), json('/reset-password', { username: str }), json('/register', { username: str, password: str })].map(applies)).toEqual([
      undefined,
      'safe mode: a reset request is a write',
      'safe mode: a sign-up request is a write',
    ]);
  });

  it('says why it did not fire: no known account, an answer that varies by itself, not an account operation', async () => {
    const none = await testCheck(check, { url: app.url, operations: [signIn('/login')] });
    expect(none.outcomes).toEqual([expect.objectContaining({ status: 'inconclusive', reason: expect.stringContaining('no existing account known') })]);
    const failed = await testCheck(check, { url: app.url, operations: [signIn('/login')], identities: [login('alice', 'not-her-password')] });
    expect(failed.findings).toEqual([]);
    const noisy = await testCheck(check, { url: app.url, operations: [signIn('/noisy/login')], identities: [alice] });
    expect(noisy.findings).toEqual([]);
    expect(noisy.outcomes).toEqual([expect.objectContaining({ status: 'inconclusive', reason: expect.stringContaining('two unknown accounts were answered differently') })]);
    const other = await testCheck(check, { url: app.url, operations: [json('/orders', { username: str })], identities: [alice] });
    expect(other.skipped).toEqual([expect.stringContaining('not a sign-in, sign-up or password-reset operation')]);
  });
});
