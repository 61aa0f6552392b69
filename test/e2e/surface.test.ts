// test/e2e/surface.test.ts — `vouch gate` on the lab from root URLs alone (no spec given): the candidate's surface has
// every operation of lab/manifest.json (spec, HTML-only, SPA-only, shadow) with its observed authentication, and
// the surface diff against the baseline is exactly the planted changes (derived from the manifest's variants).
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLab, type RunningLab } from '../../lab/server.js';
import type { Report } from '../../src/core/index.js';
import { validateReport } from '../../src/report/index.js';
import { root, vouch } from './cli.js';

interface ManifestOp {
  method: string;
  path: string;
  auth: 'none' | 'required';
  sources: string[];
  variants: Array<'baseline' | 'candidate'>;
  authBaseline?: 'none' | 'required';
  graphql?: string[];
}
const manifest = JSON.parse(readFileSync(join(root, 'lab', 'manifest.json'), 'utf8')) as { operations: ManifestOp[] };
const id = (o: { method: string; path: string }): string => `${o.method} ${o.path}`;
/** A manifest route's operation ids: one per GraphQL root field (`POST /api/graphql query.product`). */
const ids = (o: ManifestOp): string[] => (o.graphql ? o.graphql.map((f) => `${id(o)} ${f}`) : [id(o)]);

// The lab's identities, no spec (discovery finds /openapi.json itself), no excluded paths, plus a form-login
// identity (the HTML notes pages take the session cookie only).
const web = `  web:
    role: user
    login: { form: { url: /login, fields: { username: alice, password: alice-pass }, success: { status: 302, cookie: sid, location: /notes } } }
`;
const config = readFileSync(join(root, 'lab', 'vouch.yaml'), 'utf8')
  .replace(/^\s*spec: .*\n/m, '')
  .replace(/^scope:\n\s*exclude: .*\n/m, '')
  .replace(/^budget:/m, `${web}budget:`);

const tmp = mkdtempSync(join(tmpdir(), 'vouch-surface-'));
let base: RunningLab;
let cand: RunningLab;
let report: Report;
let discoverMs: number[] = [];

beforeAll(async () => {
  [base, cand] = await Promise.all([startLab({ variant: 'baseline' }), startLab({ variant: 'candidate' })]);
  const cfg = join(tmp, 'vouch.yaml');
  writeFileSync(cfg, config);
  const out = join(tmp, 'gate');
  const r = await vouch(['gate', '--candidate', cand.url, '--baseline', base.url, '--check', 'shadow-endpoint', '--config', cfg, '--out', out, '--format', 'json,markdown', '--json'], {
    env: { VOUCH_HISTORY: join(tmp, 'history.db') },
  });
  expect(r.stderr).not.toMatch(/at .*\.js:\d+/); // no stack trace
  if (r.code !== 0 && r.code !== 1) throw new Error(`vouch gate exited ${r.code}: ${r.stderr}\n${r.stdout.slice(-2000)}`);
  report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as Report;
  discoverMs = r.stdout
    .split('\n')
    .filter((l) => l.includes('"stage-finished"') && l.includes('"discover"'))
    .map((l) => (JSON.parse(l) as { ms: number }).ms);
}, 180_000);
afterAll(async () => {
  await Promise.all([base, cand].map((l) => l?.close()));
});

describe('surface from the root URL alone', () => {
  it('writes a valid report and says how long discovery took', () => {
    expect(validateReport(report)).toEqual({ valid: true });
    expect(discoverMs).toHaveLength(2);
    console.log(`discovery of the lab (baseline, candidate), browser included: ${discoverMs.join(' ms, ')} ms`);
  });

  it('finds every operation of the manifest with its observed authentication and sources', () => {
    const ops = new Map(report.surface.operations.map((o) => [o.id, o]));
    const expected = manifest.operations.filter((o) => o.variants.includes('candidate')).flatMap((o) => ids(o).map((key) => ({ ...o, key })));
    const missing = expected.filter((o) => !ops.has(o.key)).map((o) => o.key);
    expect(missing, `not discovered: ${missing.join(', ')}; warnings: ${report.surface.warnings.join(' | ')}`).toEqual([]);
    // A GraphQL field's authentication is not observed (one endpoint, many fields): its declaration stands, unknown.
    const wrongAuth = expected.filter((o) => !o.graphql && ops.get(o.key)!.auth !== o.auth).map((o) => `${o.key}: ${ops.get(o.key)!.auth}, manifest ${o.auth}`);
    expect(wrongAuth).toEqual([]);
    for (const o of expected) {
      const got = ops.get(o.key)!;
      // spa and shadow are what this half of discovery adds: they must be named as such.
      for (const s of o.sources.filter((x) => x === 'spa' || x === 'shadow' || x === 'spec' || x === 'graphql')) expect(got.sources, o.key).toContain(s);
    }
    expect(ops.get('GET /api/users')?.declaredAuth).toBe('required'); // the spec still says so: ignored-auth's lead
  });

  it('infers the producer → consumer links the spec does not give', () => {
    const linksOf = (op: string): string[] => (report.surface.operations.find((o) => o.id === op)?.links ?? []).map((l) => `${l.field} → ${l.operation}:${l.parameter}`);
    expect(linksOf('POST /api/orders')).toContain('id → GET /api/orders/{id}:id');
    expect(linksOf('GET /api/products')).toContain('[].id → GET /api/app/recommendations:productId');
  });

  it('lists exactly the planted surface changes against the baseline', () => {
    const only = (v: 'baseline' | 'candidate'): string[] => manifest.operations.filter((o) => o.variants.length === 1 && o.variants[0] === v).flatMap(ids).sort();
    const s = report.comparison!.surface;
    expect(s.added).toEqual(only('candidate'));
    expect(s.removed).toEqual(only('baseline'));
    const authChanged = manifest.operations.filter((o) => o.authBaseline && o.authBaseline !== o.auth).map((o) => ({ operation: id(o), from: o.authBaseline, to: o.auth }));
    expect(s.authChanged).toEqual(authChanged);
    expect(s.shadow).toEqual(manifest.operations.filter((o) => o.sources.includes('shadow') && o.variants.includes('candidate')).map(id).sort());
    expect(s.zombie).toEqual([]);
    expect(s.paramsChanged).toEqual([]);
    // The gate's default rules fail on lost authentication, and the shadow route is a confirmed finding.
    expect(report.verdict.reasons.map((r) => r.rule)).toContain('auth-lost');
    expect(report.findings.find((f) => f.checkId === 'shadow-endpoint' && f.operation.path === '/api/internal/stats')?.confidence).toBe('confirmed');
  });
});
