// src/checks/security/template-injection.test.ts — template injection on an endpoint that renders input as template
// source (two syntaxes), its safe twin that renders input as data, and a calculator that evaluates bare arithmetic.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendHtml, serveFixture, type Fixture } from '../kit/fixture.js';
import { testCheck } from '../kit/tester.js';
import check from './template-injection.js';

let app: Fixture;
const times = (_m: string, a: string, b: string): string => String(Number(a) * Number(b));
/** A tiny engine: evaluates `{{ a*b }}` (and `<%= a*b %>` for the ERB-style twin) in its template source. */
const render = (source: string, erb: boolean): string =>
  erb ? source.replace(/<%=\s*(\d+)\s*\*\s*(\d+)\s*%>/g, times) : source.replace(/\{\{\s*(\d+)\s*\*\s*(\d+)\s*\}\}/g, times);
const escape = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** doT-style `{{= a*b }}`: the syntax a render endpoint taking its whole text/plain body as the template might use. */
const dot = (source: string): string => source.replace(/\{\{=\s*(\d+)\s*\*\s*(\d+)\s*\}\}/g, times);

beforeAll(async () => {
  app = await serveFixture((req, res, url) => {
    if (url.pathname === '/render') return sendHtml(res, 200, dot(req.body)); // the body is the template
    if (url.pathname === '/render-safe') return sendHtml(res, 200, escape(req.body)); // the body is data
    const name = url.searchParams.get('name') ?? '';
    if (url.pathname === '/jinja') return sendHtml(res, 200, render(`<p>Hello ${name}</p>`, false)); // input in the source
    if (url.pathname === '/erb') return sendHtml(res, 200, render(`<p>Hello ${name}</p>`, true));
    if (url.pathname === '/safe') return sendHtml(res, 200, `<p>Hello ${escape(name)}</p>`); // input as data
    if (url.pathname === '/calculator') return sendHtml(res, 200, `<p>${name.replace(/(\d+)\*(\d+)/g, times)}</p>`);
    return sendHtml(res, 404, 'no');
  });
});
afterAll(() => app.close());

const op = (path: string) => ({ method: 'GET', path, params: [{ name: 'name', in: 'query' as const, examples: ['ada'] }] });

describe('template-injection', () => {
  it('confirms {{…}} and <%= … %> evaluation with fresh operands and controls', async () => {
    for (const path of ['/jinja', '/erb']) {
      const r = await testCheck(check, { url: app.url, operations: [op(path)] });
      expect(r.findings, path).toHaveLength(1);
      const f = r.findings[0]!;
      expect(f.confidence).toBe('confirmed');
      expect(f.cwe).toBe('CWE-1336');
      expect(f.proof.exchanges.length).toBe(5); // hit, original; replay, bare control, original control
    }
  });

  it('injects through a raw text/plain body, trying every syntax there', async () => {
    const render = (path: string) => ({ method: 'POST', path, params: [], requestBody: { contentType: 'text/plain', schema: { type: 'string' as const } } });
    const r = await testCheck(check, { url: app.url, operations: [render('/render')] });
    expect(r.findings.map((f) => [f.parameter, f.confidence])).toEqual([['body:body', 'confirmed']]);
    expect(r.findings[0]!.proof.payload).toMatch(/^test\{\{=\d+\*\d+\}\}$/);
    const safe = await testCheck(check, { url: app.url, operations: [render('/render-safe')] });
    expect(safe.findings).toEqual([]);
  });

  it('reports nothing on the safe twin that prints input as data', async () => {
    const r = await testCheck(check, { url: app.url, operations: [op('/safe')] });
    expect(r.findings).toEqual([]);
    expect(r.requests).toBe(1 + check.requestsPerPoint!.default);
  });

  it('keeps a candidate tentative when bare arithmetic is evaluated too (not template syntax)', async () => {
    const r = await testCheck(check, { url: app.url, operations: [op('/calculator')] });
    for (const f of r.findings) expect(f.confidence).toBe('tentative');
  });

  it('at low strength tries only the two commonest syntaxes', async () => {
    const r = await testCheck(check, { url: app.url, operations: [op('/erb')], strength: 'low' });
    expect(r.findings).toEqual([]);
    expect(r.requests).toBe(1 + 2);
  });
});
