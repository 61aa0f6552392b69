// src/checks/authorization/mass-assignment.test.ts — a sign-up that binds `role`, its safe twin that drops it, an
// update proven by read-back, an echo-only endpoint (tentative), and safe mode.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Identity } from '../../core/index.js';
import { sendJson, serveFixture, type Fixture } from '../kit/fixture.js';
import { testCheck } from '../kit/tester.js';
import check, { uniquified } from './mass-assignment.js';

let app: Fixture;
const users = new Map<string, { id: number; username: string; role: string }>();
let profile = { id: 1, displayName: 'Alice', role: 'user' };

beforeAll(async () => {
  app = await serveFixture((req, res, url) => {
    const body = (req.body ? JSON.parse(req.body) : {}) as Record<string, unknown>;
    if (req.method === 'POST' && (url.pathname === '/register' || url.pathname === '/safe-register')) {
      const username = String(body.username);
      if ([...users.values()].some((u) => u.username === username)) return sendJson(res, 409, { error: 'taken' });
      const role = url.pathname === '/register' && typeof body.role === 'string' ? body.role : 'user';
      const user = { id: users.size + 1, username, role };
      users.set(String(user.id), user);
      return sendJson(res, 201, user);
    }
    if (url.pathname === '/me') {
      if (req.headers.authorization !== 'Bearer alice') return sendJson(res, 401, {});
      if (req.method === 'PATCH') {
        // Answers without the role, but stores it (only a read-back shows it).
        profile = { ...profile, ...body } as typeof profile;
        return sendJson(res, 200, { id: profile.id, displayName: profile.displayName });
      }
      return sendJson(res, 200, profile);
    }
    if (req.method === 'POST' && url.pathname === '/echo') return sendJson(res, 201, { id: 9, ...body });
    return sendJson(res, 404, {});
  });
});
afterAll(() => app.close());

const schema = { type: 'object', required: ['username'], properties: { username: { type: 'string', maxLength: 20 }, password: { type: 'string' } } };
const register = (path: string) => [{ method: 'POST', path, params: [], auth: 'none' as const, requestBody: { contentType: 'application/json', schema, example: { username: 'carol', password: 'pw' } } }];
const identities: Identity[] = [
  { name: 'anonymous', role: 'anonymous', auth: { kind: 'none' } },
  { name: 'alice', role: 'user', auth: { kind: 'bearer', token: 'alice' }, account: { username: 'alice' } },
];

describe('mass-assignment', () => {
  it('makes unique fields unique within their length', () => {
    const b = uniquified({ username: 'carol', email: 'c@x.io', title: 't', phone_number: '+15550100123' }, schema);
    expect(b.phone_number).toMatch(/^\+15550\d{6}$/);
    expect(b.username).toMatch(/^carol_v[0-9a-f]{6}$/);
    expect(String(b.username).length).toBeLessThanOrEqual(20);
    expect(b.email).toMatch(/^c\+v[0-9a-f]{6}@x\.io$/);
    expect(b.title).toBe('t');
  });

  it('confirms role bound on sign-up, the control showing role user', async () => {
    const r = await testCheck(check, { url: app.url, operations: register('/register'), identities });
    expect(r.findings).toHaveLength(1);
    const f = r.findings[0]!;
    expect(f.confidence).toBe('confirmed');
    expect(f.parameter).toBe('json:role');
    expect(f.exposure).toBe('anonymous');
    expect(f.proof.summary).toContain('role "admin"');
    expect(f.proof.summary).toContain('without it role is "user"');
    expect(f.proof.exchanges[0]!.request.body).toContain('"role":"admin"');
  });

  it('reports nothing on the safe twin that drops role', async () => {
    const r = await testCheck(check, { url: app.url, operations: register('/safe-register'), identities });
    expect(r.findings).toEqual([]);
    expect(r.outcomes[0]?.status).toBe('clean');
  });

  it('proves an update by reading it back, then restores the field', async () => {
    const ops = [
      { method: 'GET', path: '/me', params: [], auth: 'required' as const },
      { method: 'PATCH', path: '/me', params: [], auth: 'required' as const, requestBody: { contentType: 'application/json', schema: { type: 'object', properties: { displayName: { type: 'string' } } }, example: { displayName: 'A' } } },
    ];
    const r = await testCheck(check, { url: app.url, operations: ops, identities });
    const f = r.findings.find((x) => x.parameter === 'json:role');
    expect(f?.confidence).toBe('confirmed');
    expect(f?.proof.summary).toContain('the read-back says role "admin"');
    expect(profile.role).toBe('user');
  });

  it('keeps an echoed field tentative: the control does not show a server-set value', async () => {
    const r = await testCheck(check, { url: app.url, operations: [{ ...register('/echo')[0]!, path: '/echo' }], identities });
    expect(r.findings.length).toBeGreaterThan(0);
    expect(r.findings.every((f) => f.confidence === 'tentative')).toBe(true);
  });

  it('does not run in safe mode', async () => {
    const r = await testCheck(check, { url: app.url, operations: register('/register'), identities, safeMode: true });
    expect(r.skipped[0]).toContain('safe mode');
    expect(r.requests).toBe(0);
  });
});
