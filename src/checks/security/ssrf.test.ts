// src/checks/security/ssrf.test.ts — a fixture that fetches a caller's URL (vulnerable) beside one that only
// validates it (safe twin); the callback at the out-of-band listener is the proof.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Identity } from '../../core/index.js';
import { sendJson, serveFixture, type Fixture } from '../kit/fixture.js';
import { testCheck } from '../kit/tester.js';
import check from './ssrf.js';

let app: Fixture;
beforeAll(async () => {
  app = await serveFixture(async (req, res, url) => {
    // Creates for employees only (a user gets 403): one fetches the item's image_url, its twin only stores it.
    if (url.pathname === '/menu' || url.pathname === '/menu-stored') {
      if (req.headers.authorization !== 'Bearer root') return sendJson(res, req.headers.authorization ? 403 : 401, { detail: 'forbidden' });
      const item = JSON.parse(req.body || '{}') as { image_url?: string };
      if (url.pathname === '/menu' && item.image_url) await fetch(item.image_url).then((x) => x.status, () => 0);
      return sendJson(res, 201, { id: 7 });
    }
    const target = url.searchParams.get('url') ?? '';
    if (url.pathname === '/fetch') {
      const r = await fetch(target).then((x) => x.status, () => 0);
      return sendJson(res, 200, { fetched: r });
    }
    if (url.pathname === '/check') return sendJson(res, 200, { valid: URL.canParse(target) }); // never fetches
    // A file reader that also fetches URLs (`path=http://…`), and its twin that only reads local files: a path
    // traversal at most, never a fetch.
    const file = url.searchParams.get('path') ?? url.searchParams.get('x') ?? '';
    if (url.pathname === '/file') {
      if (/^https?:/.test(file)) return sendJson(res, 200, { fetched: await fetch(file).then((x) => x.status, () => 0) });
      return sendJson(res, 404, { error: `no such file or directory, access '${file}'` });
    }
    if (url.pathname === '/local-file') return sendJson(res, 404, { error: `no such file or directory, access '${file}'` });
    return sendJson(res, 404, {});
  });
});
afterAll(() => app.close());

const pathOp = (path: string, name: string, example: string) => ({ method: 'GET', path, params: [{ name, in: 'query' as const, schema: { type: 'string' }, examples: [example] }] });
const op = (path: string) => ({ method: 'GET', path, params: [{ name: 'url', in: 'query' as const, schema: { type: 'string' } }] });

const staff: Identity[] = [
  { name: 'anonymous', role: 'anonymous', auth: { kind: 'none' } },
  { name: 'alice', role: 'user', auth: { kind: 'bearer', token: 'alice' } },
  { name: 'root', role: 'privileged', auth: { kind: 'bearer', token: 'root' } },
];
const createOp = (path: string) => ({
  method: 'PUT', path, params: [], auth: 'required' as const,
  requestBody: { contentType: 'application/json', schema: { type: 'object', properties: { name: { type: 'string' }, image_url: { type: 'string' } } } },
});

describe('ssrf', () => {
  it('sends a role-gated operation refused to the user (403) again as the privileged identity, and confirms as it', async () => {
    const r = await testCheck(check, { url: app.url, operations: [createOp('/menu')], identities: staff, options: { waitMs: 1500 } });
    expect(r.findings.map((f) => [f.parameter, f.confidence, f.proof.exchanges[0]?.identity, f.exposure])).toEqual([['json:image_url', 'confirmed', 'root', 'privileged']]);
    expect(r.findings[0]!.proof.summary).toContain('as root (alice was refused)');
  });

  it('is inconclusive, naming who was refused, when no identity may use the operation', async () => {
    const r = await testCheck(check, { url: app.url, operations: [createOp('/menu')], identities: staff.slice(0, 2), options: { waitMs: 300 } });
    expect(r.findings).toEqual([]);
    expect(r.outcomes[0]).toMatchObject({ status: 'inconclusive', reason: expect.stringContaining('every payload was refused (403) as alice') as unknown });
  });

  it('reports nothing on the role-gated twin that stores the URL without fetching it', async () => {
    const r = await testCheck(check, { url: app.url, operations: [createOp('/menu-stored')], identities: staff, options: { waitMs: 300 } });
    expect(r.findings).toEqual([]);
    expect(r.outcomes[0]?.status).toBe('clean');
    expect(r.requests).toBe(2); // refused as alice, then as root
  });

  it('confirms a parameter the server fetches, with the callback recorded as an exchange', async () => {
    const r = await testCheck(check, { url: app.url, operations: [op('/fetch')], options: { waitMs: 1500 } });
    expect(r.findings).toHaveLength(1);
    const f = r.findings[0]!;
    expect(f).toMatchObject({ vulnClass: 'ssrf', confidence: 'confirmed', parameter: 'query:url' });
    const cb = f.proof.exchanges.find((x) => x.identity === 'oob-callback');
    expect(cb?.request.url).toMatch(/\/v\/[a-f0-9]{16}$/);
    expect(cb?.response?.notes?.[0]).toContain('from 127.0.0.1');
  });

  it('reports nothing on the safe twin that never fetches', async () => {
    const r = await testCheck(check, { url: app.url, operations: [op('/check')], options: { waitMs: 300 } });
    expect(r.findings).toEqual([]);
    expect(r.outcomes[0]?.status).toBe('clean');
    expect(r.requests).toBe(1); // requestsPerPoint.default for the one URL parameter
  });

  it('is inconclusive with its reason when no listener runs', async () => {
    const r = await testCheck(check, { url: app.url, operations: [op('/fetch')], oob: false });
    expect(r.outcomes[0]).toMatchObject({ status: 'inconclusive', reason: expect.stringContaining('out-of-band listener') });
  });

  it('confirms a path parameter the server also fetches URLs from', async () => {
    const r = await testCheck(check, { url: app.url, operations: [pathOp('/file', 'path', 'config/crystals/amethyst.jpg')], options: { waitMs: 1500 } });
    expect(r.findings.map((f) => [f.parameter, f.confidence])).toEqual([['query:path', 'confirmed']]);
  });

  it('tries a parameter whose example value is a path, whatever its name', async () => {
    const r = await testCheck(check, { url: app.url, operations: [pathOp('/file', 'x', '/var/data/report.pdf')], options: { waitMs: 1500 } });
    expect(r.findings.map((f) => [f.parameter, f.confidence])).toEqual([['query:x', 'confirmed']]);
  });

  it('reports nothing on a path parameter that only reads local files (path traversal is not SSRF)', async () => {
    const r = await testCheck(check, { url: app.url, operations: [pathOp('/local-file', 'path', 'config/crystals/amethyst.jpg')], options: { waitMs: 300 } });
    expect(r.findings).toEqual([]);
    expect(r.requests).toBe(1);
  });

  it('leaves path-like parameters of writes in place and media types alone', async () => {
    const put = { ...pathOp('/file', 'path', 'config/a.jpg'), method: 'PUT' };
    const media = pathOp('/file', 'type', 'image/jpg');
    const r = await testCheck(check, { url: app.url, operations: [put, media] });
    expect(r.skipped).toHaveLength(2);
    expect(r.skipped.join()).toContain('no parameter looks like a URL, a path or a file');
  });

  it('skips operations without a URL-like parameter', async () => {
    const r = await testCheck(check, { url: app.url, operations: [{ method: 'GET', path: '/x', params: [{ name: 'q', in: 'query', schema: { type: 'string' } }] }] });
    expect(r.skipped.join()).toContain('no parameter looks like a URL');
  });
});
