// src/checks/security/sensitive-files.test.ts — exposed files on a leaky server, a clean twin, catch-all and echoing servers.
import { describe, expect, it } from 'vitest';
import { sendHtml, sendJson, serveFixture, type Fixture, type FixtureHandler } from '../kit/fixture.js';
import { testCheck } from '../kit/tester.js';
import check, { PROBES } from './sensitive-files.js';
import { derivedProbes, mentions } from './support/sensitive-paths.js';

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
    expect(PROBES.length).toBeLessThanOrEqual(30);
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

  it('finds backups and data files of the paths the site serves and names, not those of a site that has none', async () => {
    const leaky = await scanSite(phpSite(true), { warmup: ['/index.php', '/docs/setup.php'] });
    const byClass = Object.fromEntries(leaky.findings.map((f) => [f.vulnClass, f]));
    expect(Object.keys(byClass).sort()).toEqual(['exposed:/config/settings.inc.php.bak', 'exposed:/data/app.db', 'exposed:/docs/setup.php~']);
    const bak = byClass['exposed:/config/settings.inc.php.bak']!;
    expect(bak.confidence).toBe('confirmed');
    expect(bak.severity).toBe('high');
    expect(bak.proof.evidence).toBe("source code assigning $_DB[ 'db_password' ] (value hidden)");
    expect(JSON.stringify(bak.proof.summary)).not.toContain('hunter2');
    expect(bak.proof.summary).toContain('a backup name of /config/settings.inc.php');
    expect(byClass['exposed:/data/app.db']!.proof.evidence).toMatch(/SQLite/);
    // The twin: no backups, the database refused, and a `.bak` that runs the script: nothing.
    const safe = await scanSite(phpSite(false), { warmup: ['/index.php', '/docs/setup.php'] });
    expect(safe.findings).toEqual([]);
    expect(safe.outcomes[0]?.status).toBe('clean');
  });

  it('asks again as a signed-in user where anonymous is sent away, but an admin page for a signed-in user is fine', async () => {
    const identities = [{ name: 'anonymous', role: 'anonymous' as const, auth: { kind: 'none' as const } }, { name: 'alice', role: 'user' as const, auth: { kind: 'bearer' as const, token: 't0k' } }];
    const r = await scanSite(signedInSite(true), { identities });
    expect(r.findings.map((f) => [f.vulnClass, f.confidence, f.exposure])).toEqual([['exposed:/phpinfo.php', 'confirmed', 'authenticated']]);
    expect(r.findings[0]!.proof.summary).toContain('as alice (anonymous was sent away)');
    const safe = await scanSite(signedInSite(false), { identities });
    expect(safe.findings).toEqual([]);
  });

  it('reads a phpinfo() page the scan recorded at any path, not a page that only names a PHP version', async () => {
    const r = await scanSite(signedInSite(true), { warmup: ['/info.php', '/about.php'] });
    expect(r.findings.map((f) => [f.vulnClass, f.confidence])).toEqual([['exposed:/info.php', 'confirmed']]);
    expect(r.findings[0]!.proof.summary).toContain('(recorded as anonymous)');
  });

  it('derives probes by rank: data files, config-like names with every suffix, then other scripts', () => {
    const pages = [{ url: 'http://h/docs/', text: 'Edit config/app.conf.php or /var/www/html/includes/db.inc.php; see https://x.example/a/b.php, data/site.sqlite' }];
    const d = derivedProbes(['http://h/login.php', 'http://h/api/users'], pages, 100, new Set());
    expect(d[0]).toEqual({ path: '/data/site.sqlite', original: '/data/site.sqlite', kind: 'file' });
    expect(d.map((x) => x.path)).toContain('/includes/db.inc.php.bak');
    expect(d.map((x) => x.path)).toContain('/config/.app.conf.php.swp');
    expect(d.map((x) => x.path).filter((p) => p.startsWith('/login.php'))).toEqual(['/login.php.bak', '/login.php~']);
    expect(d.map((x) => x.path).some((p) => p.includes('/a/b.php'))).toBe(false); // a URL of another site
    expect(d.findIndex((x) => x.path.startsWith('/login.php'))).toBeGreaterThan(d.findIndex((x) => x.path.startsWith('/config/app.conf.php')));
    expect(derivedProbes(['http://h/login.php'], pages, 3, new Set())).toHaveLength(3);
    expect(mentions('see http://x.example/app/config.php and //cdn.example/x.php')).toEqual([]);
  });

  it('takes a template for its live file, puts disk-path tails last, and ignores a page echoing its own URL', () => {
    const d = derivedProbes(['http://h/config/app.inc.php.dist', 'http://h/index.php'], [
      { url: 'http://h/err.php', text: 'in /srv/site/htdocs/lib/secrets.conf' },
      { url: 'http://h/search.php?q=settings.php', text: 'No results for settings.php' },
    ], 100, new Set());
    const paths = d.map((x) => x.path);
    expect(paths.slice(0, 5)).toEqual(['/config/app.inc.php.bak', '/config/app.inc.php~', '/config/app.inc.php.old', '/config/.app.inc.php.swp', '/config/app.inc.php.orig']);
    expect(paths.indexOf('/index.php.bak')).toBeLessThan(paths.indexOf('/secrets.conf'));
    expect(paths.some((x) => x.includes('settings.php'))).toBe(false);
  });
});

const PHPINFO = '<!DOCTYPE html><html><head><title>PHP 8.2.36 - phpinfo()</title></head><body><table><tr><td><h1 class="p">PHP Version 8.2.36</h1></td></tr></table></body></html>';

/** A PHP site whose pages name a config script and a database file; `leaky` serves their copies. */
function phpSite(leaky: boolean): FixtureHandler {
  return (_req, res, url) => {
    const p = url.pathname;
    const raw = (body: string | Buffer): void => {
      res.writeHead(200, {});
      res.end(body);
    };
    if (p === '/index.php') return sendHtml(res, 200, '<p>Copy config/settings.inc.php.dist to config/settings.inc.php; the data lives in data/app.db.</p>');
    if (p === '/docs/setup.php') return sendHtml(res, 200, '<p>Setup</p>');
    if (p === '/config/settings.inc.php.bak') return leaky ? raw("<?php\n# settings\n$db_user = 'app';\n$_DB[ 'db_password' ] = 'hunter2';\n") : sendHtml(res, 404, 'nf');
    if (p === '/docs/setup.php~') return leaky ? raw('<?php\nrequire_once "../config/settings.inc.php";\necho "ok";\n') : sendHtml(res, 200, '<p>Setup</p>');
    if (p === '/data/app.db') return leaky ? raw(Buffer.concat([Buffer.from('SQLite format 3\0', 'latin1'), Buffer.alloc(64, 1)])) : sendHtml(res, 403, 'forbidden');
    return sendHtml(res, 404, 'not found');
  };
}

/** phpinfo behind a sign-in (and an admin page any signed-in user sees); `open` lets a signed-in user read phpinfo. */
function signedInSite(open: boolean): FixtureHandler {
  return (req, res, url) => {
    const p = url.pathname;
    const user = req.headers.authorization === 'Bearer t0k';
    if (p === '/info.php') return sendHtml(res, 200, PHPINFO);
    if (p === '/about.php') return sendHtml(res, 200, '<p>Runs on PHP Version 8.2 and up; see phpinfo() for details.</p>');
    if (p === '/phpinfo.php' || p === '/admin') {
      if (!user) {
        res.writeHead(302, { location: '/login.php' });
        return res.end();
      }
      if (p === '/admin') return sendHtml(res, 200, '<title>Admin dashboard</title><a href="/logout">Log out</a>');
      return open ? sendHtml(res, 200, PHPINFO) : sendHtml(res, 403, 'forbidden');
    }
    return sendHtml(res, 404, 'not found');
  };
}

async function scanSite(handler: FixtureHandler, input: Partial<Parameters<typeof testCheck>[1]> = {}) {
  const site: Fixture = await serveFixture(handler);
  try {
    return await testCheck(check, { url: site.url, ...input });
  } finally {
    await site.close();
  }
}
