// src/checks/security/sensitive-files.test.ts — exposed files on a leaky server, a clean twin, catch-all and echoing servers.
import { describe, expect, it } from 'vitest';
import { sendHtml, sendJson, serveFixture, type Fixture, type FixtureHandler } from '../kit/fixture.js';
import { testCheck } from '../kit/tester.js';
import check, { PROBES } from './sensitive-files.js';

const DOTENV = 'NODE_ENV=production\nDATABASE_URL=postgres://app:hunter2@db/app\nJWT_SECRET=abc\n';
const SPA = '<!doctype html><html><head><title>Shop</title></head><body><div id="root"></div></body></html>';

/** One fixture site per mode: how it answers a path. */
function handler(mode: string): FixtureHandler {
  let served = 0;
  return (_req, res, url) => {
    const path = url.pathname;
    const text = (body: string): void => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end(body);
    };
    if (mode === 'leaky') {
      if (path === '/.env') return text(DOTENV);
      if (path === '/.git/config') return text('[core]\n\trepositoryformatversion = 0\n\tfilemode = true\n\tbare = false\n');
      if (path === '/.git/HEAD') return text('ref: refs/heads/main\n');
      if (path === '/debug/env') return sendJson(res, 200, { NODE_ENV: 'production', STRIPE_API_KEY: 'sk_live_x', PATH: '/usr/bin' });
      if (path === '/backup.zip') {
        res.writeHead(200, { 'content-type': 'application/zip' });
        return res.end(Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x14, 0x00, 0x00, 0x00, 0xff, 0xfe]));
      }
      if (path === '/admin') return sendHtml(res, 200, '<title>Admin dashboard</title><a href="/logout">Log out</a><table>users</table>');
      return sendHtml(res, 404, 'not found');
    }
    if (mode === 'safe') {
      if (path === '/admin') return sendHtml(res, 200, '<title>Admin login</title><form><input type="password" name="p"></form>');
      if (path === '/.git/HEAD' || path === '/.env') return sendHtml(res, 403, 'forbidden');
      return sendHtml(res, 404, 'not found');
    }
    if (mode === 'spa') return sendHtml(res, 200, SPA); // SPA fallback: 200 and the same page for everything
    if (mode === 'samey') return text(DOTENV); // the same env-looking body for every path proves nothing
    // An SPA shell that names its own path (canonical link): an admin-looking page, different from a random path's
    // by the path only — the soft 404 (ctx.notFound), not an admin console.
    if (mode === 'spaecho') return sendHtml(res, 200, `<title>Shop admin</title><link rel="canonical" href="${path}"><a href="/logout">Log out</a>`);
    if (mode === 'echo') return text(`No file at ${path} (same shape for all: A=${path})`);
    if (mode === 'spaleak') return path === '/.env' ? text(DOTENV) : sendHtml(res, 200, SPA); // fallback plus a real leak
    if (mode === 'flaky') return path === '/.env' && served++ === 0 ? text(DOTENV) : sendHtml(res, 404, 'gone'); // once only
    return sendHtml(res, 404, 'not found');
  };
}

async function scan(mode: string) {
  const site: Fixture = await serveFixture(handler(mode));
  try {
    return await testCheck(check, { url: site.url });
  } finally {
    await site.close();
  }
}

describe('sensitive-files', () => {
  it('keeps the probe list short', () => {
    expect(PROBES.length).toBeLessThanOrEqual(25);
  });

  it('confirms each exposed file by its own marker, with replay and a random-path control', async () => {
    const r = await scan('leaky');
    const byClass = Object.fromEntries(r.findings.map((f) => [f.vulnClass, f]));
    expect(Object.keys(byClass).sort()).toEqual(['exposed:/.env', 'exposed:/.git/HEAD', 'exposed:/.git/config', 'exposed:/admin', 'exposed:/backup.zip', 'exposed:/debug/env']);
    for (const f of r.findings) {
      expect(f.confidence).toBe('confirmed');
      expect(f.proof.exchanges.length).toBe(4); // probe, control, replay, fresh control
    }
    expect(byClass['exposed:/.env']!.severity).toBe('high');
    expect(byClass['exposed:/.env']!.proof.evidence).toBe('DATABASE_URL=…');
    expect(byClass['exposed:/admin']!.severity).toBe('medium');
    expect(byClass['exposed:/debug/env']!.proof.evidence).toBe('STRIPE_API_KEY present');
    // each finding: a replay, a fresh control, and at most one soft-404 control for its path prefix
    expect(r.requests).toBeLessThanOrEqual(1 + PROBES.length + 3 * r.findings.length);
  });

  it('reports nothing on the safe twin (403/404 and a login page)', async () => {
    const r = await scan('safe');
    expect(r.findings).toEqual([]);
    expect(r.outcomes[0]?.status).toBe('clean');
    expect(r.requests).toBeLessThanOrEqual(1 + PROBES.length);
  });

  it.each(['spa', 'samey', 'echo', 'spaecho'])('reports nothing on a %s server that answers 200 to everything', async (mode) => {
    const r = await scan(mode);
    expect(r.findings).toEqual([]);
  });

  it('still finds a real leak behind an SPA fallback (body differs from the control and has the marker)', async () => {
    const r = await scan('spaleak');
    expect(r.findings.map((f) => f.vulnClass)).toEqual(['exposed:/.env']);
  });

  it('stays tentative when the replay does not show the file again', async () => {
    const r = await scan('flaky');
    expect(r.findings.map((f) => [f.vulnClass, f.confidence])).toEqual([['exposed:/.env', 'tentative']]);
  });

  it('is inconclusive when the target does not answer', async () => {
    const r = await testCheck(check, { url: 'http://127.0.0.1:9' });
    expect(r.outcomes[0]?.status).toBe('inconclusive');
    expect(r.requests).toBe(1);
  });
});
