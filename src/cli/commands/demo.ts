// src/cli/commands/demo.ts — `vouch demo`: the bundled lab's two variants on free ports, candidate gated against
// baseline, every report written to .vouch/demo/; exits 0 when the demo itself ran, whatever the verdict.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { startLab, type RunningLab } from '../../../lab/server.js';
import { allChecks } from '../../checks/index.js';
import { loadConfig, resolveRun } from '../../config/index.js';
import { runGate } from '../../engine/gate.js';
import { packageRoot } from '../paths.js';
import { progressSink } from '../progress.js';
import { withHistory, withStoredAccepted } from './history.js';
import { finish, interruptSignal } from './shared.js';

export async function demoCommand(opts: { out: string; json?: true; quiet?: true }): Promise<number> {
  const config = await withStoredAccepted(loadConfig(join(packageRoot(), 'lab', 'vouch.yaml')).config);
  // Fresh output: the audit logs of an earlier demo would otherwise be appended to.
  for (const part of ['baseline', 'candidate']) rmSync(join(opts.out, part), { recursive: true, force: true });
  const labs: RunningLab[] = [];
  const interrupt = interruptSignal();
  try {
    const baseline = await startLab({ variant: 'baseline', port: 0 });
    labs.push(baseline);
    const candidate = await startLab({ variant: 'candidate', port: 0 });
    labs.push(candidate);
    if (!opts.quiet && !opts.json) process.stderr.write(`lab baseline at ${baseline.url}, candidate at ${candidate.url}\n`);
    const result = await runGate({
      candidate: resolveRun(config, { url: candidate.url }),
      baseline: { kind: 'url', run: resolveRun(config, { url: baseline.url }) },
      config,
      checks: allChecks,
      outDir: opts.out,
      onEvent: (label) => progressSink({ json: Boolean(opts.json), quiet: Boolean(opts.quiet), label }),
      signal: interrupt.signal,
    });
    await finish(result.candidate, opts.out, 'json,sarif,junit,markdown,html', opts);
    await withHistory(async (s) => {
      if (result.baseline) await s.saveReport(result.baseline);
      await s.saveReport(result.candidate);
    });
    // The demo ran: 0 whatever the verdict (a FAIL is what the demo is meant to show); 2 when it stopped early or
    // could not establish its result (incomplete causes, even under the FAIL that wins over them).
    return result.candidate.partial || result.candidate.verdict.incomplete?.length ? 2 : 0;
  } finally {
    interrupt.dispose();
    await Promise.all(labs.map((l) => l.close()));
  }
}
