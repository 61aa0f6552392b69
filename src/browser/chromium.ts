// src/browser/chromium.ts — finds and launches headless Chromium (playwright-core): one shared browser per
// process, launched on first use within a deadline, closed by `closeBrowser()` (killed when it does not answer),
// after an idle period, or on process exit; `killBrowser()` ends its process at once.
import { existsSync } from 'node:fs';
import { chromium, type Browser, type BrowserServer } from 'playwright-core';

/** Where Chromium is looked for when CHROME_PATH is not set. */
export const CHROMIUM_PATHS: readonly string[] = ['/usr/lib/chromium/chromium', '/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];

const LAUNCH_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync', '--disable-quic'];

/** Browser idle this long (no lease held) is closed, so a finished scan does not keep the process alive. */
const IDLE_CLOSE_MS = 10_000;
/** Default time Chromium has to start and accept the connection. */
export const LAUNCH_DEADLINE_MS = 30_000;
/** How long `closeBrowser()` waits for a gentle close before it kills the process. */
const CLOSE_DEADLINE_MS = 3_000;

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

/** The running browser: the server owns the Chromium process (so it can be killed), the client talks to it. */
interface Running {
  server: BrowserServer;
  browser: Browser;
}

let launching: Promise<Running> | undefined;
/** Bumped by `killBrowser()`: a launch begun before it is killed as soon as it lands. */
let generation = 0;
/** Every server launched and not yet known dead: a launch that outlives its deadline is killed when it lands. */
const servers = new Set<BrowserServer>();
let leases = 0;
let idleTimer: NodeJS.Timeout | undefined;

/** A lease on the shared browser; call `release()` when done (the browser closes after an idle period). */
export interface BrowserLease {
  browser: Browser;
  release(): void;
}

/** Resolves with `p`, or rejects with `what` after `ms` (the timer does not keep the process alive). */
export function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not answer within ${ms} ms`)), ms);
    timer.unref();
  });
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}

async function launch(path: string, launchMs: number): Promise<Running> {
  // Signals are vouch's: a first Ctrl-C ends the scan gently (partial report, resumable), so playwright must not
  // exit the process with 130 on it. The browser is still killed when the process exits.
  const gen = generation;
  const server = await chromium.launchServer({
    executablePath: path,
    args: LAUNCH_ARGS,
    headless: true,
    handleSIGINT: false,
    handleSIGTERM: false,
    timeout: launchMs,
  });
  servers.add(server);
  if (gen !== generation) {
    killServer(server);
    throw new Error('Chromium was stopped while it started');
  }
  server.process().once('exit', () => servers.delete(server));
  try {
    const browser = await chromium.connect(server.wsEndpoint(), { timeout: launchMs });
    return { server, browser };
  } catch (e) {
    killServer(server);
    throw e;
  }
}

/**
 * The shared browser, launched on first use; `{ reason }` when Chromium is missing, fails to start or does not start
 * within `launchMs` (its process is then killed, now or when it appears).
 */
export async function acquireBrowser(opts: { launchMs?: number } = {}): Promise<BrowserLease | { reason: string }> {
  if (idleTimer) clearTimeout(idleTimer);
  idleTimer = undefined;
  const launchMs = opts.launchMs ?? LAUNCH_DEADLINE_MS;
  if (!launching) {
    const where = findChromium();
    if ('reason' in where) return where;
    const started = launch(where.path, launchMs);
    launching = started;
    started.then(
      (r) => r.browser.on('disconnected', () => {
        if (launching === started) launching = undefined;
        killServer(r.server);
      }),
      () => {
        if (launching === started) launching = undefined; // a failed launch is retried next time
      },
    );
  }
  const pending = launching;
  let browser: Browser;
  try {
    browser = (await within(pending, launchMs + 1_000, 'Chromium')).browser;
  } catch (e) {
    if (launching === pending) launching = undefined;
    // Still starting past its deadline: whenever it does start, it is killed, never left running.
    pending.then((r) => killServer(r.server), () => undefined);
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

function killServer(server: BrowserServer): void {
  servers.delete(server);
  const child = server.process();
  if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
}

/** Kills every Chromium this process started, at once and synchronously (an interrupt, a browser that hangs). */
export function killBrowser(): void {
  if (idleTimer) clearTimeout(idleTimer);
  idleTimer = undefined;
  generation++;
  launching = undefined;
  leases = 0;
  for (const s of [...servers]) killServer(s);
}

/** Whether a Chromium process started here is still running. */
export function browserRunning(): boolean {
  return [...servers].some((s) => s.process().exitCode === null && s.process().signalCode === null);
}

/** Closes the shared browser if it is running; one that does not close within a few seconds is killed. */
export async function closeBrowser(): Promise<void> {
  if (idleTimer) clearTimeout(idleTimer);
  idleTimer = undefined;
  const pending = launching;
  launching = undefined;
  leases = 0;
  if (pending) {
    const r = await within(pending, CLOSE_DEADLINE_MS, 'Chromium').catch(() => undefined);
    if (r) await within(r.server.close(), CLOSE_DEADLINE_MS, 'Chromium').catch(() => undefined);
  }
  killBrowser();
}
