// src/checks/security/path-traversal.test.ts — path traversal on a joining download endpoint, its confined safe twin,
// a page that always shows passwd-like text, and strength-bounded requests.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, posix } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveFixture, sendJson, type Fixture } from '../kit/fixture.js';
import { testCheck } from '../kit/tester.js';
import check from './path-traversal.js';

let app: Fixture;
const root = mkdtempSync(join(tmpdir(), 'vouch-pt-'));
mkdirSync(join(root, 'files'));
mkdirSync(join(root, 'etc'));
writeFileSync(join(root, 'files', 'a.txt'), 'hello');
writeFileSync(join(root, 'etc', 'passwd'), 'root:x:0:0:root:/root:/bin/sh\n');

function read(virtual: string): string | undefined {
  try {
    return readFileSync(join(root, ...virtual.split('/').filter(Boolean)), 'utf8');
  } catch {
    return undefined;
  }
}

beforeAll(async () => {
  app = await serveFixture((_req, res, url) => {
    const name = url.searchParams.get('name') ?? '';
    if (url.pathname === '/vulnerable') {
      const text = read(posix.normalize(`/files/${name}`)); // joined and normalised: ../ climbs (to the fake root)
      return text === undefined ? sendJson(res, 404, { error: 'not found' }) : sendJson(res, 200, { name, text });
    }
    if (url.pathname === '/safe') {
      if (!/^[\w.-]+$/.test(name) || name.includes('..')) return sendJson(res, 400, { error: 'plain file names only' });
      const text = read(`/files/${name}`);
      return text === undefined ? sendJson(res, 404, { error: 'not found' }) : sendJson(res, 200, { name, text });
    }
    if (url.pathname === '/always') return sendJson(res, 200, { doc: 'example line: root:x:0:0:root:/root:/bin/sh', name });
    return sendJson(res, 404, {});
  });
});
afterAll(async () => {
  await app.close();
  rmSync(root, { recursive: true, force: true });
});

const op = (path: string) => ({ method: 'GET', path, params: [{ name: 'name', in: 'query' as const, examples: ['a.txt'] }] });

describe('path-traversal', () => {
  it('confirms a climb to /etc/passwd with replay and a missing-file control', async () => {
    const r = await testCheck(check, { url: app.url, operations: [op('/vulnerable')] });
    expect(r.findings).toHaveLength(1);
    const f = r.findings[0]!;
    expect(f.confidence).toBe('confirmed');
    expect(f.parameter).toBe('query:name');
    expect(f.cwe).toBe('CWE-22');
    expect(f.proof.summary).toContain('root:x:0:0');
    expect(f.proof.exchanges.length).toBe(4); // hit, original, replay, control
  });

  it('reports nothing on the confined safe twin', async () => {
    const r = await testCheck(check, { url: app.url, operations: [op('/safe')] });
    expect(r.findings).toEqual([]);
    expect(r.outcomes[0]?.status).toBe('clean');
  });

  it('does not count passwd-like text the original response already shows', async () => {
    const r = await testCheck(check, { url: app.url, operations: [op('/always')] });
    expect(r.findings).toEqual([]);
  });

  it('sends the declared number of payloads per point at each strength', async () => {
    for (const strength of ['low', 'default', 'high'] as const) {
      const r = await testCheck(check, { url: app.url, operations: [op('/safe')], strength });
      expect(r.requests).toBe(1 + check.requestsPerPoint![strength]);
    }
  });

  it('never sends a traversal path in a write: PUT, PATCH, DELETE, or a POST named like a file write', async () => {
    const write = (method: string, path: string) => ({ method, path, params: [{ name: 'path', in: 'query' as const, required: true, example: 'a.txt' }] });
    for (const o of [write('PUT', '/api/file/raw'), write('DELETE', '/files'), write('POST', '/api/upload'), write('POST', '/api/file/write')]) {
      const r = await testCheck(check, { url: app.url, operations: [o] });
      expect(r.requests, `${o.method} ${o.path}`).toBe(0);
      expect(r.skipped[0]).toMatch(/^.*never in a (PUT|DELETE|POST named like a file write): a traversal path there could overwrite/);
    }
    // A file read by POST, and a plain create (`POST /api/notes`), are tried.
    for (const o of [write('POST', '/api/file/read'), { ...write('POST', '/api/notes'), summary: 'Create and store a note' }]) {
      expect((await testCheck(check, { url: app.url, operations: [o] })).requests, o.path).toBeGreaterThan(0);
    }
  });
});
