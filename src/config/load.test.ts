// src/config/load.test.ts — vouch.yaml loading: defaults, env substitution, and one clear line per mistake.
import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { VouchError } from '../core/index.js';
import { SELF_SIGNED_CERT } from '../../test/support/tls.js';
import { loadConfig, parseConfig } from './load.js';
import { checkEntries, resolveRun } from './resolve.js';

const fails = (text: string, env: NodeJS.ProcessEnv = {}): VouchError => {
  try {
    parseConfig(text, 'vouch.yaml', env);
  } catch (e) {
    if (e instanceof VouchError) return e;
    throw e;
  }
  throw new Error('expected the config to be refused');
};

describe('vouch.yaml', () => {
  it('fills defaults for an empty file', () => {
    const c = parseConfig('', 'vouch.yaml');
    expect(c.target.environment).toBe('staging');
    expect(c.budget.requests).toBe(20_000);
    expect(c.identities).toEqual({});
  });

  it('takes checks.strength beside per-check entries; --strength overrides it; a wrong value is named', () => {
    const c = parseConfig('checks:\n  strength: high\n  sql-injection: { enabled: false }\n', 'vouch.yaml');
    expect(checkEntries(c)).toEqual([['sql-injection', { enabled: false }]]);
    expect(resolveRun(c, { url: 'http://127.0.0.1:1' }).strength).toBe('high');
    expect(resolveRun(c, { url: 'http://127.0.0.1:1', strength: 'low' }).strength).toBe('low');
    expect(resolveRun(parseConfig('', 'vouch.yaml'), { url: 'http://127.0.0.1:1' }).strength).toBe('default');
    const e = fails('checks:\n  strength: brutal\n');
    expect(e.code).toBe('VOUCH_CONFIG_INVALID');
    expect(e.message).toContain('checks.strength');
  });

  it('target.tls: verifies by default; reads a CA file; refuses one it cannot read or that holds no certificate', () => {
    const url = 'https://127.0.0.1:1';
    expect(resolveRun(parseConfig('', 'vouch.yaml'), { url }).tls).toEqual({ verify: true });
    expect(resolveRun(parseConfig('target:\n  tls: { verify: false }\n', 'vouch.yaml'), { url }).tls).toEqual({ verify: false });
    const dir = mkdtempSync(join(tmpdir(), 'vouch-tls-'));
    writeFileSync(join(dir, 'ca.pem'), SELF_SIGNED_CERT);
    writeFileSync(join(dir, 'ca.der'), Buffer.from([0x30, 0x82, 0x01, 0x0a]));
    const withCa = (path: string) => resolveRun(parseConfig(`target:\n  tls: { ca: ${JSON.stringify(path)} }\n`, 'vouch.yaml'), { url });
    expect(withCa(join(dir, 'ca.pem')).tls).toEqual({ verify: true, ca: SELF_SIGNED_CERT });
    const refused = (path: string): VouchError => {
      try {
        withCa(path);
      } catch (e) {
        if (e instanceof VouchError) return e;
        throw e;
      }
      throw new Error('expected target.tls.ca to be refused');
    };
    expect(refused(join(dir, 'missing.pem'))).toMatchObject({ code: 'VOUCH_CONFIG_INVALID', message: expect.stringMatching(/target\.tls\.ca: cannot read .*missing\.pem \(ENOENT\)/) as unknown });
    expect(refused(join(dir, 'ca.der')).message).toMatch(/holds no PEM certificate/);
    expect(fails('target:\n  tls: { verify: maybe }\n').message).toContain('target.tls.verify');
  });

  it('fills discovery defaults, keeps what is given, and refuses a bad limit', () => {
    expect(parseConfig('', 'vouch.yaml').discovery).toEqual({ crawl: true, maxPages: 200, maxDepth: 5, samplesPerTemplate: 2, maxIdlePages: 25, timeLimitMs: 60_000, browser: { maxPages: 40, maxIdlePages: 10, timeLimitMs: 90_000 }, robots: true, graphql: true, har: [], postman: [] });
    const c = parseConfig('discovery:\n  maxPages: 10\n  har: [a.har]\n', 'vouch.yaml');
    expect(c.discovery).toMatchObject({ maxPages: 10, har: ['a.har'], samplesPerTemplate: 2 });
    expect(fails('discovery:\n  samplesPerTemplate: 0\n').message).toContain('discovery.samplesPerTemplate');
  });

  it('names an unknown key and the file', () => {
    const e = fails('target:\n  environment: local\n  colour: blue\n');
    expect(e.code).toBe('VOUCH_CONFIG_INVALID');
    expect(e.message).toContain('vouch.yaml: target');
    expect(e.message).toContain('colour');
  });

  it('names a wrong type with its key path', () => {
    const e = fails('budget:\n  requests: lots\n');
    expect(e.message).toMatch(/^vouch\.yaml: budget\.requests: /);
  });

  it('reports YAML syntax errors with a line', () => {
    const e = fails('target:\n  environment: [local\n');
    expect(e.message).toMatch(/vouch\.yaml: line \d+/);
  });

  it('accounts: auto registers throwaway accounts besides named identities; off or identities: off keeps them out', () => {
    const url = 'http://127.0.0.1:1';
    const named = 'identities:\n  alice:\n    bearer: a\n';
    expect(resolveRun(parseConfig(named, 'vouch.yaml'), { url }).autoIdentities).toBe(false);
    const both = resolveRun(parseConfig(`${named}accounts: auto\n`, 'vouch.yaml'), { url });
    expect(both.autoIdentities).toBe(true);
    expect(both.identities.map((i) => i.name)).toEqual(['anonymous', 'alice']);
    expect(resolveRun(parseConfig('', 'vouch.yaml'), { url }).autoIdentities).toBe(true);
    expect(resolveRun(parseConfig('accounts: off\n', 'vouch.yaml'), { url }).autoIdentities).toBe(false);
    expect(fails('identities: off\naccounts: auto\n').message).toMatch(/^vouch\.yaml: accounts: accounts: auto registers users, identities: off/);
    expect(fails('accounts: yes\n').message).toMatch(/^vouch\.yaml: accounts: /);
  });

  it('refuses two kinds of credentials on one identity', () => {
    const e = fails('identities:\n  alice:\n    bearer: a\n    cookie: { name: s, value: b }\n');
    expect(e.message).toContain('identities.alice');
  });

  it('substitutes environment variables and refuses unset ones', () => {
    const c = parseConfig('identities:\n  bot:\n    bearer: ${BOT_TOKEN}\n', 'vouch.yaml', { BOT_TOKEN: 'tok-123' });
    expect(c.identities.bot?.bearer).toBe('tok-123');
    expect(fails('identities:\n  bot:\n    bearer: ${BOT_TOKEN}\n').message).toContain('BOT_TOKEN is not set');
    expect(parseConfig('identities:\n  bot:\n    bearer: ${BOT_TOKEN:-dflt}\n', 'vouch.yaml', {}).identities.bot?.bearer).toBe('dflt');
  });

  it('login recipes: a step variable is left for the login, only where a step extracts it; bad recipes are named', () => {
    const yaml = (v: string): string =>
      `identities:\n  web:\n    login:\n      steps: [ { get: /login, extract: { csrf: { field: csrf } } } ]\n      form: { url: /login, fields: { csrf: "\${${v}}" } }\n`;
    expect(parseConfig(yaml('csrf'), 'vouch.yaml', {}).identities.web?.login?.form?.fields).toEqual({ csrf: '${csrf}' });
    // An environment variable the steps do not extract is still required.
    expect(fails(yaml('OTHER')).message).toContain('OTHER is not set');
    expect(fails('identities:\n  a:\n    login: { json: { url: /l, body: {} } }\n').message).toMatch(/identities\.a\.login\.json: give one of tokenPath, token/);
    expect(fails('identities:\n  a:\n    login: { steps: [ { get: /x, post: /y } ], form: { url: /l, fields: {} } }\n').message).toMatch(/identities\.a\.login\.steps\.0: a login step has one of get, post/);
    expect(fails('identities:\n  a:\n    login: { form: { url: /l, fields: {}, token: { query: x } } }\n').message).toContain('identities.a.login.form.token');
    const run = resolveRun(
      parseConfig('identities:\n  bc:\n    login: { json: { url: /l, body: { user: u, password: pw-1 }, token: { header: Authorization }, send: { scheme: none }, lifetime: 60 } }\n', 'f', {}),
      { url: 'http://127.0.0.1:1' },
    );
    expect(run.identities[1]?.auth).toEqual({ kind: 'json-login', url: '/l', body: { user: 'u', password: 'pw-1' }, token: { from: 'header', name: 'Authorization' }, send: { header: 'Authorization' }, lifetimeMs: 60_000 });
    expect(run.secrets).toContain('pw-1');
    // Passwords that spell a key or the user name are not masked by value (they would hide /api/users, `password`).
    const weak = resolveRun(
      parseConfig('identities:\n  u:\n    login: { json: { url: /l, body: { user: user, password: user }, tokenPath: t } }\n  d:\n    login: { form: { url: /l, fields: { username: admin, password: password } } }\n', 'f', {}),
      { url: 'http://127.0.0.1:1' },
    );
    expect(weak.secrets).toEqual([]);
  });

  it('says a missing explicit file is missing', () => {
    expect(() => loadConfig('/nonexistent/vouch.yaml')).toThrow(/nonexistent\/vouch\.yaml: file not found/);
  });

  it('resolves identities, scope and safe mode, collecting secrets to redact', () => {
    const c = parseConfig(
      'target:\n  environment: production\nidentities:\n  alice:\n    login: { json: { url: /api/login, body: { username: alice, password: s3cret-pw }, tokenPath: token } }\n  bot:\n    bearer: tok-abc\n',
      'vouch.yaml',
    );
    const run = resolveRun(c, { url: 'http://127.0.0.1:9999/' });
    expect(run.safeMode).toBe(true);
    expect(run.scope.origins).toEqual(['http://127.0.0.1:9999']);
    expect(run.identities.map((i) => i.name)).toEqual(['anonymous', 'alice', 'bot']);
    expect(run.secrets).toEqual(expect.arrayContaining(['s3cret-pw', 'tok-abc']));
  });

  it('refuses a target URL that is not http(s)', () => {
    expect(() => resolveRun(parseConfig('', 'x'), { url: 'ftp://x' })).toThrow(VouchError);
    expect(() => resolveRun(parseConfig('', 'x'), {})).toThrow(/no target URL/);
  });
});

describe('policy per environment', () => {
  it('uses the environment\'s rules when given, else the general ones', async () => {
    const { rulesFor } = await import('../engine/scan.js');
    const c = parseConfig('policy:\n  rules:\n    - { id: general, when: { severity: [high] } }\n  environments:\n    production:\n      rules:\n        - { id: prod-strict, when: { severity: [medium, high] } }\n', 'vouch.yaml');
    expect(rulesFor(c, 'production')?.map((r) => r.id)).toEqual(['prod-strict']);
    expect(rulesFor(c, 'staging')?.map((r) => r.id)).toEqual(['general']);
  });
});
