// bench/lab-upstream.mjs — the lab (dist/) in a process of its own, as an upstream that does real work per request
// (routing, its SQLite, JSON): for bench/guard.bench.mjs. Its port is sent over IPC as bench/server.mjs sends its own.
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const { startLab } = await import(pathToFileURL(join(import.meta.dirname, '..', 'dist', 'lab', 'server.js')).href);
const lab = await startLab({ variant: 'baseline' });
process.send?.({ port: Number(new URL(lab.url).port) });
const stop = async () => {
  await lab.close();
  process.exit(0);
};
process.on('disconnect', stop);
process.on('SIGTERM', stop);
