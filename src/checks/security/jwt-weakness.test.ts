// src/checks/security/jwt-weakness.test.ts — forged tokens on a fixture API with alg "none" and a wordlist secret,
// and a safe twin (random secret, HS256 only) that must give no finding.
import { createHmac, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Identity } from '../../core/index.js';
import { sendJson, serveFixture, type Fixture } from '../kit/fixture.js';
import { testCheck } from '../kit/tester.js';
import check from './jwt-weakness.js';
import { decodeJwt, forge } from './support/jwt.js';

/** `verify: false` never checks signatures; `checkExp: false` accepts expired tokens. */
function api(secret: string, acceptNone: boolean, { verify = true, checkExp = true } = {}) {
  const sign = (claims: Record<string, unknown>): string => forge({ alg: 'HS256', typ: 'JWT' }, claims, secret);
  return serveFixture((req, res, url) => {
    const fresh = (): string => sign({ sub: '1', exp: Math.floor(Date.now() / 1000) + 600 });
    if (req.method === 'POST' && url.pathname === '/login') return sendJson(res, 200, { token: fresh() });
    // A route that hands a token out in a response header, raw (sent back as `Authorization: <jwt>`).
    if (url.pathname === '/issue') {
      res.setHeader('authorization', fresh());
      return sendJson(res, 201, { ok: true });
    }
    if (url.pathname !== '/me') return sendJson(res, 404, {});
    const auth = req.headers.authorization ?? '';
    const t = decodeJwt(/^(?:Bearer )?(\S+)$/.exec(auth)?.[1] ?? /session=([^;\s]+)/.exec(req.headers.cookie ?? '')?.[1] ?? '');
    const alg = String(t?.header.alg ?? '');
    const mac = (x: string): string => createHmac('sha256', secret).update(x.slice(0, x.lastIndexOf('.'))).digest('base64url');
    const signed = t && (alg === 'HS256' ? !verify || mac(t.raw) === t.signature : acceptNone && alg.toLowerCase() === 'none');
    const live = !checkExp || typeof t?.claims.exp !== 'number' || t.claims.exp > Date.now() / 1000;
    return signed && live ? sendJson(res, 200, { id: t.claims.sub }) : sendJson(res, 401, { error: 'bad token' });
  });
}

/** Keys looked up by kid: as a file path under keys/ (`file`, traversable), or in a fixed map (the safe twin). */
function kidApi(lookup: 'file' | 'map', secret: string) {
  return serveFixture((req, res, url) => {
    if (url.pathname !== '/me') return sendJson(res, 404, {});
    const t = decodeJwt(req.headers.authorization ?? '');
    const kid = String(t?.header.kid ?? '');
    const key = lookup === 'map' ? (kid === 'k1' ? secret : undefined) : kid === 'k1' ? secret : /(\.\.\/)+dev\/null$/.test(kid) ? '' : undefined;
    const good = t && t.header.alg === 'HS256' && key !== undefined && createHmac('sha256', key).update(t.raw.slice(0, t.raw.lastIndexOf('.'))).digest('base64url') === t.signature;
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
let digits: Fixture;
let lax: Fixture;
beforeAll(async () => {
  weak = await api('secret', true);
  safe = await api(randomBytes(32).toString('hex'), false);
  digits = await api('284913', false, { verify: false });
  lax = await api('keyboard cat', false, { checkExp: false });
});
afterAll(async () => {
  await Promise.all([weak, safe, digits, lax].map((f) => f.close()));
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

  it('presents a raw Authorization token (no Bearer) the way the identity does', async () => {
    const raw = forge({ alg: 'HS256', typ: 'JWT' }, { sub: '1', exp: Math.floor(Date.now() / 1000) + 600 }, 'secret');
    const r = await testCheck(check, { url: weak.url, operations, identities: [identities[0]!, { name: 'dan', role: 'user', auth: { kind: 'header', name: 'Authorization', value: raw } }] });
    expect(r.findings.map((f) => [f.vulnClass, f.confidence]).sort()).toEqual([['jwt-alg-none', 'confirmed'], ['jwt-weak-secret', 'confirmed']]);
    const none = r.findings.find((f) => f.vulnClass === 'jwt-alg-none')!;
    expect(none.proof.payload).toMatch(/^eyJ[^ ]+\.$/);
    expect(none.proof.exchanges[0]!.request.headers.some(([k]) => k === 'authorization')).toBe(true);
  });

  it('cracks a 6-digit secret where signatures are not verified, and proves it offline', async () => {
    const r = await testCheck(check, { url: digits.url, operations, identities });
    const byClass = new Map(r.findings.map((f) => [f.vulnClass, f]));
    expect([...byClass.keys()].sort()).toEqual(['jwt-signature-not-verified', 'jwt-weak-secret']);
    const secret = byClass.get('jwt-weak-secret')!;
    expect(secret.confidence).toBe('confirmed');
    expect(secret.proof.summary).toContain('2***** (6 characters');
    expect(secret.proof.summary).toContain('re-verified offline');
    expect(JSON.stringify(secret)).not.toContain('284913');
  });

  it('cracks a token handed out in a response header when no identity presents one', async () => {
    const ops = [...operations, { method: 'GET', path: '/issue', params: [], auth: 'none' as const }];
    const r = await testCheck(check, { url: digits.url, operations: ops, identities: identities.slice(0, 1), warmup: ['/issue'] });
    expect(r.findings.map((f) => [f.vulnClass, f.confidence, f.operation.path])).toEqual([['jwt-weak-secret', 'confirmed', '/issue']]);
    const none = await testCheck(check, { url: safe.url, operations: ops, identities: identities.slice(0, 1), warmup: ['/issue'] });
    expect(none.findings).toEqual([]);
  });

  it('reports an expired token signed with the cracked secret that is still accepted', async () => {
    const r = await testCheck(check, { url: lax.url, operations, identities });
    expect(r.findings.map((f) => [f.vulnClass, f.confidence]).sort()).toEqual([['jwt-expired-accepted', 'confirmed'], ['jwt-weak-secret', 'confirmed']]);
    const w = await testCheck(check, { url: weak.url, operations, identities });
    expect(w.findings.map((f) => f.vulnClass)).not.toContain('jwt-expired-accepted');
  });

  it('forges with a kid that points the key lookup at /dev/null, not where kids come from a fixed map', async () => {
    const secret = randomBytes(32).toString('hex');
    const token = forge({ alg: 'HS256', typ: 'JWT', kid: 'k1' }, { sub: '1' }, secret);
    const eve: Identity[] = [identities[0]!, { name: 'eve', role: 'user', auth: { kind: 'header', name: 'Authorization', value: token } }];
    const file = await kidApi('file', secret);
    const map = await kidApi('map', secret);
    try {
      const r = await testCheck(check, { url: file.url, operations, identities: eve });
      expect(r.findings.map((f) => [f.vulnClass, f.confidence]), r.findings[0]?.proof.summary).toEqual([['jwt-kid-injection', 'confirmed']]);
      expect(r.findings[0]!.proof.summary).toContain('/dev/null');
      const safe = await testCheck(check, { url: map.url, operations, identities: eve });
      expect(safe.findings).toEqual([]);
    } finally {
      await Promise.all([file.close(), map.close()]);
    }
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

});
