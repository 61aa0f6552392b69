// src/checks/security/jwt-weakness.test.ts — forged tokens on a fixture API with alg "none" and a wordlist secret,
// and a safe twin (random secret, HS256 only) that must give no finding; token issuers beside their validators (jku,
// x5u, jwk, x5c, kid SQL) and safe twins that pin their key or look kid up in a map.
import { X509Certificate, createHmac, createPublicKey, generateKeyPairSync, randomBytes, sign, verify, type JsonWebKey, type KeyObject } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Identity } from '../../core/index.js';
import { sendJson, serveFixture, type Fixture } from '../kit/fixture.js';
import { testCheck } from '../kit/tester.js';
import check from './jwt-weakness.js';
import { decodeJwt, forge, type Jwt } from './support/jwt.js';

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

/**
 * Token issuers, each `POST /auth/<flow>/login` (alice / pw, the token in the body) beside `GET /auth/<flow>/validate`.
 * Vulnerable validators take the key from the token (jku, x5u: fetched; jwk, x5c: embedded) or paste the kid into
 * "SQL" (a pg_sleep in it delays the answer); safe twins verify with their own key (`pinned`) or look kid up in a map.
 */
function issuersApp() {
  const server = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const secret = randomBytes(32).toString('hex');
  const b64 = (v: unknown): string => Buffer.from(JSON.stringify(v)).toString('base64url');
  const rs256 = (header: Record<string, unknown>, claims: Record<string, unknown>): string => {
    const head = `${b64({ ...header, alg: 'RS256' })}.${b64(claims)}`;
    return `${head}.${sign('sha256', Buffer.from(head), server.privateKey).toString('base64url')}`;
  };
  const verified = (t: Jwt, key: KeyObject): boolean =>
    t.header.alg === 'RS256' && verify('sha256', Buffer.from(t.raw.slice(0, t.raw.lastIndexOf('.'))), key, Buffer.from(t.signature, 'base64url'));
  const keyOf = async (flow: string, t: Jwt): Promise<KeyObject | undefined> => {
    const h = t.header as { jku?: string; x5u?: string; jwk?: JsonWebKey; x5c?: string[] };
    if (flow === 'jku' && h.jku) {
      const doc = (await (await fetch(h.jku)).json()) as JsonWebKey & { keys?: JsonWebKey[] };
      return createPublicKey({ key: doc.keys?.[0] ?? doc, format: 'jwk' });
    }
    if (flow === 'x5u' && h.x5u) return new X509Certificate(await (await fetch(h.x5u)).text()).publicKey;
    if (flow === 'jwk' && h.jwk) return createPublicKey({ key: h.jwk, format: 'jwk' });
    if (flow === 'x5c' && h.x5c?.[0]) return new X509Certificate(Buffer.from(h.x5c[0], 'base64')).publicKey;
    return flow === 'pinned' ? server.publicKey : undefined;
  };
  const HEADERS: Record<string, Record<string, unknown>> = {
    jku: { jku: 'http://127.0.0.1:9/unreachable/jwks.json' }, // the default key URL is down: the issued token is refused too
    x5u: {},
    jwk: { jwk: server.publicKey.export({ format: 'jwk' }) },
    x5c: {},
    pinned: { jku: 'http://127.0.0.1:9/ignored.json' },
  };
  return serveFixture(async (req, res, url) => {
    const [, , flow, action] = url.pathname.split('/');
    if (req.method === 'POST' && action === 'login') {
      const body = JSON.parse(req.body || '{}') as { username?: string; password?: string };
      if (body.username !== 'alice' || body.password !== 'pw') return sendJson(res, 401, { error: 'Invalid credentials' });
      const claims = { sub: 'alice' };
      if (flow === 'kidsql' || flow === 'kidmap') return sendJson(res, 200, { token: forge({ alg: 'HS256', typ: 'JWT', kid: 'k1' }, claims, secret) });
      return sendJson(res, 200, { token: rs256({ typ: 'JWT', ...HEADERS[flow ?? ''] }, claims) });
    }
    if (req.method !== 'GET' || action !== 'validate') return sendJson(res, 404, {});
    const t = decodeJwt(req.headers.authorization?.replace(/^Bearer /, '') ?? '');
    if (!t) return sendJson(res, 403, { error: 'no token' });
    if (flow === 'kidsql' || flow === 'kidmap') {
      const sleep = flow === 'kidsql' ? /pg_sleep\((\d+(?:\.\d+)?)\)/.exec(String(t.header.kid))?.[1] : undefined;
      if (sleep) await new Promise((r) => setTimeout(r, Number(sleep) * 1000));
      const good = t.header.kid === 'k1' && createHmac('sha256', secret).update(t.raw.slice(0, t.raw.lastIndexOf('.'))).digest('base64url') === t.signature;
      return good ? sendJson(res, 200, { valid: true }) : sendJson(res, 401, { error: 'bad token' });
    }
    const key = await keyOf(flow ?? '', t).catch(() => undefined);
    return key && verified(t, key) ? sendJson(res, 200, { valid: true, sub: t.claims.sub }) : sendJson(res, 401, { error: 'bad token' });
  });
}

const str = { type: 'string' };
const loginBody = { contentType: 'application/json', schema: { type: 'object', required: ['username', 'password'], properties: { username: str, password: str } } };
const flowOps = (flows: string[]) => flows.flatMap((f) => [
  { method: 'POST', path: `/auth/${f}/login`, params: [], requestBody: loginBody },
  { method: 'GET', path: `/auth/${f}/validate`, params: [] },
]);
const alice: Identity[] = [identities[0]!, { name: 'alice', role: 'user', auth: { kind: 'json-login', url: '/auth/pinned/login', body: { username: 'alice', password: 'pw' }, tokenPath: 'token' } }];

describe('jwt-weakness: token issuers', () => {
  let app: Fixture;
  beforeAll(async () => {
    app = await issuersApp();
  });
  afterAll(async () => {
    await app.close();
  });

  it('signs in at every issuer and confirms the key each validator takes from the token, naming issuer and validator', async () => {
    const r = await testCheck(check, { url: app.url, operations: flowOps(['jku', 'x5u', 'jwk', 'x5c', 'pinned']), identities: alice });
    const got = r.findings.map((f) => [f.vulnClass, f.operation.path, f.confidence]).sort();
    expect(got).toEqual([
      ['jwt-jku-injection', '/auth/jku/validate', 'confirmed'],
      ['jwt-jwk-embedded', '/auth/jwk/validate', 'confirmed'],
      ['jwt-x5c-embedded', '/auth/x5c/validate', 'confirmed'],
      ['jwt-x5u-injection', '/auth/x5u/validate', 'confirmed'],
    ]);
    for (const f of r.findings) {
      const flow = f.operation.path.split('/')[2];
      expect(f.proof.summary).toContain(`POST /auth/${flow}/login`);
      // The forgery is answered 2xx, the same token with a garbage signature and no token at all are refused.
      expect(f.proof.exchanges[0]!.response?.status).toBe(200);
      expect(f.proof.exchanges.filter((x) => x.identity === 'jwt-weakness' && x.response?.status === 401).length).toBeGreaterThan(0);
      expect(f.proof.exchanges.some((x) => x.response?.status === 403)).toBe(true);
    }
    // jku and x5u: the target fetched vouch's key from the listener, recorded as proof.
    for (const kind of ['jwt-jku-injection', 'jwt-x5u-injection']) {
      const f = r.findings.find((x) => x.vulnClass === kind)!;
      expect(f.proof.exchanges.some((x) => x.identity === 'oob-callback')).toBe(true);
    }
  });

  it('finds nothing where the validator pins its own key (the safe twin), though its tokens name a jku', async () => {
    const r = await testCheck(check, { url: app.url, operations: flowOps(['pinned']), identities: alice });
    expect(r.findings).toEqual([]);
    expect(r.outcomes.map((o) => o.status)).toEqual(['clean']);
  });

  it('leaves jku and x5u out without the listener, and still proves the embedded keys', async () => {
    const r = await testCheck(check, { url: app.url, operations: flowOps(['jku', 'x5u', 'jwk']), identities: alice, oob: false });
    expect(r.findings.map((f) => f.vulnClass)).toEqual(['jwt-jwk-embedded']);
  });

  it('proves an SQL injection through kid by a delay that follows the one asked for, not where kid is looked up in a map', async () => {
    const r = await testCheck(check, { url: app.url, operations: flowOps(['kidsql', 'kidmap']), identities: alice, options: { delaySeconds: 1 } });
    expect(r.findings.map((f) => [f.vulnClass, f.operation.path, f.confidence])).toEqual([['jwt-kid-sql-injection', '/auth/kidsql/validate', 'confirmed']]);
    expect(r.findings[0]!.proof.summary).toMatch(/kid "k1" replaced by a PostgreSQL delay/);
  });

  it('reports one finding per issuer and kind, the other operations that accept the same forgery as its locations', async () => {
    const lax = await serveFixture((req, res, url) => {
      if (req.method === 'POST' && url.pathname === '/login') return sendJson(res, 200, { token: `${forge({ alg: 'RS256' }, { sub: 'alice' })}${randomBytes(64).toString('base64url')}` });
      const t = decodeJwt(req.headers.authorization?.replace(/^Bearer /, '') ?? '');
      return t ? sendJson(res, 200, { sub: t.claims.sub }) : sendJson(res, 401, {}); // never checks the signature
    });
    try {
      const ops = [{ method: 'POST', path: '/login', params: [], requestBody: loginBody }, { method: 'GET', path: '/orders', params: [] }, { method: 'GET', path: '/coupons', params: [] }];
      const r = await testCheck(check, { url: lax.url, operations: ops, identities: [identities[0]!, { ...alice[1]!, auth: { kind: 'json-login', url: '/login', body: { username: 'alice', password: 'pw' }, tokenPath: 'token' } }] });
      const unverified = r.findings.filter((f) => f.vulnClass === 'jwt-signature-not-verified');
      expect(unverified.map((f) => [f.operation.path, f.confidence, f.locations?.map((l) => l.path)])).toEqual([['/coupons', 'confirmed', ['/orders']]]);
      expect(unverified[0]!.proof.summary).toContain('(the same on GET /orders)');
    } finally {
      await lax.close();
    }
  });

  it('says what was missing: no sign-in operation, no credentials, no validator beside the issuer', async () => {
    const none = await testCheck(check, { url: app.url, operations: [{ method: 'GET', path: '/auth/jku/validate', params: [] }], identities: alice });
    expect(none.outcomes[0]).toMatchObject({ status: 'inconclusive', reason: expect.stringContaining('no sign-in operation') });
    const anonymous = await testCheck(check, { url: app.url, operations: flowOps(['jwk']), identities: identities.slice(0, 1) });
    expect(anonymous.outcomes[0]).toMatchObject({ status: 'inconclusive', reason: expect.stringContaining('no credentials to sign in at POST /auth/jwk/login') });
    const alone = await testCheck(check, { url: app.url, operations: flowOps(['jwk']).slice(0, 1), identities: alice });
    expect(alone.outcomes[0]).toMatchObject({ status: 'inconclusive', reason: expect.stringContaining('no GET operation without path parameters under the issuers') });
    // Safe mode: the engine refuses the sign-in (a POST), and the reason says so.
    const safeMode = await testCheck(check, { url: app.url, operations: flowOps(['jwk']), identities: identities.slice(0, 1).concat({ ...alice[1]!, auth: { kind: 'json-login', url: '/auth/pinned/login', body: { username: 'alice', password: 'pw' }, tokenPath: 'token' } }), safeMode: true });
    expect(safeMode.outcomes[0]).toMatchObject({ status: 'inconclusive', reason: expect.stringMatching(/POST \/auth\/jwk\/login handed out no JWT \(.*safe mode/) });
  });
});
