// src/checks/kit/group.test.ts — grouped sightings: deduplicated by key, sorted by route then URL, whatever the input order.
import { describe, expect, it } from 'vitest';
import { groupSightings, type Sighting } from './group.js';

const at = (method: string, path: string, url: string, hit = url): Sighting<string> => ({ method, path, url, hit });
const seen = [
  at('GET', '/orders/{id}', 'http://h/orders/2'),
  at('POST', '/api/cart', 'http://h/api/cart'),
  at('GET', '/orders/{id}', 'http://h/orders/1'),
  at('GET', '/', 'http://h/?b=1'),
  at('GET', '/', 'http://h/?a=1'),
];

describe('groupSightings', () => {
  it('keeps one sighting per route (the smallest URL) and anchors at the first route', () => {
    const g = groupSightings(seen)!;
    expect(g.locations.map((l) => l.url)).toEqual(['http://h/?a=1', 'http://h/orders/1', 'http://h/api/cart']);
    expect(g.first.hit).toBe('http://h/?a=1');
    expect(g.list.map((s) => s.hit)).toEqual(g.locations.map((l) => l.url));
  });

  it('gives the same result for any order of the same sightings', () => {
    const want = groupSightings(seen);
    for (const order of [[...seen].reverse(), [seen[2]!, seen[4]!, seen[0]!, seen[3]!, seen[1]!]]) expect(groupSightings(order)).toEqual(want);
  });

  it('dedupes by the key given (one per page path) and says when there is nothing', () => {
    const g = groupSightings(seen, (s) => new URL(s.url).pathname)!;
    expect(g.locations.map((l) => l.url)).toEqual(['http://h/?a=1', 'http://h/orders/1', 'http://h/orders/2', 'http://h/api/cart']);
    expect(groupSightings([])).toBeUndefined();
  });
});
