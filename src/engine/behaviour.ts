// src/engine/behaviour.ts — the gate's behaviour comparison: the same seeded request set sent to the baseline and
// the candidate (read-only operations), compared by status, response shape and latency (Mann-Whitney U plus a
// minimum effect size; never single samples).
import { join } from 'node:path';
import type { BehaviourDiff, Exchange, HttpEngine, Operation, OperationBehaviour, SendRequest, Surface } from '../core/index.js';
import type { ResolvedRun } from '../config/index.js';
import { generateCases, requestFromValues } from '../generate/index.js';
import { createIdentitySessions } from '../identities/sessions.js';
import { createAuditLog, createEngine, createRedactor } from '../net/index.js';
import { latencyStats, mannWhitney } from './latency.js';

export interface BehaviourOptions {
  baseline: ResolvedRun;
  candidate: ResolvedRun;
  /** The operations to exercise (the baseline's surface). */
  surface: Surface;
  seed: number;
  /** Timed samples per side and operation. Default 8. */
  samples?: number;
  /** Generated requests per operation compared by status and shape. Default 3. */
  requests?: number;
  /** A latency regression needs p below this… Default 0.01. */
  alpha?: number;
  /** …candidate p50 / baseline p50 at least this… Default 1.5. */
  minRatio?: number;
  /** …and p50 slower by at least this many ms. Default 20. */
  minDeltaMs?: number;
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Folder for the audit logs (`behaviour-baseline.jsonl`, `behaviour-candidate.jsonl`). */
  auditDir: string;
}

/** Field paths and their JSON types (`.items[].price:number`), for shape comparison. */
export function shapeOf(value: unknown, prefix = '', out = new Map<string, string>(), depth = 0): Map<string, string> {
  if (depth > 6) return out;
  if (Array.isArray(value)) {
    out.set(prefix || '.', 'array');
    if (value.length) shapeOf(value[0], `${prefix}[]`, out, depth + 1);
  } else if (value && typeof value === 'object') {
    out.set(prefix || '.', 'object');
    for (const [k, v] of Object.entries(value)) shapeOf(v, `${prefix}.${k}`, out, depth + 1);
  } else out.set(prefix || '.', value === null ? 'null' : typeof value);
  return out;
}

/** Fields added, removed or retyped between two JSON bodies. */
export function shapeChanges(a: unknown, b: unknown): string[] {
  const sa = shapeOf(a);
  const sb = shapeOf(b);
  const out: string[] = [];
  for (const [k, t] of sa) {
    const u = sb.get(k);
    if (u === undefined) out.push(`${k} removed`);
    else if (u !== t && t !== 'null' && u !== 'null') out.push(`${k} ${t} → ${u}`);
  }
  for (const k of sb.keys()) if (!sa.has(k)) out.push(`${k} added`);
  return out;
}

const parse = (x: Exchange): unknown => {
  try {
    return x.response && /json/i.test(x.response.headers.find(([k]) => k.toLowerCase() === 'content-type')?.[1] ?? '') ? (JSON.parse(x.response.body) as unknown) : undefined;
  } catch {
    return undefined;
  }
};
const statusOf = (x: Exchange): string => (x.response ? String(x.response.status) : (x.error?.code ?? 'error'));
const count = (xs: readonly Exchange[]): Record<string, number> => xs.reduce<Record<string, number>>((m, x) => ({ ...m, [statusOf(x)]: (m[statusOf(x)] ?? 0) + 1 }), {});

function side(run: ResolvedRun, o: BehaviourOptions, label: string): { engine: HttpEngine; identity: (op: Operation) => string } {
  const audit = createAuditLog(join(o.auditDir, `behaviour-${label}.jsonl`), createRedactor(run.secrets));
  const engine = createEngine({ target: run.target, scope: run.scope, safeMode: true, concurrency: 4, tls: run.tls, audit, ...(o.timeoutMs ? { timeoutMs: o.timeoutMs } : {}), ...(o.signal ? { signal: o.signal } : {}) });
  const sessions = createIdentitySessions(run.identities, engine);
  engine.setCredentials((n) => sessions.headers(n));
  const signedIn = run.identities.find((i) => i.role === 'user') ?? run.identities.find((i) => i.role !== 'anonymous');
  const anonymous = run.identities.find((i) => i.role === 'anonymous')?.name ?? 'anonymous';
  return { engine, identity: (op) => (op.auth === 'required' && signedIn ? signedIn.name : anonymous) };
}

/** Sends the same seeded GET requests to both deployments and compares what came back. */
export async function compareBehaviour(o: BehaviourOptions): Promise<BehaviourDiff> {
  const samples = o.samples ?? 8;
  const ops = o.surface.operations.filter((op) => op.method === 'GET' && !op.graphql && op.sources.some((s) => s === 'spec' || s === 'html'));
  const b = side(o.baseline, o, 'baseline');
  const c = side(o.candidate, o, 'candidate');
  const operations: OperationBehaviour[] = [];
  try {
    const one = async (op: Operation): Promise<OperationBehaviour> => {
      const set = generateCases(op, { seed: o.seed, count: Math.max(0, (o.requests ?? 3) - 1), phases: ['example', 'positive'], ...(o.surface.spec ? { specVersion: o.surface.spec.version } : {}) });
      const reqs: SendRequest[] = set.cases.length ? set.cases.slice(0, o.requests ?? 3).map((k) => requestFromValues(op, k.values)) : [requestFromValues(op, {})];
      const send = (s: typeof b, r: SendRequest): Promise<Exchange> => s.engine.send(r, { identity: s.identity(op) });
      const statusChanges: string[] = [];
      const schemaChanges = new Set<string>();
      const bx: Exchange[] = [];
      const cx: Exchange[] = [];
      for (const r of reqs) {
        const [x, y] = await Promise.all([send(b, r), send(c, r)]);
        bx.push(x);
        cx.push(y);
        if (statusOf(x)[0] !== statusOf(y)[0]) statusChanges.push(`${r.method} ${r.url}: ${statusOf(x)} → ${statusOf(y)}`);
        else for (const ch of shapeChanges(parse(x), parse(y))) schemaChanges.add(ch);
      }
      // Timed samples of the first request, alternating sides in waves so neither side is measured under more load.
      const bt: Exchange[] = [];
      const ct: Exchange[] = [];
      for (let i = 0; i < samples; i += 4) {
        const wave = Math.min(4, samples - i);
        const got = await Promise.all(Array.from({ length: wave }, () => Promise.all([send(b, reqs[0]!), send(c, reqs[0]!)])));
        for (const [x, y] of got) {
          bt.push(x);
          ct.push(y);
        }
      }
      const ms = (xs: Exchange[]): number[] => xs.filter((x) => x.response).map((x) => x.timing.totalMs);
      const [bm, cm] = [ms(bt), ms(ct)];
      const base: OperationBehaviour['baseline'] = { statuses: count([...bx, ...bt]), ...(bm.length >= 2 ? { latency: latencyStats(bm) } : {}) };
      const cand: OperationBehaviour['candidate'] = { statuses: count([...cx, ...ct]), ...(cm.length >= 2 ? { latency: latencyStats(cm) } : {}) };
      const out: OperationBehaviour = { operation: op.id, baseline: base, candidate: cand, statusChanges, schemaChanges: [...schemaChanges] };
      if (base.latency && cand.latency && bm.length >= 5 && cm.length >= 5) {
        const { pValue } = mannWhitney(bm, cm);
        const effect = Math.round((cand.latency.p50 / Math.max(base.latency.p50, 0.1)) * 100) / 100;
        const regression = pValue < (o.alpha ?? 0.01) && effect >= (o.minRatio ?? 1.5) && cand.latency.p50 - base.latency.p50 >= (o.minDeltaMs ?? 20);
        out.latency = { test: 'mann-whitney-u', pValue: Math.round(pValue * 1e6) / 1e6, effect, regression };
      }
      return out;
    };
    // A few operations at once; each one's timed samples stay within its own waves.
    const queue = [...ops];
    await Promise.all(Array.from({ length: 3 }, async () => {
      for (let op = queue.shift(); op && !o.signal?.aborted; op = queue.shift()) operations.push(await one(op));
    }));
  } finally {
    await Promise.all([b.engine.close(), c.engine.close()]);
  }
  return { seed: o.seed, operations: operations.sort((x, y) => x.operation.localeCompare(y.operation)) };
}
