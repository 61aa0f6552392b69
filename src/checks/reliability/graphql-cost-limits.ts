// src/checks/reliability/graphql-cost-limits.ts — a GraphQL endpoint with no alias, batch or depth limit, proven by
// bounded ladders of `__typename` aliases, JSON-array batches and queries nested along a self-referencing path of the
// introspected schema (never a flood, never fan-out): the largest step answered in full is the proof.
import { getIntrospectionQuery, type IntrospectionQuery } from 'graphql';
import { z } from 'zod';
import type { Exchange } from '../../core/index.js';
import { jsonBody } from '../kit/compare.js';
import { defineCheck, type CandidateInput, type CheckContext } from '../kit/define.js';
import { endpoints } from '../security/graphql-introspection.js';
import { answerDepth, chain, depthDocument, describePath, findDepthPath, type DepthPath, type Edge } from './support/depth.js';

/** One rung of a ladder: how many aliases (or batched operations) and the request that asks for them. */
type Ladder = 'aliases' | 'batch';

/** `{ v1: __typename … vN: __typename }`: nothing but the server's own meta field runs, N times. */
export const aliasDocument = (n: number): string =>
  `query VouchAliases { ${Array.from({ length: n }, (_, i) => `v${i + 1}: __typename`).join(' ')} }`;

/** A JSON array of N `{ __typename }` operations (GraphQL batching over HTTP). */
export const batchBody = (n: number): string => JSON.stringify(Array.from({ length: n }, () => ({ query: '{ __typename }' })));

const json = (x: Exchange): unknown => jsonBody(x)?.value;

const typename = (v: unknown): boolean => typeof v === 'string' && v.length > 0;

/** How many of the N asked for the answer executed: aliases present in `data`, batch entries with `data.__typename`. */
export function answered(ladder: Ladder, n: number, x: Exchange): number {
  const res = x.response;
  if (!res || res.status < 200 || res.status >= 300) return 0;
  const body = json(x);
  if (ladder === 'batch') {
    if (!Array.isArray(body) || body.length !== n) return 0;
    return body.filter((r) => typename((r as { data?: { __typename?: unknown } } | null)?.data?.__typename)).length;
  }
  const data = (body as { data?: Record<string, unknown> | null } | null)?.data;
  if (!data || typeof data !== 'object') return 0;
  return Array.from({ length: n }, (_, i) => data[`v${i + 1}`]).filter(typename).length;
}

/** Why a rung was not answered in full: its status and the server's first error message. */
function refusal(x: Exchange): string {
  if (!x.response) return `no answer (${x.error?.code ?? 'error'})`;
  const body = json(x);
  const first = Array.isArray(body) ? body[0] : body;
  const errors = (first as { errors?: Array<{ message?: unknown }> } | null)?.errors;
  const message = Array.isArray(errors) && typeof errors[0]?.message === 'string' ? errors[0].message : undefined;
  return `HTTP ${x.response.status}${message ? ` "${message.slice(0, 120)}"` : ''}`;
}

const request = (ladder: Ladder, n: number, path: string): { method: string; url: string; headers: Array<[string, string]>; body: string } => ({
  method: 'POST',
  url: path,
  headers: [['content-type', 'application/json']],
  body: ladder === 'aliases' ? JSON.stringify({ query: aliasDocument(n) }) : batchBody(n),
});

interface Climb {
  ladder: Ladder;
  /** The largest rung answered in full, and its exchange. */
  top?: { n: number; x: Exchange };
  /** The first rung's time and the top's (time growth is evidence, not the proof). */
  firstMs?: number;
  /** Why the climb stopped below the last rung: a refusal, or the time bound. */
  stopped?: string;
  exchanges: Exchange[];
}

/** Climbs one ladder on one endpoint, stopping at the first rung refused or over the time bound. */
async function climb(ctx: CheckContext<Options>, path: string, ladder: Ladder, rungs: readonly number[]): Promise<Climb> {
  const out: Climb = { ladder, exchanges: [] };
  for (const n of rungs) {
    const x = await ctx.send({ ...request(ladder, n, path), probe: true });
    out.exchanges.push(x);
    out.firstMs ??= x.timing.totalMs;
    if (answered(ladder, n, x) !== n) {
      out.stopped = `${n} ${ladder === 'aliases' ? 'aliases' : 'batched operations'} → ${refusal(x)}`;
      return out;
    }
    out.top = { n, x };
    if (x.timing.totalMs > ctx.options.timeBoundMs) {
      out.stopped = `${n} took ${Math.round(x.timing.totalMs)} ms, over the ${ctx.options.timeBoundMs} ms bound: stopped`;
      return out;
    }
  }
  return out;
}

const words = (c: Climb): string => (c.ladder === 'aliases' ? `${c.top!.n} aliases of __typename in one query` : `a JSON batch of ${c.top!.n} operations`);

/** The ladder proves "no limit" when its last rung (or a rung over the time bound) was answered in full. */
const unlimited = (c: Climb, rungs: readonly number[]): boolean =>
  c.top !== undefined && c.top.n > 1 && (c.top.n === rungs[rungs.length - 1] || c.stopped?.includes('bound') === true);

const payload = (c: Climb): string => (c.ladder === 'aliases'
  ? `query VouchAliases { v1: __typename v2: __typename … v${c.top!.n}: __typename }`
  : `[{"query":"{ __typename }"} ×${c.top!.n}]`);

type Options = { aliases: number[]; batch: number[]; depths: number[]; timeBoundMs: number };

const post = (path: string, query: string) => ({ method: 'POST', url: path, headers: [['content-type', 'application/json']] as Array<[string, string]>, body: JSON.stringify({ query }), probe: true });

/** The endpoint's schema by introspection, or why there is none to look for a self-referencing path in. */
async function introspect(ctx: CheckContext<Options>, path: string): Promise<{ schema: IntrospectionQuery } | { none: string }> {
  const x = await ctx.send(post(path, getIntrospectionQuery({ descriptions: false })));
  const schema = (json(x) as { data?: IntrospectionQuery | null } | null)?.data;
  if (!schema?.__schema) return { none: `introspection refused (${refusal(x)}): no schema to find a self-referencing type in` };
  return { schema };
}

/** One rung of the depth ladder: the levels asked for and the chain of fields that many levels deep. */
interface DepthRung {
  n: number;
  edges: Edge[];
  x: Exchange;
}

type DepthClimb = { top: DepthRung; first: DepthRung; path: DepthPath; stopped?: string } | { none: string };

/** Whether a rung's answer holds its chain all the way down; else why not. */
function deepEnough(r: Omit<DepthRung, 'x'>, x: Exchange): string | undefined {
  const body = json(x) as { data?: unknown; errors?: unknown[] } | null;
  if (!x.response || x.response.status >= 300 || !body?.data || (Array.isArray(body.errors) && body.errors.length)) return refusal(x);
  const got = answerDepth(body.data, r.edges);
  if (got.fanOut) return `a list limited to 1 answered more: its limit is ignored (fan-out), stopped`;
  return got.levels < r.n ? `the answer is only ${got.levels} of ${r.n} levels deep` : undefined;
}

/** Climbs the depth ladder along a self-referencing path; stops at the first refusal, shallow answer or time bound. */
async function depthClimb(ctx: CheckContext<Options>, path: string): Promise<DepthClimb> {
  const got = await introspect(ctx, path);
  if ('none' in got) return got;
  let search;
  try {
    search = findDepthPath(got.schema);
  } catch (e) {
    return { none: `the introspection answer is no schema graphql-js can build (${(e as Error).message.slice(0, 120)})` };
  }
  if ('none' in search) return search;
  const p = search.path;
  let first: DepthRung | undefined;
  let top: DepthRung | undefined;
  for (const n of ctx.options.depths) {
    const edges = chain(p, n - 1);
    if (!edges) continue;
    const x = await ctx.send(post(path, depthDocument(edges)));
    const why = deepEnough({ n, edges }, x);
    if (why) return top && first ? { top, first, path: p, stopped: `${n} levels → ${why}` } : { none: `${n} levels → ${why}` };
    top = { n, edges, x };
    first ??= top;
    if (x.timing.totalMs > ctx.options.timeBoundMs) return { top, first, path: p, stopped: `${n} took ${Math.round(x.timing.totalMs)} ms, over the ${ctx.options.timeBoundMs} ms bound: stopped` };
  }
  return top && first ? { top, first, path: p } : { none: 'the self-referencing path is longer than the deepest rung' };
}

/** The depth ladder proves "no limit" when its deepest rung (or a rung over the time bound past the first) answered. */
const deepest = (c: Extract<DepthClimb, { top: DepthRung }>, depths: readonly number[]): boolean =>
  c.top.n === Math.max(...depths) || (c.top.n > c.first.n && c.stopped?.includes('bound') === true);

function depthCandidate(path: string, c: Extract<DepthClimb, { top: DepthRung }>): CandidateInput {
  const doc = depthDocument(c.top.edges);
  return {
    operation: { method: 'POST', path },
    url: c.top.x.request.url,
    vulnClass: 'graphql-no-depth-limit',
    confidence: 'tentative',
    proof: {
      summary: `POST ${path}: a query nested ${c.top.n} levels along ${describePath(c.path)} (from query.${c.path.root.field}) was executed and answered ${c.top.n} levels deep${c.stopped ? `; ${c.stopped}` : ''}`,
      exchangeIds: [c.top.x.id, c.first.x.id],
      evidence: `time ${Math.round(c.first.x.timing.totalMs)} ms at ${c.first.n} levels → ${Math.round(c.top.x.timing.totalMs)} ms at ${c.top.n}`,
      payload: doc.length > 300 ? `${doc.slice(0, 150)} … ${doc.slice(-60)}` : doc,
    },
    data: { depth: { n: c.top.n, edges: c.top.edges } },
  };
}

export default defineCheck({
  id: 'graphql-cost-limits',
  family: 'reliability',
  kind: 'active',
  scope: 'target',
  meta: {
    title: 'GraphQL endpoint without alias, batch or depth limits',
    description: 'A GraphQL endpoint executes as many aliases of a field in one query, as many operations in one JSON batch, or a query nested as deep as a caller sends: one request can carry the work of hundreds (resource exhaustion, and brute force that slips past per-request rate limits).',
    severity: 'medium',
    cwe: 'CWE-770',
    owasp: 'API4:2023 Unrestricted Resource Consumption',
    remediation: 'Limit aliases, depth and cost per operation (graphql-armor `maxAliases`/`maxDepth`/`costLimit`, Apollo or Hot Chocolate cost analysis, graphql-depth-limit) and the size of a batch (Apollo `allowBatchedHttpRequests: false`, or a maximum); answer a refusal with an `errors` entry or 400/413.',
    proves: 'A ladder of 1 … N aliases of `__typename` (and a JSON batch of 1 … N operations, and a query nested 3, 6, 12, 24 levels along a self-referencing path of the introspected schema, lists held to one item) stops at the first refusal or at a time bound; the largest rung answered in full (every alias or operation in `data`, the answer that many levels deep) is replayed and answered in full again.',
  },
  options: z.strictObject({
    /** Alias counts sent in one query, in order (each one request). */
    aliases: z.array(z.number().int().min(1).max(500)).min(2).max(6).default([1, 10, 50, 100]),
    /** Operations per JSON batch, in order (each one request). */
    batch: z.array(z.number().int().min(1).max(200)).min(2).max(5).default([1, 10, 50]),
    /** Levels of fields of the queries nested along a self-referencing path, in order (each one request). */
    depths: z.array(z.number().int().min(2).max(64)).min(2).max(6).default([3, 6, 12, 24]),
    /** A rung slower than this stops its ladder (the server is not pushed further). */
    timeBoundMs: z.number().int().min(100).default(5000),
  }),
  safeModeSkips: 'the alias, batch and depth ladders are not sent (POST, and load)',
  async run(ctx) {
    if (ctx.safeMode) return { status: 'inconclusive', reason: 'safe mode: the alias, batch and depth ladders are not sent' };
    const paths = endpoints(ctx);
    const candidates: CandidateInput[] = [];
    const notes: string[] = [];
    let judged = 0;
    for (const path of paths) {
      const aliases = await climb(ctx, path, 'aliases', ctx.options.aliases);
      // No rung answered at all: not a GraphQL endpoint that executes `{ __typename }` (404, auth, another API).
      if (!aliases.top) {
        notes.push(`${path}: ${aliases.stopped ?? 'no answer'}`);
        continue;
      }
      judged++;
      const batch = await climb(ctx, path, 'batch', ctx.options.batch);
      const depth = await depthClimb(ctx, path);
      const deepFound = 'top' in depth && deepest(depth, ctx.options.depths);
      if (deepFound) candidates.push(depthCandidate(path, depth));
      // Why the depth ladder proved nothing, told beside the alias and batch finding.
      const depthNote = deepFound ? undefined : 'none' in depth ? depth.none : depth.stopped;
      const open = [aliases, batch].filter((c) => unlimited(c, c.ladder === 'aliases' ? ctx.options.aliases : ctx.options.batch));
      if (!open.length) continue;
      const tops = open.map((c) => c.top!.x);
      const growth = open.map((c) => `${c.ladder} ${Math.round(c.firstMs ?? 0)} → ${Math.round(c.top!.x.timing.totalMs)} ms`);
      const refused = [aliases, batch].filter((c) => !open.includes(c) && c.stopped).map((c) => `${c.ladder} stopped: ${c.stopped}`);
      candidates.push({
        operation: { method: 'POST', path },
        url: tops[0]!.request.url,
        vulnClass: 'graphql-no-cost-limit',
        confidence: 'tentative',
        proof: {
          summary: `POST ${path}: ${open.map(words).join(' and ')} answered in full`
            + `${refused.length ? `; ${refused.join('; ')}` : ''}${depthNote ? `; depth not proven: ${depthNote}` : ''}`,
          exchangeIds: [...tops.map((x) => x.id), ...open.map((c) => c.exchanges[0]!.id)],
          evidence: `time ${growth.join(', ')}`,
          payload: open.map(payload).join(' | '),
        },
        data: { rungs: open.map((c) => ({ ladder: c.ladder, n: c.top!.n })) },
      });
    }
    if (candidates.length) return { status: 'found', candidates };
    if (!judged) return { status: 'inconclusive', reason: `no endpoint executed \`{ v1: __typename }\`: ${notes.join('; ')}` };
    return { status: 'clean' };
  },
  async confirm(candidate, ctx) {
    const depth = (candidate.data as { depth?: { n: number; edges: Edge[] } } | undefined)?.depth;
    if (depth) {
      const x = await ctx.send(post(candidate.operation.path, depthDocument(depth.edges)));
      const why = deepEnough(depth, x);
      return why
        ? { confirmed: false, exchangeIds: [x.id], reason: `the replay of the ${depth.n}-level query was not answered that deep (${why})` }
        : { confirmed: true, exchangeIds: [x.id], summary: `${candidate.proof.summary}; a replay was answered ${depth.n} levels deep again` };
    }
    const rungs = (candidate.data as { rungs?: Array<{ ladder: Ladder; n: number }> } | undefined)?.rungs ?? [];
    const ids: string[] = [];
    for (const { ladder, n } of rungs) {
      const x = await ctx.send({ ...request(ladder, n, candidate.operation.path), probe: true });
      ids.push(x.id);
      if (answered(ladder, n, x) === n) {
        return { confirmed: true, exchangeIds: ids, summary: `${candidate.proof.summary}; a replay of ${n} ${ladder === 'aliases' ? 'aliases' : 'batched operations'} was answered in full again` };
      }
    }
    return { confirmed: false, exchangeIds: ids, reason: rungs.length ? 'the replay of the largest rung was not answered in full' : 'no rung to replay' };
  },
  example: { url: 'http://127.0.0.1:8080/graphql', summary: 'POST /graphql: 100 aliases of __typename in one query and a JSON batch of 50 operations answered in full' },
});
