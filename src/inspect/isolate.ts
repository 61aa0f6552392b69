// src/inspect/isolate.ts — runs case generation in a worker thread with a hard time limit per operation: a schema
// whose generation never ends (a filter nothing passes) is stopped, reported, and the next operation goes on.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Operation } from '../core/index.js';
import type { CaseOptions, CaseResult } from './cases.js';
import type { FromWorker, ToWorker } from './worker.js';

const WORKER = new URL('./worker.js', import.meta.url);

/** Whether the compiled worker is there (it is in dist/; not when the TypeScript sources run under a test runner). */
export const canIsolate = (): boolean => WORKER.protocol === 'file:' && existsSync(fileURLToPath(WORKER));

interface Slot {
  worker: Worker;
  ready: boolean;
}

/** One idle worker kept between calls (unref'd: it never keeps the process alive), so many specs pay one start-up. */
let idle: Slot | undefined;

function take(url: URL): Slot {
  const reuse = url.href === WORKER.href ? idle : undefined;
  const slot = reuse ?? { worker: new Worker(url, { resourceLimits: { maxOldGenerationSizeMb: 1024 } }), ready: false };
  if (reuse) idle = undefined;
  slot.worker.ref();
  return slot;
}

function giveBack(slot: Slot, url: URL): void {
  slot.worker.removeAllListeners();
  slot.worker.on('error', () => undefined);
  slot.worker.unref();
  if (idle || url.href !== WORKER.href) void slot.worker.terminate();
  else idle = slot;
}

/**
 * Generates cases for `ops` in a worker; `onResult(i, result)` for each, in order. An operation still running after
 * `hardMs` (counted from the worker being ready, then from the previous result) is stopped: its worker is
 * terminated, it gets `timedOut` and a reason, and a fresh worker goes on with the next one. Resolves with the
 * index of the first operation not done: `ops.length`, or less when a worker could not start (the caller goes on
 * in-process). `workerUrl`: the compiled worker (tests pass dist's).
 */
export function generateIsolated(ops: Operation[], options: CaseOptions, hardMs: number, onResult: (index: number, r: CaseResult) => void, workerUrl: URL = WORKER): Promise<number> {
  return new Promise((resolve) => {
    const run = (from: number): void => {
      if (from >= ops.length) return resolve(ops.length);
      const slot = take(workerUrl);
      let next = from;
      let timer: NodeJS.Timeout | undefined;
      const arm = (): void => {
        clearTimeout(timer);
        timer = setTimeout(() => stop(`generation did not finish within ${hardMs} ms and was stopped`, hardMs), hardMs);
      };
      const stop = (reason: string, ms: number): void => {
        clearTimeout(timer);
        slot.worker.removeAllListeners();
        slot.worker.on('error', () => undefined);
        void slot.worker.terminate();
        onResult(next, { cases: [], skipped: reason, timedOut: ms >= hardMs, ms });
        run(next + 1);
      };
      const send = (): void => {
        slot.worker.postMessage({ ops: ops.slice(from), options } satisfies ToWorker);
        arm();
      };
      slot.worker.on('message', (m: FromWorker) => {
        if ('ready' in m) {
          slot.ready = true;
          return send();
        }
        if ('index' in m) {
          onResult(from + m.index, m.result);
          next = from + m.index + 1;
          return arm();
        }
        clearTimeout(timer);
        giveBack(slot, workerUrl);
        resolve(ops.length);
      });
      const failed = (why: string): void => {
        if (slot.ready) return stop(why, 0);
        slot.worker.removeAllListeners();
        slot.worker.on('error', () => undefined);
        void slot.worker.terminate();
        resolve(from);
      };
      slot.worker.on('error', (e) => failed(`the generator failed: ${e.message}`));
      slot.worker.on('exit', (code) => failed(`the generator's worker exited (code ${code})`));
      if (slot.ready) send();
    };
    run(0);
  });
}
