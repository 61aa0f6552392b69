// src/report/html.browser.test.ts — report.html in real Chromium: renders, filters work, nothing from the target runs or loads.
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeReport } from './fixture.js';
import { toHtml } from './html.js';

const CHROME = process.env['CHROME_PATH'] ?? '/usr/lib/chromium/chromium';
const HAVE_CHROME = existsSync(CHROME);
if (!HAVE_CHROME) {
  // Visible in the test output, so a skipped browser test is never mistaken for a passing one.
  console.warn(`html.browser.test: SKIPPED — Chromium not found at ${CHROME} (install chromium or set CHROME_PATH)`);
}

const TITLE = HAVE_CHROME ? `report.html in Chromium (${CHROME})` : `report.html in Chromium — SKIPPED: Chromium not found at ${CHROME}`;

describe.skipIf(!HAVE_CHROME)(TITLE, () => {
  let browser: Browser;
  let dir: string;
  let file: string;

  beforeAll(async () => {
    browser = await chromium.launch({
      executablePath: CHROME,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'],
    });
    dir = await mkdtemp(join(tmpdir(), 'vouch-html-'));
    file = join(dir, 'report.html');
    await writeFile(file, toHtml(makeReport({ partial: true })), 'utf8');
  });

  afterAll(async () => {
    await browser?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('renders, filters, runs no target script, loads nothing and violates no CSP', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const requests: string[] = [];
    const dialogs: string[] = [];
    const console_: string[] = [];
    const pageErrors: string[] = [];
    page.on('request', (r) => requests.push(r.url()));
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    page.on('console', (m) => console_.push(`${m.type()}: ${m.text()}`));
    page.on('pageerror', (e) => pageErrors.push(e.message));
    // Any payload that manages to run calls alert(); make alert record the call as well as open a dialog.
    await page.addInitScript(() => {
      const w = window as unknown as { __alerts: unknown[]; alert: (m?: unknown) => void };
      w.__alerts = [];
      const original = w.alert.bind(window);
      w.alert = (m?: unknown) => {
        w.__alerts.push(m);
        original(m);
      };
    });
    const url = pathToFileURL(file).href;
    await page.goto(url, { waitUntil: 'load' });

    // Renders: the verdict is visible.
    await expect.poll(() => page.locator('#verdict .word').textContent()).toBe('FAIL');
    expect(await page.locator('#verdict').isVisible()).toBe(true);
    expect(await page.locator('#shown').textContent()).toBe('5 of 5 shown');

    // Filters: severity=high hides the others (rows and details).
    await page.selectOption('select[data-filter="severity"]', 'high');
    const visibleRows = page.locator('#findings-table tbody tr:visible');
    await expect.poll(() => visibleRows.count()).toBe(2);
    expect(await visibleRows.locator('.badge').allTextContents()).toEqual(['high', 'high']);
    expect(await page.locator('details.finding[data-i]:visible').count()).toBe(2);
    expect(await page.locator('#shown').textContent()).toBe('2 of 5 shown');
    // Combined filters, then reset.
    await page.selectOption('select[data-filter="family"]', 'authorization');
    await expect.poll(() => visibleRows.count()).toBe(1);
    await page.selectOption('select[data-filter="severity"]', '');
    await page.selectOption('select[data-filter="family"]', '');
    await page.selectOption('select[data-filter="confidence"]', 'tentative');
    await expect.poll(() => visibleRows.count()).toBe(1);
    await page.click('#reset');
    await expect.poll(() => visibleRows.count()).toBe(5);

    // A link to a finding opens its details.
    await page.click('a[href="#f2"]');
    await expect.poll(() => page.locator('details#f2').evaluate((d) => (d as HTMLDetailsElement).open)).toBe(true);
    const hostileText = await page.locator('details#f2 pre.http').first().textContent();
    expect(hostileText).toContain('<script>alert(1)</script>');

    // Nothing from the target ran: no dialog, no alert call, no injected elements.
    expect(dialogs).toEqual([]);
    expect(await page.evaluate(() => (window as unknown as { __alerts: unknown[] }).__alerts)).toEqual([]);
    expect(await page.locator('img').count()).toBe(0);
    expect(await page.locator('script').count()).toBe(2);

    // Nothing loaded but the document itself.
    expect(requests).toEqual([url]);

    // Our own style and script are allowed by the CSP: no violation reports, no errors.
    expect(console_.filter((m) => /Content Security Policy|Refused to/iu.test(m))).toEqual([]);
    expect(pageErrors).toEqual([]);
    // The stylesheet applied (it would be blocked if its hash were wrong): the verdict box has its border.
    const border = await page.locator('#verdict').evaluate((el) => getComputedStyle(el).borderTopWidth);
    expect(border).toBe('2px');
    await context.close();
  });
});
