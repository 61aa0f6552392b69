// src/browser/execution.test.ts — the browser is held to the engine's scope: a page's requests to another loopback
// origin go through the engine, are refused and audited, and never reach that origin.
import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuditLog, createEngine, createRedactor } from '../net/index.js';
import { closeBrowser, findChromium } from './chromium.js';
import { proveExecution } from './execution.js';

const listen = async (server: Server, host: string): Promise<string> => {
  await new Promise<void>((r) => server.listen(0, host, r));
  return `http://${host}:${(server.address() as { port: number }).port}`;
};

let other: Server;
let otherUrl = '';
let otherHits = 0;
let target: Server;
let targetUrl = '';

beforeAll(async () => {
  other = createServer((_req, res) => {
    otherHits++;
    res.end('vouchProof("stolen")');
  });
  otherUrl = await listen(other, '127.0.0.2');
  target = createServer((req, res) => {
    if (req.url === '/own.js') return res.writeHead(200, { 'content-type': 'text/javascript' }).end('vouchProof("n0nce")');
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end(`<script src="${otherUrl}/x.js"></script><img src="${otherUrl}/i.png"><script src="/own.js"></script><form action="${otherUrl}/f"></form>`);
  });
  targetUrl = await listen(target, '127.0.0.1');
});
afterAll(async () => {
  await closeBrowser();
  await Promise.all([other, target].map((s) => new Promise((r) => s.close(r))));
});

const chromium = findChromium();

describe('browser scope', () => {
  it.skipIf('reason' in chromium)('refuses and audits a page request to another origin; that origin is never reached', async () => {
    const audit = join(mkdtempSync(join(tmpdir(), 'vouch-browser-')), 'audit.jsonl');
    const engine = createEngine({ target: { name: 't', url: targetUrl, environment: 'staging' }, scope: { origins: [targetUrl], include: [], exclude: [] }, safeMode: false, audit: createAuditLog(audit, createRedactor()) });
    const result = await proveExecution({
      url: `${targetUrl}/page`,
      origin: new URL(targetUrl).origin,
      nonce: 'n0nce',
      serve: async ({ method, url }) => {
        const x = await engine.send({ method, url }, { identity: 'anonymous', checkId: 'xss-reflected' });
        return x.response ? { status: x.response.status, headers: x.response.headers, body: Buffer.from(x.response.body) } : undefined;
      },
    });
    await engine.close();
    expect(result).toMatchObject({ tried: true, executed: true });
    expect(otherHits).toBe(0);
    const lines = readFileSync(audit, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { url: string; outcome: string; code?: string });
    const refused = lines.filter((l) => l.url.startsWith(otherUrl));
    expect(refused.map((l) => l.url).sort()).toEqual([`${otherUrl}/i.png`, `${otherUrl}/x.js`]);
    expect(refused.every((l) => l.outcome === 'refused' && l.code === 'VOUCH_SCOPE_REFUSED')).toBe(true);
    expect(engine.stats().refused).toBe(2);
  }, 30_000);
});
