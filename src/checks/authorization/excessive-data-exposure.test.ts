// src/checks/authorization/excessive-data-exposure.test.ts — a profile with a password hash, its safe twin, secrets by
// value shape, redaction in the evidence, refused requests, and a known user's personal record served without
// credentials (twins: a record without personal data, a record of nobody vouch signs in as, a signed-in read).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Identity, Operation } from '../../core/index.js';
import { sendJson, serveFixture, type Fixture } from '../kit/fixture.js';
import { testCheck } from '../kit/tester.js';
import check, { findExposed } from './excessive-data-exposure.js';
import { knownNames, personalRecord } from './support/owned.js';

const HASH = 'scrypt$16384$8$1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA';
let app: Fixture;
beforeAll(async () => {
  app = await serveFixture((req, res, url) => {
    if (req.headers.authorization !== 'Bearer alice') return sendJson(res, 401, {});
    if (url.pathname === '/me') return sendJson(res, 200, { id: 1, username: 'alice', passwordHash: HASH });
    if (url.pathname === '/safe-me') return sendJson(res, 200, { id: 1, username: 'alice', role: 'user' });
    return sendJson(res, 403, {});
  });
});
afterAll(() => app.close());

const identities: Identity[] = [
  { name: 'anonymous', role: 'anonymous', auth: { kind: 'none' } },
  { name: 'alice', role: 'user', auth: { kind: 'bearer', token: 'alice' } },
];
const op = (path: string) => [{ method: 'GET', path, params: [], auth: 'required' as const, responses: { '200': { contentType: 'application/json', schema: { type: 'object', properties: { id: { type: 'integer' }, username: { type: 'string' } } } } } }];

describe('excessive-data-exposure', () => {
  it('finds sensitive fields by name and by value shape, and knows what the schema documents', () => {
    const found = findExposed({ users: [{ id: 1, note: '$2b$10$abcdefghijklmnopqrstuuJ5M3aGZfVw2DcF3a7eQ2b9nQm0hQ0yW', card_number: '4111111111111111' }], api_key: 'k-123456' }, { type: 'object', properties: { api_key: { type: 'string' } } });
    expect(found.map((e) => [e.path, e.kind, e.documented])).toEqual([
      ['users.0.note', 'password hash', false],
      ['users.0.card_number', 'payment card', false],
      ['api_key', 'token', true],
    ]);
    expect(findExposed({ id: 1, title: 'token bucket', password: '' })).toEqual([]);
  });

  it("confirms the profile's password hash, redacted in the evidence", async () => {
    const r = await testCheck(check, { url: app.url, operations: op('/me'), identities });
    expect(r.findings).toHaveLength(1);
    const f = r.findings[0]!;
    expect(f.confidence).toBe('confirmed');
    expect(f.parameter).toBe('response:passwordHash');
    expect(f.vulnClass).toBe('exposure:password-hash');
    expect(f.proof.summary).toContain('a field the spec does not document');
    expect(f.proof.evidence).toBe(`"passwordHash": "scry…[redacted, ${HASH.length} chars]"`);
    expect(f.proof.evidence).not.toContain(HASH);
    expect(JSON.stringify(f.proof)).not.toContain(HASH);
    expect(f.proof.exchanges[0]!.response?.body).toContain('"passwordHash":"[REDACTED]"');
    expect(r.requests).toBe(2);
  });

  it('reports nothing on the safe twin', async () => {
    const r = await testCheck(check, { url: app.url, operations: op('/safe-me'), identities });
    expect(r.findings).toEqual([]);
    expect(r.outcomes[0]?.status).toBe('clean');
  });

  it('is inconclusive when the request is refused', async () => {
    const r = await testCheck(check, { url: app.url, operations: op('/admin'), identities });
    expect(r.outcomes[0]).toMatchObject({ status: 'inconclusive', reason: expect.stringContaining('answered 403') as unknown });
  });
});

describe('excessive-data-exposure: personal records without credentials', () => {
  let open: Fixture;
  const ADMIN = { id: 1, email: 'admin', firstName: 'admin', company: 'Acme', phoneNumber: '+1 234 567 890' };
  beforeAll(async () => {
    open = await serveFixture((_req, res, url) => {
      if (url.pathname === '/users/1') return sendJson(res, 200, ADMIN);
      if (url.pathname === '/safe-users/1') return sendJson(res, 200, { id: 1, email: 'admin', firstName: 'admin' });
      if (url.pathname === '/strangers/1') return sendJson(res, 200, { ...ADMIN, email: 'carol@example.com' });
      return sendJson(res, 404, {});
    });
  });
  afterAll(() => open.close());
  const people: Identity[] = [
    { name: 'anonymous', role: 'anonymous', auth: { kind: 'none' } },
    { name: 'admin', role: 'privileged', auth: { kind: 'json-login', url: '/login', body: { user: 'admin', password: 'x' } } },
  ];
  const item = (base: string) => [{ method: 'GET', path: `/${base}/{id}`, params: [{ name: 'id', in: 'path' as const, required: true, schema: { type: 'integer', example: 1 } }], auth: 'none' as const, sources: ['spec' as const] }];

  it('knows the names an identity signs in with, and finds the record that names one', () => {
    expect(knownNames(people[1]!)).toEqual(['admin']);
    expect(personalRecord({ data: [ADMIN] }, people)).toMatchObject({ owner: 'admin', path: 'data.0.phoneNumber' });
    expect(personalRecord({ email: 'admin', firstName: 'admin' }, people)).toBeUndefined();
  });

  it("confirms that an anonymous read returns admin's phone number, redacted", async () => {
    const r = await testCheck(check, { url: open.url, operations: item('users'), identities: people });
    const f = r.findings[0];
    expect(f).toMatchObject({ vulnClass: 'exposure:personal-data', confidence: 'confirmed', parameter: 'response:phoneNumber' });
    expect(f!.proof.summary).toContain("as anonymous → 200 with a record of admin's account holding personal data (phoneNumber) in phoneNumber");
    expect(JSON.stringify(f!.proof)).not.toContain('567 890');
  });

  it('reports nothing for a record without personal data, or of nobody vouch signs in as', async () => {
    for (const base of ['safe-users', 'strangers']) {
      const r = await testCheck(check, { url: open.url, operations: item(base), identities: people });
      expect(r.findings).toEqual([]);
    }
  });
});

describe('excessive-data-exposure: undocumented operations, personal values of a known account', () => {
  let site: Fixture;
  const PHONE = '+1 555 0100 22';
  beforeAll(async () => {
    site = await serveFixture((req, res, url) => {
      const alice = req.headers.authorization === 'Bearer alice';
      if (url.pathname === '/me') return alice ? sendJson(res, 200, { username: 'alice', phone_number: PHONE, role: 'Customer' }) : sendJson(res, 401, {});
      // A hidden route that lists every order, with its customer's phone number, to anyone.
      if (url.pathname === '/delivery/orders') return sendJson(res, 200, [{ id: 3, user_id: 5, phone_number: PHONE, delivery_address: '1 Main St, Springfield' }]);
      // Twins: the phone numbers of nobody vouch signs in as (a shop directory), a refusal in a 200 JSON body.
      if (url.pathname === '/shops') return sendJson(res, 200, [{ id: 1, phone_number: '+1 555 0199 99', address: '9 Shop Row, Springfield' }]);
      if (url.pathname === '/denied') return sendJson(res, 200, { result: 'fail', error: 'Access denied' });
      return sendJson(res, 404, {});
    });
  });
  afterAll(() => site.close());
  const ids: Identity[] = [
    { name: 'anonymous', role: 'anonymous', auth: { kind: 'none' } },
    { name: 'alice', role: 'user', auth: { kind: 'bearer', token: 'alice' } },
  ];
  const ops = (path: string, sources: Operation['sources']) => [
    { method: 'GET', path: '/me', params: [], auth: 'required' as const },
    { method: 'GET', path, params: [], auth: 'none' as const, sources },
  ];
  const on = (r: Awaited<ReturnType<typeof testCheck>>, path: string) => r.findings.filter((f) => f.operation.path === path);

  it("confirms a shadow route serving alice's phone number (as her own /me shows it) to anonymous callers", async () => {
    const r = await testCheck(check, { url: site.url, operations: ops('/delivery/orders', ['shadow']), identities: ids });
    const [f] = on(r, '/delivery/orders');
    expect(f).toMatchObject({ vulnClass: 'exposure:personal-data', confidence: 'confirmed', parameter: 'response:[].phone_number' });
    expect(f!.proof.summary).toContain("record of alice's account holding personal data (phone_number)");
    expect(JSON.stringify(f!.proof)).not.toContain('0100 22');
  });

  it('reports nothing for personal values of nobody vouch signs in as, nor for a refusal in a 200', async () => {
    for (const path of ['/shops', '/denied']) {
      const r = await testCheck(check, { url: site.url, operations: ops(path, ['spa']), identities: ids });
      expect(on(r, path)).toEqual([]);
      expect(r.outcomes.map((o) => o.status)).toEqual(['clean', 'clean']);
    }
  });

  it('leaves pages out, saying so', async () => {
    const r = await testCheck(check, { url: site.url, operations: ops('/delivery/orders', ['html']), identities: ids });
    expect(r.skipped).toContain('GET /delivery/orders: a page, not an API operation (found by no spec, HAR, Postman, page call, script or probe)');
  });

  it('names a plain password what it is, not a hash', () => {
    expect(findExposed({ password: 'Zq8#kL2!vN0pXw' }).map((e) => e.kind)).toEqual(['password']);
    expect(findExposed({ password: '$2b$10$abcdefghijklmnopqrstuuJ5M3aGZfVw2DcF3a7eQ2b9nQm0hQ0yW' }).map((e) => e.kind)).toEqual(['password hash']);
  });
});
