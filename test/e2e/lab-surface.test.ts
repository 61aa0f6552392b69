// test/e2e/lab-surface.test.ts — discovery of the lab from its root URL alone finds what the manifest says, quickly.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadManifest } from '../../lab/manifest.js';
import { startLab, type RunningLab } from '../../lab/server.js';
import type { Surface } from '../../src/core/index.js';
import { discover, routeKey } from '../../src/discover/index.js';
import { createEngine } from '../../src/net/index.js';

/** Shown only to a signed-in session (a cookie from the form login): the authenticated crawl finds them. */
const SIGNED_IN_ONLY = new Set(['GET /logout', 'POST /notes']);

let lab: RunningLab;
let surface: Surface;
let ms = 0;
let sent = 0;

beforeAll(async () => {
  lab = await startLab({ variant: 'candidate' });
  const target = { name: 'lab', url: lab.url, environment: 'local' as const };
  const engine = createEngine({ target, scope: { origins: [lab.url], include: [], exclude: ['/logout'] }, safeMode: false });
  const t0 = performance.now();
  surface = await discover({ target, engine, scope: { origins: [lab.url], include: [], exclude: ['/logout'] } });
  ms = performance.now() - t0;
  sent = engine.stats().sent;
  await engine.close();
});
afterAll(() => lab.close());

describe('lab surface from the root URL', () => {
  it('finds every spec and HTML operation of the candidate (anonymous crawl), with their sources', () => {
    const found = new Map(surface.operations.map((o) => [routeKey(o.method, o.path), o]));
    for (const op of loadManifest().operations.filter((o) => o.variants.includes('candidate'))) {
      const key = `${op.method} ${op.path}`;
      if (SIGNED_IN_ONLY.has(key)) continue;
      for (const source of op.sources.filter((s) => s === 'spec' || s === 'html')) {
        expect(found.get(routeKey(op.method, op.path))?.sources, key).toContain(source);
      }
    }
    expect(surface.spec).toEqual({ location: '/openapi.json', version: '3.0.3' });
    // The only warning: the safe twin's endpoint refuses introspection, and its field is rebuilt from suggestions.
    expect(surface.warnings).toEqual([expect.stringMatching(/^GraphQL endpoint \/api\/v1\/graphql: introspection is disabled .*1 root field rebuilt from field suggestions/)]);
    expect(surface.operations.filter((o) => o.path === '/api/v1/graphql').map((o) => o.graphql?.field)).toEqual(['product']);
  });

  it('stays fast and cheap', () => {
    expect(ms).toBeLessThan(10_000);
    expect(sent).toBeLessThan(40);
  });
});
