// test/e2e/cli-input.test.ts — input refused before any work: credentials in a target URL and unusable --out folders,
// each one line, exit 2, nothing written; and --format md, which is markdown.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveFixture, sendJson, type Fixture } from '../../src/checks/kit/fixture.js';
import { vouch } from './cli.js';

const tmp = mkdtempSync(join(tmpdir(), 'vouch-input-'));
const PASSWORD = 's3cret-Pa55word';
let app: Fixture;
let hits = 0;
let n = 0;

beforeAll(async () => {
  app = await serveFixture((_q, res) => {
    hits++;
    sendJson(res, 200, { ok: true });
  });
});
afterAll(async () => {
  await app.close();
});

/** A fresh, empty working folder whose history store is inside it: whatever vouch writes lands there. */
function workdir(): { cwd: string; env: NodeJS.ProcessEnv } {
  const cwd = join(tmp, `w${++n}`);
  mkdirSync(cwd);
  return { cwd, env: { VOUCH_HISTORY: join(cwd, '.vouch', 'history.db') } };
}

const withCredentials = (url: string): string => url.replace('http://', `http://admin:${PASSWORD}@`);

describe('credentials in a target URL', () => {
  const cases: Array<[string, (url: string) => string[], RegExp]> = [
    ['scan <url>', (u) => ['scan', withCredentials(u)], /^error VOUCH_CONFIG_INVALID: the target URL http:\/\/\*\*\*@127\.0\.0\.1:\d+ has credentials in it: .*identities/],
    ['scan --queue', (u) => ['scan', withCredentials(u), '--queue'], /^error VOUCH_CONFIG_INVALID: the target URL http:\/\/\*\*\*@/],
    ['gate --candidate', (u) => ['gate', '--candidate', withCredentials(u)], /^error VOUCH_CONFIG_INVALID: --candidate http:\/\/\*\*\*@/],
    ['gate --baseline', (u) => ['gate', '--candidate', u, '--baseline', withCredentials(u)], /^error VOUCH_CONFIG_INVALID: --baseline http:\/\/\*\*\*@/],
    ['audit <url>', (u) => ['audit', withCredentials(u), '--identity', 'x'], /^error VOUCH_CONFIG_INVALID: the target URL http:\/\/\*\*\*@/],
    ['a user without password', (u) => ['scan', u.replace('http://', 'http://token@')], /^error VOUCH_CONFIG_INVALID: the target URL http:\/\/\*\*\*@/],
  ];
  it.each(cases)('%s: one line, exit 2, the password shown nowhere, nothing written', async (_name, args, line) => {
    const { cwd, env } = workdir();
    const before = hits;
    const r = await vouch([...args(app.url), '--out', join(cwd, 'out'), '-q'], { cwd, env });
    expect(r.code).toBe(2);
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(line);
    expect(r.stderr).toContain('docs/config.md#identities');
    expect(r.stdout + r.stderr).not.toContain(PASSWORD);
    expect(readdirSync(cwd)).toEqual([]);
    expect(hits).toBe(before);
  });

  it('target.url in vouch.yaml: refused as a config error naming the key, before anything is written', async () => {
    const { cwd, env } = workdir();
    const cfg = join(tmp, `creds${n}.yaml`);
    writeFileSync(cfg, `target:\n  url: ${withCredentials(app.url)}\n`);
    const r = await vouch(['scan', app.url, '--config', cfg, '--out', join(cwd, 'out'), '-q'], { cwd, env });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`error VOUCH_CONFIG_INVALID: ${cfg}: target.url: has credentials in it:`);
    expect(r.stdout + r.stderr).not.toContain(PASSWORD);
    expect(readdirSync(cwd)).toEqual([]);
  });
});

describe('--out', () => {
  it('naming a file: one line naming the path and what to do, exit 2, no stack', async () => {
    const { cwd, env } = workdir();
    const file = join(cwd, 'report.txt');
    writeFileSync(file, 'keep me\n');
    const r = await vouch(['scan', app.url, '--out', file, '-q'], { cwd, env });
    expect(r.code).toBe(2);
    expect(r.stderr.trimEnd().split('\n')).toEqual([`error VOUCH_USAGE: --out ${file}: is a file, not a folder; give --out a folder vouch may write to (it is created when missing)`]);
    expect(readdirSync(cwd)).toEqual(['report.txt']);
  });

  it('under a file (it cannot be created): one line naming the file in the way, for gate, audit and demo alike', async () => {
    const { cwd, env } = workdir();
    const file = join(cwd, 'f');
    writeFileSync(file, '');
    const out = join(file, 'sub', 'dir');
    for (const args of [['gate', '--candidate', app.url], ['audit', app.url, '--identity', 'x'], ['demo']]) {
      const r = await vouch([...args, '--out', out, '-q'], { cwd, env });
      expect(r.code).toBe(2);
      expect(r.stderr.trimEnd().split('\n')).toEqual([`error VOUCH_USAGE: --out ${out}: cannot be created: ${file} is a file; give --out a folder vouch may write to (it is created when missing)`]);
    }
    expect(readdirSync(cwd)).toEqual(['f']);
  });
});

describe('--format md', () => {
  it('is markdown: summary.md is written', async () => {
    const { cwd, env } = workdir();
    const spec = join(cwd, 'openapi.json');
    writeFileSync(spec, JSON.stringify({ openapi: '3.0.3', info: { title: 't', version: '1' }, paths: { '/a': { get: { responses: { 200: { description: 'ok' } } } } } }));
    const out = join(cwd, 'out');
    const r = await vouch(['scan', app.url, '--spec', spec, '--check', 'security-headers', '--format', 'md', '--out', out, '-q'], { cwd, env });
    expect(r.stderr).not.toMatch(/unknown report format/);
    expect(r.stdout).toContain(`markdown  ${join(out, 'summary.md')}`);
    expect(readdirSync(out).filter((f) => !f.endsWith('.jsonl'))).toEqual(['summary.md']);
    expect(existsSync(join(out, 'report.json'))).toBe(false);
  });
});
