// test/e2e/harm.test.ts — do no harm, end to end on a small notes API: a signed-in scan never deletes its own user
// nor calls a reset page; a redirect to a sign-in form marks an operation as requiring auth; a production scan sends
// no write but its login; with no identities configured, two registered users run an authorization check.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendHtml, sendJson, serveFixture, type Fixture } from '../../src/checks/kit/fixture.js';
import type { Report } from '../../src/core/index.js';
import { validateReport } from '../../src/report/index.js';
import { vouch } from './cli.js';

const tmp = mkdtempSync(join(tmpdir(), 'vouch-harm-'));

interface User {
  id: number;
  username: string;
  password: string;
}

/** The notes app: its users, notes and tokens, and every request it got. */
class Notes {
  users = new Map<number, User>();
  notes = new Map<number, { id: number; owner: number; text: string }>();
  tokens = new Map<string, number>();
  requests: Array<{ method: string; path: string }> = [];
  resets = 0;
  private seq = 10;

  constructor() {
    this.users.set(1, { id: 1, username: 'alice', password: 'alice-pw' });
    this.users.set(2, { id: 2, username: 'bob', password: 'bob-pw' });
    this.notes.set(1, { id: 1, owner: 1, text: "alice's note" });
    this.notes.set(2, { id: 2, owner: 2, text: "bob's note" });
  }

  next(): number {
    return ++this.seq;
  }

  writes(): string[] {
    return this.requests.filter((r) => !['GET', 'HEAD', 'OPTIONS'].includes(r.method)).map((r) => `${r.method} ${r.path}`);
  }
}

const spec = {
  openapi: '3.0.3',
  info: { title: 'notes', version: '1' },
  components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
  paths: {
    '/register': { post: { requestBody: { content: { 'application/json': { schema: { type: 'object', required: ['username', 'password'], properties: { username: { type: 'string' }, password: { type: 'string' } } } } } }, responses: { '201': { description: 'registered' } } } },
    '/login': { post: { requestBody: { content: { 'application/json': { schema: { type: 'object', properties: { username: { type: 'string' }, password: { type: 'string' } } } } } }, responses: { '200': { description: 'token' } } } },
    '/api/notes': {
      get: { security: [{ bearer: [] }], responses: { '200': { description: 'own notes' } } },
      post: { security: [{ bearer: [] }], requestBody: { content: { 'application/json': { schema: { type: 'object', properties: { text: { type: 'string' } } } } } }, responses: { '201': { description: 'created' } } },
    },
    '/api/notes/{id}': {
      parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'integer' } }],
      get: { security: [{ bearer: [] }], responses: { '200': { description: 'a note' }, '404': { description: 'none' } } },
      delete: { security: [{ bearer: [] }], responses: { '204': { description: 'deleted' }, '404': { description: 'none' } } },
    },
    '/api/users/{id}': {
      parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'integer' } }],
      get: { security: [{ bearer: [] }], responses: { '200': { description: 'a user' } } },
      delete: { security: [{ bearer: [] }], responses: { '204': { description: 'deleted' } } },
    },
    '/admin/reset': { get: { responses: { '200': { description: 'wipes the database' } } } },
    '/account': { get: { responses: { '200': { description: 'account page' }, '302': { description: 'sign in first' } } } },
  },
};

function serveNotes(app: Notes): Promise<Fixture> {
  return serveFixture((req, res, url) => {
    const p = url.pathname;
    app.requests.push({ method: req.method ?? 'GET', path: p });
    const who = app.tokens.get(/^Bearer (\S+)$/.exec(req.headers.authorization ?? '')?.[1] ?? '');
    const body = (): Record<string, unknown> => {
      try {
        return JSON.parse(req.body || '{}') as Record<string, unknown>;
      } catch {
        return {};
      }
    };
    if (p === '/openapi.json') return sendJson(res, 200, spec);
    if (p === '/') return sendHtml(res, 200, '<a href="/account">account</a> <a href="/admin/reset">reset the demo</a>');
    if (p === '/admin/reset') {
      app.resets++;
      return sendHtml(res, 200, 'The database has been reset.');
    }
    // A session page: signed out, it sends the visitor to a page with a password form (no identity has a session).
    if (p === '/account') return res.writeHead(302, { location: '/welcome' }).end();
    if (p === '/welcome') return sendHtml(res, 200, '<form method="post" action="/session"><input name="user"><input type="password" name="pw"></form>');
    if (p === '/register' && req.method === 'POST') {
      const b = body();
      if (typeof b.username !== 'string' || typeof b.password !== 'string' || !b.username || [...app.users.values()].some((u) => u.username === b.username)) return sendJson(res, 400, { error: 'invalid' });
      const id = app.next();
      app.users.set(id, { id, username: b.username, password: b.password });
      return sendJson(res, 201, { id, username: b.username });
    }
    if (p === '/login' && req.method === 'POST') {
      const b = body();
      const u = [...app.users.values()].find((x) => x.username === b.username && x.password === b.password);
      if (!u) return sendJson(res, 401, { error: 'bad credentials' });
      const token = `tok-${randomBytes(12).toString('hex')}`;
      app.tokens.set(token, u.id);
      return sendJson(res, 200, { token });
    }
    if (p.startsWith('/api/')) {
      if (who === undefined || !app.users.has(who)) return sendJson(res, 401, { error: 'sign in' });
      if (p === '/api/notes' && req.method === 'GET') return sendJson(res, 200, [...app.notes.values()].filter((n) => n.owner === who));
      if (p === '/api/notes' && req.method === 'POST') {
        const id = app.next();
        app.notes.set(id, { id, owner: who, text: String(body().text ?? '') });
        return sendJson(res, 201, { id });
      }
      const note = /^\/api\/notes\/(\d+)$/.exec(p);
      if (note) {
        const n = app.notes.get(Number(note[1]));
        if (!n) return sendJson(res, 404, { error: 'no such note' });
        // Planted: any signed-in user reads any note (BOLA); only the owner deletes.
        if (req.method === 'GET') return sendJson(res, 200, n);
        if (req.method === 'DELETE' && n.owner === who) return app.notes.delete(n.id) && res.writeHead(204).end();
        return sendJson(res, 403, { error: 'not yours' });
      }
      const user = /^\/api\/users\/(\d+)$/.exec(p);
      if (user) {
        const u = app.users.get(Number(user[1]));
        if (!u) return sendJson(res, 404, { error: 'no such user' });
        if (req.method === 'GET') return sendJson(res, 200, { id: u.id, username: u.username });
        // Planted: a user may delete their own record, which ends their identity.
        if (req.method === 'DELETE' && u.id === who) return app.users.delete(u.id) && res.writeHead(204).end();
        return sendJson(res, 403, { error: 'not yours' });
      }
    }
    return sendJson(res, 404, { error: 'not found' });
  });
}

const CHECKS = 'bola,use-after-delete,not-a-server-error,ignored-auth,negative-data-rejection,status-code-conformance,excess-permission';

async function scan(name: string, config: string, extra: string[] = []): Promise<{ app: Notes; report: Report; code: number | null; stderr: string }> {
  const app = new Notes();
  const fixture = await serveNotes(app);
  try {
    const dir = join(tmp, name);
    const cfg = join(tmp, `${name}.yaml`);
    writeFileSync(cfg, config);
    const r = await vouch(['scan', fixture.url, '--config', cfg, '--check', CHECKS, '--out', dir, '--format', 'json', '-q', ...extra], { cwd: tmp, timeoutMs: 200_000 });
    const report = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')) as Report;
    return { app, report, code: r.code, stderr: r.stderr };
  } finally {
    await fixture.close();
  }
}

const SIGNED_IN = `target: { spec: /openapi.json, environment: local }
identities:
  alice: { login: { json: { url: /login, body: { username: alice, password: alice-pw }, tokenPath: token } } }
  bob: { login: { json: { url: /login, body: { username: bob, password: bob-pw }, tokenPath: token } } }
budget: { ratePerSecond: 1000, concurrency: 4 }
`;

let signedIn: Awaited<ReturnType<typeof scan>>;
let production: Awaited<ReturnType<typeof scan>>;
let auto: Awaited<ReturnType<typeof scan>>;

beforeAll(async () => {
  // Three scans of fresh apps, one after the other (the machine is shared).
  signedIn = await scan('signed-in', SIGNED_IN);
  production = await scan('production', SIGNED_IN, ['--environment', 'production']);
  auto = await scan('auto', 'target: { spec: /openapi.json, environment: local }\nbudget: { ratePerSecond: 1000, concurrency: 4 }\n');
}, 600_000);

afterAll(() => undefined);

describe('do no harm, end to end', () => {
  it('a signed-in scan never deletes its own user, nor an object it did not create, and never calls the reset page', () => {
    const { app, report, stderr } = signedIn;
    expect(stderr).not.toMatch(/identity (alice|bob): .*failed/);
    expect(app.users.has(1) && app.users.has(2)).toBe(true);
    expect(app.notes.has(1) && app.notes.has(2)).toBe(true);
    expect(app.resets).toBe(0);
    expect(app.requests.filter((r) => r.path === '/admin/reset')).toEqual([]);
    // Deletes went out, but only to notes vouch created (ids above the seeded ones) or to an id no object has.
    const deletes = app.writes().filter((w) => w.startsWith('DELETE'));
    expect(deletes.some((d) => /^DELETE \/api\/notes\/(1[1-9]|[2-9]\d|\d{3})$/.test(d))).toBe(true);
    expect(deletes.filter((d) => !/^DELETE \/api\/(notes\/(1[1-9]|[2-9]\d|\d{3})|(notes|users)\/999999999)$/.test(d))).toEqual([]);
    expect(report.excluded?.some((e) => e.path === '/admin/reset' && e.reason.startsWith('dangerous'))).toBe(true);
    expect(report.excluded?.some((e) => e.path.startsWith('/api/users/') && e.method === 'DELETE')).toBe(true);
    // The report names the objects vouch created: every note it deleted is among them.
    const made = new Set(report.created ?? []);
    const deletedNotes = deletes.filter((d) => !d.endsWith('/999999999')).map((d) => d.slice('DELETE '.length));
    expect(deletedNotes.length).toBeGreaterThan(0);
    expect(deletedNotes.filter((p) => !made.has(p))).toEqual([]);
    expect(validateReport(report)).toEqual({ valid: true });
  });

  it('a redirect to a page with a password form marks the operation as requiring auth', () => {
    const account = signedIn.report.surface.operations.find((o) => o.id === 'GET /account');
    expect(account?.auth).toBe('required');
  });

  it('a production scan sends no write but its logins', () => {
    const { app, report } = production;
    expect(app.writes().length).toBeGreaterThan(0);
    expect(app.writes().every((w) => w === 'POST /login')).toBe(true);
    // Both identities signed in and were used.
    expect(app.requests.some((r) => r.method === 'GET' && r.path.startsWith('/api/notes'))).toBe(true);
    expect(report.verdict.incomplete?.map((c) => c.cause) ?? []).not.toContain('login-failed');
    expect(app.resets).toBe(0);
  });

  it('with no identities configured, registers two users, names them in the report and runs BOLA with them', () => {
    const { app, report } = auto;
    const made = report.accounts ?? [];
    expect(made.map((a) => a.identity)).toEqual(['auto-1', 'auto-2']);
    const names = made.map((a) => a.username);
    expect(names.every((n) => [...app.users.values()].some((u) => u.username === n))).toBe(true);
    expect(made[0]).toMatchObject({ registeredWith: 'POST /register', loginWith: 'POST /login', credential: 'bearer' });
    const bola = report.findings.filter((f) => f.checkId === 'bola');
    expect(bola.length).toBeGreaterThan(0);
    expect(report.stats.tasks.some((t) => t.checkId === 'bola' && (t.identity === 'auto-1' || t.identity === 'auto-2'))).toBe(true);
    // The registered users still exist at the end: vouch never deleted them (nor anyone else).
    expect(app.users.has(1) && app.users.has(2)).toBe(true);
    expect(app.writes().filter((w) => w.startsWith('DELETE /api/users/') && !w.endsWith('/999999999'))).toEqual([]);
    expect(validateReport(report)).toEqual({ valid: true });
  });
});
