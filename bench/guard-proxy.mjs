// bench/guard-proxy.mjs — `vouch guard`'s server (dist/) in a process of its own for bench/guard.bench.mjs: one agent
// allowed GET <path> (argv 4, default /), the audit log written as the CLI writes it; its URL sent over IPC.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const dist = (p) => import(pathToFileURL(join(import.meta.dirname, '..', 'dist', 'src', p)).href);
const [{ startGuard }, { auditSink }, net] = await Promise.all([dist('guard/server.js'), dist('guard/records.js'), dist('net/index.js')]);
const upstream = process.argv[2];
const token = process.argv[3];
const path = process.argv[4] ?? '/';
const audit = net.createAuditLog(join(mkdtempSync(join(tmpdir(), 'vouch-guard-bench-')), 'audit.jsonl'), net.createRedactor([token, 'bench-upstream-secret']));
const sink = auditSink(audit, upstream);
const guard = await startGuard({
  host: '127.0.0.1',
  port: 0,
  upstream,
  agents: [{ name: 'bench', token, intended: [`GET ${path}`], denied: [], approval: [], credential: [['authorization', 'Bearer bench-upstream-secret']] }],
  operations: [{ id: `GET ${path}`, method: 'GET', path, params: [], auth: 'unknown', sources: ['spec'] }],
  learn: false,
  limits: { bodyBytes: 1_048_576, bodyTimeoutMs: 10_000, upstreamTimeoutMs: 30_000 },
  approval: { timeoutMs: 1000 },
  tls: { verify: true },
  session: 'bench',
  sink,
});
process.send?.({ url: guard.url });
const stop = async () => {
  await guard.close();
  await audit.close();
  process.exit(0);
};
process.on('disconnect', stop);
process.on('SIGTERM', stop);
