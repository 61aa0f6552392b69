// src/checks/kit/group.ts — one finding for a root cause seen on many operations: its sightings in a stable order.
import type { Candidate } from '../../core/index.js';

/** Where a root cause was seen: the operation route, the URL requested, and what the check keeps (its exchange…). */
export interface Sighting<T> {
  method: string;
  path: string;
  url: string;
  parameter?: string;
  hit: T;
}

export interface Grouped<T> {
  /** The anchor: the first sighting by route (`METHOD /path`), then URL. */
  first: Sighting<T>;
  /** One sighting per key, sorted by route then URL. */
  list: Sighting<T>[];
  /** `locations` for the candidate, in the same order. */
  locations: NonNullable<Candidate['locations']>;
}

const order = (s: Sighting<unknown>): string => `${s.method} ${s.path}\u0000${s.url}`;

/**
 * Sightings deduplicated by `key` (default the route; a check that lists every page passes the URL's path) and
 * sorted, keeping per key the one with the smallest URL: the same set of sightings gives the same anchor, locations
 * and proof order whatever order tasks and requests completed in. Undefined when there is none. A candidate built
 * from it sets `grouped: true`, so its fingerprint does not depend on which operations a run saw it on.
 */
export function groupSightings<T>(sightings: Iterable<Sighting<T>>, key: (s: Sighting<T>) => string = (s) => `${s.method} ${s.path}`): Grouped<T> | undefined {
  const byKey = new Map<string, Sighting<T>>();
  for (const s of sightings) {
    const k = key(s);
    const prior = byKey.get(k);
    if (!prior || order(s) < order(prior)) byKey.set(k, s);
  }
  const list = [...byKey.values()].sort((a, b) => (order(a) < order(b) ? -1 : order(a) > order(b) ? 1 : 0));
  const first = list[0];
  if (!first) return undefined;
  const locations = list.map((s) => ({ method: s.method, path: s.path, url: s.url, ...(s.parameter !== undefined ? { parameter: s.parameter } : {}) }));
  return { first, list, locations };
}
