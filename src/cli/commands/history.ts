// src/cli/commands/history.ts — `vouch history`: the scans in the store, newest first; and the baseline lookups.
import { existsSync } from 'node:fs';
import { VouchError } from '../../core/errors.js';
import type { Report } from '../../core/index.js';
import { describeStore, openHistory, storeLocation } from '../../store/open.js';
import type { BaselineWant, HistoryStore } from '../../store/index.js';
import type { ScanSummary } from '../../store/scan-rows.js';

/** The store commands use, named for the user: VOUCH_DATABASE_URL or store.url (password redacted), else the SQLite file. */
export const historyPath = (storeUrl?: string): string => describeStore(storeLocation(storeUrl));

/** Opens the store (team PostgreSQL when VOUCH_DATABASE_URL or `storeUrl` = vouch.yaml store.url is set), runs `fn`, closes it. */
export async function withHistory<T>(fn: (store: HistoryStore) => Promise<T>, storeUrl?: string): Promise<T> {
  const store = await openHistory(storeLocation(storeUrl));
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

/**
 * The config with the risks accepted in the dashboard (the history store) added to those of vouch.yaml and
 * .vouch/accepted.yaml; an entry in the files wins over a stored one for the same fingerprint.
 */
export async function withStoredAccepted<C extends { accepted: Array<{ fingerprint: string; reason: string; expires: string }>; store?: { url?: string | undefined } | undefined }>(config: C): Promise<C> {
  const stored = await withHistory((s) => s.listAccepted(), config.store?.url);
  const have = new Set(config.accepted.map((a) => a.fingerprint));
  const extra = stored.filter((a) => !have.has(a.fingerprint)).map((a) => ({ fingerprint: a.fingerprint, reason: a.reason, expires: a.expires }));
  return extra.length === 0 ? config : { ...config, accepted: [...config.accepted, ...extra] };
}

/**
 * A non-URL baseline reference: `last-passing` (the newest complete, passing scan of the target whose checks and scope
 * cover `want`, the run about to start), a scan id from history, or a report.json file.
 */
export async function resolveStoredBaseline(ref: string, targetName: string, storeUrl: string | undefined, want: BaselineWant): Promise<{ report: Report; kind: 'scan' | 'report'; ref: string }> {
  if (ref === 'last-passing') {
    const { report, passedOver } = await withHistory((s) => s.lastPassing(targetName, want), storeUrl);
    if (!report) {
      const why = passedOver.length
        ? `; the newest passed over: ${passedOver.slice(0, 3).map((p) => `${p.scanId} (${p.why})`).join(', ')}${passedOver.length > 3 ? ` and ${passedOver.length - 3} more` : ''}`
        : '';
      throw new VouchError('VOUCH_USAGE', `--baseline last-passing: no complete, passing scan of ${targetName} in ${historyPath(storeUrl)} ran these checks with this scope${why}`, {
        hint: 'Run a full scan with the same checks and scope that passes first, or give a baseline URL, scan id or report.json.',
      });
    }
    return { report, kind: 'scan', ref: report.scanId };
  }
  if (existsSync(ref)) {
    const { readBaselineReport } = await import('./shared.js');
    return { report: readBaselineReport(ref), kind: 'report', ref };
  }
  if (/^\d{14}-[0-9a-f]{6}$/.test(ref)) {
    const report = await withHistory((s) => s.getReport(ref), storeUrl);
    if (!report) throw new VouchError('VOUCH_USAGE', `--baseline ${ref}: no such scan in ${historyPath(storeUrl)}`, { hint: 'List scans with `vouch history`.' });
    return { report, kind: 'scan', ref };
  }
  throw new VouchError('VOUCH_USAGE', `--baseline ${ref}: not a URL, a report.json file, a scan id or last-passing`);
}

/**
 * store.url of vouch.yaml. With no config file (and no accepted risks file, which loading a config validates too) that
 * is the default, none, and neither YAML nor the config schema is loaded: `vouch history` starts at once.
 */
export async function configuredStoreUrl(path: string | undefined): Promise<string | undefined> {
  if (path === undefined && !existsSync('vouch.yaml') && !existsSync('.vouch/accepted.yaml')) return undefined;
  const { loadConfig } = await import('../../config/load.js');
  return loadConfig(path).config.store?.url;
}

/** The SQLite history read without loading the full store (Kysely, migrations); undefined when only it can answer. */
async function quickScans(storeUrl: string | undefined, want: { limit: number; target?: string }): Promise<ScanSummary[] | undefined> {
  const loc = storeLocation(storeUrl);
  if (loc.kind !== 'sqlite') return undefined;
  const { quickListScans } = await import('../../store/quick.js');
  return quickListScans(loc.path, want);
}

/** The scans of the history store, newest first (`vouch history` and the MCP `history` tool). */
export async function listHistory(opts: { target?: string; limit: string; config?: string }): Promise<{ scans: ScanSummary[]; store: string }> {
  const limit = Number(opts.limit);
  if (!Number.isInteger(limit) || limit < 1) throw new VouchError('VOUCH_USAGE', `--limit must be a positive integer, got ${opts.limit}`);
  const storeUrl = await configuredStoreUrl(opts.config);
  const want = { limit, ...(opts.target ? { target: opts.target } : {}) };
  const scans = (await quickScans(storeUrl, want)) ?? (await withHistory((s) => s.listScans(want), storeUrl));
  return { scans, store: historyPath(storeUrl) };
}

/** One scan as `history --json` (and the MCP `history` tool) shows it. */
export const scanRow = (s: ScanSummary): Record<string, unknown> => ({ id: s.id, target: s.target, url: s.url, state: s.state, verdict: s.verdict, findingCount: s.findingCount, startedAt: s.startedAt, finishedAt: s.finishedAt, version: s.version, assetsFingerprint: s.assetsFingerprint, progress: s.progress });

export async function historyCommand(opts: { json?: true; target?: string; limit: string; config?: string }): Promise<number> {
  const { scans, store } = await listHistory(opts);
  if (opts.json) {
    process.stdout.write(JSON.stringify(scans.map(scanRow)) + '\n');
    return 0;
  }
  if (scans.length === 0) {
    process.stdout.write(`no scans in ${store} yet\n`);
    return 0;
  }
  for (const s of scans) process.stdout.write(`${s.id}  ${s.startedAt.slice(0, 19).replace('T', ' ')}  ${(s.verdict ?? '-').toUpperCase().padEnd(10)}  ${(s.state === 'running' && s.progress.total ? `running ${s.progress.done}/${s.progress.total}` : s.state).padEnd(9)} ${String(s.findingCount).padStart(4)} findings  ${s.target}${s.version ? `  v${s.version}` : ''}\n`);
  return 0;
}
