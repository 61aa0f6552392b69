// src/checks/security/support/signed-in.test.ts — which answers refuse a caller for lack of credentials (and which,
// like a failed login's redirect back to the form, do not).
import { describe, expect, it } from 'vitest';
import type { Exchange, Identity } from '../../../core/index.js';
import { escalation, refusedForCredentials } from './signed-in.js';

const x = (url: string, status: number, location?: string): Exchange =>
  ({ id: 'x1', request: { method: 'POST', url, headers: [] }, response: { status, headers: location ? [['Location', location]] : [], body: '' } }) as unknown as Exchange;

describe('refusedForCredentials', () => {
  it('counts 401, 403 and a redirect to a sign-in page', () => {
    expect(refusedForCredentials(x('http://t/notes', 401))).toBe(true);
    expect(refusedForCredentials(x('http://t/notes', 403))).toBe(true);
    expect(refusedForCredentials(x('http://t/vulnerabilities/crypto/index.php', 302, '../../login.php'))).toBe(true);
    expect(refusedForCredentials(x('http://t/notes', 303, 'https://idp.example/sso/start'))).toBe(true);
  });

  it('does not count other answers, nor any answer of a sign-in page itself (a failed login)', () => {
    expect(refusedForCredentials(x('http://t/notes', 200))).toBe(false);
    expect(refusedForCredentials(x('http://t/notes', 302, '/notes/1'))).toBe(false);
    expect(refusedForCredentials(x('http://t/notes', 404))).toBe(false);
    expect(refusedForCredentials(x('http://t/login.php', 302, 'login.php'))).toBe(false);
    expect(refusedForCredentials(x('http://t/api/signin', 401))).toBe(false);
  });
});

describe('escalation', () => {
  const anonymous: Identity = { name: 'anonymous', role: 'anonymous', auth: { kind: 'none' } };
  const scoped: Identity = { name: 'ci', role: 'user', auth: { kind: 'bearer', token: 'c' }, intended: ['GET /x'] };
  const bob: Identity = { name: 'bob', role: 'user', auth: { kind: 'bearer', token: 'b' } };
  const mike: Identity = { name: 'mike', role: 'privileged', auth: { kind: 'bearer', token: 'm' } };
  const identities = [anonymous, scoped, bob, mike];
  const from = (identity: Identity, unavailable: string[] = []) => escalation({ identity, identities, unavailable: new Map(unavailable.map((n) => [n, 'login failed'])) });

  it('climbs from anonymous to the least-privileged user, then a privileged identity; from a user to a privileged one', () => {
    expect(from(anonymous)).toEqual(['bob', 'mike']);
    expect(from(bob)).toEqual(['mike']);
    expect(from(mike)).toEqual([]);
  });

  it('skips identities whose login failed', () => {
    expect(from(anonymous, ['bob'])).toEqual(['ci', 'mike']);
    expect(from(bob, ['mike'])).toEqual([]);
  });
});
