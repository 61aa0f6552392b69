// src/cli/commands/watch.ts — continuous verification: `vouch watch` rescans on an interval and compares with the target's accepted state; `vouch accept`.
import { join } from 'node:path';
import { loadConfig, resolveRun, type VouchConfig } from '../../config/index.js';
import { VouchError } from '../../core/index.js';
import { newScanId, runScan } from '../../engine/scan.js';
import { baselineFromReport } from '../../prioritize/index.js';
import { describeDrift, driftOf, hasDrift, parseInterval, webhookPayload } from '../../team/drift.js';
import { deliver, type Webhook } from '../../team/webhooks.js';
import { withHistory } from './history.js';
import { interruptSignal, selectChecks } from './shared.js';

interface WatchOpts {
  every?: string;
  count?: string;
  webhook?: string[];
  slackWebhook?: string[];
  check?: string;
  config?: string;
  quiet?: true;
}

interface Schedule {
  url: string;
  everyMs: number;
  webhooks: Webhook[];
}

const say = (line: string): void => void process.stderr.write(`watch: ${line}\n`);

/** One round for one target: scan with the accepted state as baseline, save, accept the first scan, report drift. Returns whether it drifted. */
async function round(s: Schedule, config: VouchConfig, check: string | undefined, signal: AbortSignal): Promise<boolean> {
  const run = resolveRun(config, { url: s.url });
  const { checks, only } = selectChecks(check);
  const storeUrl = config.store?.url;
  const accepted = await withHistory((st) => st.accepted(run.target.name), storeUrl);
  const scanId = newScanId();
  const report = await runScan({
    run,
    config,
    checks,
    ...(only ? { only } : {}),
    scanId,
    scanDir: join('.vouch', 'scans', scanId),
    signal,
    ...(accepted ? { baseline: { ...baselineFromReport(accepted, accepted.scanId), kind: 'scan' as const }, ...(accepted.deployment ? { baselineDeployment: accepted.deployment } : {}) } : {}),
  });
  await withHistory((st) => st.saveReport(report), storeUrl);
  if (!accepted) {
    await withHistory((st) => st.accept(report.scanId), storeUrl);
    say(`${run.target.name}: scan ${report.scanId} is the accepted state (first scan; move it with \`vouch accept <scan-id>\`)`);
    return false;
  }
  const drift = driftOf(report, accepted);
  if (!hasDrift(drift)) {
    say(`${run.target.name}: scan ${report.scanId}: no drift from accepted ${accepted.scanId}`);
    return false;
  }
  say(`${run.target.name}: scan ${report.scanId} drifted from accepted ${accepted.scanId}:`);
  for (const line of describeDrift(drift)) say(`  ${line}`);
  for (const hook of s.webhooks) {
    const r = await deliver(hook, webhookPayload(drift, hook.format), { deadLetter: (d) => withHistory((st) => st.deadLetter({ ...d, scanId: report.scanId }), storeUrl) });
    say(r.ok ? `  webhook ${r.url}: delivered (${r.attempts} attempt(s))` : `  webhook ${r.url}: failed after ${r.attempts} attempts (${r.error}); kept as a dead letter`);
  }
  return true;
}

/** `vouch watch [url] --every 10m`: rounds until Ctrl-C (or --count rounds); exit 1 when the last round of any target drifted. */
export async function watchCommand(url: string | undefined, opts: WatchOpts): Promise<number> {
  const { config } = loadConfig(opts.config);
  const count = opts.count === undefined ? Infinity : Number(opts.count);
  if (opts.count !== undefined && (!Number.isInteger(count) || count < 1)) throw new VouchError('VOUCH_USAGE', `--count must be a positive integer, got ${opts.count}`);
  let schedules: Schedule[];
  if (url) {
    if (!opts.every) throw new VouchError('VOUCH_USAGE', 'vouch watch <url> needs --every <interval>, e.g. --every 10m');
    const hooks: Webhook[] = [...(opts.webhook ?? []).map((u) => ({ url: u, format: 'json' as const })), ...(opts.slackWebhook ?? []).map((u) => ({ url: u, format: 'slack' as const }))];
    schedules = [{ url, everyMs: parseInterval(opts.every), webhooks: hooks }];
  } else {
    if (!config.schedules.length) throw new VouchError('VOUCH_USAGE', 'vouch watch: give a URL and --every, or list schedules: in vouch.yaml');
    schedules = config.schedules.map((s, i) => ({ url: s.url, everyMs: parseInterval(s.every, `schedules.${i}.every`), webhooks: s.webhooks }));
  }
  await withHistory(async () => undefined, config.store?.url); // an unusable store is said now
  const interrupt = interruptSignal();
  const drifted = new Map<string, boolean>();
  try {
    // Embedded mode: one in-process timer per schedule; rounds of one target never overlap.
    await Promise.all(
      schedules.map(async (s) => {
        for (let i = 0; i < count && !interrupt.signal.aborted; i++) {
          const t0 = Date.now();
          drifted.set(s.url, await round(s, config, opts.check, interrupt.signal));
          if (i + 1 >= count) break;
          const wait = Math.max(0, s.everyMs - (Date.now() - t0));
          await new Promise<void>((done) => {
            const timer = setTimeout(done, wait);
            interrupt.signal.addEventListener('abort', () => (clearTimeout(timer), done()), { once: true });
          });
        }
      }),
    );
  } finally {
    interrupt.dispose();
  }
  return [...drifted.values()].some(Boolean) ? 1 : 0;
}

/** `vouch accept <scan-id>`: that scan becomes its target's accepted state. */
export async function acceptCommand(id: string, opts: { config?: string }): Promise<number> {
  const { config } = loadConfig(opts.config);
  const r = await withHistory((st) => st.accept(id), config.store?.url);
  if (!r) throw new VouchError('VOUCH_USAGE', `no finished scan ${id} in the history`, { hint: 'List scans with `vouch history`.' });
  process.stdout.write(`scan ${id} is now the accepted state of ${r.target}\n`);
  return 0;
}
