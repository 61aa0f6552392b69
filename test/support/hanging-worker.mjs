// test/support/hanging-worker.mjs — the generation worker of dist/src/inspect/worker.js, except that an operation on
// path /never spins forever: a stand-in for a schema whose generation never ends (isolate.test.ts).
import { parentPort } from 'node:worker_threads';
import { casesFor } from '../../dist/src/inspect/cases.js';

const port = parentPort;
if (port) {
  port.on('message', (job) => {
    job.ops.forEach((op, index) => {
      if (op.path === '/never') for (;;);
      port.postMessage({ index, result: casesFor(op, job.options) });
    });
    port.postMessage({ done: true });
  });
  port.postMessage({ ready: true });
}
