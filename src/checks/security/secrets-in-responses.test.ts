// src/checks/security/secrets-in-responses.test.ts — secrets on two pages of a fixture grouped into one finding
// per kind, redacted in evidence; placeholders, reflections and a user's own token on the safe pages are not.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Exchange } from '../../core/index.js';
import type { CheckContext } from '../kit/define.js';
import { sendJson, serveFixture, type Fixture } from '../kit/fixture.js';
import { testCheck } from '../kit/tester.js';
import check, { entropy } from './secrets-in-responses.js';
import { forge } from './support/jwt.js';

const AWS = 'AKIA' + 'Q3EGRBBXTN6LWZ7M';
const other = forge({ alg: 'HS256' }, { sub: '2', name: 'bob' }, 'k');

let app: Fixture;
beforeAll(async () => {
  app = await serveFixture((_req, res, url) => {
    switch (url.pathname) {
      case '/config': return sendJson(res, 200, { region: 'eu-west-1', accessKeyId: AWS, stripe_secret: 'Zq81mXw04LpR7tYv9KdS' });
      case '/debug': return sendJson(res, 200, { env: { AWS_ACCESS_KEY_ID: AWS } });
      case '/users/2': return sendJson(res, 200, { id: 2, sessionToken: other });
      // safe pages
      case '/docs': return sendJson(res, 200, { api_key: 'your-api-key-here', example: 'AKIA-style keys look like AKIA followed by 16 characters' });
      case '/echo': return sendJson(res, 200, { q: url.searchParams.get('q') });
      default: return sendJson(res, 404, {});
    }
  });
});
afterAll(() => app.close());

describe('secrets-in-responses', () => {
  it('groups one kind of secret across operations into one finding, the secret redacted in evidence', async () => {
    const r = await testCheck(check, { url: app.url, warmup: ['/debug', '/config', '/users/2'] });
    const byClass = new Map(r.findings.map((f) => [f.vulnClass, f]));
    expect([...byClass.keys()].sort()).toEqual(['secret:aws-access-key-id', 'secret:foreign-jwt', 'secret:generic-api-key']);
    const aws = byClass.get('secret:aws-access-key-id')!;
    expect(aws.operation.path).toBe('/config'); // sorted by route, not by request order
    expect(aws.locations?.map((l) => l.path).sort()).toEqual(['/config', '/debug']);
    expect(aws.proof.evidence).toBe('AKIA…[20 characters redacted]');
    expect(aws.proof.summary).not.toContain(AWS);
    expect(aws.confidence).toBe('confirmed');
    expect(r.requests).toBe(0);
  });

  it('reports nothing for placeholders and reflections of the request', async () => {
    const r = await testCheck(check, { url: app.url, warmup: ['/docs', `/echo?q=${AWS}`] });
    expect(r.findings).toEqual([]);
  });

  it('does not take the caller\'s own token (sent as a cookie) for another user\'s', async () => {
    const own = forge({ alg: 'HS256' }, { sub: '7' }, 'k');
    const x = (id: string, path: string, body: string): Exchange => ({ id, identity: 'carol', timing: { startedAt: 0, totalMs: 1 }, request: { method: 'GET', url: `${app.url}${path}`, headers: [['cookie', `sid=${own}`]] }, response: { status: 200, headers: [['content-type', 'application/json']], body } });
    const ctx = { target: { name: 't', url: app.url, environment: 'local' }, surface: { target: app.url, operations: [], warnings: [] }, options: { ignore: [] }, recorded: () => [x('x1', '/session', JSON.stringify({ token: own })), x('x2', '/users/2', JSON.stringify({ token: other }))] } as unknown as CheckContext<{ ignore: string[] }>;
    const r = await check.run(ctx);
    expect(r.status === 'found' ? r.candidates.map((c) => [c.vulnClass, c.operation.path]) : r).toEqual([['secret:foreign-jwt', '/users/2']]);
  });

  it('measures entropy', () => {
    expect(entropy('aaaaaaaa')).toBe(0);
    expect(entropy('Zq81mXw04LpR7tYv9KdS')).toBeGreaterThan(4);
  });
});
