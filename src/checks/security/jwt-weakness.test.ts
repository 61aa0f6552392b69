// src/checks/security/jwt-weakness.test.ts — forged tokens on a fixture API with alg "none" and a wordlist secret,
// and a safe twin (random secret, HS256 only) that must give no finding.
import { createHmac, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Identity } from '../../core/index.js';
import { sendJson, serveFixture, type Fixture } from '../kit/fixture.js';
import { testCheck } from '../kit/tester.js';
import check from './jwt-weakness.js';
import { crackHmac, decodeJwt, forge } from './support/jwt.js';

function api(secret: string, acceptNone: boolean) {
  const sign = (claims: Record<string, unknown>): string => forge({ alg: 'HS256', typ: 'JWT' }, claims, secret);
  return serveFixture((req, res, url) => {
    if (req.method === 'POST' && url.pathname === '/login') return sendJson(res, 200, { token: sign({ sub: '1', exp: Math.floor(Date.now() / 1000) + 600 }) });
    if (url.pathname !== '/me') return sendJson(res, 404, {});
    const t = decodeJwt(/^Bearer (\S+)$/.exec(req.headers.authorization ?? '')?.[1] ?? /session=([^;\s]+)/.exec(req.headers.cookie ?? '')?.[1] ?? '');
    const alg = String(t?.header.alg ?? '');
    const good = t && (alg === 'HS256' ? createHmac('sha256', secret).update(t.raw.slice(0, t.raw.lastIndexOf('.'))).digest('base64url') === t.signature : acceptNone && alg.toLowerCase() === 'none');
    return good ? sendJson(res, 200, { id: t.claims.sub }) : sendJson(res, 401, { error: 'bad token' });
  });
}

const operations = [
  { method: 'POST', path: '/login', params: [], auth: 'none' as const },
  { method: 'GET', path: '/me', params: [], auth: 'required' as const },
];
const identities: Identity[] = [
  { name: 'anonymous', role: 'anonymous', auth: { kind: 'none' } },
  { name: 'alice', role: 'user', auth: { kind: 'json-login', url: '/login', body: {}, tokenPath: 'token' } },
];

let weak: Fixture;
let safe: Fixture;
beforeAll(async () => {
  weak = await api('secret', true);
  safe = await api(randomBytes(32).toString('hex'), false);
});
afterAll(async () => {
  await weak.close();
  await safe.close();
});

describe('jwt-weakness', () => {
  it('confirms alg none on the probe and the weak secret at the login that issued the token', async () => {
    const r = await testCheck(check, { url: weak.url, operations, identities });
    const byClass = new Map(r.findings.map((f) => [f.vulnClass, f]));
    expect([...byClass.keys()].sort()).toEqual(['jwt-alg-none', 'jwt-weak-secret']);
    expect(byClass.get('jwt-alg-none')!.confidence).toBe('confirmed');
    expect(byClass.get('jwt-alg-none')!.operation).toEqual({ method: 'GET', path: '/me' });
    const secret = byClass.get('jwt-weak-secret')!;
    expect(secret.confidence).toBe('confirmed');
    expect(secret.operation).toEqual({ method: 'POST', path: '/login' });
    expect(secret.proof.summary).toContain('s***** (6 characters');
    expect(JSON.stringify(secret)).not.toContain('"secret"');
  });

  it('forges a token carried in a cookie the same way', async () => {
    const cookie = forge({ alg: 'HS256', typ: 'JWT' }, { sub: '1', exp: Math.floor(Date.now() / 1000) + 600 }, 'secret');
    const r = await testCheck(check, { url: weak.url, operations, identities: [identities[0]!, { name: 'carol', role: 'user', auth: { kind: 'cookie', name: 'session', value: cookie } }] });
    expect(r.findings.map((f) => [f.vulnClass, f.confidence]).sort()).toEqual([['jwt-alg-none', 'confirmed'], ['jwt-weak-secret', 'confirmed']]);
    const forged = r.findings[0]!.proof.exchanges[0]!;
    expect(forged.request.headers.find(([k]) => k === 'cookie')?.[1]).toMatch(/^session=/);
    expect(forged.request.headers.some(([k]) => k === 'authorization')).toBe(false);
  });

  it('reports nothing on the safe twin', async () => {
    const r = await testCheck(check, { url: safe.url, operations, identities });
    expect(r.findings).toEqual([]);
    expect(r.outcomes.map((o) => o.status)).toEqual(['clean']);
  });

  it('is inconclusive without a JWT-bearing identity', async () => {
    const r = await testCheck(check, { url: weak.url, operations, identities: identities.slice(0, 1) });
    expect(r.outcomes[0]).toMatchObject({ status: 'inconclusive' });
  });

  it('cracks only wordlist secrets', () => {
    const t = decodeJwt(forge({ alg: 'HS256' }, { sub: '1' }, 'changeme'))!;
    expect(crackHmac(t)).toBe('changeme');
    expect(crackHmac(decodeJwt(forge({ alg: 'HS256' }, { sub: '1' }, 'x7Jq-not-in-list'))!)).toBeUndefined();
  });
});
