// src/plan/harm.test.ts — the do-no-harm guard in a real engine: what reaches the fixture and what is refused
// (dangerous paths, a reset page, an identity's own account, objects vouch did not create), and safe mode's login
// exemption.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendJson, serveFixture, type Fixture } from '../checks/kit/fixture.js';
import { collectionPutCreate } from '../core/index.js';
import type { Identity, Operation } from '../core/index.js';
import { createEngine } from '../net/index.js';
import { createHarmGuard, excludedList } from './harm.js';

let app: Fixture;
const hits: string[] = [];
let nextId = 100;

beforeAll(async () => {
  app = await serveFixture((req, res, url) => {
    hits.push(`${req.method} ${url.pathname}${url.search}`);
    if (url.pathname === '/reset-page') return sendJson(res, 200, { message: 'The database has been reset.' });
    if (url.pathname === '/login') return sendJson(res, 200, { token: 'tok-0123456789abcdef', user: { id: 42, username: 'alice' } });
    if (req.method === 'POST' || (req.method === 'PUT' && url.pathname === '/api/menu')) return sendJson(res, 201, { id: String(nextId++) });
    return sendJson(res, 200, { ok: true });
  });
});

afterAll(async () => {
  await app.close();
});

const alice: Identity = { name: 'alice', role: 'user', auth: { kind: 'json-login', url: '/login', body: { username: 'alice', password: 'pw' }, token: { from: 'body', path: 'token' } } };

function setup(opts: { safeMode?: boolean; allow?: string[] } = {}) {
  const guard = createHarmGuard({ identities: [alice], allowDangerous: opts.allow ?? [] });
  const target = { name: 'fixture', url: app.url, environment: opts.safeMode ? ('production' as const) : ('local' as const) };
  const engine = createEngine({ target, scope: { origins: [new URL(app.url).origin], include: [], exclude: [] }, safeMode: opts.safeMode ?? false, guard, ratePerSecond: 10_000 });
  return { guard, engine };
}

describe('the harm guard', () => {
  it('refuses dangerous paths unless allowed, and a page once it reported a reset', async () => {
    const { engine, guard } = setup({ allow: ['/install*'] });
    hits.length = 0;
    const setupPhp = await engine.send({ method: 'GET', url: '/setup.php' }, { identity: 'anonymous' });
    expect(setupPhp.error?.code).toBe('VOUCH_HARM_REFUSED');
    expect((await engine.send({ method: 'GET', url: '/install/step1' }, { identity: 'anonymous' })).response?.status).toBe(200);
    expect((await engine.send({ method: 'GET', url: '/reset-page' }, { identity: 'anonymous' })).error?.code).toBe('VOUCH_HARM_REFUSED');
    expect(hits).toEqual(['GET /install/step1']);
    // A page whose name says nothing, whose answer reports a reset: refused from then on.
    guard.learn({ id: 'x', identity: 'anonymous', request: { method: 'GET', url: `${app.url}/tools/go`, headers: [] }, response: { status: 200, headers: [], body: 'Database has been created.' }, timing: { startedAt: 0, totalMs: 0 } }, { identity: 'anonymous' });
    expect((await engine.send({ method: 'GET', url: '/tools/go' }, { identity: 'anonymous' })).error?.message).toMatch(/answered "Database has been created"/);
    expect(excludedList([], [], guard.refusals()).map((e) => `${e.method} ${e.path} ${e.requests}`)).toEqual(['GET /reset-page 1', 'GET /setup.php 1', 'GET /tools/go 1']);
  });

  it("never writes to an identity's own account, by path words or its learned id and name", async () => {
    const { engine, guard } = setup();
    hits.length = 0;
    // The login's answer names alice's account (id 42): it is protected from then on.
    await engine.send({ method: 'POST', url: '/login', body: '{}' }, { identity: 'alice:login', login: true });
    for (const [method, url] of [['DELETE', '/users/42'], ['PUT', '/users/alice'], ['PATCH', '/api/me'], ['POST', '/account/deactivate'], ['GET', '/logout'], ['GET', '/csrf/?password_new=x&password_conf=x']] as const) {
      const x = await engine.send({ method, url }, { identity: 'alice' });
      expect(x.error?.code, `${method} ${url}`).toBe('VOUCH_HARM_REFUSED');
    }
    // An account vouch registered may have its profile changed, never be deleted or signed out.
    guard.createdIdentity('auto-1');
    expect((await engine.send({ method: 'PATCH', url: '/api/me', body: '{}' }, { identity: 'auto-1' })).response?.status).toBe(200);
    expect((await engine.send({ method: 'DELETE', url: '/api/me' }, { identity: 'auto-1' })).error?.code).toBe('VOUCH_HARM_REFUSED');
    // Anonymous has no account to lose; reading one's own account is fine.
    expect((await engine.send({ method: 'GET', url: '/logout' }, { identity: 'anonymous' })).response?.status).toBe(200);
    expect((await engine.send({ method: 'GET', url: '/api/me' }, { identity: 'alice' })).response?.status).toBe(200);
    expect(hits).toEqual(['POST /login', 'PATCH /api/me', 'GET /logout', 'GET /api/me']);
  });

  it("lets a password \"change\" to the identity's own current password through; a mismatch only as a probe", async () => {
    const { engine } = setup();
    hits.length = 0;
    const as = (url: string, probe = false) => engine.send({ method: 'GET', url }, { identity: 'alice', ...(probe ? { probe } : {}) });
    expect((await as('/csrf/?password_new=pw&password_conf=pw&Change=Change')).response?.status).toBe(200);
    expect((await as('/csrf/?password_new=pw&password_conf=pw-mismatch', true)).response?.status).toBe(200);
    for (const [url, probe] of [['/csrf/?password_new=pw&password_conf=pw-mismatch', false], ['/csrf/?password_new=other&password_conf=pw', true], ['/csrf/?password_new=x&password_conf=x', true]] as const) {
      expect((await as(url, probe)).error?.message, url).toMatch(/would change alice's password/);
    }
    // In a form body too: a POST password form.
    const post = (body: string) => engine.send({ method: 'POST', url: '/settings', headers: [['content-type', 'application/x-www-form-urlencoded']], body }, { identity: 'alice' });
    expect((await post('password_new=pw&password_conf=pw')).response?.status).toBe(201);
    expect((await post('password_new=hacked&password_conf=hacked')).error?.message).toMatch(/would change alice's password/);
    hits.splice(hits.indexOf('POST /settings'), 1);
    const signUp = await engine.send({ method: 'POST', url: '/register', body: 'username=x&password=n&password_conf=n' }, { identity: 'alice' });
    expect(signUp.response?.status).toBe(201);
    hits.splice(hits.indexOf('POST /register'), 1);
    // Another identity's password is no identity's own: bob has none in a recipe, so any new password is refused.
    expect((await engine.send({ method: 'GET', url: '/csrf/?password_new=pw&password_conf=pw' }, { identity: 'bob' })).error?.code).toBe('VOUCH_HARM_REFUSED');
    expect(hits).toEqual(['GET /csrf/?password_new=pw&password_conf=pw&Change=Change', 'GET /csrf/?password_new=pw&password_conf=pw-mismatch']);
  });

  it('lets a write naming an account in its body through only for an account vouch registered', async () => {
    const { engine, guard } = setup();
    hits.length = 0;
    guard.createdIdentity('auto-1', 'vouch-a1');
    guard.createdIdentity('auto-2', 'vouch-b2', 'vouch-b2@example.com');
    const role = (account: string) => engine.send({ method: 'PUT', url: '/users/update_role', body: `{"username":"${account}"}` }, { identity: 'auto-1', account });
    expect((await role('vouch-b2')).response?.status).toBe(200);
    expect((await role('VOUCH-B2@example.com')).response?.status).toBe(200);
    // A configured identity's account, or any account vouch did not register: refused, whoever sends it.
    expect((await role('alice')).error?.message).toMatch(/names the account alice in its body, which vouch did not register/);
    expect((await engine.send({ method: 'PUT', url: '/profile', body: '{}' }, { identity: 'anonymous', account: 'alice' })).error?.code).toBe('VOUCH_HARM_REFUSED');
    // The body naming vouch's account does not make an id in the path vouch's.
    expect((await engine.send({ method: 'PUT', url: '/api/notes/7', body: '{}' }, { identity: 'auto-1', account: 'vouch-b2' })).error?.message).toMatch(/object vouch did not create/);
    expect(hits).toEqual(['PUT /users/update_role', 'PUT /users/update_role']);
  });

  it('deletes and writes only objects vouch created, or ids it made up', async () => {
    const { engine } = setup();
    hits.length = 0;
    expect((await engine.send({ method: 'DELETE', url: '/api/notes/7' }, { identity: 'anonymous' })).error?.message).toMatch(/object vouch did not create/);
    expect((await engine.send({ method: 'PUT', url: '/api/settings', body: '{}' }, { identity: 'anonymous' })).error?.code).toBe('VOUCH_HARM_REFUSED');
    expect((await engine.send({ method: 'POST', url: '/api/users/9/disable' }, { identity: 'anonymous' })).error?.code).toBe('VOUCH_HARM_REFUSED');
    expect((await engine.send({ method: 'POST', url: '/authbypass/change_user_details.php', body: '{"id":1}' }, { identity: 'anonymous' })).error?.code).toBe('VOUCH_HARM_REFUSED');
    const made = await engine.send({ method: 'POST', url: '/api/notes', body: '{}' }, { identity: 'anonymous' });
    const id = (JSON.parse(made.response!.body) as { id: string }).id;
    expect((await engine.send({ method: 'DELETE', url: `/api/notes/${id}` }, { identity: 'anonymous' })).response?.status).toBe(200);
    // The same number in another collection is another object.
    expect((await engine.send({ method: 'DELETE', url: `/api/products/${id}` }, { identity: 'anonymous' })).error?.code).toBe('VOUCH_HARM_REFUSED');
    expect((await engine.send({ method: 'DELETE', url: '/api/products/999999999' }, { identity: 'anonymous' })).response?.status).toBe(200);
    expect(hits).toEqual(['POST /api/notes', `DELETE /api/notes/${id}`, 'DELETE /api/products/999999999']);
  });
});

describe('creates through a collection PUT', () => {
  const put = (path: string, extra: Partial<Operation> = {}): Operation => ({
    id: `PUT ${path}`, method: 'PUT', path, params: [], auth: 'required', sources: ['spec'],
    requestBody: { contentType: 'application/json', schema: { type: 'object', properties: { name: {}, price: {} } } }, ...extra,
  });

  it('are told by the spec: a 201 answer or "create" in the summary, no path parameter, no id in the body', () => {
    expect(collectionPutCreate(put('/api/menu', { responses: { '201': {} } }))).toMatch(/201/);
    expect(collectionPutCreate(put('/api/menu', { summary: 'Create Menu Item' }))).toMatch(/Create Menu Item/);
    expect(collectionPutCreate(put('/api/settings', { summary: 'Update settings' }))).toBeUndefined();
    expect(collectionPutCreate(put('/api/menu/{id}', { summary: 'Create Menu Item' }))).toBeUndefined();
    const upsert = put('/api/menu', { summary: 'Create or replace', requestBody: { contentType: 'application/json', schema: { properties: { id: {}, name: {} } } } });
    expect(collectionPutCreate(upsert)).toBeUndefined();
  });

  it('go through when the body names no object, and make the answered id vouch\'s; never overwrite another', async () => {
    const { engine, guard } = setup();
    // Before the surface says PUT /api/menu creates, it is a write to an object vouch did not create.
    hits.length = 0;
    expect((await engine.send({ method: 'PUT', url: '/api/menu', body: '{"name":"x"}' }, { identity: 'alice' })).error?.code).toBe('VOUCH_HARM_REFUSED');
    guard.creates([put('/api/menu', { summary: 'Create Menu Item' }), put('/api/settings', { summary: 'Update settings' })]);
    const made = await engine.send({ method: 'PUT', url: '/api/menu', body: '{"name":"x"}' }, { identity: 'alice' });
    expect(made.response?.status).toBe(201);
    const id = (JSON.parse(made.response!.body) as { id: string }).id;
    // The new item is vouch's; the collection, other items and a body naming another id are not.
    expect((await engine.send({ method: 'DELETE', url: `/api/menu/${id}` }, { identity: 'alice' })).response?.status).toBe(200);
    expect((await engine.send({ method: 'DELETE', url: '/api/menu/1' }, { identity: 'alice' })).error?.code).toBe('VOUCH_HARM_REFUSED');
    expect((await engine.send({ method: 'PUT', url: '/api/menu', body: '{"id":1,"name":"x"}' }, { identity: 'alice' })).error?.code).toBe('VOUCH_HARM_REFUSED');
    expect((await engine.send({ method: 'PUT', url: '/api/menu', body: 'id=1&name=x' }, { identity: 'alice' })).error?.code).toBe('VOUCH_HARM_REFUSED');
    expect((await engine.send({ method: 'PUT', url: '/api/menu', body: '\0' }, { identity: 'alice' })).error?.code).toBe('VOUCH_HARM_REFUSED');
    expect((await engine.send({ method: 'PUT', url: '/api/settings', body: '{"theme":"dark"}' }, { identity: 'alice' })).error?.code).toBe('VOUCH_HARM_REFUSED');
    // A body naming vouch's own item, or an id it made up, may be sent.
    expect((await engine.send({ method: 'PUT', url: '/api/menu', body: `{"id":${id},"name":"y"}` }, { identity: 'alice' })).response?.status).toBe(201);
    expect((await engine.send({ method: 'PUT', url: '/api/menu', body: '{"id":"999999999"}' }, { identity: 'alice' })).response?.status).toBe(201);
    expect(hits).toEqual(['PUT /api/menu', `DELETE /api/menu/${id}`, 'PUT /api/menu', 'PUT /api/menu']);
  });
});

describe('safe mode', () => {
  it('sends no write, not even a write probe, but lets a login through', async () => {
    const { engine } = setup({ safeMode: true });
    hits.length = 0;
    expect((await engine.send({ method: 'POST', url: '/api/notes', body: '{}' }, { identity: 'anonymous' })).error?.code).toBe('VOUCH_SAFE_MODE_REFUSED');
    expect((await engine.send({ method: 'DELETE', url: '/api/notes/999999999' }, { identity: 'anonymous', probe: true })).error?.message).toMatch(/write probe/);
    expect((await engine.send({ method: 'POST', url: '/login', body: '{}' }, { identity: 'alice:login', login: true })).response?.status).toBe(200);
    expect(hits).toEqual(['POST /login']);
  });

  it('lets write probes through with safeMode.writeProbes', async () => {
    const guard = createHarmGuard();
    const target = { name: 'fixture', url: app.url, environment: 'production' as const };
    const engine = createEngine({ target, scope: { origins: [new URL(app.url).origin], include: [], exclude: [] }, safeMode: true, safeModeWriteProbes: true, guard });
    expect((await engine.send({ method: 'DELETE', url: '/api/notes/999999999' }, { identity: 'anonymous', probe: true })).response?.status).toBe(200);
  });
});
