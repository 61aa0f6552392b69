// src/inspect/worker.ts — worker thread of isolate.ts: generates cases for a list of operations, one message per operation.
import { parentPort } from 'node:worker_threads';
import type { Operation } from '../core/index.js';
import { casesFor, type CaseOptions } from './cases.js';

export type ToWorker = { ops: Operation[]; options: CaseOptions };
export type FromWorker = { ready: true } | { index: number; result: ReturnType<typeof casesFor> } | { done: true };

const port = parentPort;
if (port) {
  port.on('message', (job: ToWorker) => {
    job.ops.forEach((op, index) => port.postMessage({ index, result: casesFor(op, job.options) } satisfies FromWorker));
    port.postMessage({ done: true } satisfies FromWorker);
  });
  port.postMessage({ ready: true } satisfies FromWorker);
}
