// src/checks/authorization/mass-assignment-account.test.ts — mass assignment on one's own account (`PATCH /profile`
// taking `role`), sent only as an account vouch registered, proven by the account's read and undone; the role values
// come from the app (another identity's answer) and from its own value's style; a safe twin; the reason without one.
import type { IncomingMessage } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Identity } from '../../core/index.js';
import { sendJson, serveFixture, type Fixture } from '../kit/fixture.js';
import { testCheck } from '../kit/tester.js';
import check from './mass-assignment.js';

interface Account {
  username: string;
  first_name: string;
  phone_number: string;
  role: string;
}
const ROLES = ['Customer', 'Employee', 'Chef'];
const accounts = new Map<string, Account>();
const reset = (): void => {
  accounts.clear();
  accounts.set('vouch-aaaa', { username: 'vouch-aaaa', first_name: 'Vouch', phone_number: '5550001', role: 'Customer' });
  accounts.set('carol', { username: 'carol', first_name: 'Carol', phone_number: '5550002', role: 'Customer' });
};
const TOKENS: Record<string, string> = { 'Bearer tok-a': 'vouch-aaaa', 'Bearer tok-c': 'carol' };
const caller = (req: IncomingMessage): Account | undefined => accounts.get(TOKENS[req.headers.authorization ?? ''] ?? '');
const patches: string[] = [];

let app: Fixture;
beforeAll(async () => {
  app = await serveFixture((req, res, url) => {
    if (url.pathname === '/staff/mike') return sendJson(res, 200, { username: 'mike', role: 'Chef' });
    const me = caller(req);
    if (!me) return sendJson(res, 401, { detail: 'sign in' });
    if (req.method === 'GET') return sendJson(res, 200, me);
    patches.push(`${url.pathname} as ${me.username}`);
    const body = JSON.parse(req.body || '{}') as Record<string, unknown>;
    // A phone number is unique: the same one as another account's is a database error.
    if ([...accounts.values()].some((a) => a !== me && a.phone_number === body.phone_number)) return sendJson(res, 500, { detail: 'duplicate key' });
    // Extra fields are copied (the role only when it is one of the enum's values); the safe twin binds the offered ones.
    const allowed = url.pathname === '/safe/profile' || req.method === 'PUT' ? ['first_name', 'phone_number'] : Object.keys(body);
    if (allowed.includes('role') && body.role !== undefined && !ROLES.includes(String(body.role))) return sendJson(res, 500, { detail: 'Internal Server Error' });
    for (const k of allowed) if (body[k] && k in me) (me as unknown as Record<string, unknown>)[k] = body[k];
    return sendJson(res, 200, me);
  });
});
afterAll(() => app.close());

const identities: Identity[] = [
  { name: 'anonymous', role: 'anonymous', auth: { kind: 'none' } },
  { name: 'carol', role: 'user', auth: { kind: 'bearer', token: 'tok-c' } },
  { name: 'auto-1', role: 'user', auth: { kind: 'bearer', token: 'tok-a' }, account: { username: 'vouch-aaaa' } },
];
const body = { contentType: 'application/json', schema: { type: 'object', properties: { first_name: { type: 'string' }, phone_number: { type: 'string' } } } };
const ops = (path: string) => [
  { method: 'GET', path, params: [], auth: 'required' as const },
  { method: 'PATCH', path, params: [], auth: 'required' as const, requestBody: body },
];

describe('mass-assignment on the caller\'s own account', () => {
  it('sends it as the account vouch registered, proves the role by the read-back, and undoes it', async () => {
    reset();
    patches.length = 0;
    const r = await testCheck(check, { url: app.url, operations: ops('/profile'), identities });
    expect(r.findings).toHaveLength(1);
    const f = r.findings[0]!;
    expect(f).toMatchObject({ confidence: 'confirmed', parameter: 'json:role' });
    expect(f.proof.summary).toMatch(/PATCH \/profile as auto-1 \(an account vouch registered\) with \{"role":"Employee"\} .* the read-back says role "Employee"; without it role is "Customer"/);
    // Never a write to the configured identity's account; the role is back; the control kept the phone number.
    expect(patches.every((p) => p.endsWith('as vouch-aaaa'))).toBe(true);
    expect(accounts.get('vouch-aaaa')).toMatchObject({ role: 'Customer', phone_number: '5550001' });
    expect(accounts.get('carol')?.role).toBe('Customer');
  });

  it('tests one account at a time: a PUT that drops the role is not credited with the PATCH that took it', async () => {
    reset();
    const put = { ...ops('/profile')[1]!, method: 'PUT' };
    const r = await testCheck(check, { url: app.url, operations: [...ops('/profile'), put], identities });
    expect(r.findings.map((f) => `${f.operation.method} ${f.parameter}`)).toEqual(['PATCH json:role']);
    expect(accounts.get('vouch-aaaa')?.role).toBe('Customer');
  });

  it('tries first the role values the app showed for another account', async () => {
    reset();
    const r = await testCheck(check, { url: app.url, operations: ops('/profile'), identities, warmup: ['/staff/mike'] });
    expect(r.findings[0]?.proof.summary).toMatch(/with \{"role":"Chef"\}/);
    expect(accounts.get('vouch-aaaa')?.role).toBe('Customer');
  });

  it('reports nothing on the safe twin that binds only the offered fields', async () => {
    reset();
    const r = await testCheck(check, { url: app.url, operations: ops('/safe/profile'), identities });
    expect(r.findings).toEqual([]);
    expect(r.outcomes.map((o) => o.status)).toEqual(['clean']);
    expect(accounts.get('vouch-aaaa')?.role).toBe('Customer');
  });

  it('says why without an account vouch registered, and sends nothing', async () => {
    reset();
    patches.length = 0;
    const r = await testCheck(check, { url: app.url, operations: ops('/profile'), identities: identities.slice(0, 2) });
    expect(r.outcomes[0]).toMatchObject({ status: 'inconclusive', reason: expect.stringMatching(/changes the caller's own account: only an account vouch registered .*accounts: auto/) as unknown });
    expect(patches).toEqual([]);
  });
});
