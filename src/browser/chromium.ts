// src/browser/chromium.ts — finds and launches headless Chromium (playwright-core): one shared browser per
// process, launched on first use, closed by `closeBrowser()`, after an idle period, or on process exit.
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

/** Where Chromium is looked for when CHROME_PATH is not set. */
export const CHROMIUM_PATHS: readonly string[] = ['/usr/lib/chromium/chromium', '/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];

const LAUNCH_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync', '--disable-quic'];

/** Browser idle this long (no lease held) is closed, so a finished scan does not keep the process alive. */
const IDLE_CLOSE_MS = 10_000;

/**
 * The Chromium executable: `CHROME_PATH` when set (an explicit setting never falls back, so a wrong path is
 * reported, not silently replaced), else the first of CHROMIUM_PATHS that exists.
 */
export function findChromium(): { path: string } | { reason: string } {
  const explicit = process.env.CHROME_PATH;
  if (explicit) return existsSync(explicit) ? { path: explicit } : { reason: `CHROME_PATH=${explicit} does not exist` };
  const found = CHROMIUM_PATHS.find((p) => existsSync(p));
  return found ? { path: found } : { reason: `no Chromium at ${CHROMIUM_PATHS.join(', ')}; set CHROME_PATH` };
}

let launching: Promise<Browser> | undefined;
let leases = 0;
let idleTimer: NodeJS.Timeout | undefined;

/** A lease on the shared browser; call `release()` when done (the browser closes after an idle period). */
export interface BrowserLease {
  browser: Browser;
  release(): void;
}

/** The shared browser, launched on first use; `{ reason }` when Chromium is missing or fails to start. */
export async function acquireBrowser(): Promise<BrowserLease | { reason: string }> {
  if (idleTimer) clearTimeout(idleTimer);
  idleTimer = undefined;
  if (!launching) {
    const where = findChromium();
    if ('reason' in where) return where;
    // Signals are vouch's: a first Ctrl-C ends the scan gently (partial report, resumable), so playwright must not
    // exit the process with 130 on it. The browser is still killed when the process exits.
    launching = chromium.launch({ executablePath: where.path, args: LAUNCH_ARGS, headless: true, handleSIGINT: false, handleSIGTERM: false });
    launching.then(
      (b) => b.on('disconnected', () => (launching = undefined)),
      () => (launching = undefined), // a failed launch is retried next time
    );
  }
  let browser: Browser;
  try {
    browser = await launching;
  } catch (e) {
    return { reason: `Chromium failed to start: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}` };
  }
  leases++;
  let released = false;
  return {
    browser,
    release() {
      if (released) return;
      released = true;
      if (--leases === 0) {
        idleTimer = setTimeout(() => void closeBrowser(), IDLE_CLOSE_MS);
        idleTimer.unref();
      }
    },
  };
}

/** Closes the shared browser if it is running (playwright also kills it when the process exits). */
export async function closeBrowser(): Promise<void> {
  if (idleTimer) clearTimeout(idleTimer);
  idleTimer = undefined;
  const pending = launching;
  launching = undefined;
  leases = 0;
  if (!pending) return;
  const browser = await pending.catch(() => undefined);
  await browser?.close();
}
