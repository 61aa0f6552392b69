// src/engine/latency.ts — latency per operation from repeated identical requests of a scan (p50/p95/p99), and the
// Mann-Whitney U test that says whether one set of samples is slower than another.
import type { Exchange, LatencyStats, Task } from '../core/index.js';

/** Nearest-rank percentile of sorted values. */
const pct = (sorted: readonly number[], p: number): number => sorted[Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length))) - 1]!;

export function latencyStats(samples: readonly number[]): LatencyStats {
  const s = [...samples].sort((a, b) => a - b);
  const r = (n: number): number => Math.round(n * 10) / 10;
  return { samples: s.length, p50: r(pct(s, 50)), p95: r(pct(s, 95)), p99: r(pct(s, 99)) };
}

/**
 * Latency per operation: among the exchanges of each operation's tasks, the largest group of identical requests
 * (method, URL, body, identity) that got a response, when it has at least `minSamples` members. Single samples
 * never make a figure.
 */
export function latencyByOperation(exchanges: readonly Exchange[], tasks: readonly Task[], minSamples = 3): Record<string, LatencyStats> {
  const opOf = new Map(tasks.filter((t) => t.operationId).map((t) => [t.id, t.operationId!]));
  const groups = new Map<string, Map<string, number[]>>();
  for (const x of exchanges) {
    const op = x.taskId ? opOf.get(x.taskId) : undefined;
    if (!op || !x.response) continue;
    const key = `${x.request.method} ${x.request.url} ${x.request.body ?? ''} ${x.identity}`;
    const byReq = groups.get(op) ?? new Map<string, number[]>();
    byReq.set(key, [...(byReq.get(key) ?? []), x.timing.totalMs]);
    groups.set(op, byReq);
  }
  const out: Record<string, LatencyStats> = {};
  for (const [op, byReq] of [...groups].sort(([a], [b]) => a.localeCompare(b))) {
    const best = [...byReq.values()].sort((a, b) => b.length - a.length)[0]!;
    if (best.length >= minSamples) out[op] = latencyStats(best);
  }
  return out;
}

/** Standard normal CDF (Abramowitz-Stegun 7.1.26, |error| < 1.5e-7). */
function normalCdf(z: number): number {
  const t = 1 / (1 + 0.3275911 * Math.abs(z) / Math.SQRT2);
  const y = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-(z * z) / 2);
  return z >= 0 ? (1 + y) / 2 : (1 - y) / 2;
}

/**
 * One-sided Mann-Whitney U test that `b` tends to be larger than `a` (normal approximation with tie correction and
 * continuity correction). Returns U for `b` and the p-value.
 */
export function mannWhitney(a: readonly number[], b: readonly number[]): { u: number; pValue: number } {
  const n1 = a.length;
  const n2 = b.length;
  if (n1 === 0 || n2 === 0) return { u: 0, pValue: 1 };
  const all = [...a.map((v) => ({ v, g: 0 })), ...b.map((v) => ({ v, g: 1 }))].sort((x, y) => x.v - y.v);
  const ranks = new Array<number>(all.length);
  let tie = 0;
  for (let i = 0; i < all.length; ) {
    let j = i;
    while (j + 1 < all.length && all[j + 1]!.v === all[i]!.v) j++;
    const r = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) ranks[k] = r;
    const t = j - i + 1;
    tie += t * t * t - t;
    i = j + 1;
  }
  const rb = all.reduce((s, x, i) => (x.g === 1 ? s + ranks[i]! : s), 0);
  const u = rb - (n2 * (n2 + 1)) / 2;
  const mean = (n1 * n2) / 2;
  const n = n1 + n2;
  const sd = Math.sqrt(((n1 * n2) / 12) * (n + 1 - tie / (n * (n - 1))));
  if (sd === 0) return { u, pValue: 1 };
  const z = (u - mean - 0.5) / sd;
  return { u, pValue: 1 - normalCdf(z) };
}
