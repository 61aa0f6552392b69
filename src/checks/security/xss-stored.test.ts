// src/checks/security/xss-stored.test.ts — a guestbook that renders stored comments unescaped (vulnerable) beside
// reviews rendered escaped (safe twin); proof by execution in Chromium; never in safe mode.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendHtml, sendJson, serveFixture, type Fixture } from '../kit/fixture.js';
import { testCheck } from '../kit/tester.js';
import check from './xss-stored.js';

const esc = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const comments: string[] = [];
const reviews: string[] = [];

let app: Fixture;
beforeAll(async () => {
  app = await serveFixture((req, res, url) => {
    const text = (): string => String((JSON.parse(req.body || '{}') as { text?: unknown }).text ?? '');
    if (req.method === 'POST' && url.pathname === '/comments') return comments.push(text()), sendJson(res, 201, { ok: true });
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

  it('never writes in safe mode', async () => {
    const r = await testCheck(check, { url: app.url, operations: [write('/comments'), ...pages], safeMode: true });
    expect(r.requests).toBe(0);
    expect(r.skipped.join()).toContain('safe mode');
  });
});
