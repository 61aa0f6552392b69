// src/cli/commands/serve.ts — `vouch serve` (the dashboard over the history store) and `vouch token create`.
import { VouchError } from '../../core/index.js';
import { isLoopback, startDashboard } from '../../dashboard/server.js';
import { dashboardOver, openStoreDatabase, storeLocation } from '../../store/index.js';
import { historyPath } from './history.js';

export async function serveCommand(opts: { port: string; host: string }): Promise<number> {
  const port = Number(opts.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new VouchError('VOUCH_USAGE', `--port must be a port number (0 for a free one), got ${opts.port}`);
  const dash = await startDashboard({ historyPath: historyPath(), host: opts.host, port });
  process.stdout.write(`vouch dashboard at ${dash.url} (${dash.team ? 'team mode: sign in with a token from `vouch token create`' : 'local mode, loopback only'}); history ${historyPath()}; Ctrl-C to stop\n`);
  if (dash.team && !isLoopback(opts.host)) process.stderr.write('warning: listening beyond loopback over plain HTTP; put it behind TLS (a reverse proxy) so tokens and cookies are not sent in clear\n');
  await new Promise<void>((resolve) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      void dash.close().then(resolve);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  return 0;
}

export async function tokenCreateCommand(opts: { role: string; name?: string; days: string }): Promise<number> {
  if (opts.role !== 'viewer' && opts.role !== 'maintainer') throw new VouchError('VOUCH_USAGE', `--role must be viewer or maintainer, got ${opts.role}`);
  const days = Number(opts.days);
  if (!Number.isFinite(days) || days <= 0 || days > 3650) throw new VouchError('VOUCH_USAGE', `--days must be a number of days between 1 and 3650, got ${opts.days}`);
  const db = await openStoreDatabase(storeLocation());
  try {
    const t = await dashboardOver(db, historyPath()).createToken({ name: opts.name ?? `${opts.role} token`, role: opts.role, days });
    process.stdout.write(`${t.token}\n`);
    process.stderr.write(`created a ${opts.role} token (id ${t.id}), valid until ${new Date(t.expiresAt).toISOString()}; it is shown once and stored only hashed in ${historyPath()}\n`);
    return 0;
  } finally {
    await db.destroy();
  }
}
