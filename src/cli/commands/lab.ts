// src/cli/commands/lab.ts — `vouch lab`: runs one variant of the bundled lab until Ctrl-C.
import { VouchError } from '../../core/index.js';
import { startLab } from '../../../lab/server.js';

export async function labCommand(opts: { variant: 'baseline' | 'candidate'; port: string; host: string }): Promise<void> {
  const port = Number(opts.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new VouchError('VOUCH_USAGE', `--port must be 0..65535, got ${opts.port}`);
  let lab;
  try {
    lab = await startLab({ variant: opts.variant, port, host: opts.host });
  } catch (e) {
    throw new VouchError('VOUCH_USAGE', `the lab could not listen on ${opts.host}:${port}: ${(e as Error).message}`, { hint: 'Choose another --port, or 0 for a free one.' });
  }
  process.stdout.write(`vouch lab (${opts.variant}) listening on ${lab.url} — Ctrl-C to stop\n`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await lab.close();
}
