// src/checks/authorization/bola-account.test.ts — bola's cross-user write by a body field that names the account
// (`PUT /profile {"username": …}`, `PUT /users/update_role`): proven by the victim's own read, undone; an ownership
// check as the safe twin; the reasons when vouch has no accounts of its own or no read-back.
import type { IncomingMessage } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Identity } from '../../core/index.js';
import { sendJson, serveFixture, type Fixture } from '../kit/fixture.js';
import { testCheck } from '../kit/tester.js';
import check from './bola.js';

interface Account {
  username: string;
  first_name: string;
  phone_number: string;
  role: string;
}
const accounts = new Map<string, Account>();
const reset = (): void => {
  accounts.clear();
  for (const u of ['vouch-aaaa', 'vouch-bbbb', 'carol']) accounts.set(u, { username: u, first_name: 'Vouch', phone_number: `555${u.length}`, role: 'Customer' });
};
const TOKENS: Record<string, string> = { 'Bearer tok-a': 'vouch-aaaa', 'Bearer tok-b': 'vouch-bbbb', 'Bearer tok-c': 'carol' };
const caller = (req: IncomingMessage): Account | undefined => accounts.get(TOKENS[req.headers.authorization ?? ''] ?? '');
const writes: string[] = [];

let app: Fixture;
beforeAll(async () => {
  app = await serveFixture((req, res, url) => {
    const me = caller(req);
    if (!me) return sendJson(res, 401, { detail: 'sign in' });
    if (req.method === 'GET' && url.pathname === '/profile') return sendJson(res, 200, me);
    const body = JSON.parse(req.body || '{}') as Partial<Account>;
    writes.push(`${req.method} ${url.pathname} as ${me.username} for ${body.username}`);
    const target = accounts.get(body.username ?? '');
    if (!target) return sendJson(res, 404, { detail: 'no such user' });
    // The safe twins check that the body names the caller's own account.
    if (url.pathname.startsWith('/safe') && target !== me) return sendJson(res, 403, { detail: 'not yours' });
    if (url.pathname.endsWith('/profile')) {
      for (const k of ['first_name', 'phone_number'] as const) if (body[k]) target[k] = body[k];
      return sendJson(res, 200, target);
    }
    if (body.role === 'Admin' || body.role === 'Chef') return sendJson(res, 500, { detail: 'Internal Server Error' });
    if (body.role) target.role = body.role;
    return sendJson(res, 200, me); // the role update answers with the caller, not the changed account
  });
});
afterAll(() => app.close());

const login = (name: string, token: string, username: string): Identity => ({ name, role: 'user', auth: { kind: 'bearer', token }, account: { username } });
const identities: Identity[] = [
  { name: 'anonymous', role: 'anonymous', auth: { kind: 'none' } },
  { name: 'carol', role: 'user', auth: { kind: 'bearer', token: 'tok-c' } },
  login('auto-1', 'tok-a', 'vouch-aaaa'),
  login('auto-2', 'tok-b', 'vouch-bbbb'),
];
const json = (props: Record<string, unknown>) => ({ contentType: 'application/json', schema: { type: 'object', properties: props, required: ['username'] } });
const profileOps = (path: string) => [
  { method: 'GET', path: '/profile', params: [], auth: 'required' as const },
  { method: 'PUT', path, params: [], auth: 'required' as const, requestBody: json({ username: { type: 'string' }, first_name: { type: 'string' }, phone_number: { type: 'string' } }) },
];
const roleOps = (path: string) => [
  { method: 'GET', path: '/profile', params: [], auth: 'required' as const },
  { method: 'PUT', path, params: [], auth: 'required' as const, requestBody: json({ username: { type: 'string' }, role: { type: 'string' } }) },
];

describe('bola: a write naming another account in its body', () => {
  it("confirms auto-1 changing auto-2's profile by the victim's read, and undoes it; carol is never named", async () => {
    reset();
    writes.length = 0;
    const r = await testCheck(check, { url: app.url, operations: profileOps('/profile'), identities });
    expect(r.findings).toHaveLength(1);
    const f = r.findings[0]!;
    expect(f).toMatchObject({ confidence: 'confirmed', vulnClass: 'bola-write', parameter: 'json:username' });
    expect(f.proof.summary).toMatch(/auto-1 changed auto-2's account .* first_name "Vouch" before and "vouch[0-9a-f]{6}" after .*the change was undone/);
    expect(f.proof.exchanges.map((x) => x.identity)).toEqual(['auto-1', 'auto-2', 'auto-2', 'auto-1', 'auto-2']);
    // Only vouch's accounts were written to, and the victim's state is back.
    expect(writes.every((w) => w.endsWith('for vouch-bbbb') && w.includes('as vouch-aaaa'))).toBe(true);
    expect(accounts.get('vouch-bbbb')).toMatchObject({ first_name: 'Vouch', phone_number: '55510' });
    expect(accounts.get('carol')?.first_name).toBe('Vouch');
  });

  it('tries role values written like the current one, skipping those the app refuses, and restores the role', async () => {
    reset();
    const r = await testCheck(check, { url: app.url, operations: roleOps('/users/update_role'), identities });
    expect(r.findings).toHaveLength(1);
    expect(r.findings[0]!.proof.summary).toMatch(/role "Customer" before and "Administrator" after/);
    expect(accounts.get('vouch-bbbb')?.role).toBe('Customer');
  });

  it('reports nothing on the safe twins that check the named account is the caller', async () => {
    reset();
    for (const ops of [profileOps('/safe/profile'), roleOps('/safe/update_role')]) {
      const r = await testCheck(check, { url: app.url, operations: ops, identities });
      expect(r.findings).toEqual([]);
      expect(r.outcomes.map((o) => o.status)).toEqual(['clean']);
    }
    expect(accounts.get('vouch-bbbb')).toMatchObject({ first_name: 'Vouch', role: 'Customer' });
  });

  it('says why it did not run: no accounts of vouch, no read-back operation', async () => {
    reset();
    writes.length = 0;
    const configured = identities.filter((i) => !i.account).concat([{ name: 'dave', role: 'user', auth: { kind: 'bearer', token: 'tok-a' } }]);
    const none = await testCheck(check, { url: app.url, operations: profileOps('/profile'), identities: configured });
    expect(none.outcomes[0]).toMatchObject({ status: 'inconclusive', reason: expect.stringMatching(/needs two accounts vouch registered .*accounts: auto.*body field username.*0 can sign in/) as unknown });
    const noRead = await testCheck(check, { url: app.url, operations: profileOps('/profile').slice(1), identities });
    expect(noRead.outcomes[0]).toMatchObject({ status: 'inconclusive', reason: expect.stringContaining('no read-back operation') as unknown });
    expect(writes).toEqual([]);
  });
});
