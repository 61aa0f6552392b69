// src/checks/conformance/response-headers-conformance.test.ts — a missing required header and a mistyped one are
// found; the safe twin sends both, correctly typed (headers compared case-insensitively).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendJson, serveFixture, type Fixture } from '../kit/fixture.js';
import { testCheck } from '../kit/tester.js';
import check from './response-headers-conformance.js';

let app: Fixture;
beforeAll(async () => {
  app = await serveFixture((_req, res, url) => {
    if (url.pathname === '/missing') return sendJson(res, 201, {});
    if (url.pathname === '/mistyped') return sendJson(res, 201, {}, { location: '/items/1', 'x-rate-remaining': 'lots' });
    return sendJson(res, 201, {}, { Location: '/items/1', 'X-Rate-Remaining': '41' });
  });
});
afterAll(() => app.close());

const op = (path: string) => ({
  method: 'GET',
  path,
  params: [],
  responses: { '201': { contentType: 'application/json', headers: { Location: { required: true, schema: { type: 'string' } }, 'X-Rate-Remaining': { schema: { type: 'integer', minimum: 0 } } } } },
});

describe('response-headers-conformance', () => {
  it('finds a missing required header and a value breaking its schema', async () => {
    const r = await testCheck(check, { url: app.url, operations: [op('/missing'), op('/mistyped')] });
    const byPath = Object.fromEntries(r.findings.map((f) => [f.operation.path, f]));
    expect(byPath['/missing']!.proof.summary).toContain('required header Location missing');
    expect(byPath['/mistyped']!.proof.summary).toContain('X-Rate-Remaining');
    expect(r.findings.every((f) => f.confidence === 'confirmed')).toBe(true);
  });

  it('reports nothing on the safe twin', async () => {
    const r = await testCheck(check, { url: app.url, operations: [op('/safe')] });
    expect(r.findings).toEqual([]);
  });
});
