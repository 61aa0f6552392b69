// src/config/credentials.test.ts — credentials in target URLs: found, masked in the error, refused by vouch.yaml too.
import { describe, expect, it } from 'vitest';
import { VouchError } from '../core/errors.js';
import { hasUrlCredentials, maskUrlCredentials, refuseUrlCredentials } from './credentials.js';
import { parseConfig } from './load.js';
import { resolveRun } from './resolve.js';

describe('credentials in a URL', () => {
  it('finds a user, a password or both, also in a URL that does not parse', () => {
    expect(hasUrlCredentials('http://u:p@127.0.0.1:8080/x')).toBe(true);
    expect(hasUrlCredentials('https://token@example.test')).toBe(true);
    expect(hasUrlCredentials('http://:p@127.0.0.1')).toBe(true);
    expect(hasUrlCredentials('http://u:p@[bad')).toBe(true);
  });

  it('finds none in a plain URL, an @ in the path or query, or a non-URL baseline reference', () => {
    expect(hasUrlCredentials('http://127.0.0.1:8080/users/@me?by=a@b')).toBe(false);
    expect(hasUrlCredentials('last-passing')).toBe(false);
    expect(hasUrlCredentials('reports/report.json')).toBe(false);
  });

  it('refuses with one line that masks the credentials and says where they go', () => {
    expect(maskUrlCredentials('http://admin:hunter22@h:1/p@q')).toBe('http://***@h:1/p@q');
    let error: unknown;
    try {
      refuseUrlCredentials('http://admin:hunter22@127.0.0.1:1', '--candidate');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(VouchError);
    const e = error as VouchError;
    expect(e.code).toBe('VOUCH_CONFIG_INVALID');
    expect(e.message).toMatch(/^--candidate http:\/\/\*\*\*@127\.0\.0\.1:1 has credentials in it: .*identities/);
    expect(e.message).not.toContain('hunter22');
    expect(e.message).not.toContain('\n');
    expect(e.hint).toBeUndefined();
    expect(() => refuseUrlCredentials('http://127.0.0.1:1', '--candidate')).not.toThrow();
  });

  it('is refused in target.url and schedules[].url of vouch.yaml, and by resolveRun for any URL it is given', () => {
    expect(() => parseConfig('target:\n  url: http://a:hunter22@127.0.0.1:1\n', 'v.yaml')).toThrow(/v\.yaml: target\.url: has credentials in it/);
    expect(() => parseConfig('schedules:\n  - { url: "http://a:b@127.0.0.1:1", every: 1h }\n', 'v.yaml')).toThrow(/schedules\.0\.url: has credentials/);
    const config = parseConfig('target:\n  url: http://127.0.0.1:1\n', 'v.yaml');
    expect(resolveRun(config, {}).target.url).toBe('http://127.0.0.1:1');
    expect(() => resolveRun(config, { url: 'http://a:hunter22@127.0.0.1:1' })).toThrow(/the target URL http:\/\/\*\*\*@127\.0\.0\.1:1 has credentials/);
  });
});
