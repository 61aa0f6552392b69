// src/guard/server.test.ts — the guard's hard limits against a local upstream: header hygiene both ways, body size and
// slow-body limits, an upstream that is down, rejected and timed-out holds, expired tokens, budgets, one record each.
import { createServer, request as httpRequest, type IncomingHttpHeaders, type Server } from 'node:http';
import { connect } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Operation } from '../core/index.js';
import type { GuardRecord } from './records.js';
import { startGuard, type GuardAgent, type RunningGuard } from './server.js';

const op = (method: string, path: string): Operation => ({ id: `${method} ${path}`, method, path, params: [], auth: 'unknown', sources: ['spec'] });
const seen: Array<{ method: string; url: string; headers: IncomingHttpHeaders }> = [];
let upstream: Server;
let upstreamUrl: string;
const TOKEN = 'bot-token-0123456789abcdef';
const APPROVER = 'approver-0123456789abcdef';
const agent: GuardAgent = {
  name: 'bot',
  token: TOKEN,
  intended: ['GET /items', 'GET /items/*', 'POST /items'],
  denied: [],
  approval: ['DELETE /items/*'],
  credential: [['authorization', 'Bearer real-upstream-secret']],
};
const records: GuardRecord[] = [];
let bigEnded = false;
let bigClosed = false;

async function guard(over: Partial<Parameters<typeof startGuard>[0]> = {}): Promise<RunningGuard> {
  return startGuard({
    host: '127.0.0.1',
    port: 0,
    upstream: upstreamUrl,
    agents: [agent, { ...agent, name: 'old', token: 'old-token-0123456789abcdef', expiresAt: Date.now() - 1000 }, { ...agent, name: 'tight', token: 'tight-token-0123456789abcd', budgets: { requestsPerMinute: 1 } }],
    operations: [op('GET', '/items'), op('GET', '/items/{id}'), op('POST', '/items'), op('DELETE', '/items/{id}')],
    learn: false,
    limits: { bodyBytes: 64, bodyTimeoutMs: 300, upstreamTimeoutMs: 2000 },
    approval: { token: APPROVER, timeoutMs: 300 },
    tls: { verify: true },
    session: 's1',
    sink: (r) => records.push(r),
    ...over,
  });
}

function send(url: string, method: string, path: string, headers: Record<string, string>, body?: string): Promise<{ status: number; headers: IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    const req = httpRequest({ host: u.hostname, port: u.port, method, path, headers }, (res) => {
      let text = '';
      res.on('data', (d: Buffer) => (text += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const bot = { authorization: `Bearer ${TOKEN}` };

beforeAll(async () => {
  upstream = createServer((req, res) => {
    seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers });
    req.resume();
    if (req.url === '/items/big') {
      // 48 MiB in 64 KiB writes (more than loopback socket buffers hold), honouring backpressure; `bigEnded` says whether the whole body went out.
      const chunk = Buffer.alloc(65_536, 97);
      let left = 768;
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(chunk.length * left) });
      const pump = (): void => {
        while (left > 0) {
          left--;
          if (!res.write(chunk)) return void res.once('drain', pump);
        }
        res.end(() => (bigEnded = true));
      };
      res.on('close', () => (bigClosed = true));
      return pump();
    }
    if (req.headers.authorization === 'Bearer stale') {
      res.writeHead(401, { 'content-type': 'application/json' });
      res.end('{"error":"expired"}');
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json', 'set-cookie': 'session=upstream-session; HttpOnly', 'x-auth-token': 'leaked', 'x-kept': 'yes' });
    res.end('{"ok":true}');
  });
  await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
  upstreamUrl = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((r) => upstream.close(r));
});

describe('guard server', () => {
  it('streams a large answer whole at the agent\'s pace, and stops the upstream when the agent leaves mid-body', async () => {
    const g = await guard();
    try {
      const whole = await send(g.url, 'GET', '/items/big', bot);
      expect(whole.body.length).toBe(48 * 1_048_576);
      expect(whole.headers['content-length']).toBe(String(48 * 1_048_576)); // the upstream's length goes back
      expect(records.at(-1)).toMatchObject({ status: 200, responseBytes: 48 * 1_048_576 });
      // An agent that reads nothing, then leaves: the guard pauses the upstream, then aborts it.
      [bigEnded, bigClosed] = [false, false];
      const u = new URL(g.url);
      await new Promise<void>((resolve) => {
        const req = httpRequest({ host: u.hostname, port: u.port, path: '/items/big', headers: bot }, (res) => {
          res.pause();
          setTimeout(() => {
            res.destroy();
            resolve();
          }, 300);
        });
        req.end();
      });
      await expect.poll(() => bigClosed, { timeout: 5000 }).toBe(true);
      expect(bigEnded).toBe(false);
    } finally {
      await g.close();
    }
  });

  it('forwards with the identity credential only, strips hop-by-hop and session headers both ways', async () => {
    const g = await guard();
    try {
      const r = await send(g.url, 'GET', '/items/3?x=1', { ...bot, cookie: 'agent=own', connection: 'x-private', 'x-private': '1', 'x-forwarded-for': '1.2.3.4', 'x-trace': 't' });
      expect(r.status).toBe(200);
      expect(r.headers['set-cookie']).toBeUndefined();
      expect(r.headers['x-auth-token']).toBeUndefined();
      expect(r.headers['x-kept']).toBe('yes');
      const up = seen.at(-1)!;
      expect(up.url).toBe('/items/3?x=1');
      expect(up.headers.authorization).toBe('Bearer real-upstream-secret');
      expect(up.headers.cookie).toBeUndefined();
      expect(up.headers['x-private']).toBeUndefined();
      expect(up.headers['x-forwarded-for']).toBeUndefined();
      expect(up.headers['x-trace']).toBe('t');
      // The guard token in its own header is accepted too, and not forwarded.
      expect((await send(g.url, 'GET', '/items', { 'x-vouch-guard-token': TOKEN })).status).toBe(200);
      expect(seen.at(-1)!.headers['x-vouch-guard-token']).toBeUndefined();
      expect(records.at(-1)).toMatchObject({ agent: 'bot', decision: 'allow', rule: 'intended: GET /items', status: 200, upstreamStatus: 200, responseBytes: 11 });
    } finally {
      await g.close();
    }
  });

  it('signs a signed-in identity in again after a 401 and resends once, the body included', async () => {
    let token = 'stale';
    const relogins: string[] = [];
    const signedIn: GuardAgent = {
      ...agent,
      name: 'signed',
      token: 'signed-token-0123456789abcd',
      credential: async () => [['authorization', `Bearer ${token}`]],
      relogin: async (why) => {
        relogins.push(why);
        token = 'fresh';
        return true;
      },
    };
    const g = await guard({ agents: [signedIn] });
    try {
      const before = seen.length;
      const r = await send(g.url, 'POST', '/items', { authorization: 'Bearer signed-token-0123456789abcd', 'content-type': 'application/json' }, '{"a":1}');
      expect(r.status).toBe(200);
      expect(relogins).toEqual(['POST /items answered 401']);
      expect(seen.slice(before).map((x) => x.headers.authorization)).toEqual(['Bearer stale', 'Bearer fresh']);
      expect(seen.at(-1)!.headers['content-length']).toBe('7');
    } finally {
      await g.close();
    }
  });

  it('refuses an oversized and a slow body without forwarding them', async () => {
    const g = await guard();
    try {
      const before = seen.length;
      const big = await send(g.url, 'POST', '/items', { ...bot, 'content-type': 'application/json' }, 'x'.repeat(200));
      expect([big.status, JSON.parse(big.body).rule]).toEqual([413, 'limit:body-size']);
      const { port } = new URL(g.url);
      const slow = await new Promise<string>((resolve) => {
        const s = connect(Number(port), '127.0.0.1', () => s.write(`POST /items HTTP/1.1\r\nhost: x\r\nauthorization: Bearer ${TOKEN}\r\ncontent-length: 10\r\n\r\nab`));
        let text = '';
        s.on('data', (d) => (text += d.toString()));
        s.on('close', () => resolve(text));
      });
      expect(slow).toMatch(/^HTTP\/1\.1 408/);
      expect(slow).toContain('limit:slow-body');
      expect(seen.length).toBe(before);
    } finally {
      await g.close();
    }
  });

  it('answers 502 JSON when the upstream is down', async () => {
    const g = await guard({ upstream: 'http://127.0.0.1:9' });
    try {
      const r = await send(g.url, 'GET', '/items', bot);
      expect(r.status).toBe(502);
      expect(JSON.parse(r.body)).toMatchObject({ decision: 'allow', error: expect.stringMatching(/upstream did not answer/) });
      expect(records.at(-1)).toMatchObject({ status: 502, decision: 'allow' });
      expect(records.at(-1)!.upstreamStatus).toBeUndefined();
    } finally {
      await g.close();
    }
  });

  it('denies a hold that is rejected or times out; refuses expired tokens and spent budgets', async () => {
    const g = await guard({ approval: { token: APPROVER, timeoutMs: 5000 } });
    try {
      const before = seen.length;
      const held = send(g.url, 'DELETE', '/items/4', bot);
      let id: string | undefined;
      for (let i = 0; i < 40 && !id; i++) {
        id = g.approvals.list()[0]?.id;
        if (!id) await new Promise((r) => setTimeout(r, 25));
      }
      expect((await send(g.url, 'POST', `/_vouch/guard/pending/${id}/reject`, { authorization: `Bearer ${APPROVER}` })).status).toBe(200);
      expect(JSON.parse((await held).body)).toMatchObject({ decision: 'deny', rule: 'approval: DELETE /items/* (rejected)' });
      expect(seen.length).toBe(before);
      expect((await send(g.url, 'GET', '/_vouch/guard/decisions', bot)).status).toBe(401);
      const listed = JSON.parse((await send(g.url, 'GET', '/_vouch/guard/decisions', { authorization: `Bearer ${APPROVER}` })).body);
      expect(listed.decisions.at(-1)).toMatchObject({ approval: 'rejected', decision: 'deny' });
    } finally {
      await g.close();
    }
    const t = await guard();
    try {
      const r = await send(t.url, 'DELETE', '/items/4', bot);
      expect(JSON.parse(r.body).rule).toBe('approval: DELETE /items/* (timed out)');
      expect(JSON.parse((await send(t.url, 'GET', '/items', { authorization: 'Bearer old-token-0123456789abcdef' })).body).rule).toBe('auth:expired-token');
      const tight = { authorization: 'Bearer tight-token-0123456789abcd' };
      expect((await send(t.url, 'GET', '/items', tight)).status).toBe(200);
      const spent = await send(t.url, 'GET', '/items', tight);
      expect([spent.status, JSON.parse(spent.body).rule]).toEqual([429, 'budget: requestsPerMinute']);
    } finally {
      await t.close();
    }
  });
});
