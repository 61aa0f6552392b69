// src/checks/kit/tester.ts — runs one check through the real stages (plan, execute, confirm, findings) against a
// fixture URL, so a check's test exercises exactly what a scan does.
import type { Finding, HeaderList, Identity, Operation, PermissionAudit, Surface, TaskOutcome } from '../../core/index.js';
import { confirm } from '../../confirm/index.js';
import { execute } from '../../execute/index.js';
import { createIdentitySessions } from '../../identities/sessions.js';
import { createEngine, createRedactor, type OutageOptions } from '../../net/index.js';
import { startOobListener } from '../../oob/listener.js';
import { plan } from '../../plan/index.js';
import { buildFindings } from '../../prioritize/index.js';
import type { AnyCheck, Strength } from './define.js';

export interface CheckTestInput {
  url: string;
  /** Operations of the fixture; `id` is derived when omitted. */
  operations?: Array<Omit<Operation, 'id' | 'sources' | 'auth'> & Partial<Pick<Operation, 'auth' | 'sources'>>>;
  identities?: Identity[];
  options?: unknown;
  safeMode?: boolean;
  /** Attack strength (default `default`). */
  strength?: Strength;
  /**
   * Requests to send before the check runs (passive checks read them): a path (anonymous), or a request as an
   * identity, labelled like discovery's (`checkId: 'discover'`) when a check reads what discovery recorded.
   */
  warmup?: Array<string | { url: string; identity?: string; headers?: HeaderList; checkId?: string }>;
  /** Start the out-of-band listener for a check that declares `needsOob`. Default true. */
  oob?: boolean;
  /** The engine's outage watch (docs/engine.md#outages); off unless given. */
  outage?: OutageOptions;
  /** The engine's request timeout, ms (default 15,000). */
  timeoutMs?: number;
  /** `safeMode.writeProbes`: write probes pass safe mode. Default true here (checks are tested with their probes). */
  writeProbes?: boolean;
}

export interface CheckTestResult {
  findings: Finding[];
  outcomes: TaskOutcome[];
  /** Requests the check sent (warm-up excluded). */
  requests: number;
  skipped: string[];
  /** Permission audits the check established. */
  audits: PermissionAudit[];
}

export async function testCheck(check: AnyCheck, input: CheckTestInput): Promise<CheckTestResult> {
  const identities: Identity[] = input.identities ?? [{ name: 'anonymous', role: 'anonymous', auth: { kind: 'none' } }];
  const target = { name: 'fixture', url: input.url, environment: input.safeMode ? ('production' as const) : ('local' as const) };
  const engine = createEngine({ target, scope: { origins: [new URL(input.url).origin], include: [], exclude: [] }, safeMode: input.safeMode ?? false, safeModeWriteProbes: input.writeProbes ?? true, ratePerSecond: 10_000, ...(input.outage ? { outage: input.outage } : {}), ...(input.timeoutMs ? { timeoutMs: input.timeoutMs } : {}) });
  const sessions = createIdentitySessions(identities, engine);
  engine.setCredentials((n) => sessions.headers(n));
  const oob = check.needsOob && input.oob !== false ? await startOobListener() : undefined;
  try {
    for (const w of input.warmup ?? []) {
      const { url, identity = 'anonymous', headers = [], checkId } = typeof w === 'string' ? { url: w } : w;
      await engine.send({ method: 'GET', url, headers }, { identity, ...(checkId ? { checkId } : {}) });
    }
    // Like a scan: every identity logs in first, and failed logins are planned around and told to the check.
    await Promise.all(identities.map((i) => sessions.headers(i.name)));
    const warm = engine.stats().sent;
    const surface: Surface = {
      target: input.url,
      warnings: [],
      operations: (input.operations ?? []).map((o) => ({ auth: 'unknown', sources: ['spec'], ...o, id: `${o.method} ${o.path}${o.graphql ? ` ${o.graphql.kind}.${o.graphql.field}` : ''}` })),
    };
    const options = { [check.id]: input.options ?? {} };
    const safeMode = input.safeMode ?? false;
    const unavailable = sessions.failures();
    const p = plan({ surface, checks: [check], identities, safeMode, unavailable });
    const common = { checks: [check], identities, unavailable, surface, target, engine, safeMode, options, oob, ...(input.strength ? { strength: input.strength } : {}) };
    const executed = await execute({ ...common, plan: p });
    const confirmed = await confirm({ ...common, candidates: executed.candidates });
    const findings = buildFindings({ candidates: confirmed, checks: [check], identities, exchange: (id) => engine.exchange(id), redact: createRedactor([]) });
    return { findings, outcomes: executed.outcomes, requests: engine.stats().sent - warm, skipped: p.skipped.map((s) => `${s.operationId ?? ''}: ${s.reason}`), audits: executed.audits };
  } finally {
    await oob?.close();
    await engine.close();
  }
}
