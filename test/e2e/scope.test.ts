// test/e2e/scope.test.ts — scope must-show: every way a target points elsewhere is refused, logged, counted, never sent.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendHtml, sendJson, serveFixture, type Fixture } from '../../src/checks/kit/fixture.js';
import { vouch } from './cli.js';

const tmp = mkdtempSync(join(tmpdir(), 'vouch-scope-'));

/** The other server, on 127.0.0.2: it must never see a request. */
let other: Server;
let otherHits = 0;
let elsewhere = '';
let target: Fixture;

interface AuditLine {
  method: string;
  url: string;
  outcome: string;
  checkId?: string;
  code?: string;
}

beforeAll(async () => {
  other = createServer((_req, res) => {
    otherHits++;
    res.end('you should not be here');
  });
  await new Promise<void>((resolve) => other.listen(0, '127.0.0.2', resolve));
  elsewhere = `http://127.0.0.2:${(other.address() as AddressInfo).port}`;
  target = await serveFixture((req, res, url) => {
    const p = url.pathname;
    if (p === '/')
      return sendHtml(
        res,
        200,
        `<a href="${elsewhere}/from-link">partner</a> <a href="/away">away</a> <a href="/app">app</a>
<form action="${elsewhere}/from-form" method="post"><input name="email"></form>
<script src="/static/main.js"></script>`,
      );
    if (p === '/away') return res.writeHead(302, { location: `${elsewhere}/from-redirect` }).end();
    if (p === '/robots.txt') return res.end(`User-agent: *\nDisallow: /admin\nSitemap: ${elsewhere}/from-robots-sitemap.xml\nSitemap: http://127.0.0.1:${req.socket.localPort}/sitemap.xml\n`);
    if (p === '/sitemap.xml') return res.end(`<urlset><url><loc>${elsewhere}/from-sitemap</loc></url></urlset>`);
    if (p === '/static/main.js') return res.writeHead(200, { 'content-type': 'application/javascript' }).end(`fetch("${elsewhere}/from-script").then((r) => r.json());`);
    // Rendered by the browser: only a crawler that runs scripts meets this URL.
    if (p === '/app') return sendHtml(res, 200, `<div id="app"></div><script>const h = ['http://127.0.0.2', ${JSON.stringify(elsewhere.split(':')[2])}].join(':'); fetch(h + '/x');</script>`);
    if (p === '/openapi.json') {
      return sendJson(res, 200, {
        openapi: '3.0.3',
        info: { title: 'shop', version: '1' },
        servers: [{ url: `${elsewhere}/from-spec-server` }],
        paths: { '/api/ping': { get: { responses: { '200': { description: 'ok' } } } } },
      });
    }
    if (p === '/api/ping') return sendJson(res, 200, { ok: true });
    return sendHtml(res, 404, 'not here');
  });
});

afterAll(async () => {
  await target.close();
  other.closeAllConnections();
  await new Promise<void>((r) => other.close(() => r()));
});

describe('scope must-show', () => {
  it('vouch scan sends nothing to another host, and the audit log and report show each refusal', async () => {
    const har = join(tmp, 'session.har');
    writeFileSync(har, JSON.stringify({ log: { entries: [{ request: { method: 'GET', url: `${elsewhere}/from-har`, headers: [] } }, { request: { method: 'GET', url: `${target.url}/api/ping`, headers: [] } }] } }));
    const postman = join(tmp, 'api.json');
    writeFileSync(postman, JSON.stringify({ info: { schema: 'https://schema.getpostman.com/json/collection/v2.1.0/collection.json' }, item: [{ name: 'hook', request: { method: 'POST', url: `${elsewhere}/from-postman` } }] }));
    const out = join(tmp, 'scan');
    const r = await vouch(['scan', target.url, '--check', 'security-headers', '--har', har, '--postman', postman, '-o', out, '-q', '-f', 'json'], { cwd: tmp });
    expect(r.stderr).not.toMatch(/error VOUCH_/);
    expect([0, 1]).toContain(r.code);

    expect(otherHits).toBe(0);

    const audit = readFileSync(join(out, 'audit.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as AuditLine);
    const refused = audit.filter((a) => a.outcome === 'refused');
    const kinds = new Map(refused.map((a) => [new URL(a.url).pathname, a.checkId]));
    expect(Object.fromEntries(kinds)).toMatchObject({
      '/from-link': 'discover:link',
      '/from-form': 'discover:form',
      '/from-redirect': 'discover:redirect',
      '/from-robots-sitemap.xml': 'discover:robots',
      '/from-sitemap': 'discover:sitemap',
      '/from-script': 'discover:script',
      '/from-spec-server': 'discover:spec-server',
      '/from-har': 'discover:har',
      '/from-postman': 'discover:postman',
      // built at run time by /app's script: only the browser crawler meets it, and refuses it
      '/x': 'discover:spa',
    });
    for (const a of refused) expect(a.code, a.url).toBe('VOUCH_SCOPE_REFUSED');
    // once per URL
    expect(new Set(refused.map((a) => `${a.method} ${a.url}`)).size).toBe(refused.length);
    // nothing that reached 127.0.0.2 was recorded as sent
    expect(audit.filter((a) => a.outcome !== 'refused' && a.url.startsWith(elsewhere))).toEqual([]);

    const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as { stats: { requests: { refused: number } }; surface: { warnings: string[]; operations: Array<{ id: string }> } };
    expect(report.stats.requests.refused).toBe(refused.length);
    expect(report.stats.requests.refused).toBeGreaterThanOrEqual(10);
    expect(report.surface.warnings.join('\n')).toMatch(/OpenAPI server .*\/from-spec-server is outside the scope/);
    expect(report.surface.operations.map((o) => o.id)).toContain('GET /api/ping');
  }, 90_000);
});

describe('extra sources from the command line', () => {
  it('a bad --har file stops the scan with one line naming the file and the problem, exit 2', async () => {
    const missing = join(tmp, 'missing.har');
    const r = await vouch(['scan', target.url, '--har', missing, '-o', join(tmp, 'bad'), '-q'], { cwd: tmp });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`error VOUCH_CONFIG_INVALID: ${missing}: not a usable HAR file: file not found`);
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
  });
});
