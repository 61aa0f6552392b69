// src/cli/commands/audit.ts — `vouch audit <url> --identity <name>`: what one credential can actually do, against
// its declared `intended` scope; exit 1 when it can do more than intended, 2 when it could not be audited.
import { join } from 'node:path';
import { loadConfig, resolveRun } from '../../config/index.js';
import { VouchError, type Environment, type EventSink, type Finding, type Identity, type PermissionAudit, type Report } from '../../core/index.js';
import { newScanId, runScan } from '../../engine/scan.js';
import { auditTable, beyondScope, writeReports, parseFormats } from '../../report/index.js';
import { progressSink } from '../progress.js';
import { interruptSignal, selectChecks, type RunControl } from './shared.js';

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
  const interrupt = interruptSignal();
  try {
    const sink = progressSink({ json: false, quiet: Boolean(opts.quiet || opts.json) });
    const { identity, audit, findings, outDir, reason, code } = await auditReport(url, opts, sink, interrupt);
    if (opts.json) process.stdout.write(JSON.stringify({ audit, findings }, null, 2) + '\n');
    else {
      if (!identity.intended) process.stdout.write(`note: ${identity.name} declares no intended scope, so every capability counts as beyond it\n`);
      process.stdout.write(audit.length ? auditTable(audit) : `no audit: ${reason}\n`);
      if (opts.out) process.stdout.write(`reports in ${outDir}\n`);
    }
    if (!audit.length && !opts.json) process.stderr.write(`vouch audit: ${identity.name} could not be audited\n`);
    return code;
  } finally {
    interrupt.dispose();
  }
}

/** What an audit established: the identity's capabilities, the findings, and the exit code (0 / 1 beyond / 2 not audited). */
export interface AuditResult {
  identity: Identity;
  audit: PermissionAudit[];
  findings: Finding[];
  report: Report;
  outDir: string;
  /** Why there is no audit, when there is none. */
  reason: string;
  code: 0 | 1 | 2;
}

/** `vouch audit` without a terminal: the same scan with only the audit check, for one identity; prints nothing. */
export async function auditReport(url: string, opts: AuditOpts, onEvent: EventSink, control: RunControl): Promise<AuditResult> {
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
  const report = await runScan({ run, config: audited, checks, only: [AUDIT_CHECK], scanId, scanDir: outDir, onEvent, signal: control.signal });
  const audit = (report.audit ?? []).filter((a) => a.identity === identity.name);
  const task = report.stats.tasks.find((t) => t.checkId === AUDIT_CHECK);
  if (opts.out) await writeReports(report, outDir, parseFormats(opts.format ?? 'json'));
  const findings = report.findings.filter((f) => f.checkId === AUDIT_CHECK);
  const code = !audit.length || audit.some((a) => a.unavailable) ? 2 : audit.some((a) => beyondScope(a).length > 0) ? 1 : 0;
  return { identity, audit, findings, report, outDir, reason: task?.reason ?? 'the audit did not run', code };
}
