// test/e2e/inspect.test.ts — `vouch inspect` on the lab's spec: by URL (one audited GET), as a file (--json), broken input.
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openApiDocument } from '../../lab/openapi.js';
import { startLab, type RunningLab } from '../../lab/server.js';
import { allChecks } from '../../src/checks/index.js';
import { analyseSpec } from '../../src/inspect/analyse.js';
import { inspectDocument, type InspectDocument } from '../../src/inspect/format.js';
import { vouch } from './cli.js';

const tmp = mkdtempSync(join(tmpdir(), 'vouch-inspect-'));
const specFile = join(tmp, 'lab-openapi.json');
let lab: RunningLab;

beforeAll(async () => {
  lab = await startLab({ variant: 'candidate' });
  writeFileSync(specFile, JSON.stringify(openApiDocument('candidate'), null, 2));
});
afterAll(() => lab.close());

/** Operations the lab's spec declares (method × path). */
const declared = (): number =>
  Object.values(openApiDocument('candidate').paths as Record<string, object>).reduce((n, item) => n + Object.keys(item).filter((k) => ['get', 'post', 'put', 'patch', 'delete'].includes(k)).length, 0);

describe('vouch inspect', () => {
  it.concurrent('inspects the lab spec by URL: surface, examples on the lab origin, one audited GET and nothing else', async () => {
    const cwd = mkdtempSync(join(tmp, 'url-'));
    const r = await vouch(['inspect', `${lab.url}/openapi.json`, '--examples', '2', '--seed', '11'], { cwd });
    expect(r.stderr).toMatch(/audit log \.vouch\/inspect\/.+\/audit\.jsonl/);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Lab Shop API — http:\/\/127\.0\.0\.1:\d+\/openapi\.json \(OpenAPI 3\.0\.3\)$/m);
    expect(r.stdout).toContain(`${declared()} operations in`);
    expect(r.stdout).toMatch(/^orders \(\d+\)$/m);
    expect(r.stdout).toMatch(/^ {2}POST {4}\/api\/orders/m);
    expect(r.stdout).toContain('body  application/json {productId: integer, quantity: integer}');
    expect(r.stdout).toContain(`curl -X POST '${lab.url}/api/orders' -H 'authorization: Bearer {bearerAuth}' -H 'content-type: application/json' --data-raw '{"productId":2,"quantity":1}'`);
    expect(r.stdout).toMatch(/^ {6}- /m);
    // Nothing but the spec itself was requested, and that request is in the audit log.
    const dir = join(cwd, '.vouch', 'inspect');
    const lines = readFileSync(join(dir, readdirSync(dir)[0]!, 'audit.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { method: string; url: string; outcome: string });
    expect(lines).toEqual([expect.objectContaining({ method: 'GET', url: `${lab.url}/openapi.json`, outcome: 'sent' })]);
  });

  it.concurrent('--json of a spec file parses and matches the in-process analysis for the same seed', async () => {
    const r = await vouch(['inspect', specFile, '--json', '--examples', '1', '--seed', '5'], { cwd: tmp });
    expect(r.code).toBe(0);
    const got = JSON.parse(r.stdout) as InspectDocument;
    const want = inspectDocument(await analyseSpec({ text: readFileSync(specFile, 'utf8'), location: specFile }, { positives: 1, negatives: 1, seed: 5, plan: { checks: allChecks, safeMode: true } }), { examples: 1, seed: 5 });
    const noMs = (d: InspectDocument) => ({ ...d, operations: d.operations.map((o) => ({ ...o, ms: 0 })) });
    expect(noMs(got)).toEqual(noMs(want));
    expect(got.baseUrl).toBe('{baseUrl}');
    expect(got.summary.operations).toBe(declared());
    expect(got.operations.every((o) => o.examples.length > 0 && o.examples[0]!.curl.startsWith("curl -X "))).toBe(true);
    expect(r.stderr).not.toContain('audit log');
  });

  it.concurrent('a broken spec file gives one clear error naming the line, exit 2, no stack trace', async () => {
    const bad = join(tmp, 'broken.json');
    writeFileSync(bad, '{\n  "openapi": "3.0.3",\n  "paths": {\n    "/a": { "get": }\n  }\n}\n');
    const r = await vouch(['inspect', bad], { cwd: tmp });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.split('\n')[0]).toMatch(new RegExp(`^error VOUCH_SPEC_INVALID: ${bad.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} line 4: not valid JSON`));
    expect(r.stderr).not.toMatch(/\n\s+at /);
    const missing = await vouch(['inspect', join(tmp, 'nope.yaml')], { cwd: tmp });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/^error VOUCH_SPEC_INVALID: .*nope\.yaml: spec file not found/);
  });
});
