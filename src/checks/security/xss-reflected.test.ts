// src/checks/security/xss-reflected.test.ts — reflected XSS: reflection contexts, execution proven in Chromium, and
// twins that escape, serve JSON/text, or block inline script with a CSP.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { closeBrowser, findChromium } from '../../browser/chromium.js';
import { sendHtml, sendJson, serveFixture, type Fixture } from '../kit/fixture.js';
import { testCheck } from '../kit/tester.js';
import check, { contextAt, executionPayloads } from './xss-reflected.js';

const escape = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');

let app: Fixture;
const entries: string[] = [];
beforeAll(async () => {
  app = await serveFixture((req, res, url) => {
    const q = url.searchParams.get('q') ?? '';
    const form = new URLSearchParams(req.body ?? '');
    const json = (): Record<string, unknown> => (req.body ? (JSON.parse(req.body) as Record<string, unknown>) : {});
    if (req.method === 'POST') {
      switch (url.pathname) {
        case '/post-form': // a form field echoed raw into the page answering the POST
          return sendHtml(res, 200, `<p>You searched for ${form.get('q') ?? ''}</p>`);
        case '/post-form-escaped':
          return sendHtml(res, 200, `<p>You searched for ${escape(form.get('q') ?? '')}</p>`);
        case '/post-json':
          return sendHtml(res, 200, `<p>Hello ${String(json().name ?? '')}</p>`);
        case '/post-json-escaped':
          return sendHtml(res, 200, `<p>Hello ${escape(String(json().name ?? ''))}</p>`);
        case '/members/echo': // signed-in only, though the surface calls it open: anonymous is sent to sign in
          if (req.headers.authorization !== 'Bearer member') return res.writeHead(302, { location: '/login.php' }), res.end();
          return sendHtml(res, 200, `<p>You searched for ${form.get('q') ?? ''}</p>`);
        case '/include': // the value names a script; the CSP allows a public CDN (anyone can publish there)
          return sendHtml(res, 200, `<script src='${form.get('q') ?? ''}'></script><p>hi</p>`, { 'content-security-policy': "script-src 'self' cdn.jsdelivr.net" });
        case '/include-self': // the same, under a CSP that allows only the site's own scripts: not exploitable
          return sendHtml(res, 200, `<script src='${form.get('q') ?? ''}'></script><p>hi</p>`, { 'content-security-policy': "script-src 'self'" });
        case '/post-text': // a raw text/plain body echoed into HTML
          return sendHtml(res, 200, `<pre>${req.body ?? ''}</pre>`);
        case '/guestbook': // stores the entry and answers with the whole list: a stored XSS, not a reflected one
          entries.push(form.get('q') ?? '');
          return sendHtml(res, 200, `<ul>${entries.map((e) => `<li>${e}</li>`).join('')}</ul>`);
      }
    }
    if (url.pathname === '/guestbook') return sendHtml(res, 200, `<ul>${entries.map((e) => `<li>${e}</li>`).join('')}</ul>`);
    // PHP_SELF: the path after the script's name lands in the form's action attribute.
    if (url.pathname.startsWith('/self.php')) return sendHtml(res, 200, `<form action="${decodeURIComponent(url.pathname)}" method="post"><input name="m"></form>`);
    if (url.pathname.startsWith('/self-safe.php')) return sendHtml(res, 200, `<form action="${escape(decodeURIComponent(url.pathname))}" method="post"><input name="m"></form>`);
    switch (url.pathname) {
      case '/search':
        return sendHtml(res, 200, `<html><body><h1>Results for ${q}</h1></body></html>`);
      case '/attr':
        return sendHtml(res, 200, `<form><input name="q" value="${q}"></form>`);
      case '/script': // quotes escaped for JS, but `<` is not: `</script>` breaks out
        return sendHtml(res, 200, `<script>var q = "${q.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}";</script><p>hi</p>`);
      case '/lowerfilter': // a case-sensitive filter: strips lower-case tag openers, passes upper-case ones
        return sendHtml(res, 200, `<h1>Results for ${q.replace(/<(?=[a-z/!])/g, '')}</h1>`);
      case '/textarea':
        return sendHtml(res, 200, `<textarea>${q}</textarea>`);
      case '/escaped':
        return sendHtml(res, 200, `<h1>Results for ${escape(q)}</h1><input value="${escape(q)}">`);
      case '/json':
        return sendJson(res, 200, { html: `<h1>${q}</h1>` });
      case '/text':
        res.writeHead(200, { 'content-type': 'text/plain' });
        return res.end(`Results for ${q}`);
      case '/csp':
        return sendHtml(res, 200, `<h1>Results for ${q}</h1>`, { 'content-security-policy': "default-src 'self'; script-src 'self'" });
      case '/external': // the page pulls a script from another origin: aborted, never fetched
        return sendHtml(res, 200, `<script src="http://203.0.113.9/x.js"></script><h1>${q}</h1>`);
      default:
        return sendHtml(res, 404, 'no');
    }
  });
});
afterAll(async () => {
  await closeBrowser();
  await app.close();
});

const op = (path: string, inn: 'query' | 'form' = 'query') => ({ method: 'GET', path, params: [{ name: 'q', in: inn, schema: { type: 'string' }, examples: ['shoes'] }] });
const formPost = (path: string) => ({ method: 'POST', path, params: [{ name: 'q', in: 'form' as const, schema: { type: 'string' }, examples: ['shoes'] }] });
const jsonPost = (path: string) => ({ method: 'POST', path, params: [], requestBody: { contentType: 'application/json', schema: { type: 'object', properties: { name: { type: 'string' } } }, example: { name: 'ann' } } });
const textPost = (path: string) => ({ method: 'POST', path, params: [], requestBody: { contentType: 'text/plain', example: 'hello' } });
const chromium = findChromium();
const noChromium = 'reason' in chromium ? chromium.reason : undefined;

describe('xss-reflected', () => {
  it('detects the reflection context', () => {
    const at = (html: string) => contextAt(html, html.indexOf('X'));
    expect(at('<p>X</p>')).toBe('html');
    expect(at('<input value="X">')).toBe('attribute');
    expect(at('<script>var a = "X"</script>')).toBe('script');
    expect(at('<script>1</script><p>X')).toBe('html');
    expect(at('<textarea>X</textarea>')).toBe('rcdata:textarea');
    expect(at('<!-- X -->')).toBe('comment');
    expect(at(`<script src='X'></script>`)).toBe('script-src');
    expect(at(`<script type="module" src=X></script>`)).toBe('script-src');
    expect(at(`<script src="a.js" data-x="X"></script>`)).toBe('script');
    expect(executionPayloads('script-src', 'ab')).toEqual(['https://cdn.jsdelivr.net/npm/vouch-proof@1.0.0/ab.js', 'https://unpkg.com/vouch-proof@1.0.0/ab.js']);
    expect(executionPayloads('html', 'ab')).toEqual([`<img src=x onerror="vouchProof('ab')">`, `<IMG SRC=x ONERROR="vouchProof('ab')">`]);
    expect(executionPayloads('script', 'ab')[0]).toBe('</script><img src=x onerror=vouchProof(/ab/.source)>');
  });

  it.each(['/escaped', '/json', '/text'])('reports nothing for %s (escaped, or not HTML)', async (path) => {
    const r = await testCheck(check, { url: app.url, operations: [op(path)] });
    expect(r.findings).toEqual([]);
    expect(r.outcomes[0]?.status).toBe('clean');
    expect(r.requests).toBe(1); // one marker per injection point
  });

  it('stays tentative, never confirmed, when Chromium is not available', async () => {
    vi.stubEnv('CHROME_PATH', '/nonexistent/chromium');
    try {
      await closeBrowser();
      const r = await testCheck(check, { url: app.url, operations: [op('/search')] });
      expect(r.findings.map((f) => f.confidence)).toEqual(['tentative']);
      expect(r.findings[0]!.proof.summary).toContain('Chromium not available: execution could not be tried');
      expect(r.requests).toBe(1);
    } finally {
      vi.unstubAllEnvs();
    }
  });

  it('skips other methods, operations with nothing to reflect, and writes in safe mode', async () => {
    const r = await testCheck(check, { url: app.url, operations: [{ ...op('/search'), method: 'DELETE' }, { method: 'GET', path: '/search', params: [] }, { method: 'POST', path: '/search', params: [] }] });
    expect(r.requests).toBe(0);
    expect(r.skipped).toEqual([expect.stringContaining('not one of GET, POST'), expect.stringContaining('no query or GET-form'), expect.stringContaining('no query, form, JSON or raw-body')]);
    const safe = await testCheck(check, { url: app.url, operations: [formPost('/post-form')], safeMode: true });
    expect(safe.requests).toBe(0);
    expect(safe.skipped.join()).toContain('safe mode: POST not sent');
  });

  it.each([
    ['form', '/post-form-escaped'],
    ['JSON', '/post-json-escaped'],
  ])('reports nothing on the safe twin that escapes a POSTed %s field', async (_kind, path) => {
    const r = await testCheck(check, { url: app.url, operations: [path.includes('json') ? jsonPost(path) : formPost(path)] });
    expect(r.findings).toEqual([]);
    expect(r.outcomes[0]?.status).toBe('clean');
    expect(r.requests).toBe(1);
  });

  it('leaves a POST whose answer shows a stored value to xss-stored (one finding per point)', async () => {
    const r = await testCheck(check, { url: app.url, operations: [formPost('/guestbook')] });
    expect(r.findings).toEqual([]);
    expect(r.requests).toBe(2); // the write, then one GET of the same path that shows the marker again
    expect(entries.some((e) => e.includes('<x-vouch-'))).toBe(true);
  });

  describe.skipIf(noChromium)(`in Chromium${noChromium ? ` (skipped: ${noChromium})` : ''}`, () => {
    it.each([
      ['/search', 'html'],
      ['/attr', 'attribute'],
      ['/script', 'script'],
      ['/textarea', 'rcdata:textarea'],
    ])('confirms %s by execution (%s context)', async (path, context) => {
      const r = await testCheck(check, { url: app.url, operations: [op(path)] });
      expect(r.findings).toHaveLength(1);
      const f = r.findings[0]!;
      expect(f.proof.summary).toContain(`${context} context`);
      expect(f.confidence).toBe('confirmed');
      expect(f.proof.summary).toMatch(/called vouchProof\('[0-9a-f]{10}'\)/);
      expect(f.proof.exchanges[1]!.response?.body).toContain('vouchProof'); // the exchange that ran is in the proof
      expect(f.proof.exchanges[1]!.request.url).toContain('vouchProof');
      expect(r.requests).toBeLessThanOrEqual(1 + 3);
    });

    it('finds a case-sensitive tag filter only at high strength (an upper-case marker), and proves it by execution', async () => {
      const normal = await testCheck(check, { url: app.url, operations: [op('/lowerfilter')] });
      expect(normal.findings).toEqual([]);
      expect(normal.requests).toBe(1);
      const high = await testCheck(check, { url: app.url, operations: [op('/lowerfilter')], strength: 'high' });
      expect(high.findings.map((f) => f.confidence)).toEqual(['confirmed']);
      expect(high.findings[0]!.proof.summary).toContain('<X-VOUCH-');
      // The safe twin escapes: two markers at high strength, nothing found.
      const twin = await testCheck(check, { url: app.url, operations: [op('/escaped')], strength: 'high' });
      expect(twin.findings).toEqual([]);
      expect(twin.requests).toBe(2);
    });

    it('treats GET form fields as query parameters', async () => {
      const r = await testCheck(check, { url: app.url, operations: [op('/search', 'form')] });
      expect(r.findings.map((f) => f.confidence)).toEqual(['confirmed']);
      expect(r.findings[0]!.proof.exchanges[0]!.request.url).toContain('?q=vouch');
    });

    it.each([
      ['a form field', formPost('/post-form'), 'form:q', 'html'],
      ['a JSON field', jsonPost('/post-json'), 'json:name', 'html'],
      ['a raw text/plain body', textPost('/post-text'), 'body:body', 'html'],
      ['the path info after a script (PHP_SELF)', { method: 'GET', path: '/self.php', params: [] }, 'path:(path info)', 'attribute'],
    ])('confirms %s reflected in the page answering it', async (_kind, operation, parameter, context) => {
      const r = await testCheck(check, { url: app.url, operations: [operation] });
      expect(r.findings.map((f) => [f.parameter, f.confidence])).toEqual([[parameter, 'confirmed']]);
      const f = r.findings[0]!;
      expect(f.proof.summary).toContain(`${context} context`);
      expect(f.proof.exchanges[1]!.request.method).toBe(operation.method); // the page Chromium ran is the answer to the same method
      expect(`${f.proof.exchanges[1]!.request.url} ${f.proof.exchanges[1]!.request.body ?? ''}`).toContain('vouchProof');
    });

    it('sends again as a signed-in identity what anonymous was sent to sign in for', async () => {
      const identities = [{ name: 'anonymous', role: 'anonymous' as const, auth: { kind: 'none' as const } }, { name: 'member', role: 'user' as const, auth: { kind: 'bearer' as const, token: 'member' } }];
      const r = await testCheck(check, { url: app.url, operations: [{ ...formPost('/members/echo'), auth: 'none' as const }], identities });
      expect(r.findings.map((f) => [f.parameter, f.confidence])).toEqual([['form:q', 'confirmed']]);
      // Sent with the member's credential (redacted in the proof), so answered, not sent to sign in.
      expect(r.findings[0]!.proof.exchanges.map((x) => [x.request.headers.some(([k]) => k.toLowerCase() === 'authorization'), x.response?.status])).toEqual([[true, 200], [true, 200]]);
      const alone = await testCheck(check, { url: app.url, operations: [formPost('/members/echo')] });
      expect(alone.findings).toEqual([]);
    });

    it('confirms a value that names a script, on a public CDN the CSP allows, without sending anything there', async () => {
      const r = await testCheck(check, { url: app.url, operations: [formPost('/include')] });
      expect(r.findings.map((f) => [f.parameter, f.confidence])).toEqual([['form:q', 'confirmed']]);
      expect(r.findings[0]!.proof.summary).toContain('script-src context');
      expect(r.findings[0]!.proof.summary).toContain('on a public CDN anyone can publish to; vouch answered it with that call, nothing was sent there');
      expect(new Set(r.findings[0]!.proof.exchanges.map((x) => new URL(x.request.url).host))).toEqual(new Set([new URL(app.url).host]));
      // The safe twin's CSP allows only the site's own scripts: reflected, never run, so tentative.
      const twin = await testCheck(check, { url: app.url, operations: [formPost('/include-self')] });
      expect(twin.findings.map((f) => f.confidence)).toEqual(['tentative']);
      expect(twin.findings[0]!.proof.summary).toContain('did not execute in Chromium');
    });

    it('reports nothing on the safe twin that escapes the path info', async () => {
      const r = await testCheck(check, { url: app.url, operations: [{ method: 'GET', path: '/self-safe.php', params: [] }] });
      expect(r.findings).toEqual([]);
      expect(r.requests).toBe(1);
    });

    it('stays tentative when a CSP blocks the inline handler', async () => {
      const r = await testCheck(check, { url: app.url, operations: [op('/csp')] });
      expect(r.findings.map((f) => f.confidence)).toEqual(['tentative']);
      expect(r.findings[0]!.proof.summary).toContain('did not execute in Chromium');
    });

    it('never lets the page reach another origin', async () => {
      const r = await testCheck(check, { url: app.url, operations: [op('/external')] });
      expect(r.findings.map((f) => f.confidence)).toEqual(['confirmed']);
      const hosts = r.findings[0]!.proof.exchanges.map((x) => new URL(x.request.url).host);
      expect(new Set(hosts)).toEqual(new Set([new URL(app.url).host]));
    });
  });
});
