// src/discover/browser.test.ts — the browser crawler after a failed navigation: the next page is still rendered and
// every out-of-scope call it makes at run time is refused and logged (discover:spa), never sent.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeBrowser } from '../browser/chromium.js';
import { sendHtml, serveFixture, type Fixture } from '../checks/kit/fixture.js';
import type { AuditEntry, AuditLog } from '../net/audit.js';
import { createEngine } from '../net/index.js';
import { crawlBrowser, withBase } from './browser.js';
import { createUrlGate } from './gate.js';

let other: Server;
let otherHits = 0;
let port = 0;
let site: Fixture;
const APPS = 5;

beforeAll(async () => {
  other = createServer((_req, res) => {
    otherHits++;
    res.end('no');
  });
  await new Promise<void>((resolve) => other.listen(0, '127.0.0.2', resolve));
  port = (other.address() as AddressInfo).port;
  site = await serveFixture((_req, res, url) => {
    const away = /^\/away(\d)$/.exec(url.pathname);
    // A redirect out of scope: the browser's navigation is aborted, and Chromium then commits its error page.
    if (away) return res.writeHead(302, { location: `http://127.0.0.2:${port}/from-away${away[1]}` }).end();
    const app = /^\/app(\d)$/.exec(url.pathname);
    // The URL is built at run time, while the page is parsed: only a rendered page makes this call.
    if (app) return sendHtml(res, 200, `<div></div><script>fetch(['http://127.0.0.2', ${port}].join(':') + '/x${app[1]}').catch(() => {});</script>`);
    return sendHtml(res, 404, 'not here');
  });
});

afterAll(async () => {
  await closeBrowser();
  await site.close();
  other.closeAllConnections();
  await new Promise<void>((r) => other.close(() => r()));
});

describe('browser crawler', () => {
  it('renders the page after a failed navigation and refuses, logs, never sends what it builds at run time', async () => {
    const lines: AuditEntry[] = [];
    const audit: AuditLog = { write: (e) => void lines.push(e), close: async () => undefined };
    const target = { name: 'fx', url: site.url, environment: 'local' as const };
    const scope = { origins: [site.url], include: [], exclude: [] };
    const engine = createEngine({ target, scope, safeMode: false, ratePerSecond: 10_000, audit });
    // Each worker page meets a failed navigation right before an app page (two pages render at once).
    const start = Array.from({ length: APPS }, (_, i) => [`${site.url}/away${i}`, `${site.url}/app${i}`]).flat();
    const r = await crawlBrowser({ engine, origin: site.url, start, identities: ['anonymous'], safeMode: false, gate: createUrlGate(engine, site.url, scope), timeoutMs: 40_000 });
    const refused = lines.filter((l) => l.outcome === 'refused').map((l) => `${new URL(l.url).pathname} ${l.checkId}`);
    for (let i = 0; i < APPS; i++) expect(refused).toContain(`/x${i} discover:spa`);
    expect(otherHits).toBe(0);
    expect(r.stats.refused).toBe(APPS * 2); // each redirect and each run-time call, once
  }, 90_000);
});

describe('a document reached through redirects', () => {
  it('gets a <base> of where it really is, so relative form actions resolve there', () => {
    expect(withBase('<html><head><title>x</title></head><form action="login.php">', 'http://h/login.php')).toBe('<html><head><base href="http://h/login.php"><title>x</title></head><form action="login.php">');
    expect(withBase('<form action="a">', 'http://h/x?a=1&b="2"')).toBe('<base href="http://h/x?a=1&amp;b=&quot;2&quot;"><form action="a">');
    expect(withBase('<head><base href="/app/"></head>', 'http://h/x')).toBe('<head><base href="/app/"></head>');
  });
});
