// src/report/spec-lines.test.ts — operation lines from YAML and JSON OpenAPI text, with server base paths; specSource.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SPEC_LINES_MAX, specLines } from './spec-lines.js';
import { repositoryRoot, specSource } from './write.js';

const YAML = `openapi: 3.0.3
info: { title: shop, version: '1' }
servers:
  - url: https://shop.example.com/{base}
    variables: { base: { default: api/v1 } }
paths:
  /users/{id}:
    parameters:
      - { name: id, in: path, required: true, schema: { type: string } }
    get:
      responses: { '200': { description: ok } }
    delete:
      responses: { '204': { description: gone } }
  /search:
    post:
      responses: { '200': { description: ok } }
    x-note: not an operation
`;

/** The 1-based line of the first line of `text` that `line` matches. */
const lineOf = (text: string, line: RegExp): number => text.split('\n').findIndex((l) => line.test(l)) + 1;

describe('specLines', () => {
  it('maps each operation of a YAML document to the line of its method key', () => {
    const lines = specLines(YAML);
    expect(lines.get('GET /users/{id}')).toBe(lineOf(YAML, /^ {4}get:/u));
    expect(lines.get('DELETE /users/{id}')).toBe(lineOf(YAML, /^ {4}delete:/u));
    expect(lines.get('POST /search')).toBe(lineOf(YAML, /^ {4}post:/u));
    // Keys that are not methods are no operations.
    expect([...lines.keys()].some((k) => k.startsWith('PARAMETERS') || k.startsWith('X-NOTE'))).toBe(false);
  });

  it('keys operations with the server base path too, as discovery prefixes them', () => {
    const lines = specLines(YAML);
    expect(lines.get('GET /api/v1/users/{id}')).toBe(lines.get('GET /users/{id}'));
    expect(lines.get('POST /api/v1/search')).toBe(lineOf(YAML, /^ {4}post:/u));
    expect(lines.get('POST /api/v2/search')).toBeUndefined();
  });

  it('reads JSON (pretty or on one line) and Swagger 2.0 basePath', () => {
    const doc = { swagger: '2.0', basePath: '/v2', paths: { '/pets': { get: {}, post: {} }, '/pets/{id}': { put: {} } } };
    const pretty = JSON.stringify(doc, null, 2);
    const lines = specLines(pretty);
    expect(lines.get('GET /pets')).toBe(lineOf(pretty, /^ {6}"get"/u));
    expect(lines.get('POST /v2/pets')).toBe(lineOf(pretty, /^ {6}"post"/u));
    expect(lines.get('PUT /pets/{id}')).toBe(lineOf(pretty, /^ {6}"put"/u));
    expect(lines.get('POST /pets')).not.toBe(lines.get('GET /pets'));
    const flat = specLines(JSON.stringify(doc));
    expect(flat.get('PUT /v2/pets/{id}')).toBe(1);
  });

  it('gives an empty map for text that is no OpenAPI mapping, and for a document over the size limit', () => {
    expect(specLines('- a\n- b\n').size).toBe(0);
    expect(specLines('openapi: 3.0.0\npaths: []\n').size).toBe(0);
    expect(specLines(`openapi: 3.0.0\npaths:\n  /a:\n    get: {}\n${'#'.repeat(SPEC_LINES_MAX)}\n`).size).toBe(0);
  });
});

describe('specSource', () => {
  const repo = mkdtempSync(join(tmpdir(), 'vouch-spec-lines-'));
  mkdirSync(join(repo, '.git'));
  mkdirSync(join(repo, 'api docs'));
  const file = join(repo, 'api docs', 'openapi.yaml');
  writeFileSync(file, YAML);

  it('gives the repository-relative file and its lines for a spec file inside the repository', () => {
    const s = specSource(file, repo);
    expect(s.specFile).toBe('api docs/openapi.yaml');
    expect(s.specLines?.get('GET /users/{id}')).toBe(lineOf(YAML, /^ {4}get:/u));
  });

  it('gives nothing for a URL, a path on the target, a file outside the repository, or no spec', () => {
    expect(specSource('https://shop.example.com/openapi.json', repo)).toEqual({});
    expect(specSource('/openapi.json', repo)).toEqual({});
    expect(specSource(file, join(repo, '.git'))).toEqual({});
    expect(specSource(undefined, repo)).toEqual({});
  });

  it('finds the repository from GITHUB_WORKSPACE, else the nearest .git above the folder', () => {
    expect(repositoryRoot(join(repo, 'api docs'), {})).toBe(repo);
    expect(repositoryRoot('/', { GITHUB_WORKSPACE: repo })).toBe(repo);
  });
});
