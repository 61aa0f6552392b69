// src/inspect/format.test.ts — the inspect writers: grouping, escaping of untrusted spec text, curl lines, no secrets.
import { describe, expect, it } from 'vitest';
import { allChecks } from '../checks/index.js';
import { analyseSpec } from './analyse.js';
import { curlLine, escapeControl, shellQuote } from './curl.js';
import { inspectDocument, inspectJson, inspectText } from './format.js';

const SPEC = {
  openapi: '3.1.0',
  info: { title: 'Evil\u001b[31m API\nline', version: '1' },
  servers: [{ url: 'https://{region}.example.test/v1', variables: { region: { default: 'eu' } } }],
  components: {
    securitySchemes: {
      keyAuth: { type: 'apiKey', in: 'header', name: 'X-Api-Key' },
      basic: { type: 'http', scheme: 'basic' },
    },
  },
  paths: {
    '/items': {
      get: {
        tags: ['items'],
        summary: 'List\u0007 items',
        security: [{ keyAuth: [] }],
        parameters: [
          { name: 'X-Api-Key', in: 'header', required: true, schema: { type: 'string' }, example: 'live-key-123456' },
          { name: 'q', in: 'query', required: true, schema: { type: 'string' }, example: "it's\u001b[2J" },
        ],
        responses: { '200': { description: 'ok' } },
      },
    },
    '/items/{id}': {
      put: {
        tags: ['items', 'admin'],
        security: [{ basic: [] }],
        parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'integer' }, example: 4 }],
        requestBody: { content: { 'application/json': { schema: { type: 'object', required: ['name'], properties: { name: { type: 'string', minLength: 1, maxLength: 5 }, secret: { type: 'string', example: 'hunter2-password' } } } } } },
        responses: { '200': { description: 'ok' } },
      },
    },
    '/health': { get: { responses: { '200': { description: 'ok' } } } },
  },
};

const analyse = () => analyseSpec({ doc: structuredClone(SPEC), location: 'evil.json' }, { positives: 2, negatives: 2, seed: 3, plan: { checks: allChecks, safeMode: true } });

describe('escaping', () => {
  it('makes control characters visible', () => {
    expect(escapeControl('a\u001b[31mb\nc\u202ed')).toBe('a\\x1b[31mb\\x0ac\\u202ed');
  });
  it('quotes shell words, with ANSI-C quoting when control characters are present', () => {
    expect(shellQuote("it's")).toBe(`'it'\\''s'`);
    expect(shellQuote('a\u001bb\\')).toBe(`$'a\\x1bb\\\\'`);
    expect(curlLine({ method: 'GET', url: 'http://x/a', headers: [['k', 'v\n']] })).toBe(`curl -X GET 'http://x/a' -H $'k: v\\x0a'`);
  });
});

describe('inspectText', () => {
  it('groups by first tag, lists parameters, body, auth and plan, and escapes every spec string', async () => {
    const text = inspectText(await analyse(), { examples: 2, seed: 3 });
    // No raw control character reaches the terminal (newlines only as line ends)
    expect([...text].some((ch) => ch !== '\n' && (ch < ' ' || ch === '\u007f'))).toBe(false);
    expect(text).toContain('Evil\\x1b[31m API\\x0aline — evil.json (OpenAPI 3.1.0)');
    expect(text).toContain('base URL https://eu.example.test');
    expect(text).toMatch(/^items \(2\)$/m);
    expect(text).toMatch(/^\(untagged\) \(1\)$/m);
    expect(text).toMatch(/GET {5}\/v1\/items {2}— List\\x07 items/);
    expect(text).toMatch(/query\s+q\s+string\s+required/);
    expect(text).toContain('body  application/json {name: string, secret?: string}');
    expect(text).toContain('auth  basic; also tagged admin');
    expect(text).toMatch(/plan {2}\d+ checks? would run in safe mode/);
  });

  it('prints examples as curl lines with credential placeholders and no secret values', async () => {
    const text = inspectText(await analyse(), { examples: 2, seed: 3, redact: (s) => s.split('test').join('[REDACTED]') });
    expect(text).not.toContain('live-key-123456');
    expect(text).not.toContain('hunter2-password');
    // a secret-named body field shows its placeholder; configured secrets are scrubbed
    expect(text).toContain(`--data-raw '{"name":"[REDACTED]","secret":"{secret}"}'`);
    expect(text).toContain(`-H 'X-Api-Key: {keyAuth}'`);
    expect(text).toContain(`-H 'authorization: Basic {basic}'`);
    // the query value's escape character is percent-encoded; a raw one in a header would use $'…' quoting
    expect(text).toContain(`curl -X GET 'https://eu.example.test/v1/items?q=it'\\''s%1B%5B2J'`);
    expect(text).toMatch(/\+ spec example/);
    expect(text).toMatch(/^ {6}- required body missing\n {8}curl -X PUT 'https:\/\/eu.example.test\/v1\/items\/4' -H 'authorization: Basic \{basic\}'$/m);
  });

  it('prints no examples without --examples', async () => {
    const text = inspectText(await analyse(), { examples: 0, seed: 3 });
    expect(text).not.toContain('curl');
  });
});

describe('inspectDocument', () => {
  it('has the documented shape, positives before negatives, the same for the same seed', async () => {
    const a = inspectDocument(await analyse(), { examples: 2, seed: 3 });
    const b = inspectDocument(await analyse(), { examples: 2, seed: 3 });
    const noMs = (d: typeof a) => JSON.stringify({ ...d, operations: d.operations.map((o) => ({ ...o, ms: 0 })) });
    expect(noMs(a)).toBe(noMs(b));
    expect(a).toMatchObject({ format: 1, location: 'evil.json', specVersion: '3.1.0', baseUrl: 'https://eu.example.test', seed: 3 });
    expect(a.summary).toEqual({ operations: 3, tags: 2, warnings: 0, unusable: 0, timedOut: 0, withoutExamples: 0 });
    const put = a.operations.find((o) => o.id === 'PUT /v1/items/{id}')!;
    expect(put.parameters).toEqual([{ in: 'path', name: 'id', type: 'integer', required: true }]);
    expect(put.security).toEqual(['basic']);
    const valid = put.examples.map((x) => x.valid);
    expect(valid.indexOf(false)).toBeGreaterThan(0);
    expect(valid.slice(valid.indexOf(false)).every((v) => !v)).toBe(true);
    expect(put.examples[0]!.request.url).toBe('https://eu.example.test/v1/items/4');
    expect(put.examples.find((x) => !x.valid)?.breaks?.keyword).toBeTruthy();
    expect(put.plan?.safeMode).toBe(true);
    expect(put.plan?.checks).toEqual([]);
    expect(put.plan?.skipped.some((s) => /safe mode/.test(s.reason))).toBe(true);
  });

  it('--json text escapes DEL, C1 and bidi characters too, and parses back to the same document', async () => {
    const doc = inspectDocument(await analyse(), { examples: 0, seed: 3 });
    doc.title = 'a\u202eb\u0085c\u001bd';
    const text = inspectJson(doc);
    expect([...text].some((ch) => ch !== '\n' && (ch < ' ' || (ch >= '\u007f' && ch <= '\u009f') || (ch >= '\u202a' && ch <= '\u202e')))).toBe(false);
    expect(text).toContain('"title": "a\\u202eb\\u0085c\\u001bd"');
    expect(JSON.parse(text)).toEqual(doc);
  });
});
