// src/net/redact.test.ts — secrets never reach the audit log: headers, cookies, configured values, query tokens; lines are exact JSON.
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { auditLine, createAuditLog } from './audit.js';
import { createRedactor, redactExchange, REDACTED } from './redact.js';

describe('redactor', () => {
  const r = createRedactor(['s3cr3t-password', 'abc']);

  it.each([
    [['Authorization', 'Bearer eyJhbGciOi.payload.sig'], ['Authorization', `Bearer ${REDACTED}`]],
    [['authorization', 'Basic dXNlcjpwYXNz'], ['authorization', `Basic ${REDACTED}`]],
    [['Proxy-Authorization', 'opaque'], ['Proxy-Authorization', REDACTED]],
    [['X-Api-Key', 'k-123'], ['X-Api-Key', REDACTED]],
    [['Cookie', 'sid=abc123; theme=dark'], ['Cookie', `sid=${REDACTED}; theme=${REDACTED}`]],
    [['set-cookie', 'sid=abc123; Path=/; SameSite=Lax; HttpOnly'], ['set-cookie', `sid=${REDACTED}; Path=/; SameSite=Lax; HttpOnly`]],
    [['X-Note', 'pw is s3cr3t-password'], ['X-Note', `pw is ${REDACTED}`]],
    [['Accept', 'text/html'], ['Accept', 'text/html']],
  ] as Array<[[string, string], [string, string]]>)('headers %j', (h, want) => expect(r.headers([h])).toEqual([want]));

  it.each([
    ['http://h/p?access_token=tok123&x=1', `http://h/p?access_token=${REDACTED}&x=1`],
    ['http://h/p?x=%2e&ACCESS_TOKEN=tok#frag', `http://h/p?x=%2e&ACCESS_TOKEN=${REDACTED}#frag`],
    ['http://h/p?api_key=1&token=2&refresh_token=3&client_secret=4', `http://h/p?api_key=${REDACTED}&token=${REDACTED}&refresh_token=${REDACTED}&client_secret=${REDACTED}`],
    ['http://user:hunter2@h/p', `http://user:${REDACTED}@h/p`],
    ['http://h/login?next=/a/../b', 'http://h/login?next=/a/../b'],
    ['http://h/reset/s3cr3t-password', `http://h/reset/${REDACTED}`],
    ['not a url s3cr3t-password', `not a url ${REDACTED}`],
  ])('url %s', (u, want) => expect(r.url(u)).toBe(want));

  it('redacts a secret learned during the scan from then on (a login token), in text, URLs and headers', () => {
    const learner = createRedactor([]);
    expect(learner.text('token tok-from-login-9f')).toBe('token tok-from-login-9f');
    learner.learn('tok-from-login-9f');
    expect(learner.text('{"token":"tok-from-login-9f"}')).toBe(`{"token":"${REDACTED}"}`);
    expect(learner.url('http://h/p/tok-from-login-9f')).toBe(`http://h/p/${REDACTED}`);
    expect(learner.headers([['x-echo', 'tok-from-login-9f']])).toEqual([['x-echo', REDACTED]]);
  });

  it('redacts an exchange everywhere a secret can be: URL, headers, bodies, error', () => {
    const x = redactExchange(
      {
        id: 'x1',
        request: { method: 'POST', url: 'http://h/login?token=q1', headers: [['authorization', 'Bearer b1']], body: '{"password":"s3cr3t-password"}' },
        response: { status: 200, headers: [['set-cookie', 'sid=v1; Path=/']], body: 'hello s3cr3t-password' },
        error: { code: 'E', message: 'failed for s3cr3t-password' },
        timing: { startedAt: 0, totalMs: 1 },
        identity: 'alice',
      },
      r,
    );
    expect(JSON.stringify(x)).not.toMatch(/s3cr3t-password|b1"|q1|v1/);
    expect(x.response?.headers).toEqual([['set-cookie', `sid=${REDACTED}; Path=/`]]);
  });

  it('ignores configured secrets shorter than 4 characters (they would redact everything)', () => {
    expect(r.text('abcdef')).toBe('abcdef');
  });
});

describe('audit log', () => {
  it('writes JSON lines with urls, reasons and headers redacted', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'vouch-audit-')), 'sub', 'audit.jsonl');
    const log = createAuditLog(path, createRedactor(['s3cr3t-password']), { headers: true });
    log.write({ at: 'now', identity: 'alice', method: 'GET', url: 'http://h/?access_token=t0k3n', outcome: 'sent', status: 200, headers: [['authorization', 'Bearer t0k3n'], ['cookie', 'sid=t0k3n']] });
    log.write({ at: 'now', identity: 'alice', method: 'POST', url: 'http://h/login', outcome: 'error', code: 'TIMEOUT', reason: 'POST http://h/login with s3cr3t-password timed out' });
    await log.close();
    const text = readFileSync(path, 'utf8');
    expect(text).not.toMatch(/t0k3n|s3cr3t-password/);
    const lines = text.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatchObject({ url: `http://h/?access_token=${REDACTED}`, headers: [['authorization', `Bearer ${REDACTED}`], ['cookie', `sid=${REDACTED}`]] });
    expect(lines[1]).toMatchObject({ outcome: 'error', code: 'TIMEOUT', reason: `POST http://h/login with ${REDACTED} timed out` });
  });
});

describe('audit line', () => {
  it('is the same JSON as JSON.stringify, for hostile strings too', () => {
    const odd = 'a"b\\c\n\u0001\u2028\ud800 é 💥 </script>';
    const entries = [
      { at: '2026-11-24T00:00:00.000Z', exchange: 'x000001', identity: 'anonymous', method: 'GET', url: 'http://127.0.0.1:1/', outcome: 'sent' as const, status: 200, ms: 0.3 },
      { at: '2026-11-24T00:00:00.000Z', exchange: 'x000002', identity: odd, method: odd, url: `http://127.0.0.1:1/${odd}`, outcome: 'refused' as const, checkId: odd, taskId: 't1', code: 'VOUCH_SCOPE_REFUSED', reason: odd, via: 'raw' as const, headers: [[odd, odd]] as Array<[string, string]> },
      { at: '2026-11-24T00:00:00.000Z', identity: 'a', method: 'GET', url: 'u', outcome: 'error' as const, code: 'TIMEOUT', ms: 15000.1 },
    ];
    for (const e of entries) {
      expect(JSON.parse(auditLine(e))).toEqual(JSON.parse(JSON.stringify(e)));
      expect(auditLine(e)).not.toContain('\n');
    }
  });
});
