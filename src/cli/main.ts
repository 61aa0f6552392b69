// src/cli/main.ts — entry point of the `vouch` command (bin/vouch.js imports it).
import { isVouchError } from '../core/errors.js';
import { main } from './program.js';

// Once the target is gone for good, every request still queued rejects with VOUCH_TARGET_UNAVAILABLE. A check that
// started two requests and awaited the first leaves the second's rejection unobserved: its task has already ended
// (not run, target unavailable) and the report says so. That is no crash; anything else unobserved still is one.
process.on('unhandledRejection', (e) => {
  if (isVouchError(e) && e.code === 'VOUCH_TARGET_UNAVAILABLE') return;
  throw e;
});

/** Commands that are done when `main` returns (servers, workers and watchers keep running on purpose; `mcp` returns once stdin closes). */
const BATCH = new Set(['scan', 'gate', 'audit', 'demo', 'inspect', 'history', 'cancel', 'accept', 'checks', 'token', 'mcp']);
/** How long a finished batch command may wait for open handles before it exits anyway. */
const GRACE_MS = 10_000;

process.exitCode = await main(process.argv);

// Everything is written and stored by now. A handle that stays open (a browser that will not close, a socket) must
// not keep a finished command alive: CI would wait for it until its own timeout. Say what it was, then exit with the
// command's code. The timer is unref'd, so a process with nothing left open exits at once as usual.
if (BATCH.has(process.argv[2] ?? '')) {
  setTimeout(() => {
    // This timer is unref'd, so it is not among the active resources listed.
    process.stderr.write(`vouch: finished, but ${process.getActiveResourcesInfo().join(', ') || 'an open handle'} kept the process alive for ${GRACE_MS / 1000} s; exiting\n`);
    process.exit();
  }, GRACE_MS).unref();
}
