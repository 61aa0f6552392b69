// src/checks/kit/strength.ts — attack strength: how many of a check's payloads it sends per injection point.
import type { Strength } from './define.js';

/** The first `counts[strength]` items of `items` (payloads ordered most useful first). */
export function forStrength<T>(items: readonly T[], counts: Record<Strength, number>, strength: Strength): T[] {
  return items.slice(0, counts[strength]);
}

/** Adds per-technique counts into one `requestsPerPoint` declaration. */
export function sumCounts(...parts: Array<Record<Strength, number>>): Record<Strength, number> {
  const out: Record<Strength, number> = { low: 0, default: 0, high: 0 };
  for (const p of parts) for (const s of ['low', 'default', 'high'] as const) out[s] += p[s];
  return out;
}
