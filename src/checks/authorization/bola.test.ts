// src/checks/authorization/bola.test.ts — an item route without an owner check, its 404 safe twin, shared lists,
// a missing collection, a single user identity, and the request bound.
import type { IncomingMessage } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Identity } from '../../core/index.js';
import { sendJson, serveFixture, type Fixture } from '../kit/fixture.js';
import { testCheck } from '../kit/tester.js';
import check, { listItems } from './bola.js';

let app: Fixture;
const NOTES = [
  { id: 1, owner: 'alice', text: 'alice secret' },
  { id: 2, owner: 'alice', text: 'alice todo' },
  { id: 3, owner: 'bob', text: 'bob note' },
];
const user = (req: IncomingMessage): string | undefined => ({ 'Bearer alice-token': 'alice', 'Bearer bob-token': 'bob' })[req.headers.authorization ?? ''];

beforeAll(async () => {
  app = await serveFixture((req, res, url) => {
    const who = user(req);
    if (!who) return sendJson(res, 401, { error: 'sign in' });
    const [, base, id] = url.pathname.split('/');
    const mine = NOTES.filter((n) => n.owner === who);
    if (base === 'notes' || base === 'safe-notes') {
      if (id === undefined) return sendJson(res, 200, { items: mine });
      const note = NOTES.find((n) => String(n.id) === id);
      if (!note) return sendJson(res, 404, { error: 'not found' });
      if (base === 'safe-notes' && note.owner !== who) return sendJson(res, 404, { error: 'not found' }); // owner check
      return sendJson(res, 200, note);
    }
    if (base === 'public') return id === undefined ? sendJson(res, 200, NOTES) : sendJson(res, 200, NOTES.find((n) => String(n.id) === id) ?? {});
    if (base === 'orphans') return sendJson(res, 200, NOTES[0]);
    return sendJson(res, 404, {});
  });
});
afterAll(() => app.close());

const identities: Identity[] = [
  { name: 'anonymous', role: 'anonymous', auth: { kind: 'none' } },
  { name: 'alice', role: 'user', auth: { kind: 'bearer', token: 'alice-token' } },
  { name: 'bob', role: 'user', auth: { kind: 'bearer', token: 'bob-token' } },
];
const ops = (base: string) => [
  { method: 'GET', path: `/${base}`, params: [], auth: 'required' as const },
  { method: 'GET', path: `/${base}/{noteId}`, params: [{ name: 'noteId', in: 'path' as const, required: true, schema: { type: 'integer' } }], auth: 'required' as const },
];

describe('bola', () => {
  it('finds list items in an array or under a list property', () => {
    expect(listItems([{ id: 1 }])).toHaveLength(1);
    expect(listItems({ data: [{ id: 1 }, { id: 2 }] })).toHaveLength(2);
    expect(listItems({ id: 1 })).toBeUndefined();
  });

  it("confirms that bob reads alice's note, with both reads and both lists as proof", async () => {
    const r = await testCheck(check, { url: app.url, operations: ops('notes'), identities });
    expect(r.findings).toHaveLength(1);
    const f = r.findings[0]!;
    expect(f.confidence).toBe('confirmed');
    expect(f.vulnClass).toBe('bola-read');
    expect(f.parameter).toBe('path:noteId');
    expect(f.exposure).toBe('authenticated');
    expect(f.url).toMatch(/\/notes\/1$/);
    // B's read, A's read, both lists, B's read of its own note (the control), the replay.
    expect(f.proof.exchanges.map((x) => x.identity)).toEqual(['bob', 'alice', 'alice', 'bob', 'bob', 'bob']);
    expect(f.proof.exchanges[0]!.response?.body).toContain('alice secret');
    expect(f.proof.summary).toMatch(/carrying alice's \w+ "alice\w*", a value bob was never shown .*control/);
    expect(r.requests).toBe(2 + 1 + 2 + 1);
  });

  it('reports nothing on the safe twin with an owner check', async () => {
    const r = await testCheck(check, { url: app.url, operations: ops('safe-notes'), identities });
    expect(r.findings).toEqual([]);
    expect(r.outcomes[0]?.status).toBe('clean');
    expect(r.requests).toBeLessThanOrEqual(2 + 1 + 2 * 2);
  });

  it("is inconclusive when a shared list already shows bob everything of alice's objects", async () => {
    const r = await testCheck(check, { url: app.url, operations: ops('public'), identities });
    expect(r.findings).toEqual([]);
    expect(r.outcomes[0]).toMatchObject({ status: 'inconclusive', reason: expect.stringContaining("carry no value bob's own list does not already show") as unknown });
  });

  it('is inconclusive without a collection to harvest ids from', async () => {
    const r = await testCheck(check, { url: app.url, operations: [ops('orphans')[1]!], identities });
    expect(r.outcomes[0]).toMatchObject({ status: 'inconclusive', reason: expect.stringContaining('no collection operation GET /orphans') as unknown });
    expect(r.requests).toBe(0);
  });

  it('is inconclusive with fewer than two user identities', async () => {
    const r = await testCheck(check, { url: app.url, operations: ops('notes'), identities: identities.slice(0, 2) });
    expect(r.outcomes[0]).toMatchObject({ status: 'inconclusive', reason: 'needs two user identities (role user) to compare' });
    expect(r.requests).toBe(0);
  });

  it('says which user could not sign in and why', async () => {
    const failing: Identity = { name: 'bob', role: 'user', auth: { kind: 'json-login', url: '/login', body: {}, tokenPath: 'token' } };
    const r = await testCheck(check, { url: app.url, operations: ops('notes'), identities: [...identities.slice(0, 2), failing] });
    expect(r.outcomes[0]).toMatchObject({ status: 'inconclusive', reason: 'needs two user identities (role user) to compare; bob could not sign in: login /login answered 401' });
  });

  it('applies only to GET item routes that require authentication', async () => {
    const r = await testCheck(check, { url: app.url, operations: ops('notes').map((o) => ({ ...o, auth: 'none' as const })), identities });
    expect(r.skipped).toHaveLength(2);
    expect(r.requests).toBe(0);
  });
});

describe('bola on objects A creates, and on writes', () => {
  let api: Fixture;
  let next = 10;
  const items = new Map<string, { id: number; owner: string; text: string }>();
  beforeAll(async () => {
    api = await serveFixture((req, res, url) => {
      const who = user(req);
      if (!who) return sendJson(res, 401, {});
      const [, base, id] = url.pathname.split('/');
      const safe = base === 'safe-docs';
      if (base !== 'docs' && base !== 'safe-docs') return sendJson(res, 404, {});
      if (id === undefined && req.method === 'GET') return sendJson(res, 200, []); // lists nothing: ids come from creating
      if (id === undefined && req.method === 'POST') {
        const doc = { id: next++, owner: who, text: 'draft' };
        items.set(String(doc.id), doc);
        return sendJson(res, 201, doc);
      }
      const doc = items.get(id ?? '');
      if (!doc || (safe && doc.owner !== who)) return sendJson(res, 404, {});
      if (req.method === 'DELETE') {
        items.delete(String(doc.id));
        return sendJson(res, 204, {});
      }
      if (req.method === 'PATCH') {
        doc.text = 'changed';
        return sendJson(res, 200, doc);
      }
      return sendJson(res, 200, doc);
    });
  });
  afterAll(() => api.close());

  const docOps = (base: string) => [
    { method: 'GET', path: `/${base}`, params: [], auth: 'required' as const },
    { method: 'POST', path: `/${base}`, params: [], auth: 'required' as const, requestBody: { contentType: 'application/json', example: { text: 'draft' } } },
    ...['GET', 'DELETE', 'PATCH'].map((method) => ({ method, path: `/${base}/{id}`, params: [{ name: 'id', in: 'path' as const, required: true, schema: { type: 'integer' } }], auth: 'required' as const, ...(method === 'PATCH' ? { requestBody: { contentType: 'application/json', example: { text: 'x' } } } : {}) })),
  ];

  it("reads, deletes and changes an object alice created, proven by alice's reads before and after", async () => {
    const r = await testCheck(check, { url: api.url, operations: docOps('docs'), identities });
    expect(r.findings.map((f) => `${f.operation.method} ${f.vulnClass} ${f.confidence}`).sort()).toEqual(['DELETE bola-delete confirmed', 'GET bola-read confirmed', 'PATCH bola-write confirmed']);
    const del = r.findings.find((f) => f.vulnClass === 'bola-delete')!;
    expect(del.proof.summary).toMatch(/bob deleted alice's object: DELETE \/docs\/\d+ as bob → 204; alice's read answered 200 before and 404 after/);
    expect(del.proof.exchanges.map((x) => x.identity)).toEqual(['bob', 'alice', 'alice', 'alice']);
    expect(r.findings.find((f) => f.vulnClass === 'bola-read')!.proof.summary).toContain('was created by alice for this test');
  });

  it('reports nothing on the safe twin with an owner check, and never changes objects in safe mode', async () => {
    const r = await testCheck(check, { url: api.url, operations: docOps('safe-docs'), identities });
    expect(r.findings).toEqual([]);
    expect(r.outcomes.map((o) => o.status)).toEqual(['clean', 'clean', 'clean']);
    const safe = await testCheck(check, { url: api.url, operations: docOps('docs'), identities, safeMode: true });
    expect(safe.findings).toEqual([]);
    expect(safe.skipped.filter((s) => s.includes('safe mode'))).toHaveLength(2);
  });
});

describe('bola: owners learned from shared lists and user ids in the query', () => {
  let api: Fixture;
  const POSTS = [
    { id: 7, owner: 'alice', title: 'Trip' },
    { id: 8, owner: 'bob', title: 'Trip' },
  ];
  const PRIVATE: Record<string, string> = { '7': 'alice-iban-DE0012', '8': 'bob-iban-FR7730' };
  const PEOPLE: Record<string, { id: number; username: string; phone: string }> = {
    alice: { id: 41, username: 'alice', phone: '+49 555 0101' },
    bob: { id: 42, username: 'bob', phone: '+33 555 0202' },
  };
  beforeAll(async () => {
    api = await serveFixture((req, res, url) => {
      const who = user(req);
      if (!who) return sendJson(res, 401, {});
      const [, base, id] = url.pathname.split('/');
      if (base === 'me') return sendJson(res, 200, PEOPLE[who]);
      if (base === 'profile' || base === 'safe-profile') {
        const asked = Object.values(PEOPLE).find((p) => String(p.id) === url.searchParams.get('user_id'));
        // The safe twin answers the caller's own profile whatever the query asks for.
        return sendJson(res, 200, base === 'profile' ? (asked ?? {}) : PEOPLE[who]);
      }
      if (!['posts', 'safe-posts'].includes(base ?? '')) return sendJson(res, 404, {});
      if (id === undefined) return sendJson(res, 200, { posts: POSTS }); // everybody's posts, with their owners
      const post = POSTS.find((p) => String(p.id) === id);
      if (!post || (base === 'safe-posts' && post.owner !== who)) return sendJson(res, 403, { error: 'not yours' });
      return sendJson(res, 200, { ...post, iban: PRIVATE[id] });
    });
  });
  afterAll(() => api.close());
  const postOps = (base: string) => ops(base);
  const profileOps = (base: string) => [
    { method: 'GET', path: '/me', params: [], auth: 'required' as const },
    { method: 'GET', path: `/${base}`, params: [{ name: 'user_id', in: 'query' as const, required: true, schema: { type: 'integer' } }], auth: 'required' as const },
  ];

  it("learns alice's post from the owner field of a shared list and proves the read by her private value", async () => {
    const r = await testCheck(check, { url: api.url, operations: postOps('posts'), identities });
    expect(r.findings).toHaveLength(1);
    const f = r.findings[0]!;
    expect(f).toMatchObject({ confidence: 'confirmed', vulnClass: 'bola-read', parameter: 'path:noteId' });
    expect(f.url).toMatch(/\/posts\/7$/);
    expect(f.proof.summary).toContain('the item 7 of /posts names alice as its owner');
    expect(f.proof.summary).toContain('carrying alice\'s iban "alice-iban-DE0012"');
  });

  it('reports nothing when the item route refuses other owners (safe twin)', async () => {
    const r = await testCheck(check, { url: api.url, operations: postOps('safe-posts'), identities });
    expect(r.findings).toEqual([]);
    expect(r.outcomes[0]?.status).toBe('clean');
  });

  it("reads alice's profile through ?user_id= with her id from her own /me, against bob's own as the control", async () => {
    const r = await testCheck(check, { url: api.url, operations: profileOps('profile'), identities });
    const f = r.findings.find((x) => x.operation.path === '/profile');
    expect(f).toMatchObject({ confidence: 'confirmed', parameter: 'query:user_id' });
    expect(f!.proof.summary).toMatch(/^bob read alice's object: GET \/profile\?user_id=41 as bob → 200 carrying alice's/);
    expect(f!.url).toMatch(/user_id=41/);
    expect(f!.proof.summary).toContain("41 is alice's user id, from alice's GET /me");
  });

  it('reports nothing when ?user_id= is ignored and bob gets his own profile (safe twin)', async () => {
    const r = await testCheck(check, { url: api.url, operations: profileOps('safe-profile'), identities });
    expect(r.findings).toEqual([]);
    expect(r.outcomes.map((o) => o.status)).toEqual(['clean']);
  });
});
