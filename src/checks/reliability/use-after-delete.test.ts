// src/checks/reliability/use-after-delete.test.ts — a soft delete that still serves the resource is found and
// confirmed; the safe twin answers 404 after delete; safe mode skips the check.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendJson, serveFixture, type Fixture } from '../kit/fixture.js';
import { testCheck } from '../kit/tester.js';
import check from './use-after-delete.js';

let app: Fixture;
const store = new Map<string, { id: number; deleted: boolean; title?: string; at?: number }>();
let next = 1;
beforeAll(async () => {
  app = await serveFixture((req, res, url) => {
    const m = /^\/(leaky|safe|reused)(?:\/(\d+))?$/.exec(url.pathname);
    if (!m) return sendJson(res, 404, {});
    const [, kind, id] = m;
    if (req.method === 'POST' && !id) {
      const item = { id: next++, deleted: false, title: 'first', at: next * 1000 };
      store.set(`${kind}/${item.id}`, item);
      return sendJson(res, 201, { id: item.id });
    }
    const item = store.get(`${kind}/${id}`);
    if (!item || (kind === 'safe' && item.deleted)) return sendJson(res, 404, {});
    if (req.method === 'DELETE' && kind === 'reused') {
      // another client's new resource takes the freed id at once (SQLite rowids do this)
      store.set(`${kind}/${item.id}`, { id: item.id, deleted: false, title: 'first', at: item.at! + 5 }); // same example content, created 5 ms later
      res.writeHead(204).end();
      return;
    }
    if (req.method === 'DELETE') {
      item.deleted = true;
      res.writeHead(204).end();
      return;
    }
    return sendJson(res, 200, item);
  });
});
afterAll(() => app.close());

const ops = (base: string) => [
  { method: 'POST', path: `/${base}`, params: [], requestBody: { contentType: 'application/json', schema: { type: 'object' }, example: {} } },
  { method: 'GET', path: `/${base}/{id}`, params: [{ name: 'id', in: 'path' as const, required: true, schema: { type: 'integer' } }] },
  { method: 'DELETE', path: `/${base}/{id}`, params: [{ name: 'id', in: 'path' as const, required: true, schema: { type: 'integer' } }] },
];

describe('use-after-delete', () => {
  it('finds a resource still readable after delete, confirmed by a second read', async () => {
    const r = await testCheck(check, { url: app.url, operations: ops('leaky') });
    expect(r.findings).toHaveLength(1);
    expect(r.findings[0]!.confidence).toBe('confirmed');
    expect(r.findings[0]!.proof.summary).toMatch(/DELETE \/leaky\/\d+ → 204; GET \/leaky\/\d+ → 200 still/);
  });

  it('reports nothing on the safe twin', async () => {
    const r = await testCheck(check, { url: app.url, operations: ops('safe') });
    expect(r.findings).toEqual([]);
    expect(r.outcomes.map((o) => o.status)).toEqual(['clean']);
  });

  it('does not take an id reused by another resource after the delete for the deleted one', async () => {
    const r = await testCheck(check, { url: app.url, operations: ops('reused') });
    expect(r.findings).toEqual([]);
    expect(r.outcomes.map((o) => o.status)).toEqual(['inconclusive']);
  });

  it('is skipped in safe mode', async () => {
    const r = await testCheck(check, { url: app.url, operations: ops('leaky'), safeMode: true });
    expect(r.requests).toBe(0);
    expect(r.skipped.join()).toContain('safe mode');
  });
});
