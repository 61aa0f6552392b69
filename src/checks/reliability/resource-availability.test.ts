// src/checks/reliability/resource-availability.test.ts — a create that answers an id its read cannot find is found
// and confirmed; the safe twin serves what it created; links from the spec are followed over route guessing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendJson, serveFixture, type Fixture } from '../kit/fixture.js';
import { testCheck } from '../kit/tester.js';
import check from './resource-availability.js';

let app: Fixture;
const made = new Set<string>();
let next = 1;
beforeAll(async () => {
  app = await serveFixture((req, res, url) => {
    if (req.method === 'POST') {
      const id = next++;
      made.add(`/safe/${id}`);
      return sendJson(res, 201, { data: { ref: url.pathname === '/broken' ? id + 1000 : id } });
    }
    if (req.method === 'DELETE') return void res.writeHead(204).end();
    return made.has(url.pathname.replace('/broken/', '/safe/')) ? sendJson(res, 200, {}) : sendJson(res, 404, { error: 'not found' });
  });
});
afterAll(() => app.close());

const ops = (base: string) => [
  { method: 'POST', path: `/${base}`, params: [], requestBody: { contentType: 'application/json', schema: { type: 'object' }, example: {} }, links: [{ field: 'data.ref', operation: `GET /${base}/{key}`, parameter: 'key', source: 'spec' as const }] },
  { method: 'GET', path: `/${base}/{key}`, params: [{ name: 'key', in: 'path' as const, required: true, schema: { type: 'integer' } }] },
];

describe('resource-availability', () => {
  it('finds a created resource that cannot be read back', async () => {
    const r = await testCheck(check, { url: app.url, operations: ops('broken') });
    expect(r.findings).toHaveLength(1);
    expect(r.findings[0]!.confidence).toBe('confirmed');
    expect(r.findings[0]!.proof.summary).toMatch(/POST \/broken → 201 \(data\.ref 10\d\d\); GET \/broken\/10\d\d → 404/);
  });

  it('reports nothing on the safe twin', async () => {
    const r = await testCheck(check, { url: app.url, operations: ops('safe') });
    expect(r.findings).toEqual([]);
  });
});
