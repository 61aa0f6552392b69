// src/discover/recorded.test.ts — HAR files and Postman collections as sources: operations, refusals, bad files.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendHtml, serveFixture, type Fixture } from '../checks/kit/fixture.js';
import { VouchError } from '../core/index.js';
import { createEngine } from '../net/index.js';
import { readHar } from './har.js';
import { discover } from './index.js';
import { readPostman } from './postman.js';

const dir = mkdtempSync(join(tmpdir(), 'vouch-rec-'));
const OUT = 'http://127.0.0.2:9';
let app: Fixture;
beforeAll(async () => {
  app = await serveFixture((_req, res) => sendHtml(res, 200, '<p>hi</p>'));
});
afterAll(() => app.close());

function harFile(): string {
  const entry = (method: string, url: string, postData?: unknown) => ({ request: { method, url, headers: [{ name: 'Accept', value: '*/*' }], ...(postData ? { postData } : {}) }, response: { status: 200 } });
  const file = join(dir, 'site.har');
  writeFileSync(
    file,
    JSON.stringify({
      log: {
        version: '1.2',
        entries: [
          entry('GET', `${app.url}/api/items/17?expand=owner`),
          entry('GET', `${app.url}/api/items/18`),
          entry('POST', `${app.url}/api/items`, { mimeType: 'application/json', text: '{"name":"x"}' }),
          entry('POST', `${app.url}/session`, { mimeType: 'application/x-www-form-urlencoded', params: [{ name: 'user', value: 'a' }] }),
          entry('GET', `${OUT}/tracker.js`),
        ],
      },
    }),
  );
  return file;
}

function postmanFile(): string {
  const file = join(dir, 'api.postman_collection.json');
  writeFileSync(
    file,
    JSON.stringify({
      info: { name: 'api', schema: 'https://schema.getpostman.com/json/collection/v2.1.0/collection.json' },
      variable: [{ key: 'baseUrl', value: app.url }],
      item: [
        {
          name: 'orders',
          item: [
            { name: 'one', request: { method: 'GET', url: { raw: '{{baseUrl}}/api/orders/:orderId', host: ['{{baseUrl}}'], path: ['api', 'orders', ':orderId'] } } },
            { name: 'make', request: { method: 'PUT', url: '{{baseUrl}}/api/orders', body: { mode: 'raw', raw: '{"qty": 1}', options: { raw: { language: 'json' } } } } },
          ],
        },
        { name: 'upload', request: { method: 'POST', url: '{{unknownHost}}/api/upload', body: { mode: 'formdata', formdata: [{ key: 'file', value: 'x' }] } } },
        { name: 'elsewhere', request: `${OUT}/hook` },
        { name: 'no scheme', request: { method: 'GET', url: '127.0.0.2:9/bare' } },
      ],
    }),
  );
  return file;
}

describe('HAR and Postman sources', () => {
  it('turns in-scope requests into operations and refuses the rest, counted and never sent', async () => {
    const target = { name: 'r', url: app.url, environment: 'local' as const };
    const engine = createEngine({ target, scope: { origins: [app.url], include: [], exclude: [] }, safeMode: false });
    try {
      const surface = await discover({ target, engine, options: { crawl: false, graphql: false, har: [harFile()], postman: [postmanFile()] } });
      const byId = new Map(surface.operations.map((o) => [o.id, o]));
      expect([...byId.keys()].sort()).toEqual(['GET /api/items/{id}', 'GET /api/orders/{orderId}', 'POST /api/items', 'POST /api/upload', 'POST /session', 'PUT /api/orders']);
      expect(byId.get('GET /api/items/{id}')).toMatchObject({ sources: ['har'], params: [{ name: 'id', in: 'path', required: true }, { name: 'expand', in: 'query', examples: ['owner'] }] });
      expect(byId.get('POST /api/items')?.requestBody).toEqual({ contentType: 'application/json', example: { name: 'x' } });
      expect(byId.get('POST /session')?.params).toEqual([{ name: 'user', in: 'form', examples: ['a'] }]);
      expect(byId.get('PUT /api/orders')).toMatchObject({ sources: ['postman'], requestBody: { contentType: 'application/json', example: { qty: 1 } } });
      expect(byId.get('POST /api/upload')?.params).toEqual([{ name: 'file', in: 'form', examples: ['x'] }]);
      const refused = engine.exchanges().filter((e) => e.error?.code === 'VOUCH_SCOPE_REFUSED').map((e) => `${e.checkId} ${e.request.url}`);
      expect(refused).toEqual([`discover:har ${OUT}/tracker.js`, `discover:postman ${OUT}/hook`, `discover:postman ${OUT}/bare`]);
      expect(engine.stats().refused).toBe(3);
      expect(surface.warnings.join('\n')).toMatch(/site\.har: 1 request outside the scope refused/);
    } finally {
      await engine.close();
    }
  });

  it('refuses bad files with the file and the problem named', () => {
    const notJson = join(dir, 'bad.har');
    writeFileSync(notJson, '{ nope');
    expect(() => readHar(notJson)).toThrow(VouchError);
    expect(() => readHar(notJson)).toThrow(/bad\.har: not a usable HAR file: not JSON/);
    const noEntries = join(dir, 'empty.har');
    writeFileSync(noEntries, '{"log": {}}');
    expect(() => readHar(noEntries)).toThrow(/empty\.har: not a usable HAR file: no log\.entries list/);
    expect(() => readHar(join(dir, 'missing.har'))).toThrow(/missing\.har: not a usable HAR file: file not found/);
    const v1 = join(dir, 'old.json');
    writeFileSync(v1, JSON.stringify({ info: { schema: 'https://schema.getpostman.com/json/collection/v1.0.0/collection.json' }, item: [] }));
    expect(() => readPostman(v1)).toThrow(/old\.json: not a usable Postman collection: schema .* is not v2\.0 or v2\.1/);
    const noUrl = join(dir, 'nourl.json');
    writeFileSync(noUrl, JSON.stringify({ info: {}, item: [{ name: 'x', request: { method: 'GET' } }] }));
    expect(() => readPostman(noUrl)).toThrow(/nourl\.json: not a usable Postman collection: item\[0\]\.request has no url/);
  });
});
