// test/e2e/guard.test.ts — `vouch guard` must-show on the lab: an agent's intended reads pass with the identity's real
// credential, a DELETE beyond scope and path tricks never reach the lab (its own request log), a held write waits and
// is approved through the approval API, every decision is in the audit log and the store, `--learn` proposes exactly
// the operations used; bad input exits 2 with one line.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLab, type RunningLab } from '../../lab/server.js';
import { root, vouch } from './cli.js';

const tmp = mkdtempSync(join(tmpdir(), 'vouch-guard-'));
const env = { VOUCH_HISTORY: join(tmp, 'history.db'), SHOPPER_TOKEN: 'shopper-guard-token-0123456789' };
const APPROVER = 'approver-token-0123456789abcdef';
const AGENT = { authorization: `Bearer ${env.SHOPPER_TOKEN}` };
const config = join(tmp, 'vouch.yaml');
let lab: RunningLab;
let hook: Server;
let hookUrl: string;
const drifts: Array<{ kind: string; agent: string; operation: string; rule: string }> = [];

function yaml(labUrl: string, extra = ''): string {
  return `target: { url: "${labUrl}", spec: /openapi.json, environment: local }
identities:
  agent: { role: user, bearer: lab-agent-token }
  alice: { role: user, login: { json: { url: /api/login, body: { username: alice, password: alice-pass }, tokenPath: token } } }
guard:
  listen: 127.0.0.1:0
  webhooks: [{ url: "${hookUrl}" }]
  approval: { token: ${APPROVER}, timeoutMs: 15000 }
  agents:
    shopper:
      token: \${SHOPPER_TOKEN}
      identity: agent
      intended: ["GET /api/orders", "GET /api/orders/{id}", "GET /api/products"]
      denied: ["DELETE /api/**"]
      approval: ["POST /api/orders"]
    reader:
      token: reader-guard-token-0123456789
      identity: alice
      intended: ["GET /api/users/me"]
${extra}`;
}

interface Running {
  url: string;
  auditLog: string;
  session: string;
  stop(): Promise<{ code: number | null; stderr: string }>;
}

/** Starts `vouch guard` and waits for its start-up line. */
function startGuard(args: string[]): Promise<Running> {
  const child: ChildProcessWithoutNullStreams = spawn(process.execPath, [join(root, 'bin', 'vouch.js'), 'guard', '--config', config, ...args], { cwd: tmp, env: { ...process.env, CI: '1', ...env } });
  let out = '';
  let err = '';
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`guard did not start: ${err}`)), 20_000);
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /listening on (http:\/\/\S+) .*session (\S+); audit log (\S+);/.exec(out);
      if (!m) return;
      clearTimeout(timer);
      resolve({
        url: m[1]!,
        session: m[2]!,
        auditLog: join(tmp, m[3]!),
        stop: async () => {
          child.kill('SIGTERM');
          return { code: await exited, stderr: err };
        },
      });
    });
    void exited.then((code) => reject(new Error(`guard exited ${code}: ${err}`)));
  });
}

/** A request sent byte for byte as written (fetch would normalise `..` away). */
function raw(url: string, method: string, path: string, headers: Record<string, string>, body?: string): Promise<{ status: number; body: string; headers: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    const req = httpRequest({ host: u.hostname, port: u.port, method, path, headers: { ...headers, ...(body ? { 'content-type': 'application/json' } : {}) } }, (res) => {
      let text = '';
      res.on('data', (d: Buffer) => (text += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text, headers: res.headers }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const labSaw = (method: string, prefix: string): number => lab.requests.filter((r) => r.method === method && r.url.startsWith(prefix)).length;

beforeAll(async () => {
  hook = createServer((req, res) => {
    let text = '';
    req.on('data', (d: Buffer) => (text += d.toString()));
    req.on('end', () => {
      drifts.push(JSON.parse(text));
      res.end();
    });
  });
  await new Promise<void>((r) => hook.listen(0, '127.0.0.1', r));
  hookUrl = `http://127.0.0.1:${(hook.address() as AddressInfo).port}/drift`;
  lab = await startLab({ variant: 'baseline' });
  writeFileSync(config, yaml(lab.url));
});
afterAll(async () => {
  await lab?.close();
  await new Promise((r) => hook?.close(r));
});

describe('vouch guard on the lab', () => {
  it('passes intended reads, denies beyond scope and tricks before the lab, holds a write until approved, records all', async () => {
    const g = await startGuard([]);
    const before = lab.requests.length;
    const orders = await raw(g.url, 'GET', '/api/orders', AGENT);
    expect(orders.status).toBe(200);
    expect(JSON.parse(orders.body)).toBeInstanceOf(Array);
    const forwarded = lab.requests.slice(before).find((r) => r.url === '/api/orders')!;
    expect(forwarded.headers.authorization).toBe('Bearer lab-agent-token');
    expect(JSON.stringify(forwarded.headers)).not.toContain(env.SHOPPER_TOKEN);
    expect((await raw(g.url, 'GET', '/api/orders/1', AGENT)).status).toBe(200);

    const del = await raw(g.url, 'DELETE', '/api/products/1', AGENT);
    expect(del.status).toBe(403);
    expect(JSON.parse(del.body)).toMatchObject({ decision: 'deny', rule: 'denied: DELETE /api/**', operation: 'DELETE /api/products/{id}' });
    expect(JSON.parse((await raw(g.url, 'GET', '/api/users/1', AGENT)).body)).toMatchObject({ decision: 'deny', rule: 'not-intended', operation: 'GET /api/users/{id}' });
    expect(JSON.parse((await raw(g.url, 'GET', '/api/not-there', AGENT)).body)).toMatchObject({ decision: 'deny', rule: 'unknown-operation' });
    const tricks: Array<[string, string, Record<string, string>, string]> = [
      ['GET', '/api/orders/../users/1', AGENT, 'path-trick:dot-segment'],
      ['GET', '/api/orders/%2e%2e/users/1', AGENT, 'path-trick:dot-segment'],
      ['GET', '/api/orders%2f1', AGENT, 'path-trick:encoded-slash'],
      ['GET', '/api/products?q=a&q=b', AGENT, 'query-trick:duplicate-key'],
      ['GET', '/api/orders', { ...AGENT, 'x-http-method-override': 'DELETE' }, 'method-override'],
      ['GET', '/api/orders?_method=DELETE', AGENT, 'method-override'],
    ];
    for (const [method, path, headers, rule] of tricks) {
      const r = await raw(g.url, method, path, headers);
      expect([r.status, JSON.parse(r.body).rule], path).toEqual([400, rule]);
    }
    expect((await raw(g.url, 'GET', '/api/orders', {})).status).toBe(401);
    expect(JSON.parse((await raw(g.url, 'GET', '/api/orders', { authorization: 'Bearer forged-token-0123456789' })).body).rule).toBe('auth:unknown-token');
    expect(labSaw('DELETE', '/')).toBe(0);
    expect(lab.requests.filter((r) => r.url.includes('users') || r.url.includes('%2') || r.url.includes('not-there'))).toEqual([]);

    // A held write: it waits, a person approves it through the API, then it reaches the lab.
    const write = raw(g.url, 'POST', '/api/orders', AGENT, JSON.stringify({ productId: 1, quantity: 1 }));
    const approver = { authorization: `Bearer ${APPROVER}` };
    let pending: Array<{ id: string; operation: string }> = [];
    for (let i = 0; i < 50 && !pending.length; i++) {
      pending = JSON.parse((await raw(g.url, 'GET', '/_vouch/guard/pending', approver)).body).pending;
      if (!pending.length) await new Promise((r) => setTimeout(r, 100));
    }
    expect(pending.map((p) => p.operation)).toEqual(['POST /api/orders']);
    expect(labSaw('POST', '/api/orders')).toBe(0);
    expect((await raw(g.url, 'POST', `/_vouch/guard/pending/${pending[0]!.id}/approve`, AGENT)).status).toBe(401);
    expect((await raw(g.url, 'POST', `/_vouch/guard/pending/${pending[0]!.id}/approve`, approver)).status).toBe(200);
    const written = await write;
    expect(written.status).toBeLessThan(500);
    expect(labSaw('POST', '/api/orders')).toBe(1);

    const { code } = await g.stop();
    expect(code).toBe(0);
    const lines = readFileSync(g.auditLog, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { identity: string; guard: { decision: string; rule: string; approval?: string } });
    // 2 reads + DELETE + users + unknown + 6 tricks + 2 without a valid token + the approved write.
    expect(lines).toHaveLength(14);
    expect(lines.every((l) => l.guard && ['allow', 'deny'].includes(l.guard.decision))).toBe(true);
    // Drift: each operation the policy denied was told once to the webhook.
    expect(drifts.filter((d) => d.kind === 'denied').map((d) => d.operation).sort()).toEqual(['DELETE /api/products/{id}', 'GET /api/not-there', 'GET /api/users/{id}']);
    expect(lines.at(-1)!.guard).toMatchObject({ decision: 'allow', rule: 'approval: POST /api/orders (approved)', approval: 'approved' });
    const text = readFileSync(g.auditLog, 'utf8');
    expect(text).not.toContain(env.SHOPPER_TOKEN);
    expect(text).not.toContain('lab-agent-token');

    const report = await vouch(['guard', 'report', '--config', config, '--session', g.session, '--json'], { cwd: tmp, env });
    expect(report.code, report.stderr).toBe(0);
    const shopper = (JSON.parse(report.stdout) as { agents: Array<{ agent: string; proposed: string[]; beyond: string[]; unused: string[] }> }).agents.find((a) => a.agent === 'shopper')!;
    expect(shopper.proposed).toEqual(['GET /api/orders', 'GET /api/orders/{id}', 'POST /api/orders']);
    expect(shopper.beyond).toEqual(['POST /api/orders']);
    expect(shopper.unused).toEqual(['GET /api/products']);
  }, 90_000);

  it('--learn allows everything, records it, and proposes exactly the operations used', async () => {
    const g = await startGuard(['--learn']);
    for (const path of ['/api/products', '/api/products/3', '/api/products/4', '/api/users/me']) expect((await raw(g.url, 'GET', path, AGENT)).status, path).toBeLessThan(500);
    // An identity that signs in: the guard logs in as alice (through the engine) and sends her token, not the agent's.
    const me = await raw(g.url, 'GET', '/api/users/me', { authorization: 'Bearer reader-guard-token-0123456789' });
    expect([me.status, JSON.parse(me.body).username]).toEqual([200, 'alice']);
    expect(lab.requests.filter((r) => r.url === '/api/login').length).toBeGreaterThan(0);
    expect((await g.stop()).code).toBe(0);
    const r = await vouch(['guard', 'report', '--config', config], { cwd: tmp, env });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`session ${g.session}`);
    expect(r.stdout).toContain('proposed intended (what it did): ["GET /api/products","GET /api/products/{id}","GET /api/users/me"]');
  }, 60_000);
});

describe('vouch guard refuses bad input', () => {
  const bad = async (text: string, args: string[] = []): Promise<string> => {
    const file = join(tmp, `bad-${Math.random().toString(36).slice(2)}.yaml`);
    writeFileSync(file, text);
    const r = await vouch(['guard', '--config', file, ...args], { cwd: tmp, env });
    expect(r.code).toBe(2);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    return r.stderr;
  };

  it('names the problem in one line, exit 2', async () => {
    const url = lab.url;
    expect(await bad(yaml(url).replace('listen: 127.0.0.1:0', 'listen: nowhere'))).toContain('guard.listen: write listen as host:port');
    expect(await bad(yaml(url).replace('listen: 127.0.0.1:0', 'listen: 0.0.0.0:0'))).toContain('is not loopback');
    expect(await bad(yaml(url).replace('intended: ["GET /api/orders"', 'intended: ["/api/orders"'))).toContain('write operations as "METHOD /path"');
    expect(await bad(yaml(url).replace('identity: agent', 'identity: ghost'))).toContain('guard.agents.shopper.identity: no identity ghost');
    expect(await bad(`${yaml(url)}  upstream: "http://127.0.0.1:9"\n`)).toContain('is not in the target\'s scope');
    expect(await bad(yaml(url).replace(/guard:[\s\S]*/, ''))).toContain('no guard: section');
  }, 120_000);
});
