// src/cli/commands/guard.ts — `vouch guard` (the supervising reverse proxy, until SIGINT/SIGTERM) and `vouch guard
// report` (what each agent did against its intended list, and the least-privilege list it proposes).
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { request } from 'undici';
import { loadConfig, resolveRun, type GuardConfig, type VouchConfig } from '../../config/index.js';
import { VouchError, type Operation, type TlsSettings } from '../../core/index.js';
import { parseSpec, specToOperations } from '../../discover/index.js';
import { driftOf } from '../../guard/drift.js';
import { mirrorHolds } from '../../guard/held.js';
import { guardReportText, guardUsage } from '../../guard/report.js';
import { auditSink, type GuardRecord } from '../../guard/records.js';
import { startGuard, type GuardAgent } from '../../guard/server.js';
import { createIdentitySessions, type IdentitySessions } from '../../identities/sessions.js';
import { createAuditLog, createEngine, createRedactor, type Engine } from '../../net/index.js';
import { deliver } from '../../team/webhooks.js';
import { describeStore, guardStoreOver, openHistory, openStoreDatabase, storeLocation } from '../../store/index.js';

export interface GuardOpts {
  config?: string;
  spec?: string;
  fromScan?: string;
  learn?: true;
  listen?: string;
  auditLog?: string;
  quiet?: true;
}

const invalid = (message: string, hint: string): VouchError => new VouchError('VOUCH_CONFIG_INVALID', message, { hint });
const isLoopback = (host: string): boolean => host === 'localhost' || host === '::1' || host === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(host);

/** `host:port` → parts; a non-loopback host needs `guard.allowRemote`. */
export function listenAddress(value: string, allowRemote: boolean): { host: string; port: number } {
  const m = /^(\[[0-9a-f:.]+\]|[^:\s]+):(\d{1,5})$/i.exec(value);
  const port = Number(m?.[2]);
  if (!m || port > 65535) throw new VouchError('VOUCH_USAGE', `guard listen address ${value} is not host:port`, { hint: 'Write it like 127.0.0.1:8787 (port 0: a free one).' });
  const host = m[1]!.replace(/^\[|\]$/g, '');
  if (!isLoopback(host) && !allowRemote) {
    throw new VouchError('VOUCH_USAGE', `guard listen address ${value} is not loopback: agents elsewhere could reach the identities' credentials through it`, { hint: 'Listen on 127.0.0.1, or set guard.allowRemote: true and put TLS in front.' });
  }
  return { host, port };
}

type Credential = GuardAgent['credential'];

/** The headers carrying an identity's credential: static ones as they are, a login recipe through the sessions. */
function credentialOf(config: VouchConfig, agent: string, identity: string | undefined, sessions: () => IdentitySessions): Credential {
  if (identity === undefined || identity === 'anonymous') return [];
  const id = config.identities[identity];
  if (!id) throw invalid(`guard.agents.${agent}.identity: no identity ${identity} under identities:`, `Declare it under identities: (${Object.keys(config.identities).join(', ') || 'none yet'}).`);
  if (id.bearer !== undefined) return [['authorization', `Bearer ${id.bearer}`]];
  if (id.header) return [[id.header.name, id.header.value]];
  if (id.cookie) return [['cookie', `${id.cookie.name}=${id.cookie.value}`]];
  if (id.login) {
    return async () => {
      const s = sessions();
      const headers = await s.headers(identity);
      const failed = s.failures().get(identity);
      if (failed) throw new Error(failed);
      return headers.map(([k, v]) => [k, v] as [string, string]);
    };
  }
  return [];
}

function guardSection(config: VouchConfig, path: string | undefined): GuardConfig {
  const g = config.guard;
  if (!g) throw invalid(`${path ?? 'vouch.yaml'}: no guard: section`, 'Add guard: { agents: { <name>: { token: "${AGENT_TOKEN}", identity: <identity>, intended: [...] } } } (docs/guard.md).');
  const names = Object.keys(g.agents);
  if (!names.length) throw invalid(`${path ?? 'vouch.yaml'}: guard.agents: no agent is configured`, 'Name at least one agent with its token (docs/guard.md).');
  const tokens = new Map<string, string>();
  for (const [name, a] of Object.entries(g.agents)) {
    const other = tokens.get(a.token);
    if (other) throw invalid(`guard.agents.${name}.token: the same token as ${other}`, 'Give every agent its own token: decisions are recorded per agent.');
    tokens.set(a.token, name);
  }
  for (const [name, a] of Object.entries(g.agents)) {
    if (a.identity !== undefined && a.identity !== 'anonymous' && !config.identities[a.identity]) {
      throw invalid(`guard.agents.${name}.identity: no identity ${a.identity} under identities:`, `Declare it under identities: (${Object.keys(config.identities).join(', ') || 'none yet'}).`);
    }
  }
  if (g.approval.token && tokens.has(g.approval.token)) throw invalid('guard.approval.token: the same as an agent token', 'An agent must never be able to approve its own requests.');
  return g;
}

/** The surface the guard matches requests to: a stored scan's, or the spec (a file, or a path or URL on the upstream). */
async function surfaceOf(opts: GuardOpts, config: VouchConfig, upstream: string, tls: TlsSettings): Promise<{ operations: Operation[]; from: string }> {
  if (opts.fromScan) {
    const store = await openHistory(storeLocation(config.store?.url));
    try {
      const report = await store.getReport(opts.fromScan);
      if (!report) throw new VouchError('VOUCH_USAGE', `--from-scan ${opts.fromScan}: no such scan in the store`, { hint: 'List scans with `vouch history`.' });
      return { operations: report.surface.operations, from: `scan ${opts.fromScan}` };
    } finally {
      await store.close();
    }
  }
  const spec = opts.spec ?? config.target.spec;
  if (!spec) {
    if (opts.learn) return { operations: [], from: 'nothing (--learn: every request is allowed and recorded)' };
    throw new VouchError('VOUCH_USAGE', 'the guard needs the surface to match requests to', { hint: 'Give --spec <file|path|url>, target.spec in vouch.yaml, --from-scan <id>, or run with --learn.' });
  }
  let text: string;
  let location = spec;
  if (existsSync(spec)) text = readFileSync(spec, 'utf8');
  else if (spec.startsWith('/') || /^https?:\/\//i.test(spec)) {
    const url = new URL(spec, upstream);
    if (url.origin !== new URL(upstream).origin) throw new VouchError('VOUCH_USAGE', `--spec ${spec}: not on the upstream ${upstream}`, { hint: 'Download it and give the file.' });
    location = url.href;
    const { connector } = await import('../../net/connections.js');
    const { Agent } = await import('undici');
    const dispatcher = new Agent({ connect: connector(10_000, tls) });
    try {
      const r = await request(url, { dispatcher, headersTimeout: 15_000, bodyTimeout: 15_000 });
      text = await r.body.text();
      if (r.statusCode !== 200) throw new VouchError('VOUCH_SPEC_INVALID', `${url.href}: answered ${r.statusCode}`, { hint: 'Check the spec path, or give the file.' });
    } catch (e) {
      if (e instanceof VouchError) throw e;
      throw new VouchError('VOUCH_SPEC_INVALID', `${url.href}: the spec could not be fetched (${(e as { code?: string }).code ?? (e as Error).message})`, { hint: 'Check that the upstream is up, or give the file.' });
    } finally {
      await dispatcher.close();
    }
  } else throw new VouchError('VOUCH_SPEC_INVALID', `${spec}: spec file not found`, { hint: 'Check the path, or give a URL.' });
  const parsed = parseSpec(text, location);
  return { operations: specToOperations(parsed.doc, location, { lineOf: parsed.lineOf }).operations, from: location };
}

/** Records are written to the store in batches (every 250 ms or 200 records); a failure is one warning, not a crash. */
function storeWriter(write: (rows: GuardRecord[]) => Promise<void>): { push(r: GuardRecord): void; close(): Promise<void> } {
  let queue: GuardRecord[] = [];
  let running: Promise<void> = Promise.resolve();
  let warned = false;
  const flush = (): Promise<void> => {
    const rows = queue;
    queue = [];
    if (!rows.length) return running;
    running = running.then(() =>
      write(rows).catch((e: unknown) => {
        if (!warned) process.stderr.write(`vouch guard: decisions could not be stored (${(e as Error).message}); the audit log still has them\n`);
        warned = true;
      }),
    );
    return running;
  };
  const timer = setInterval(() => void flush(), 250);
  return {
    push(r) {
      queue.push(r);
      if (queue.length >= 200) void flush();
    },
    close: async () => {
      clearInterval(timer);
      await flush();
    },
  };
}

export async function guardCommand(opts: GuardOpts): Promise<number> {
  const { config, path } = loadConfig(opts.config);
  const g = guardSection(config, path);
  const upstream = g.upstream ?? config.target.url;
  if (!upstream) throw invalid('guard.upstream: no upstream', 'Set guard.upstream (or target.url) to the origin the agents\' requests go to.');
  const run = resolveRun(config, { url: config.target.url ?? upstream });
  const upOrigin = new URL(upstream).origin;
  if (!run.scope.origins.includes(upOrigin)) throw invalid(`guard.upstream: ${upOrigin} is not in the target's scope (${run.scope.origins.join(', ')})`, 'Point it at target.url, or add its origin to scope.origins.');
  const listen = listenAddress(opts.listen ?? g.listen, g.allowRemote);
  const surface = await surfaceOf(opts, config, upstream, run.tls);
  const session = randomUUID();
  const secrets = [...run.secrets, ...Object.values(g.agents).map((a) => a.token), ...(g.approval.token ? [g.approval.token] : [])];
  const auditPath = opts.auditLog ?? join('.vouch', 'guard', session, 'audit.jsonl');
  const redactor = createRedactor(secrets);
  const audit = createAuditLog(auditPath, redactor);
  // Identities that sign in do so through the engine (scope, TLS, audit log), on first use, renewed before expiry.
  let sessions: IdentitySessions | undefined;
  let engine: Engine | undefined;
  const lazySessions = (): IdentitySessions => {
    engine ??= createEngine({ target: run.target, scope: run.scope, safeMode: false, tls: run.tls, audit, concurrency: 4 });
    sessions ??= createIdentitySessions(run.identities, engine, () => undefined, (secret) => redactor.learn(secret));
    return sessions;
  };
  const agents: GuardAgent[] = Object.entries(g.agents).map(([name, a]) => ({
    name,
    token: a.token,
    intended: a.intended,
    denied: a.denied,
    approval: a.approval,
    ...(a.budgets ? { budgets: { ...(a.budgets.requestsPerMinute ? { requestsPerMinute: a.budgets.requestsPerMinute } : {}), ...(a.budgets.writesPerHour ? { writesPerHour: a.budgets.writesPerHour } : {}) } } : {}),
    ...(a.expires ? { expiresAt: Date.parse(a.expires) } : {}),
    credential: credentialOf(config, name, a.identity, lazySessions),
    ...(a.identity && config.identities[a.identity]?.login ? { relogin: (why: string, sentAt: number) => lazySessions().relogin(a.identity!, why, sentAt) } : {}),
  }));
  const loc = storeLocation(config.store?.url);
  const db = await openStoreDatabase(loc);
  const guardStore = guardStoreOver(db, describeStore(loc));
  const store = storeWriter((rows) => guardStore.record(rows.map((r) => ({ ...r, path: redactor.text(r.path), rule: redactor.text(r.rule) }))));
  const toAudit = auditSink(audit, upOrigin);
  const driftSeen = new Set<string>();
  const tell = (r: GuardRecord): void => {
    if (!g.webhooks.length) return;
    const drift = driftOf(r, g.agents[r.agent]?.intended ?? [], driftSeen);
    if (!drift) return;
    for (const hook of g.webhooks) {
      void deliver({ url: hook.url, format: 'json' }, drift, { retries: 2 }).then((d) => {
        if (!d.ok) process.stderr.write(`vouch guard: drift webhook ${d.url} failed after ${d.attempts} attempts (${d.error ?? 'no answer'})\n`);
      });
    }
  };
  const guard = await startGuard({
    host: listen.host,
    port: listen.port,
    upstream,
    agents,
    operations: surface.operations,
    learn: Boolean(opts.learn),
    limits: g.limits,
    approval: { timeoutMs: g.approval.timeoutMs, ...(g.approval.token ? { token: g.approval.token } : {}), ...(g.approval.webhook ? { webhook: g.approval.webhook } : {}) },
    tls: run.tls,
    session,
    sink: (r) => {
      toAudit(r); // the sink builds its own audit entry: r is not touched
      store.push(r);
      tell(r);
    },
    warn: (m) => process.stderr.write(`${m}\n`),
  }).catch(async (e: unknown) => {
    await Promise.all([audit.close(), store.close()]);
    await db.destroy();
    throw new VouchError('VOUCH_USAGE', `guard cannot listen on ${listen.host}:${listen.port} (${(e as { code?: string }).code ?? (e as Error).message})`, { hint: 'Pick another address with --listen or guard.listen.' });
  });
  // Holds go to the store too, so the dashboard (`vouch serve`, /guard) shows and decides them.
  const held = mirrorHolds(guard.approvals, guardStore, { session, redact: (x) => redactor.text(x), warn: (m) => process.stderr.write(`${m}\n`) });
  const who = agents.map((a) => `${a.name}${g.agents[a.name]?.identity ? ` as ${g.agents[a.name]!.identity}` : ''}`).join(', ');
  process.stdout.write(
    `vouch guard listening on ${guard.url} → upstream ${upstream}; agents: ${who}; ${surface.operations.length} operations from ${surface.from}; ` +
      `${opts.learn ? 'LEARN mode (everything allowed and recorded)' : 'enforcing'}; approval API ${g.approval.token ? `${guard.url}/_vouch/guard/pending` : 'off (no guard.approval.token)'}; ` +
      `session ${session}; audit log ${auditPath}; store ${describeStore(loc)}\n`,
  );
  await new Promise<void>((resolve) => {
    const stop = (sig: NodeJS.Signals): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      if (!opts.quiet) process.stderr.write(`vouch guard: ${sig}, held requests denied, closing\n`);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  await guard.close();
  await engine?.close();
  await Promise.all([audit.close(), store.close(), held.close()]);
  await db.destroy();
  return 0;
}

export interface GuardReportOpts {
  config?: string;
  session?: string;
  all?: true;
  json?: true;
}

export async function guardReportCommand(opts: GuardReportOpts): Promise<number> {
  const { config } = loadConfig(opts.config);
  const intended = Object.fromEntries(Object.entries(config.guard?.agents ?? {}).map(([name, a]) => [name, a.intended]));
  const loc = storeLocation(config.store?.url);
  const db = await openStoreDatabase(loc);
  try {
    const gs = guardStoreOver(db, describeStore(loc));
    const sessions = await gs.sessions();
    const session = opts.all ? undefined : (opts.session ?? sessions[0]?.session);
    if (opts.session && !sessions.some((s) => s.session === opts.session)) {
      throw new VouchError('VOUCH_USAGE', `--session ${opts.session}: no such guard session in ${describeStore(loc)}`, { hint: sessions.length ? `Recent sessions: ${sessions.slice(0, 3).map((s) => s.session).join(', ')}` : 'Run `vouch guard` first.' });
    }
    const rows = await gs.decisions(session ? { session } : {});
    const usage = guardUsage(rows, intended);
    if (opts.json) process.stdout.write(JSON.stringify({ session: session ?? null, agents: usage }, null, 2) + '\n');
    else process.stdout.write(guardReportText(usage, session));
    return 0;
  } finally {
    await db.destroy();
  }
}
