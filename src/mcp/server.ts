// src/mcp/server.ts — `vouch mcp`: the Model Context Protocol server. Tools call the functions the CLI commands call
// (same config validation, scope, safe mode, budgets); reports of the history store are resources.
import { McpServer, ResourceTemplate } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import type { CommonOpts } from '../cli/commands/queue.js';
import { isVouchError } from '../core/errors.js';
import type { EventSink, Report } from '../core/index.js';
import { VERSION } from '../core/version.js';
import { explainFinding, findFinding, reportUris, runResult, runText } from './results.js';
import { progressNotifier } from './progress.js';

/** What the server is started with (`vouch mcp` options). */
export interface McpOptions {
  /** vouch.yaml used when a tool call names none (and for the store the resources read). */
  config?: string;
  /** Where a run's events also go as lines (stderr by default); none when quiet. */
  log?: (label?: string) => EventSink;
}

type Extra = {
  signal: AbortSignal;
  _meta?: { progressToken?: string | number | undefined } | undefined;
  sendNotification: (n: { method: 'notifications/progress'; params: { progressToken: string | number; progress: number; message: string } }) => Promise<void>;
};

/**
 * A tool error as MCP returns it: one line with vouch's stable code, never a stack; the code also in `_meta`
 * (`vouch/error`). No structuredContent: clients check it against the tool's output schema even on errors.
 */
export function toolError(e: unknown): CallToolResult {
  const code = isVouchError(e) ? e.code : 'VOUCH_INTERNAL';
  const message = isVouchError(e) ? e.message : `${e instanceof Error ? e.message : String(e)} (a bug in vouch; please report it)`;
  const hint = isVouchError(e) && e.hint ? e.hint : undefined;
  return {
    isError: true,
    content: [{ type: 'text', text: `error ${code}: ${message}${hint ? ` (${hint})` : ''}` }],
    _meta: { 'vouch/error': { code, message, ...(hint ? { hint } : {}) } },
  };
}

const ok = (structured: Record<string, unknown>, text: string): CallToolResult => ({ content: [{ type: 'text', text }], structuredContent: structured });

const environments = ['production', 'staging', 'preview', 'local'] as const;
const common = {
  config: z.string().optional().describe('vouch.yaml path (default: the one `vouch mcp` was started with, else ./vouch.yaml)'),
  spec: z.string().optional().describe('OpenAPI document: a file, a URL, or a path on the target'),
  checks: z.array(z.string()).optional().describe('only these check ids (as --check); default: every check'),
  environment: z.enum(environments).optional().describe('overrides target.environment; production means safe mode'),
  safe: z.boolean().optional().describe('true: safe mode (environment production), whatever vouch.yaml says'),
  strength: z.enum(['low', 'default', 'high']).optional().describe('payloads per injection point'),
  seed: z.number().int().min(0).max(2 ** 31 - 1).optional().describe('seed for generated test data (reproduces a run)'),
  out: z.string().optional().describe('where report files go (default .vouch/scans/<id> or .vouch/gates/<id>)'),
  formats: z.array(z.enum(['json', 'sarif', 'junit', 'markdown', 'html'])).optional().describe('report files to write (default json,markdown)'),
};
type Common = { [K in keyof typeof common]?: z.infer<(typeof common)[K]> };

/** The CLI options the shared functions take, from a tool call's common inputs. */
function cliOpts(a: Common, fallbackConfig: string | undefined): CommonOpts {
  const config = a.config ?? fallbackConfig;
  const environment = a.safe ? 'production' : a.environment;
  return {
    format: (a.formats?.length ? a.formats : ['json', 'markdown']).join(','),
    ...(config ? { config } : {}),
    ...(a.spec ? { spec: a.spec } : {}),
    ...(a.checks?.length ? { check: a.checks.join(',') } : {}),
    ...(environment ? { environment } : {}),
    ...(a.strength ? { strength: a.strength } : {}),
    ...(a.seed !== undefined ? { seed: String(a.seed) } : {}),
    ...(a.out ? { out: a.out } : {}),
  };
}

const runOutput = {
  scanId: z.string(),
  target: z.string(),
  verdict: z.enum(['pass', 'fail', 'incomplete']),
  reasons: z.array(z.object({ rule: z.string(), level: z.string(), message: z.string(), fingerprints: z.array(z.string()) })),
  findings: z.array(z.looseObject({ fingerprint: z.string(), title: z.string(), severity: z.string(), proof: z.string(), reproduce: z.string() })),
  findingCount: z.number(),
  reports: z.record(z.string(), z.string()),
  resources: z.object({ json: z.string(), markdown: z.string() }),
};

/** The server, and `idle()`: resolves once no tool call is running (a closed connection aborts them first). */
export type VouchMcpServer = McpServer & { idle(): Promise<void> };

export function createMcpServer(opts: McpOptions = {}): VouchMcpServer {
  const server = new McpServer({ name: 'vouch', version: VERSION });
  const running = new Set<Promise<CallToolResult>>();
  const log = opts.log ?? ((): EventSink => () => undefined);
  /** Each run's events to the log and, when the client asked for them, as progress notifications. */
  const sinks = (extra: Extra): ((label?: string) => EventSink) => {
    const progress = progressNotifier(extra._meta?.progressToken, (params) => {
      extra.sendNotification({ method: 'notifications/progress', params }).catch((e: unknown) => process.stderr.write(`vouch mcp: progress not sent (${String(e)})\n`));
    });
    return (label) => {
      const a = log(label);
      const b = progress(label);
      return (e) => {
        a(e);
        b(e);
      };
    };
  };
  const guarded = (fn: () => Promise<CallToolResult>): Promise<CallToolResult> => {
    const call = fn().catch((e: unknown) => toolError(e));
    running.add(call);
    void call.finally(() => running.delete(call));
    return call;
  };

  server.registerTool('scan', {
    title: 'Scan a deployment',
    description: 'Discover, test and report one running deployment (as `vouch scan`): the verdict, the rules that fired, the findings with their proofs.',
    inputSchema: { url: z.string().describe('base URL of the target, e.g. http://127.0.0.1:8080'), baseline: z.string().optional().describe('a saved report.json, a scan id, or last-passing'), ...common },
    outputSchema: runOutput,
    annotations: { openWorldHint: true },
  }, (a, extra) => guarded(async () => {
    const { scanReport } = await import('../cli/commands/scan.js');
    const { controlOf } = await import('../cli/commands/shared.js');
    const { refuseUrlCredentials } = await import('../config/credentials.js');
    refuseUrlCredentials(a.url, 'the target URL');
    const r = await scanReport(a.url, { ...cliOpts(a, opts.config), ...(a.baseline ? { baseline: a.baseline } : {}) }, sinks(extra)(), controlOf(extra.signal));
    const result = runResult(r.report, r.paths);
    return ok(result, runText(result));
  }));

  server.registerTool('gate', {
    title: 'Gate a candidate against its baseline',
    description: 'Scan a candidate deployment (and a baseline deployment URL, or compare with a stored scan / report.json / last-passing) and give the CI verdict: pass, fail or incomplete, with the rules that fired and the proofs.',
    inputSchema: { candidate: z.string().describe('base URL of the candidate deployment (e.g. a preview)'), baseline: z.string().optional().describe('a deployment URL, a saved report.json, a scan id, or last-passing'), ...common },
    outputSchema: runOutput,
    annotations: { openWorldHint: true },
  }, (a, extra) => guarded(async () => {
    const { gateReport } = await import('../cli/commands/scan.js');
    const { controlOf } = await import('../cli/commands/shared.js');
    const { refuseUrlCredentials } = await import('../config/credentials.js');
    refuseUrlCredentials(a.candidate, 'candidate');
    if (a.baseline) refuseUrlCredentials(a.baseline, 'baseline');
    const r = await gateReport({ ...cliOpts(a, opts.config), candidate: a.candidate, ...(a.baseline ? { baseline: a.baseline } : {}) }, sinks(extra), controlOf(extra.signal));
    const result = runResult(r.report, r.paths, r.baseline);
    return ok(result, runText(result));
  }));

  server.registerTool('audit', {
    title: 'Audit what one credential can do',
    description: 'What one identity of vouch.yaml can actually do on the target, against its declared intended scope (as `vouch audit`).',
    inputSchema: { url: z.string().describe('base URL of the target'), identity: z.string().describe('the identity in vouch.yaml to audit'), config: common.config, spec: common.spec, environment: common.environment, safe: common.safe },
    annotations: { openWorldHint: true },
  }, (a, extra) => guarded(async () => {
    const { auditReport } = await import('../cli/commands/audit.js');
    const { controlOf } = await import('../cli/commands/shared.js');
    const { beyondScope } = await import('../report/index.js');
    const config = a.config ?? opts.config;
    const environment = a.safe ? 'production' : a.environment;
    const r = await auditReport(a.url, { identity: a.identity, ...(config ? { config } : {}), ...(a.spec ? { spec: a.spec } : {}), ...(environment ? { environment } : {}) }, sinks(extra)(), controlOf(extra.signal));
    const beyond = r.audit.flatMap((x) => beyondScope(x));
    const verdict = r.code === 0 ? 'within-scope' : r.code === 1 ? 'beyond-scope' : 'not-audited';
    const structured = { scanId: r.report.scanId, identity: r.identity.name, verdict, audit: r.audit, beyond, findings: r.findings.map((f) => ({ fingerprint: f.fingerprint, title: f.title, proof: f.proof.summary, reproduce: f.proof.reproduce })), ...(r.audit.length ? {} : { reason: r.reason }) };
    return ok(structured, `${verdict}: ${r.identity.name} on ${a.url}${r.audit.length ? ` (${beyond.length} capabilities beyond its intended scope)` : `: ${r.reason}`}`);
  }));

  server.registerTool('inspect', {
    title: 'Inspect an OpenAPI document',
    description: 'What vouch makes of an OpenAPI 2.0/3.0/3.1 document: operations, warnings, what it cannot use, example requests. Sends nothing to a target.',
    inputSchema: { spec: z.string().describe('the document: a file or a URL'), examples: z.number().int().min(0).max(100).optional().describe('generated requests per operation'), seed: common.seed, config: common.config },
    annotations: { readOnlyHint: true },
  }, (a) => guarded(async () => {
    const { inspectSpec } = await import('../cli/commands/inspect.js');
    const { inspectDocument } = await import('../inspect/format.js');
    const config = a.config ?? opts.config;
    const r = await inspectSpec(a.spec, { ...(a.examples !== undefined ? { examples: String(a.examples) } : {}), ...(a.seed !== undefined ? { seed: String(a.seed) } : {}), ...(config ? { config } : {}) });
    const doc = inspectDocument(r.analysis, r.fmt);
    return ok(doc as unknown as Record<string, unknown>, `${a.spec}: ${r.analysis.operations.length} operations, ${r.analysis.unusable.length} unusable`);
  }));

  server.registerTool('history', {
    title: 'List stored scans',
    description: 'The scans in the history store, newest first (as `vouch history`); each report is also a resource.',
    inputSchema: { target: z.string().optional().describe('only this target name'), limit: z.number().int().min(1).max(1000).optional().describe('how many (default 50)'), config: common.config },
    annotations: { readOnlyHint: true },
  }, (a) => guarded(async () => {
    const { listHistory, scanRow } = await import('../cli/commands/history.js');
    const config = a.config ?? opts.config;
    const { scans, store } = await listHistory({ limit: String(a.limit ?? 50), ...(a.target ? { target: a.target } : {}), ...(config ? { config } : {}) });
    const rows = scans.map((s) => ({ ...scanRow(s), resources: reportUris(s.id) }));
    const text = rows.length ? scans.map((s) => `${s.id} ${(s.verdict ?? s.state).toUpperCase()} ${s.findingCount} findings ${s.target}`).join('\n') : `no scans in ${store} yet`;
    return ok({ store, scans: rows }, text);
  }));

  server.registerTool('explain', {
    title: 'Explain a finding',
    description: 'One finding of a stored scan: title, why it is proof, the exchanges and the curl line, exposure, status, the verdict rules that name it.',
    inputSchema: { scan: z.string().describe('the scan id (from scan, gate or history)'), finding: z.string().describe('its fingerprint, a unique prefix of it (6+ characters), or its position from 1'), config: common.config },
    annotations: { readOnlyHint: true },
  }, (a) => guarded(async () => {
    const report = await storedReport(a.scan, a.config ?? opts.config);
    const f = findFinding(report, a.finding);
    const structured = explainFinding(report, f);
    return ok(structured, `${f.title} [${f.severity}/${f.confidence}] ${f.operation.method} ${f.operation.path}\n${String(structured.why)}\nreproduce: ${f.proof.reproduce}`);
  }));

  const listScans = async (): Promise<Array<{ id: string; target: string; verdict: string | null | undefined }>> => {
    const { listHistory } = await import('../cli/commands/history.js');
    const { scans } = await listHistory({ limit: '50', ...(opts.config ? { config: opts.config } : {}) });
    return scans.filter((s) => s.state !== 'running' && s.state !== 'queued');
  };
  const reportResource = (kind: 'json' | 'markdown'): ResourceTemplate => new ResourceTemplate(`vouch://scans/{id}/${kind === 'json' ? 'report.json' : 'report.md'}`, {
    list: async () => ({
      resources: (await listScans()).map((s) => ({ uri: reportUris(s.id)[kind], name: `${s.id} ${kind === 'json' ? 'report.json' : 'report.md'}`, description: `${s.target}: ${s.verdict ?? 'no verdict'}`, mimeType: kind === 'json' ? 'application/json' : 'text/markdown' })),
    }),
  });
  server.registerResource('report.json', reportResource('json'), { description: 'the report.json of a stored scan', mimeType: 'application/json' }, async (uri, { id }) => {
    const { toJson } = await import('../report/index.js');
    return { contents: [{ uri: uri.href, mimeType: 'application/json', text: toJson(await storedReport(String(id), opts.config)) }] };
  });
  server.registerResource('report.md', reportResource('markdown'), { description: 'the Markdown report of a stored scan', mimeType: 'text/markdown' }, async (uri, { id }) => {
    const { toMarkdown } = await import('../report/index.js');
    return { contents: [{ uri: uri.href, mimeType: 'text/markdown', text: toMarkdown(await storedReport(String(id), opts.config)) }] };
  });
  return Object.assign(server, { idle: async (): Promise<void> => void (await Promise.all([...running])) });
}

/** A report of the history store by scan id; VOUCH_USAGE naming the store when it has none. */
async function storedReport(id: string, config: string | undefined): Promise<Report> {
  const { configuredStoreUrl, historyPath, withHistory } = await import('../cli/commands/history.js');
  const { VouchError } = await import('../core/errors.js');
  const storeUrl = await configuredStoreUrl(config);
  const report = await withHistory((s) => s.getReport(id), storeUrl);
  if (!report) throw new VouchError('VOUCH_USAGE', `scan ${id}: no such scan in ${historyPath(storeUrl)}`, { hint: 'List scans with the history tool.' });
  return report;
}
