// src/dashboard/dashboard.browser.test.ts — the dashboard in real Chromium over a store filled by real scans: one
// gate of the lab (baseline vs candidate) and one scan of a target whose every response carries script payloads.
// Views render, filters and the comparison work, live progress arrives over SSE, nothing from targets runs or
// loads, and team mode refuses requests without a session (401) or without the CSRF token (403).
import { createServer, type Server } from 'node:http';
import { existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { chromium } from 'playwright-core';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLab, type RunningLab } from '../../lab/server.js';
import { vouch } from '../../test/e2e/cli.js';
import { dashboardOver, openSqliteDatabase, openSqliteHistory } from '../store/index.js';
import { startDashboard, type RunningDashboard } from './server.js';

const CHROME = process.env['CHROME_PATH'] ?? '/usr/lib/chromium/chromium';
const HAVE_CHROME = existsSync(CHROME);
if (!HAVE_CHROME) console.warn(`dashboard.browser.test: SKIPPED — Chromium not found at ${CHROME} (install chromium or set CHROME_PATH)`);
/** Set to a folder to write screenshots of the main views (docs/dashboard/). */
const SHOTS = process.env['VOUCH_SCREENSHOTS'];

const PAYLOAD = '<script>alert(1)</script><img src=x onerror=alert(2)><svg onload=alert(3)>';

/** A target whose every response (status line aside) carries script payloads: headers, cookies, body, title. */
function hostileTarget(): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer((req, res) => {
    res.setHeader('content-type', 'text/html; charset=utf-8');
    res.setHeader('x-evil', PAYLOAD);
    res.setHeader('set-cookie', [`session=${encodeURIComponent(PAYLOAD)}; Path=/`, `"><img src=x onerror=alert(4)>=1; Path=/`]);
    res.end(`<!doctype html><title>${PAYLOAD}</title><body>${PAYLOAD}<iframe src="javascript:alert(5)"></iframe><a href="${req.url}${PAYLOAD}">x</a><link rel=stylesheet href="http://evil.example/x.css"></body>`);
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as { port: number }).port;
      resolve({ url: `http://127.0.0.1:${port}`, close: () => new Promise<void>((r) => server.close(() => r())) });
    }),
  );
}

const TITLE = HAVE_CHROME ? `dashboard in Chromium (${CHROME})` : `dashboard in Chromium — SKIPPED: Chromium not found at ${CHROME}`;

describe.skipIf(!HAVE_CHROME)(TITLE, () => {
  const tmp = mkdtempSync(join(tmpdir(), 'vouch-dashb-'));
  const historyPath = join(tmp, 'history.db');
  const env = { VOUCH_HISTORY: historyPath };
  let labs: RunningLab[] = [];
  let hostile: { url: string; close(): Promise<void> };
  let dash: RunningDashboard;
  let browser: Browser;

  beforeAll(async () => {
    labs = await Promise.all([startLab({ variant: 'baseline' }), startLab({ variant: 'candidate' })]);
    hostile = await hostileTarget();
    const [gate, scan] = await Promise.all([
      vouch(['gate', '--candidate', labs[1]!.url, '--baseline', labs[0]!.url, '--config', 'lab/vouch.yaml', '--out', join(tmp, 'gate'), '-q', '--format', 'json'], { env }),
      vouch(['scan', hostile.url, '--check', 'security-headers,cookie-flags', '--out', join(tmp, 'hostile'), '-q', '--format', 'json'], { env: { ...env } }).catch((e: unknown) => ({ code: -1, stdout: '', stderr: String(e) })),
    ]);
    expect(gate.code, gate.stderr).toBe(1);
    expect([0, 1], scan.stderr).toContain(scan.code);
    // A trend for the candidate's target: its real report re-dated into four earlier scans with fewer findings.
    const history = await openSqliteHistory(historyPath);
    const latest = (await history.listScans({ target: labs[1]!.url.replace('http://', '') }))[0]!;
    const real = (await history.getReport(latest.id))!;
    for (let k = 1; k <= 4; k++) {
      const at = new Date(Date.parse(real.startedAt) - (5 - k) * 86_400_000).toISOString();
      await history.saveReport({ ...real, scanId: `earlier-${k}`, startedAt: at, finishedAt: at, findings: real.findings.slice(0, 5 * k), verdict: { pass: k % 2 === 1, status: k % 2 === 1 ? 'pass' : 'fail', reasons: [] } });
    }
    await history.close();
    dash = await startDashboard({ historyPath, host: '127.0.0.1', port: 0, pollMs: 100 });
    browser = await chromium.launch({ executablePath: CHROME, args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'] });
    if (SHOTS) mkdirSync(SHOTS, { recursive: true });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await dash?.close();
    await hostile?.close();
    await Promise.all(labs.map((l) => l.close()));
  });

  /** A page that records every request, dialog, alert call, console message and error. */
  async function watched(context?: BrowserContext): Promise<{ page: Page; requests: string[]; dialogs: string[]; console_: string[]; errors: string[]; alerts(): Promise<unknown[]> }> {
    const ctx = context ?? (await browser.newContext({ viewport: { width: 1280, height: 900 } }));
    const page = await ctx.newPage();
    const requests: string[] = [];
    const dialogs: string[] = [];
    const console_: string[] = [];
    const errors: string[] = [];
    page.on('request', (r) => requests.push(r.url()));
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    page.on('console', (m) => console_.push(`${m.type()}: ${m.text()}`));
    page.on('pageerror', (e) => errors.push(e.message));
    // Anything outside the dashboard is refused (and recorded above), so a leak cannot reach the network.
    await page.route('**/*', (route) => (route.request().url().startsWith(dash.url) ? route.continue() : route.abort()));
    await page.addInitScript(() => {
      const w = window as unknown as { __alerts: unknown[]; alert: (m?: unknown) => void };
      w.__alerts = [];
      const original = w.alert.bind(window);
      w.alert = (m?: unknown) => {
        w.__alerts.push(m);
        original(m);
      };
    });
    return { page, requests, dialogs, console_, errors, alerts: () => page.evaluate(() => (window as unknown as { __alerts: unknown[] }).__alerts) };
  }

  const shot = async (page: Page, name: string): Promise<void> => {
    if (SHOTS) await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: false });
  };

  it('shows the gate: targets with trend, the failing scan, filters, a finding with proof, the comparison', async () => {
    const w = await watched();
    const { page } = w;
    await page.goto(dash.url);
    await expect.poll(() => page.locator('#targets tbody tr').count()).toBe(3);
    await expect.poll(() => page.locator('.spark canvas').count()).toBeGreaterThan(0); // uPlot drew the trends
    await shot(page, 'targets');

    // The candidate's scan: FAIL with the rules that fired and the ranked new findings.
    const candidateRow = page.locator('#targets tbody tr', { hasText: labs[1]!.url });
    await candidateRow.getByRole('link', { name: 'latest scan' }).click();
    await expect.poll(() => page.locator('#verdict .word').textContent()).toBe('FAIL');
    expect(await page.locator('#verdict li').count()).toBeGreaterThan(0);
    const total = await page.locator('#findings-table tbody tr').count();
    expect(total).toBeGreaterThan(3);
    expect(await page.locator('#comparison h3').first().textContent()).toMatch(/^New \(\d+\)$/u);
    await shot(page, 'scan');

    // Filters (htmx swaps the results, the URL follows).
    await page.selectOption('select[name="severity"]', 'high');
    await expect.poll(() => page.url()).toContain('severity=high');
    await expect.poll(async () => (await page.locator('#findings-table tbody tr .badge').allTextContents()).every((s) => s === 'high')).toBe(true);
    const highs = await page.locator('#findings-table tbody tr').count();
    expect(highs).toBeLessThan(total);
    expect(await page.locator('#shown').textContent()).toBe(`${highs} of ${total} shown`);
    await page.selectOption('select[name="status"]', 'persisting');
    await expect.poll(() => page.url()).toContain('status=persisting');

    // A finding: raw HTTP proof, curl with a copy button (added by the report's own script), accept form.
    await page.goto(page.url().replace(/\?.*$/u, ''));
    await page.locator('#findings-table tbody tr a').first().click();
    await expect.poll(() => page.locator('details.finding[open] pre.http').count()).toBeGreaterThan(0);
    await expect.poll(() => page.locator('button.copy').count()).toBe(1); // the page script adds it after load
    expect(await page.locator('#accept form').count()).toBe(1);
    expect(await page.getByText('first seen').count()).toBe(1);
    await shot(page, 'finding');

    // Accept the risk from the page (htmx post with the CSRF header), then revoke it.
    await page.fill('#reason', 'tracked in ticket 42');
    await page.click('#accept button[type="submit"]');
    await expect.poll(() => page.locator('#accept').textContent()).toContain('tracked in ticket 42');
    await page.click('#accept button[type="submit"]'); // revoke
    await expect.poll(() => page.locator('#accept h4').textContent()).toBe('Accept this risk');

    // The comparison of the two scans, picked on the scans page.
    await page.goto(`${dash.url}/scans`);
    const ids = await page.locator('table.scans tbody tr td:first-child a').allTextContents();
    const baseRow = page.locator('table.scans tbody tr', { hasText: labs[0]!.url.replace('http://', '') }).first();
    const headRow = page.locator('table.scans tbody tr', { hasText: labs[1]!.url.replace('http://', '') }).first();
    expect(ids.length).toBeGreaterThanOrEqual(3);
    await baseRow.locator('input[name="base"]').check();
    await headRow.locator('input[name="head"]').check();
    await page.click('text=compare base → head');
    await expect.poll(() => page.locator('#comparison').count()).toBe(1);
    expect(await page.locator('#comparison h3', { hasText: /^New/u }).textContent()).toMatch(/New \([1-9]\d*\)/u);
    await shot(page, 'compare');

    // The permission audit and the accepted risks render too.
    await page.goto(`${dash.url}/scans/${encodeURIComponent(ids[0]!)}/audit`);
    await expect.poll(() => page.locator('h1').textContent()).toMatch(/^Permission audit/u);
    await page.goto(`${dash.url}/accepted`);
    await expect.poll(() => page.locator('h1').textContent()).toBe('Accepted risks');

    // Keyboard: j focuses the first row link.
    await page.goto(`${dash.url}/scans`);
    await page.keyboard.press('j');
    expect(await page.evaluate(() => document.activeElement?.tagName)).toBe('A');

    expect(w.dialogs).toEqual([]);
    expect(w.requests.every((u) => u.startsWith(dash.url))).toBe(true);
    expect(w.console_.filter((m) => /Content Security Policy|Refused to/iu.test(m))).toEqual([]);
    expect(w.errors).toEqual([]);
  }, 60_000);

  it('runs no script and loads nothing from a target whose every response carries script payloads', async () => {
    const w = await watched();
    const { page } = w;
    await page.goto(`${dash.url}/scans?target=${encodeURIComponent(hostile.url.replace('http://', ''))}`);
    await page.locator('table.scans tbody tr a').first().click();
    await expect.poll(() => page.locator('#findings-table tbody tr').count()).toBeGreaterThan(0);
    const links = await page.locator('#findings-table tbody tr a').evaluateAll((as) => as.map((a) => (a as HTMLAnchorElement).href));
    for (const href of links) {
      await page.goto(href);
      await expect.poll(() => page.locator('details.finding[open]').count()).toBe(1);
    }
    expect((await page.content()).includes('&lt;script&gt;alert(1)&lt;/script&gt;') || (await page.locator('pre.http').allTextContents()).join('').includes('<script>alert(1)</script>')).toBe(true);
    await shot(page, 'hostile-finding');
    expect(w.dialogs).toEqual([]);
    expect(await w.alerts()).toEqual([]);
    expect(await page.locator('main img, main iframe, main svg[onload]').count()).toBe(0);
    expect(w.requests.filter((u) => !u.startsWith(dash.url))).toEqual([]);
    expect(w.errors).toEqual([]);
  }, 60_000);

  it('updates live progress of a running scan over SSE, then shows its results', async () => {
    const raw = new BetterSqlite3(historyPath);
    const finished = raw.prepare("select report from scans where report is not null and target_name like '%' order by started_at desc limit 1").get() as { report: string };
    raw.prepare("insert into scans (id, target_name, target_url, state, started_at, finding_count, report, progress_done, progress_total, heartbeat_at) values ('live-1', 'live', 'http://127.0.0.1:9', 'running', ?, 0, null, 1, 8, ?)").run(Date.now(), Date.now());
    const w = await watched();
    const { page } = w;
    await page.goto(`${dash.url}/scans/live-1`);
    await expect.poll(() => page.locator('.progress-text').textContent()).toBe('running: 1 of 8 tasks');
    raw.prepare("update scans set progress_done = 5, heartbeat_at = ? where id = 'live-1'").run(Date.now());
    await expect.poll(() => page.locator('progress').evaluate((p) => (p as HTMLProgressElement).value)).toBe(5);
    await expect.poll(() => page.locator('.progress-text').textContent()).toBe('running: 5 of 8 tasks');
    await shot(page, 'progress');
    const report = JSON.parse(finished.report) as { scanId: string };
    report.scanId = 'live-1';
    raw.prepare("update scans set state = 'done', progress_done = 8, verdict_pass = 0, finished_at = ?, report = ? where id = 'live-1'").run(Date.now(), JSON.stringify(report));
    raw.close();
    // The page reloads itself when the scan finishes and shows the verdict.
    await expect.poll(() => page.locator('#verdict .word').count(), { timeout: 10_000 }).toBe(1);
    expect(w.errors).toEqual([]);
  }, 30_000);

  it('team mode: 401 without a session, 403 for a state change without the CSRF token or from another site', async () => {
    const team = await startDashboard({ historyPath, host: '127.0.0.1', port: 0, team: true });
    const db = await openSqliteDatabase(historyPath);
    const { token } = await dashboardOver(db, historyPath).createToken({ name: 'test', role: 'maintainer', days: 1 });
    await db.destroy();
    const other = await hostileTarget(); // another origin, for the cross-site attempt
    try {
      const context = await browser.newContext();
      const page = await context.newPage();
      const first = await page.goto(team.url);
      expect(first?.status()).toBe(401);
      await shot(page, 'sign-in');
      await page.fill('#token', token);
      await page.click('form[action="/login"] button[type="submit"]');
      await expect.poll(() => page.locator('#targets').count()).toBe(1);
      // Same-origin fetch with the session cookie but no CSRF token.
      const noCsrf = await page.evaluate(async () => (await fetch('/accepted', { method: 'POST', body: new URLSearchParams({ fingerprint: 'abcdef123456', reason: 'xx yy', expires: '2099-01-01' }) })).status);
      expect(noCsrf).toBe(403);
      // A form on another site posting to the dashboard (SameSite keeps the cookie home; the origin check refuses).
      await page.goto(other.url.replace('127.0.0.1', 'localhost'));
      const crossStatus = await page.evaluate(async (target) => {
        try {
          return (await fetch(`${target}/accepted`, { method: 'POST', mode: 'no-cors', credentials: 'include', body: new URLSearchParams({ fingerprint: 'abcdef123456', reason: 'xx yy', expires: '2099-01-01' }) })).type;
        } catch {
          return 'blocked';
        }
      }, team.url);
      expect(['opaque', 'blocked']).toContain(crossStatus);
      const res = await fetch(`${team.url}/accepted`, { method: 'POST', headers: { origin: 'http://evil.example', 'content-type': 'application/x-www-form-urlencoded' }, body: 'fingerprint=abcdef123456&reason=xxyy&expires=2099-01-01' });
      expect(res.status).toBe(401);
      const check = await openSqliteDatabase(historyPath);
      expect((await check.selectFrom('accepted_risks').selectAll().where('fingerprint', '=', 'abcdef123456').execute()).length).toBe(0);
      await check.destroy();
      await context.close();
    } finally {
      await other.close();
      await team.close();
    }
  }, 30_000);
});
