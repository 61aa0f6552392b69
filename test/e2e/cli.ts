// test/e2e/cli.ts — runs the built `vouch` command as a user would, capturing output and exit code.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

export const root = join(import.meta.dirname, '..', '..');
/**
 * Env for runs that test what is not discovery: a CHROME_PATH that does not exist skips the browser crawl (with a
 * warning), which otherwise doubles a lab scan's time. The demo, surface and SPA e2e keep the crawl.
 */
export const NO_BROWSER = { CHROME_PATH: join(root, '.vouch', 'no-chromium') };

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * A run in the repository's own folder that names no store gets its test worker's own history file: test files run
 * in parallel workers, and one file's scans must not land in another's history (`last-passing`, `history`).
 */
const workerStore = (): NodeJS.ProcessEnv => ({ VOUCH_HISTORY: join(root, '.vouch', 'test-workers', `${process.env.VITEST_POOL_ID ?? '0'}.db`) });

export function vouch(args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<CliResult> {
  if (!existsSync(join(root, 'dist', 'src', 'cli', 'main.js'))) throw new Error('dist/ is missing: run `npm run setup` (npm test does it for you)');
  return new Promise((resolve, reject) => {
    const env = { ...process.env, CI: '1', ...(opts.cwd ? {} : workerStore()), ...opts.env };
    const child = spawn(process.execPath, [join(root, 'bin', 'vouch.js'), ...args], { cwd: opts.cwd ?? root, env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`vouch ${args.join(' ')} timed out\n${stderr}`));
    }, opts.timeoutMs ?? 120_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Runs `vouch <args> --json` and sends SIGINT once `afterTasks` tasks have finished (as a user's Ctrl-C would). */
export function vouchInterrupted(args: string[], opts: { env?: NodeJS.ProcessEnv; afterTasks: number }): Promise<CliResult & { sent: boolean }> {
  const env = { ...process.env, CI: '1', ...workerStore(), ...opts.env };
  const child = spawn(process.execPath, [join(root, 'bin', 'vouch.js'), ...args, '--json'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  let sent = false;
  child.stdout.on('data', (d: Buffer) => {
    stdout += d.toString();
    if (!sent && (stdout.match(/"task-finished"/gu) ?? []).length >= opts.afterTasks) {
      sent = true;
      child.kill('SIGINT');
    }
  });
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr, sent })));
}
