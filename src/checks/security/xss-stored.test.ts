// src/checks/security/xss-stored.test.ts — a guestbook that renders stored comments unescaped (vulnerable) beside
// reviews rendered escaped (safe twin); proof by execution in Chromium; never in safe mode.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendHtml, sendJson, serveFixture, type Fixture } from '../kit/fixture.js';
import { testCheck } from '../kit/tester.js';
import check from './xss-stored.js';

const esc = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const comments: string[] = [];
const reviews: string[] = [];
const board: string[] = [];
const notes: string[] = [];

let app: Fixture;
beforeAll(async () => {
  app = await serveFixture((req, res, url) => {
    const text = (): string => String((JSON.parse(req.body || '{}') as { text?: unknown }).text ?? '');
    if (req.method === 'POST' && url.pathname === '/comments') return comments.push(text()), sendJson(res, 201, { ok: true });
    // Signed-in writes only (a spec that declares no security on it): anonymous gets 403, or a redirect to sign in.
    if (req.method === 'POST' && url.pathname === '/members/comments') {
      if (req.headers.authorization !== 'Bearer member') return sendJson(res, 403, { error: 'forbidden' });
      return comments.push(text()), sendJson(res, 201, { ok: true });
    }
    if (req.method === 'POST' && url.pathname === '/members/form') {
      if (req.headers.authorization !== 'Bearer member') return res.writeHead(302, { location: '/login.php' }), res.end();
      return comments.push(new URLSearchParams(req.body).get('text') ?? ''), sendHtml(res, 200, '<p>thanks</p>');
    }
    // A GraphQL mutation storing its variable: shown raw on /guestbook, escaped on /reviews-page.
    if (req.method === 'POST' && url.pathname === '/graphql') {
      const b = JSON.parse(req.body || '{}') as { query?: string; variables?: { text?: string } };
      (b.query?.includes('addReview') ? reviews : comments).push(String(b.variables?.text ?? ''));
      return sendJson(res, 200, { data: { ok: true } });
    }
    // A board form that posts to the page listing what it stored (a guestbook); other pages sort before it.
    if (url.pathname === '/zz/board/') {
      if (req.method === 'POST') board.push(new URLSearchParams(req.body).get('msg') ?? '');
      return sendHtml(res, 200, `<form method="post"><textarea name="msg"></textarea></form>${board.map((m) => `<div>${m}</div>`).join('')}`);
    }
    if (url.pathname.startsWith('/aa')) return sendHtml(res, 200, '<p>nothing stored here</p>');
    // An API only: what it stores comes back raw as JSON; the one page the surface names is gone.
    if (url.pathname === '/api/notes') {
      if (req.method === 'POST') return notes.push(text()), sendJson(res, 201, { ok: true });
      return sendJson(res, 200, notes.map((n) => ({ text: n })));
    }
    if (req.method === 'POST' && url.pathname === '/reviews') return reviews.push(text()), sendJson(res, 201, { ok: true });
    if (url.pathname === '/guestbook') return sendHtml(res, 200, `<ul>${comments.slice(-20).map((c) => `<li>${c}</li>`).join('')}</ul>`);
    if (url.pathname === '/reviews-page') return sendHtml(res, 200, `<ul>${reviews.slice(-20).map((c) => `<li>${esc(c)}</li>`).join('')}</ul>`);
    return sendJson(res, 404, {});
  });
});
afterAll(() => app.close());

const write = (path: string) => ({ method: 'POST', path, params: [], requestBody: { contentType: 'application/json', schema: { type: 'object', properties: { text: { type: 'string' } } } } });
const pages = [{ method: 'GET', path: '/guestbook', params: [], sources: ['html' as const] }, { method: 'GET', path: '/reviews-page', params: [], sources: ['html' as const] }];

describe('xss-stored', () => {
  it('confirms a stored payload that runs on the page rendering it', async () => {
    const r = await testCheck(check, { url: app.url, operations: [write('/comments'), ...pages] });
    expect(r.findings.map((f) => [f.operation.path, f.parameter, f.confidence])).toEqual([['/comments', 'json:text', 'confirmed']]);
    expect(r.findings[0]!.locations?.[0]?.path).toBe('/guestbook');
  }, 30_000);

  it('reports nothing on the safe twin that escapes what it stored', async () => {
    const r = await testCheck(check, { url: app.url, operations: [write('/reviews'), ...pages] });
    expect(r.findings).toEqual([]);
    expect(reviews.length).toBeGreaterThan(0);
  });

  it('reads the page the write posts to first, whatever the page cap (a guestbook)', async () => {
    const others = Array.from({ length: 5 }, (_, i) => ({ method: 'GET', path: `/aa${i}`, params: [], sources: ['html' as const] }));
    const form = { method: 'POST', path: '/zz/board/', params: [{ name: 'msg', in: 'form' as const, schema: { type: 'string' } }] };
    const r = await testCheck(check, { url: app.url, strength: 'low', operations: [form, ...others, { method: 'GET', path: '/zz/board/', params: [], sources: ['html' as const] }] });
    expect(r.findings.map((f) => [f.parameter, f.confidence, f.locations?.[0]?.path])).toEqual([['form:msg', 'confirmed', '/zz/board/']]);
  }, 30_000);

  it('stores through a GraphQL mutation\'s variables, and not through its safe twin', async () => {
    const mutation = (field: string) => ({
      method: 'POST',
      path: '/graphql',
      params: [{ name: 'variables.text', in: 'body' as const, schema: { type: 'string' } }],
      requestBody: { contentType: 'application/json', schema: { type: 'object' } },
      graphql: { kind: 'mutation' as const, field, query: `mutation ${field}($text: String!) { ${field}(text: $text) }` },
    });
    const r = await testCheck(check, { url: app.url, operations: [mutation('addComment'), ...pages] });
    expect(r.findings.map((f) => [f.parameter, f.confidence])).toEqual([['graphql:variables.text', 'confirmed']]);
    const twin = await testCheck(check, { url: app.url, operations: [mutation('addReview'), ...pages] });
    expect(twin.findings).toEqual([]);
    const query = await testCheck(check, { url: app.url, operations: [{ ...mutation('comments'), graphql: { kind: 'query' as const, field: 'comments', query: 'query { comments }' } }] });
    expect(query.skipped).toEqual([expect.stringContaining('a GraphQL query stores nothing')]);
  }, 30_000);

  it.each([
    ['a 403', '/members/comments', write('/members/comments')],
    ['a redirect to sign in', '/members/form', { method: 'POST', path: '/members/form', params: [{ name: 'text', in: 'form' as const, schema: { type: 'string' } }] }],
  ])('writes again as a signed-in identity after %s to anonymous', async (_how, _path, operation) => {
    const identities = [{ name: 'anonymous', role: 'anonymous' as const, auth: { kind: 'none' as const } }, { name: 'member', role: 'user' as const, auth: { kind: 'bearer' as const, token: 'member' } }];
    const r = await testCheck(check, { url: app.url, operations: [{ ...operation, auth: 'none' as const }, ...pages], identities });
    expect(r.findings.map((f) => f.confidence)).toEqual(['confirmed']); // the confirmation stored and loaded as member too
    expect(r.findings[0]!.proof.summary).toContain(', as member)');
    // Without a signed-in identity: inconclusive, naming the refusal, never clean.
    const alone = await testCheck(check, { url: app.url, operations: [{ ...operation, auth: 'none' as const }, ...pages] });
    expect(alone.findings).toEqual([]);
    expect(alone.outcomes[0]).toMatchObject({ status: 'inconclusive', reason: expect.stringMatching(/refused for lack of credentials \((403|302) ×1\); no signed-in identity/) });
  }, 30_000);

  it('says why when no page answers HTML, and whether the API hands the value back raw', async () => {
    const ops = [write('/api/notes'), { method: 'GET', path: '/api/notes', params: [] }, { method: 'GET', path: '/gone', params: [], sources: ['html' as const] }];
    const r = await testCheck(check, { url: app.url, operations: ops });
    expect(r.findings).toEqual([]);
    expect(r.outcomes[0]).toMatchObject({
      status: 'inconclusive',
      reason: expect.stringMatching(/^no HTML page answered .*\(GET \/gone → 404 application\/json\); GET \/api\/notes hands the stored value back unescaped \(application\/json\)/),
    });
    expect(r.requests).toBe(3); // the write, the page, the read-back
  });

  it('never writes in safe mode', async () => {
    const r = await testCheck(check, { url: app.url, operations: [write('/comments'), ...pages], safeMode: true });
    expect(r.requests).toBe(0);
    expect(r.skipped.join()).toContain('safe mode');
  });
});
