// src/discover/bounds.test.ts — server URLs resolved as API tooling does, documents nested too deeply refused with
// their pointer, and $ref unfolding bounded per path item (mutually recursive components).
import { describe, expect, it } from 'vitest';
import { sendHtml, sendJson, serveFixture, type FixtureHandler } from '../checks/kit/fixture.js';
import { VouchError } from '../core/index.js';
import { createEngine } from '../net/index.js';
import { discover } from './index.js';
import { MAX_NESTING, parseSpec, resolveServerUrl, specToOperations, tooDeep } from './openapi.js';

/** Objects in a value counted as a tree (a shared object once per use: what report.json holds). */
function treeSize(v: unknown): number {
  let n = 0;
  const stack = [v];
  while (stack.length) {
    const x = stack.pop();
    if (!x || typeof x !== 'object') continue;
    n++;
    stack.push(...Object.values(x));
  }
  return n;
}

describe('server URLs', () => {
  it('resolve against the directory of the document, never onto the document itself', () => {
    const at = 'http://h:1/openapi.json';
    expect(resolveServerUrl('', at).href).toBe('http://h:1/');
    expect(resolveServerUrl('  ', 'http://h:1/docs/openapi.json').pathname).toBe('/docs/');
    expect(resolveServerUrl('v1', 'http://h:1/docs/openapi.json').pathname).toBe('/docs/v1');
    expect(resolveServerUrl('./api', at).pathname).toBe('/api');
    expect(resolveServerUrl('/api/v1', 'http://h:1/docs/openapi.json').href).toBe('http://h:1/api/v1');
    expect(resolveServerUrl('https://other.example/x', at).href).toBe('https://other.example/x');
  });
});

describe('nesting', () => {
  const deep = (n: number): unknown => {
    let v: unknown = { type: 'string' };
    for (let i = 0; i < n; i++) v = { type: 'object', properties: { n: v } };
    return v;
  };
  /** The text of a spec whose one schema nests `n` levels (written as text: JSON.stringify itself recurses). */
  const specWith = (n: number): string =>
    `{"openapi":"3.0.3","info":{"title":"t","version":"1"},"paths":{"/d":{"post":{"requestBody":{"content":{"application/json":{"schema":` +
    `${'{"type":"object","properties":{"n":'.repeat(n)}{"type":"string"}${'}}'.repeat(n)}}}},"responses":{}}}}}`;

  it('tooDeep names the first place past the limit, and nothing within it', () => {
    expect(tooDeep({ a: { b: [{ c: 1 }] } }, 4)).toBeUndefined();
    expect(tooDeep({ a: { b: [{ c: {} }] } }, 4)).toBe('/a/b/0/c');
    expect(tooDeep({ x: 1, 'a/b': { '~': {} } }, 2)).toBe('/a~1b/~0');
    expect(tooDeep(deep(5000))).toMatch(/^(\/properties\/n)+(\/properties)?$/);
  });

  it('a spec nested past the limit is VOUCH_SPEC_INVALID with the pointer; JSON and YAML; below it reads', () => {
    expect(() => parseSpec(specWith(60), 'ok.json')).not.toThrow();
    for (const depth of [150, 3000]) {
      let err: unknown;
      try {
        parseSpec(specWith(depth), 'deep.json');
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(VouchError);
      expect((err as VouchError).code).toBe('VOUCH_SPEC_INVALID');
      expect((err as VouchError).message).toMatch(new RegExp(`^deep\\.json#/paths/~1d/post/requestBody/content/application~1json/schema(/properties/n)+(/properties)?: nested more than ${MAX_NESTING} levels deep`));
    }
    const yaml = `openapi: 3.0.3\npaths:\n  /d:\n    post:\n      x: ${'{a: '.repeat(3000)}1${'}'.repeat(3000)}\n`;
    expect(() => parseSpec(yaml, 'deep.yaml')).toThrow(/^deep\.yaml( line \d+)?: nested more than 200 levels deep/);
  });
});

describe('$ref unfolding', () => {
  /** `n` components referring to each other, `refs` $refs each. */
  const recursive = (n: number, items: number): Record<string, unknown> => {
    const schemas: Record<string, unknown> = {};
    for (let i = 0; i < n; i++) {
      const r = (k: number): unknown => ({ $ref: `#/components/schemas/C${(i * k + 1) % n}` });
      schemas[`C${i}`] = { type: 'object', required: ['id'], properties: { id: { type: 'integer' }, a: r(7), b: r(13), c: { type: 'array', items: r(31) }, d: { allOf: [r(3)] }, e: { anyOf: [r(11), r(17)] } } };
    }
    const paths: Record<string, unknown> = {};
    for (let j = 0; j < items; j++) paths[`/r${j}`] = { post: { requestBody: { content: { 'application/json': { schema: { $ref: `#/components/schemas/C${(j * 41) % n}` } } } }, responses: {} } };
    return { openapi: '3.0.3', info: { title: 't', version: '1' }, paths, components: { schemas } };
  };

  it('mutually recursive components unfold to a bounded tree per path item, quickly, with one warning', () => {
    const t0 = performance.now();
    const p = specToOperations(recursive(3000, 40), 'r.json');
    const ms = performance.now() - t0;
    expect(p.operations).toHaveLength(40);
    for (const op of p.operations) {
      expect(treeSize(op)).toBeLessThanOrEqual(21_000);
      // cut levels are unresolved refs the generator and validator understand, not missing schemas
      expect(JSON.stringify(op.requestBody?.schema)).toContain('x-vouch-recursive');
      expect(op.requestBody?.schema?.properties).toBeDefined();
    }
    expect(p.warnings.filter((w) => /unfold into more objects than vouch keeps/.test(w))).toHaveLength(1);
    expect(p.warnings[0]).toMatch(/the schemas of 40 path items .* \/r0 \(\d levels\)/);
    expect(ms).toBeLessThan(20_000);
  });

  it('a plainly recursive schema keeps its one-level unfolding and no warning', () => {
    const node = { type: 'object', properties: { v: { type: 'integer' }, kids: { type: 'array', items: { $ref: '#/components/schemas/Node' } } } };
    const doc = { openapi: '3.0.3', info: { title: 't', version: '1' }, paths: { '/t': { post: { requestBody: { content: { 'application/json': { schema: { $ref: '#/components/schemas/Node' } } } }, responses: {} } } }, components: { schemas: { Node: node } } };
    const p = specToOperations(doc, 't.json');
    expect(p.warnings).toEqual([]);
    const schema = p.operations[0]!.requestBody!.schema as { properties: { kids: { items: unknown } } };
    expect(schema.properties.kids.items).toEqual({ $ref: '#/components/schemas/Node', 'x-vouch-recursive': true });
  });
});

describe('the base check', () => {
  const spec = {
    openapi: '3.0.3',
    info: { title: 't', version: '1' },
    servers: [{ url: '/api' }],
    paths: { '/things': { get: { responses: { '200': { description: 'ok', content: { 'application/json': { schema: { type: 'array' } } } } } } } },
  };
  /** The surface and the paths the target saw, for an app whose other paths `rest` answers. */
  async function run(rest: FixtureHandler): Promise<{ ids: string[]; warnings: string[]; seen: string[] }> {
    const seen: string[] = [];
    const site = await serveFixture((req, res, url) => {
      seen.push(url.pathname);
      if (url.pathname === '/openapi.json') return sendJson(res, 200, spec);
      return rest(req, res, url);
    });
    const target = { name: 't', url: site.url, environment: 'local' as const };
    const engine = createEngine({ target, scope: { origins: [site.url], include: [], exclude: [] }, safeMode: false });
    try {
      const surface = await discover({ target, engine, options: { crawl: false, graphql: false } });
      return { ids: surface.operations.map((o) => o.id), warnings: surface.warnings, seen };
    } finally {
      await engine.close();
      await site.close();
    }
  }

  it('a single-page app answering every path with its index page is not where a JSON API lives', async () => {
    const r = await run((_req, res, url) => (url.pathname === '/things' ? sendJson(res, 200, []) : sendHtml(res, 200, '<div id="app"></div>')));
    expect(r.ids).toEqual(['GET /things']);
    expect(r.warnings.join('\n')).toMatch(/servers give \/api, but its operations answer under \/ \(GET \/things → 200; GET \/api\/things → 200 text\/html, what any unknown path gets\)/);
  });

  it('the spec base that answers is kept without a word, after one request', async () => {
    const r = await run((_req, res, url) => (url.pathname === '/api/things' ? sendJson(res, 200, []) : sendJson(res, 404, {})));
    expect(r.ids).toEqual(['GET /api/things']);
    expect(r.warnings.join('\n')).not.toMatch(/OpenAPI base/);
    expect(r.seen.filter((p) => p.endsWith('/things'))).toEqual(['/api/things']);
  });

  it('nothing answering keeps the spec base and says so, within 3 probes a base', async () => {
    const r = await run((_req, res) => sendJson(res, 404, {}));
    expect(r.ids).toEqual(['GET /api/things']);
    expect(r.warnings.join('\n')).toMatch(/OpenAPI base: no documented GET answered under \/api, \/ \(GET \/api\/things → 404; GET \/things → 404\): operations are tested under \/api/);
    expect(r.seen.filter((p) => p.endsWith('/things')).length).toBeLessThanOrEqual(2 * 3);
  });
});
