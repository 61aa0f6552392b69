// src/checks/conformance/positive-data-acceptance.test.ts — a server stricter than its spec (rejects names over 8
// characters the spec allows) is found with a shrunk, minimal case; the safe twin accepts everything valid.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendJson, serveFixture, type Fixture } from '../kit/fixture.js';
import { testCheck } from '../kit/tester.js';
import check from './positive-data-acceptance.js';

let app: Fixture;
beforeAll(async () => {
  app = await serveFixture((req, res, url) => {
    const body = JSON.parse(req.body || '{}') as { name?: string; qty?: number };
    if (url.pathname === '/strict' && (body.name ?? '').length > 8) return sendJson(res, 400, { error: 'name too long' });
    // FastAPI's shape: a 422 whose detail lists the field's location.
    if (url.pathname === '/located' && (body.name ?? '').length > 8) return sendJson(res, 422, { detail: [{ loc: ['body', 'name'], msg: 'bad' }] });
    // A business refusal: no user has a generated name (dvrestaurant's reset-password answers like this).
    if (url.pathname === '/forgot-password') return sendJson(res, 400, { detail: 'Invalid username' });
    return sendJson(res, 201, { id: 1 });
  });
});
afterAll(() => app.close());

const op = (path: string) => ({
  method: 'POST',
  path,
  params: [],
  requestBody: { contentType: 'application/json', schema: { type: 'object', required: ['name'], properties: { name: { type: 'string', minLength: 1, maxLength: 20 }, qty: { type: 'integer', minimum: 0, maximum: 9 } } }, example: { name: 'pen' } },
  responses: { '201': { contentType: 'application/json' }, '400': { contentType: 'application/json' } },
});

describe('positive-data-acceptance', () => {
  it('finds valid data rejected and shrinks it to a minimal case', async () => {
    const r = await testCheck(check, { url: app.url, operations: [op('/strict')], options: { cases: 30 } });
    expect(r.findings).toHaveLength(1);
    const f = r.findings[0]!;
    expect(f.confidence).toBe('confirmed');
    const sent = JSON.parse(f.proof.exchanges[0]!.request.body!) as { name: string };
    expect(sent.name.length).toBeGreaterThan(8);
    expect(f.proof.reproduce).toContain('curl');
  });

  it('confirms a 422 that lists the field locations', async () => {
    const r = await testCheck(check, { url: app.url, operations: [op('/located')], options: { cases: 30 } });
    expect(r.findings.map((f) => f.confidence)).toEqual(['confirmed']);
    expect(r.findings[0]!.proof.summary).toContain('field locations');
  });

  it('does not confirm a business refusal of values the application does not know', async () => {
    const r = await testCheck(check, { url: app.url, operations: [op('/forgot-password')], options: { cases: 5 } });
    expect(r.findings.map((f) => f.confidence)).toEqual(['tentative']);
  });

  it('skips a recursive request schema in the plan, naming why', async () => {
    const recursive = { ...op('/lenient'), requestBody: { contentType: 'application/json', schema: { type: 'object', required: ['next'], properties: { next: { $ref: '#/components/schemas/Node' } } } } };
    const r = await testCheck(check, { url: app.url, operations: [recursive] });
    expect(r.requests).toBe(0);
    expect(r.skipped.join()).toContain('recursive');
  });

  it('reports nothing on the safe twin', async () => {
    const r = await testCheck(check, { url: app.url, operations: [op('/lenient')], options: { cases: 30 } });
    expect(r.findings).toEqual([]);
    expect(r.requests).toBeLessThanOrEqual(40);
  });
});
