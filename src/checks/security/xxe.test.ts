// src/checks/security/xxe.test.ts — a toy XML endpoint that resolves external entities (file and http) beside one
// that ignores the DOCTYPE (safe twin); proof by file marker and by out-of-band callback.
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveFixture, type Fixture } from '../kit/fixture.js';
import { testCheck } from '../kit/tester.js';
import check, { carrier } from './xxe.js';

/** Resolves `<!ENTITY [%] name SYSTEM "url">` like a parser with external entities on; returns the root's text. */
async function resolving(xml: string, files: boolean): Promise<string> {
  const values = new Map<string, string>();
  for (const m of xml.matchAll(/<!ENTITY\s+(%\s+)?(\w+)\s+(?:SYSTEM\s+)?"([^"]*)">/g)) {
    const [, param, name, value] = m;
    const isSystem = /SYSTEM/.test(m[0]);
    let text = value!;
    if (isSystem && value!.startsWith('file://')) text = files ? await readFile(value!.slice(7), 'utf8').catch(() => '') : '';
    else if (isSystem) text = await fetch(value!).then((r) => r.text(), () => '');
    if (!param) values.set(name!, text);
  }
  const body = xml.replace(/<!DOCTYPE[\s\S]*?\]>/, '');
  return body.replace(/&(\w+);/g, (_m, n: string) => values.get(n) ?? '').replace(/<[^>]+>/g, '');
}

let app: Fixture;
beforeAll(async () => {
  app = await serveFixture(async (req, res, url) => {
    res.writeHead(200, { 'content-type': 'text/plain' });
    if (url.pathname === '/files') return res.end(`imported: ${await resolving(req.body, true)}`);
    if (url.pathname === '/blind') return res.end(`ok ${(await resolving(req.body, false)).length}`); // fetches, never echoes files
    return res.end(`imported: ${req.body.replace(/<!DOCTYPE[\s\S]*?\]>/, '').replace(/<[^>]+>/g, '')}`); // DOCTYPE ignored
  });
});
afterAll(() => app.close());

const op = (path: string) => ({ method: 'POST', path, params: [], requestBody: { contentType: 'application/xml', example: '<order><item>book</item></order>' } });

describe('xxe', () => {
  it('builds the carrier from the example', () => {
    expect(carrier({ id: '', method: 'POST', path: '/', params: [], auth: 'none', sources: [], requestBody: { contentType: 'application/xml', example: '<?xml version="1.0"?><a><b>x</b></a>' } })).toBe('<a><b>&vouch;</b></a>');
  });

  it('confirms a file read through an external entity', async () => {
    const r = await testCheck(check, { url: app.url, operations: [op('/files')] });
    expect(r.findings).toHaveLength(1);
    expect(r.findings[0]).toMatchObject({ vulnClass: 'xxe-file', confidence: 'confirmed' });
    expect(r.findings[0]!.proof.summary).toContain('root:');
  });

  it('confirms a blind XXE by the out-of-band callback', async () => {
    const r = await testCheck(check, { url: app.url, operations: [op('/blind')], options: { waitMs: 1500 } });
    expect(r.findings).toHaveLength(1);
    expect(r.findings[0]).toMatchObject({ vulnClass: 'xxe-oob', confidence: 'confirmed' });
    expect(r.findings[0]!.proof.exchanges.some((x) => x.identity === 'oob-callback')).toBe(true);
  });

  it('reports nothing on the safe twin that ignores the DOCTYPE', async () => {
    const r = await testCheck(check, { url: app.url, operations: [op('/safe')], options: { waitMs: 200 } });
    expect(r.findings).toEqual([]);
    expect(r.outcomes[0]?.status).toBe('clean');
  });

  it('tries a text/plain body whose example is an XML document, sent with the declared type', async () => {
    const plain = (path: string) => ({ ...op(path), requestBody: { contentType: 'text/plain', example: '<svg><g>x</g></svg>' } });
    const r = await testCheck(check, { url: app.url, operations: [plain('/files')] });
    expect(r.findings.map((f) => [f.vulnClass, f.confidence])).toEqual([['xxe-file', 'confirmed']]);
    expect(r.findings[0]!.proof.exchanges[0]!.request.headers).toContainEqual(['content-type', 'text/plain']);
    const safe = await testCheck(check, { url: app.url, operations: [plain('/safe')], options: { waitMs: 200 } });
    expect(safe.findings).toEqual([]);
  });

  it('skips operations whose body is not XML', async () => {
    const r = await testCheck(check, { url: app.url, operations: [{ method: 'POST', path: '/j', params: [], requestBody: { contentType: 'application/json' } }] });
    expect(r.skipped.join()).toContain('not XML');
    const text = await testCheck(check, { url: app.url, operations: [{ method: 'POST', path: '/t', params: [], requestBody: { contentType: 'text/plain', example: 'hello' } }] });
    expect(text.skipped.join()).toContain('not XML');
  });
});
