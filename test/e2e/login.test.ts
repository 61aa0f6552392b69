// test/e2e/login.test.ts — a scan that logs in as real apps need: a CSRF-token form in two steps (session cookie) and
// an API whose JWTs live 2 s, read at a nested path; both stay signed in for the whole scan, no dead token is sent.
import { createHmac } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendHtml, sendJson, serveFixture, type Fixture } from '../../src/checks/kit/fixture.js';
import type { Report } from '../../src/core/index.js';
import { vouch } from './cli.js';

const tmp = mkdtempSync(join(tmpdir(), 'vouch-login-'));
const KEY = 'fixture-key';
const b64 = (v: unknown): string => Buffer.from(JSON.stringify(v)).toString('base64url');
const sign = (data: string): string => createHmac('sha256', KEY).update(data).digest('base64url');

/** What the app saw: logins per kind, requests signed in, and requests that carried a genuine but expired token. */
const seen = { formLogins: 0, apiLogins: 0, sessionHits: 0, tokenHits: 0, deadTokens: 0 };
let app: Fixture;

beforeAll(async () => {
  const csrf = new Map<string, string>();
  const signedIn = new Set<string>();
  let sids = 0;
  app = await serveFixture((req, res, url) => {
    const p = url.pathname;
    const sid = /sid=(\w+)/.exec(req.headers.cookie ?? '')?.[1];
    if (p === '/openapi.json') {
      const op = (summary: string) => ({ get: { summary, responses: { '200': { description: 'ok' }, '401': { description: 'sign in' } } } });
      return sendJson(res, 200, { openapi: '3.0.3', info: { title: 'login app', version: '1' }, paths: { '/api/orders': op('orders'), '/api/me': op('me'), '/account': op('account') } });
    }
    if (p === '/login' && req.method === 'GET') {
      const id = `s${++sids}`;
      const token = sign(id).slice(0, 16);
      csrf.set(id, token);
      return sendHtml(res, 200, `<form method="post"><input name="user"><input type="hidden" value="${token}" name="csrf"></form>`, { 'set-cookie': `sid=${id}; Path=/; HttpOnly` });
    }
    if (p === '/login' && req.method === 'POST') {
      const f = new URLSearchParams(req.body);
      const ok = sid !== undefined && csrf.get(sid) === f.get('csrf') && f.get('user') === 'web' && f.get('password') === 'pw-web';
      if (ok) {
        seen.formLogins++;
        signedIn.add(sid);
      }
      return res.writeHead(302, { location: ok ? '/account' : '/login?failed' }).end();
    }
    if (p === '/account') {
      if (!sid || !signedIn.has(sid)) return res.writeHead(302, { location: '/login' }).end();
      seen.sessionHits++;
      return sendHtml(res, 200, '<h1>your account</h1>');
    }
    if (p === '/api/auth') {
      const body = JSON.parse(req.body || '{}') as { user?: string; password?: string };
      if (body.user !== 'bot' || body.password !== 'pw-bot') return sendJson(res, 401, { error: 'bad credentials' });
      seen.apiLogins++;
      const head = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64({ sub: 'bot', exp: Math.ceil(Date.now() / 1000) + 2 })}`;
      return sendJson(res, 200, { data: { auth: { token: `${head}.${sign(head)}` } } });
    }
    if (p.startsWith('/api/')) {
      const [h, c, s] = (/^Bearer (\S+)$/.exec(req.headers.authorization ?? '')?.[1] ?? '').split('.');
      if (!h || !c || s !== sign(`${h}.${c}`)) return sendJson(res, 401, { error: 'sign in' });
      const exp = (JSON.parse(Buffer.from(c, 'base64url').toString()) as { exp: number }).exp;
      if (exp * 1000 <= Date.now()) {
        seen.deadTokens++;
        return sendJson(res, 401, { error: 'token expired' });
      }
      seen.tokenHits++;
      return sendJson(res, 200, p === '/api/me' ? { sub: 'bot' } : [{ id: 1 }]);
    }
    return sendHtml(res, 404, 'not found');
  });
  writeFileSync(
    join(tmp, 'vouch.yaml'),
    `target: { environment: local, spec: /openapi.json }
identities:
  web:
    login:
      steps:
        - { get: /login, extract: { csrf: { field: csrf } } }
      form: { url: /login, fields: { user: web, password: "\${WEB_PASSWORD}", csrf: "\${csrf}" }, success: { location: /account }, token: { cookie: sid } }
  bot:
    login:
      json: { url: /api/auth, body: { user: bot, password: pw-bot }, token: { path: data.auth.token } }
discovery: { crawl: false }
budget: { ratePerSecond: 1000, concurrency: 4 }
`,
  );
});

afterAll(async () => {
  await app.close();
});

describe('vouch scan with login recipes', () => {
  it('logs both identities in, renews the 2 s tokens before they expire and sends no dead token', async () => {
    const out = join(tmp, 'out');
    const checks = 'ignored-auth,bola,status-code-conformance,response-schema-conformance,max-response-time';
    const args = ['scan', app.url, '--config', join(tmp, 'vouch.yaml'), '--check', checks, '--out', out, '--format', 'json', '-q'];
    const r = await vouch(args, { cwd: tmp, env: { WEB_PASSWORD: 'pw-web' }, timeoutMs: 230_000 });
    expect(r.stderr).not.toMatch(/identity (web|bot): .*(failed|skipped)/);
    // Both identities stayed signed in: no login cause can make this scan incomplete (coverage may, on this tiny API).
    const verdict = (JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as Report).verdict;
    expect(verdict.incomplete?.map((c) => c.cause) ?? []).not.toContain('login-failed');
    expect(verdict.incomplete?.map((c) => c.cause) ?? []).not.toContain('session-lost');
    expect([0, 1, 2]).toContain(r.code);
    const audit = readFileSync(join(out, 'audit.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { identity: string; method: string; url: string });
    // The form login is two steps under its own audit identity: the page with the token, then the post.
    const webLogin = audit.filter((a) => a.identity === 'web:login').map((a) => `${a.method} ${new URL(a.url).pathname}`);
    expect(webLogin.slice(0, 2)).toEqual(['GET /login', 'POST /login']);
    expect(seen.formLogins).toBeGreaterThanOrEqual(1);
    expect(seen.sessionHits).toBeGreaterThan(0);
    expect(seen.tokenHits).toBeGreaterThan(0);
    // Nothing the scan sent as `bot` went out with a token past its exp.
    expect(seen.deadTokens).toBe(0);
    // Tokens live 2–3 s: a scan longer than that logged the bot in again, ahead of expiry.
    const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as { startedAt: string; finishedAt: string };
    const lasted = Date.parse(report.finishedAt) - Date.parse(report.startedAt);
    if (lasted > 6_000) expect(seen.apiLogins).toBeGreaterThan(1);
  }, 240_000);
});
