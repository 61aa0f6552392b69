// test/e2e/guard-dashboard.browser.test.ts — must-show: a request `vouch guard` holds is approved from the dashboard in
// Chromium. The lab, `vouch guard` and `vouch serve` share one store (VOUCH_HISTORY); the held POST /api/orders appears
// on /guard without a reload, Approve lets it through to the lab (2xx) and the page shows it allowed (approved); a
// Reject gives the agent 403; a POST without the CSRF token is refused.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLab, type RunningLab } from '../../lab/server.js';
import { root } from './cli.js';

const CHROME = process.env['CHROME_PATH'] ?? '/usr/lib/chromium/chromium';
const HAVE_CHROME = existsSync(CHROME);
if (!HAVE_CHROME) console.warn(`guard-dashboard.browser.test: SKIPPED — Chromium not found at ${CHROME} (install chromium or set CHROME_PATH)`);
const TITLE = HAVE_CHROME ? `guard approvals from the dashboard in Chromium (${CHROME})` : `guard approvals from the dashboard — SKIPPED: Chromium not found at ${CHROME}`;

const tmp = mkdtempSync(join(tmpdir(), 'vouch-gdash-'));
const env = { VOUCH_HISTORY: join(tmp, 'history.db'), SHOPPER_TOKEN: 'shopper-gdash-token-0123456789' };
const AGENT = { authorization: `Bearer ${env.SHOPPER_TOKEN}`, 'content-type': 'application/json' };

/** Starts a long-running `vouch` command and resolves with the first match of `ready` on its stdout. */
function start(args: string[], ready: RegExp): Promise<{ match: RegExpExecArray; stop(): Promise<number | null> }> {
  const child = spawn(process.execPath, [join(root, 'bin', 'vouch.js'), ...args], { cwd: tmp, env: { ...process.env, CI: '1', ...env } });
  let out = '';
  let err = '';
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`vouch ${args[0]} did not start: ${err}`)), 30_000);
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const match = ready.exec(out);
      if (!match) return;
      clearTimeout(timer);
      resolve({ match, stop: () => (child.kill('SIGTERM'), exited) });
    });
    void exited.then((code) => reject(new Error(`vouch ${args[0]} exited ${code}: ${err}`)));
  });
}

describe.skipIf(!HAVE_CHROME)(TITLE, () => {
  let lab: RunningLab;
  let guard: Awaited<ReturnType<typeof start>>;
  let dash: Awaited<ReturnType<typeof start>>;
  let guardUrl: string;
  let dashUrl: string;
  let browser: Browser;

  beforeAll(async () => {
    if (!existsSync(join(root, 'dist', 'src', 'cli', 'main.js'))) throw new Error('dist/ is missing: run `npm run setup` (npm test does it for you)');
    lab = await startLab({ variant: 'baseline' });
    writeFileSync(
      join(tmp, 'vouch.yaml'),
      `target: { url: "${lab.url}", spec: /openapi.json, environment: local }
identities:
  alice: { role: user, login: { json: { url: /api/login, body: { username: alice, password: alice-pass }, tokenPath: token } } }
guard:
  listen: 127.0.0.1:0
  approval: { token: approver-gdash-token-0123456789, timeoutMs: 30000 }
  agents:
    shopper:
      token: \${SHOPPER_TOKEN}
      identity: alice
      intended: ["GET /api/orders"]
      approval: ["POST /api/orders"]
`,
    );
    // The dashboard first: it creates the store; the guard then opens the same file.
    dash = await start(['serve', '--port', '0'], /vouch dashboard at (http:\/\/\S+) /);
    dashUrl = dash.match[1]!;
    guard = await start(['guard', '--config', join(tmp, 'vouch.yaml')], /listening on (http:\/\/\S+) /);
    guardUrl = guard.match[1]!;
    browser = await chromium.launch({ executablePath: CHROME, args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'] });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    expect(await guard?.stop()).toBe(0);
    await dash?.stop();
    await lab?.close();
  });

  const order = (): Promise<Response> => fetch(`${guardUrl}/api/orders`, { method: 'POST', headers: AGENT, body: JSON.stringify({ productId: 1, quantity: 1 }) });
  const labOrders = (): number => lab.requests.filter((r) => r.method === 'POST' && r.url === '/api/orders').length;

  /** Opens /guard, sends the held order, waits for it to appear live (no reload), and clicks `act` on it. */
  async function holdAndDecide(page: Page, act: 'approve' | 'reject'): Promise<{ res: Response; sent: number }> {
    const sent = labOrders();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    await page.goto(`${dashUrl}/guard`);
    expect(await page.locator('#guard-live tr[data-held]').count()).toBe(0);
    let navigations = 0;
    page.on('framenavigated', (f) => f === page.mainFrame() && navigations++);
    const pending = order();
    const row = page.locator('#guard-live tr[data-held]');
    await row.first().waitFor({ timeout: 15_000 });
    expect(navigations).toBe(0); // arrived by the live update, not a reload
    expect(await row.first().textContent()).toContain('POST /api/orders');
    expect(labOrders()).toBe(sent); // held: the lab has not seen it
    await Promise.all([page.waitForURL(`${dashUrl}/guard`), row.first().locator(`button[data-act="${act}"]`).click()]);
    expect(errors).toEqual([]);
    return { res: await pending, sent };
  }

  it('a held POST /api/orders appears live, Approve lets it through, the page shows it allowed (approved)', async () => {
    const page = await browser.newPage();
    const { res, sent } = await holdAndDecide(page, 'approve');
    expect(res.status, await res.clone().text()).toBeGreaterThanOrEqual(200);
    expect(res.status).toBeLessThan(300);
    expect(labOrders()).toBe(sent + 1);
    const decided = page.locator('#guard-live table.guard-decisions tbody tr').filter({ hasText: 'allowed (approved)' });
    await decided.first().waitFor({ timeout: 15_000 });
    expect(await decided.first().textContent()).toContain('POST /api/orders');
    expect(await page.locator('#guard-live tr[data-held]').count()).toBe(0);
    await page.close();
  }, 90_000);

  it('Reject from the dashboard gives the agent 403 and the lab never sees the request', async () => {
    const page = await browser.newPage();
    const { res, sent } = await holdAndDecide(page, 'reject');
    expect(res.status).toBe(403);
    expect(((await res.json()) as { rule: string }).rule).toBe('approval: POST /api/orders (rejected)');
    expect(labOrders()).toBe(sent);
    await page.locator('#guard-live table.guard-decisions tbody tr').filter({ hasText: 'denied (rejected)' }).first().waitFor({ timeout: 15_000 });
    await page.close();
  }, 90_000);

  it('a hostile path an agent sent is shown as text: nothing runs', async () => {
    const path = '/api/<script>alert(1)</script><img src=x onerror=alert(2)>';
    expect((await fetch(`${guardUrl}${path}`, { headers: AGENT })).status).toBe(403);
    const page = await browser.newPage();
    const dialogs: string[] = [];
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    await page.goto(`${dashUrl}/guard`);
    const row = page.locator('#guard-live table.guard-decisions tbody tr').filter({ hasText: '<script>alert(1)</script>' });
    await row.first().waitFor({ timeout: 15_000 });
    expect(await page.locator('#guard-live script, #guard-live img').count()).toBe(0);
    await page.waitForTimeout(1500); // a live swap too
    expect(await page.locator('#guard-live script, #guard-live img').count()).toBe(0);
    expect(dialogs).toEqual([]);
    await page.close();
  }, 60_000);

  it('a decision POST without the CSRF token is refused and the hold keeps waiting', async () => {
    const page = await browser.newPage();
    await page.goto(`${dashUrl}/guard`);
    const pending = order();
    const row = page.locator('#guard-live tr[data-held]');
    await row.first().waitFor({ timeout: 15_000 });
    const id = (await row.first().getAttribute('data-held'))!;
    // The same form the page has, without its token (a same-origin page; a cross-site one is refused by Origin too).
    const status = await page.evaluate(async (u) => (await fetch(u, { method: 'POST', body: new URLSearchParams({ _csrf: '' }) })).status, `/guard/held/${id}/approve`);
    expect(status).toBe(403);
    expect((await fetch(`${dashUrl}/guard/held/${id}/approve`, { method: 'POST', headers: { origin: 'http://evil.example' } })).status).toBe(403);
    expect(await page.locator(`#guard-live tr[data-held="${id}"]`).count()).toBe(1);
    await row.first().locator('button[data-act="reject"]').click();
    expect((await pending).status).toBe(403);
    await page.close();
  }, 90_000);
});
