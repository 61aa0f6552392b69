// src/cli/commands/watch.ts — continuous verification: `vouch watch` rescans on an interval and compares with the target's accepted state; `vouch accept`.
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadConfig, resolveRun, type VouchConfig } from '../../config/index.js';
import { VouchError } from '../../core/index.js';
import { newScanId, runScan } from '../../engine/scan.js';
import { baselineFromReport } from '../../prioritize/index.js';
import { parseInterval } from '../../team/drift.js';
import { pgBossQueue } from '../../team/queue.js';
import { settleRound } from '../../team/round.js';
import { cronOf, roundQueueName, type RoundData } from '../../team/schedule.js';
import { openHistory, storeLocation } from '../../store/index.js';
import type { Webhook } from '../../team/webhooks.js';
import { withHistory } from './history.js';
import { interruptSignal, selectChecks } from './shared.js';
import { recordedFiles, roundToJob } from './team.js';

interface WatchOpts {
  every?: string;
  count?: string;
  webhook?: string[];
  slackWebhook?: string[];
  check?: string;
  config?: string;
  quiet?: true;
  stop?: true;
}

interface Schedule {
  url: string;
  everyMs: number;
  /** The interval as written (`10m`) and where (`--every`, `schedules.0.every`). */
  every: string;
  what: string;
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
  return withHistory(async (st) => {
    await st.saveReport(report);
    return settleRound(st, report, accepted, s.webhooks, say);
  }, storeUrl);
}

/** `vouch watch [url] --every 10m`: rounds until Ctrl-C (or --count rounds); exit 1 when the last round of any target drifted. */
export async function watchCommand(url: string | undefined, opts: WatchOpts): Promise<number> {
  const { config } = loadConfig(opts.config);
  const count = opts.count === undefined ? Infinity : Number(opts.count);
  if (opts.count !== undefined && (!Number.isInteger(count) || count < 1)) throw new VouchError('VOUCH_USAGE', `--count must be a positive integer, got ${opts.count}`);
  let schedules: Schedule[];
  if (url) {
    if (!opts.every && !opts.stop) throw new VouchError('VOUCH_USAGE', 'vouch watch <url> needs --every <interval>, e.g. --every 10m');
    const hooks: Webhook[] = [...(opts.webhook ?? []).map((u) => ({ url: u, format: 'json' as const })), ...(opts.slackWebhook ?? []).map((u) => ({ url: u, format: 'slack' as const }))];
    schedules = [{ url, everyMs: opts.every ? parseInterval(opts.every) : 0, every: opts.every ?? '', what: '--every', webhooks: hooks }];
  } else {
    if (!config.schedules.length) throw new VouchError('VOUCH_USAGE', 'vouch watch: give a URL and --every, or list schedules: in vouch.yaml');
    schedules = config.schedules.map((s, i) => ({ url: s.url, everyMs: parseInterval(s.every, `schedules.${i}.every`), every: s.every, what: `schedules.${i}.every`, webhooks: s.webhooks }));
  }
  const loc = storeLocation(config.store?.url);
  if (loc.kind === 'postgres') return scheduleRounds(schedules, opts, loc.url, opts.config ?? (existsSync('vouch.yaml') ? 'vouch.yaml' : undefined));
  if (opts.stop) throw new VouchError('VOUCH_USAGE', 'vouch watch --stop removes team-mode schedules, and no team store is set', { hint: 'An embedded watch stops with Ctrl-C; set VOUCH_DATABASE_URL to manage team schedules.' });
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

/**
 * Team mode: each schedule becomes a pg-boss schedule (a cron in UTC; pg-boss's granularity is one minute, shorter
 * intervals are refused) whose rounds any `vouch worker` runs; the first round is queued at once and its scan id
 * printed. `--stop` removes the schedules instead. Returns at once: the rounds, drift and webhooks happen on workers.
 */
async function scheduleRounds(schedules: Schedule[], opts: WatchOpts, url: string, configFile: string | undefined): Promise<number> {
  if (opts.count !== undefined) throw new VouchError('VOUCH_USAGE', '--count runs rounds in this process; in team mode rounds are pg-boss schedules run by `vouch worker`', { hint: 'Drop --count (stop a schedule with `vouch watch <url> --stop`), or unset VOUCH_DATABASE_URL to run rounds here.' });
  const crons = opts.stop ? [] : schedules.map((s) => cronOf(s.everyMs, s.every, s.what)); // every interval checked before any is scheduled
  const { config } = loadConfig(opts.config);
  if (opts.check) selectChecks(opts.check);
  const text = configFile ? { name: resolve(configFile), text: readFileSync(configFile, 'utf8') } : undefined;
  const har = recordedFiles(config.discovery.har, 'discovery.har');
  const postman = recordedFiles(config.discovery.postman, 'discovery.postman');
  const store = await openHistory(storeLocation(config.store?.url));
  const queue = await pgBossQueue(url, { sendOnly: true });
  try {
    for (const [i, s] of schedules.entries()) {
      const name = roundQueueName(s.url);
      if (opts.stop) {
        say(`${s.url}: ${(await queue.rounds!.unschedule(name)) ? 'schedule removed' : 'had no schedule'}`);
        continue;
      }
      resolveRun(config, { url: s.url }); // a bad URL is said now, not by a worker later
      const data: RoundData = { url: s.url, every: s.every, webhooks: s.webhooks, ...(opts.check ? { check: opts.check } : {}), ...(text ? { config: text } : {}), ...(har.length ? { har } : {}), ...(postman.length ? { postman } : {}) };
      await queue.rounds!.schedule(name, crons[i]!, data);
      const first = await roundToJob(store, queue, data, () => undefined);
      say(`${s.url}: every ${s.every} (cron '${crons[i]!}' UTC, pg-boss schedule ${name}); first round queued as scan ${first}; \`vouch worker\` runs the rounds`);
      process.stdout.write(`${first}\n`);
    }
  } finally {
    await queue.stop();
    await store.close();
  }
  return 0;
}
