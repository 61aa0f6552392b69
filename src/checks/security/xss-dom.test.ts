// src/checks/security/xss-dom.test.ts — pages whose own script writes location.hash or a query parameter into
// innerHTML (vulnerable) beside twins that escape it first or have no sink; proof by execution in Chromium.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendHtml, serveFixture, type Fixture } from '../kit/fixture.js';
import { testCheck } from '../kit/tester.js';
import check, { sourceUrl } from './xss-dom.js';

const ESC = "const esc = (s) => s.replace(/[&<>\"']/g, (c) => '&#' + c.charCodeAt(0) + ';');";
const page = (script: string): string => `<!doctype html><html><body><div id="o"></div><script>${script}</script></body></html>`;

let app: Fixture;
beforeAll(async () => {
  app = await serveFixture((_req, res, url) => {
    res.setHeader('cache-control', 'no-store');
    switch (url.pathname) {
      case '/hash':
        return sendHtml(res, 200, page("document.getElementById('o').innerHTML = 'Hello ' + decodeURIComponent(location.hash.slice(1));"));
      case '/query':
        return sendHtml(res, 200, '<!doctype html><div id="o"></div><script src="/q.js"></script>');
      case '/q.js':
        res.writeHead(200, { 'content-type': 'text/javascript' });
        return res.end("document.getElementById('o').innerHTML = new URLSearchParams(location.search).get('name') || '';");
      case '/escaped':
        return sendHtml(res, 200, page(`${ESC} document.getElementById('o').innerHTML = esc(decodeURIComponent(location.hash.slice(1))) + esc(new URLSearchParams(location.search).get('name') || '');`));
      case '/static':
        return sendHtml(res, 200, page("document.getElementById('o').textContent = location.hash;"));
      default:
        return sendHtml(res, 404, 'nope');
    }
  });
});
afterAll(() => app.close());

const op = (path: string) => ({ method: 'GET', path, params: [], sources: ['html' as const] });

describe('xss-dom', () => {
  it('builds source URLs', () => {
    expect(sourceUrl('http://h/p?a=1#x', { kind: 'hash' }, '<b>')).toBe('http://h/p?a=1#<b>');
    expect(sourceUrl('http://h/p?a=1', { kind: 'query', name: 'n' }, '<b>')).toBe('http://h/p?a=1&n=%3Cb%3E');
  });

  it('confirms by execution: location.hash into innerHTML', async () => {
    const r = await testCheck(check, { url: app.url, operations: [op('/hash')] });
    expect(r.findings.map((f) => [f.vulnClass, f.parameter, f.confidence])).toEqual([['xss-dom', 'fragment', 'confirmed']]);
  }, 30_000);

  it('confirms by execution: a query parameter read by a script file', async () => {
    const r = await testCheck(check, { url: app.url, operations: [op('/query')] });
    expect(r.findings.map((f) => [f.parameter, f.confidence])).toEqual([['query:name', 'confirmed']]);
  }, 30_000);

  it('reports nothing on the safe twins (escaped before the sink; no sink)', async () => {
    const r = await testCheck(check, { url: app.url, operations: [op('/escaped'), op('/static')] });
    expect(r.findings).toEqual([]);
    expect(r.outcomes.map((o) => o.status)).toEqual(['clean', 'clean']);
  }, 30_000);
});
