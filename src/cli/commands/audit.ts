// src/cli/commands/audit.ts — `vouch audit <url> --identity <name>`: what one credential can actually do, against
// its declared `intended` scope; exit 1 when it can do more than intended, 2 when it could not be audited.
import { join } from 'node:path';
import { loadConfig, resolveRun } from '../../config/index.js';
import { VouchError, type Environment } from '../../core/index.js';
import { newScanId, runScan } from '../../engine/scan.js';
import { auditTable, beyondScope, writeReports, parseFormats } from '../../report/index.js';
import { progressSink } from '../progress.js';
import { interruptSignal, selectChecks } from './shared.js';

export const AUDIT_CHECK = 'excess-permission';

export interface AuditOpts {
  identity: string;
  config?: string;
  spec?: string;
  out?: string;
  format?: string;
  environment?: Environment;
  json?: true;
  quiet?: true;
}

export async function auditCommand(url: string, opts: AuditOpts): Promise<number> {
  const { config } = loadConfig(opts.config);
  const run = resolveRun(config, { url, ...(opts.spec ? { spec: opts.spec } : {}), ...(opts.environment ? { environment: opts.environment } : {}) });
  const identity = run.identities.find((i) => i.name === opts.identity);
  const known = run.identities.filter((i) => i.role !== 'anonymous').map((i) => i.name);
  if (!identity || identity.role === 'anonymous') {
    const what = identity ? 'is anonymous: there is no credential to audit' : 'no such identity in vouch.yaml';
    throw new VouchError('VOUCH_USAGE', `--identity ${opts.identity}: ${what}${known.length ? ` (identities: ${known.join(', ')})` : ''}`, {
      hint: 'Declare it under identities: with its credential and, for the comparison, intended: ["GET /api/orders/*", ...].',
    });
  }
  const { checks } = selectChecks(undefined);
  const prior = config.checks[AUDIT_CHECK];
  const audited = { ...config, checks: { ...config.checks, [AUDIT_CHECK]: { enabled: true, options: { ...(prior?.options ?? {}), identities: [identity.name] } } } };
  const scanId = newScanId();
  const outDir = opts.out ?? join('.vouch', 'audits', scanId);
  const interrupt = interruptSignal();
  try {
    const report = await runScan({
      run,
      config: audited,
      checks,
      only: [AUDIT_CHECK],
      scanId,
      scanDir: outDir,
      onEvent: progressSink({ json: false, quiet: Boolean(opts.quiet || opts.json) }),
      signal: interrupt.signal,
    });
    const audit = (report.audit ?? []).filter((a) => a.identity === identity.name);
    const task = report.stats.tasks.find((t) => t.checkId === AUDIT_CHECK);
    if (opts.out) await writeReports(report, outDir, parseFormats(opts.format ?? 'json'));
    if (opts.json) process.stdout.write(JSON.stringify({ audit, findings: report.findings.filter((f) => f.checkId === AUDIT_CHECK) }, null, 2) + '\n');
    else {
      if (!identity.intended) process.stdout.write(`note: ${identity.name} declares no intended scope, so every capability counts as beyond it\n`);
      process.stdout.write(audit.length ? auditTable(audit) : `no audit: ${task?.reason ?? 'the audit did not run'}\n`);
      if (opts.out) process.stdout.write(`reports in ${outDir}\n`);
    }
    if (!audit.length || audit.some((a) => a.unavailable)) {
      if (!audit.length && !opts.json) process.stderr.write(`vouch audit: ${identity.name} could not be audited\n`);
      return 2;
    }
    return audit.some((a) => beyondScope(a).length > 0) ? 1 : 0;
  } finally {
    interrupt.dispose();
  }
}
