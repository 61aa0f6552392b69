// test/e2e/store-secrets.test.ts — no secret at rest in the history store: a real `vouch scan` with a configured bearer
// token, a password login (a JWT signed with a weak secret and a session cookie) is killed mid-execution, resumed, and
// another one runs to the end; the store's raw bytes (file, WAL, shm) never hold the token, the password, an issued
// JWT or session cookie, or the cracked secret. The file and folder are private, and the file does not grow per scan.
import { spawn } from 'node:child_process';
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendJson, serveFixture, type Fixture } from '../../src/checks/kit/fixture.js';
import { forge } from '../../src/checks/security/support/jwt.js';
import { HEARTBEAT_MS, type Report } from '../../src/core/index.js';
import { root, vouch } from './cli.js';

/** In vouch's weak-secret list (data/jwt-secrets.txt), and spelled like nothing else the store could hold. */
const JWT_SECRET = 'shhhhhhared-secret';
const BOT_TOKEN = `bot-${randomBytes(12).toString('hex')}`;
const ALICE_PASSWORD = `pw-${randomBytes(9).toString('hex')}`;
/** Every credential the fixture handed out: JWTs and session cookie values. */
const issued: string[] = [];
const sessions = new Set<string>();
const tokens = new Set<string>();

const tmp = mkdtempSync(join(tmpdir(), 'vouch-store-secrets-'));
const home = join(tmp, 'project');
mkdirSync(home);
/** The default place (`.vouch/history.db` under the working directory): vouch creates the folder. */
const historyFile = join(home, '.vouch', 'history.db');
const env = { BOT_TOKEN, ALICE_PASSWORD, CHROME_PATH: '/nonexistent/chromium' };

const OPS = 10;
const spec = {
  openapi: '3.0.3',
  info: { title: 'secrets', version: '1' },
  components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
  paths: {
    '/api/login': { post: { security: [], requestBody: { content: { 'application/json': { schema: { type: 'object' } } } }, responses: { '200': { description: 'ok' } } } },
    '/api/me': { get: { security: [{ bearer: [] }], responses: { '200': { description: 'me' }, '401': { description: 'no' } } } },
    ...Object.fromEntries(Array.from({ length: OPS }, (_, i) => [`/api/items${i}`, { get: { security: [], parameters: [{ name: 'q', in: 'query', schema: { type: 'string' } }], responses: { '200': { description: 'ok' } } } }])),
  },
};

/** HS256 verified with the weak secret: a forgery without it (alg none, garbage signature) is refused. */
function verified(jwt: string): boolean {
  const [h, p, s] = jwt.split('.');
  if (!h || !p || s === undefined) return false;
  try {
    if ((JSON.parse(Buffer.from(h, 'base64url').toString()) as { alg?: string }).alg !== 'HS256') return false;
  } catch {
    return false;
  }
  const want = createHmac('sha256', JWT_SECRET).update(`${h}.${p}`).digest();
  const got = Buffer.from(s, 'base64url');
  return got.length === want.length && timingSafeEqual(got, want);
}

let site: Fixture;
beforeAll(async () => {
  site = await serveFixture(async (req, res, url) => {
    const p = url.pathname;
    if (p === '/openapi.json') return sendJson(res, 200, spec);
    if (p === '/api/login' && req.method === 'POST') {
      let body: { username?: string; password?: string } = {};
      try {
        body = JSON.parse(req.body) as typeof body;
      } catch {
        return sendJson(res, 400, { error: 'json' });
      }
      if (body.username !== 'alice' || body.password !== ALICE_PASSWORD) return sendJson(res, 401, { error: 'bad credentials' });
      const token = forge({ alg: 'HS256', typ: 'JWT' }, { sub: 'alice', iat: Math.floor(Date.now() / 1000), exp: Math.floor(Date.now() / 1000) + 3600, n: randomBytes(4).toString('hex') }, JWT_SECRET);
      const sid = randomBytes(20).toString('hex');
      tokens.add(token);
      sessions.add(sid);
      issued.push(token, sid);
      return sendJson(res, 200, { token }, { 'set-cookie': `sid=${sid}; Path=/; HttpOnly` });
    }
    if (p === '/api/me') {
      const auth = req.headers.authorization ?? '';
      const bearer = /^Bearer (\S+)$/.exec(auth)?.[1];
      const sid = /(?:^|;\s*)sid=([^;]+)/.exec(req.headers.cookie ?? '')?.[1];
      if (bearer === BOT_TOKEN) return sendJson(res, 200, { user: 'bot' });
      if (bearer && verified(bearer)) return sendJson(res, 200, { user: 'alice' });
      if (!bearer && sid && sessions.has(sid)) return sendJson(res, 200, { user: 'alice' });
      return sendJson(res, 401, { error: 'unauthorized' });
    }
    // The API answers slowly, so execution lasts long enough to be killed in the middle.
    if (p.startsWith('/api/items')) {
      await new Promise((r) => setTimeout(r, 120));
      return sendJson(res, 200, { items: [] });
    }
    return sendJson(res, 404, { error: 'not here' });
  });
  writeFileSync(
    join(home, 'vouch.yaml'),
    [
      'target: { spec: /openapi.json }',
      'discovery: { crawl: false, robots: false, graphql: false }',
      'budget: { concurrency: 2 }',
      'identities:',
      '  bot: { role: user, bearer: "${BOT_TOKEN}" }',
      '  alice:',
      '    role: user',
      '    login: { json: { url: /api/login, body: { username: alice, password: "${ALICE_PASSWORD}" }, tokenPath: token } }',
      '',
    ].join('\n'),
  );
});
afterAll(async () => {
  await site?.close();
});

const CHECKS = 'jwt-weakness,not-a-server-error,negative-data-rejection';
const scanArgs = (out: string): string[] => ['scan', site.url, '--check', CHECKS, '--out', join(tmp, out), '--format', 'json'];

/** The store as `strings` sees it: the file, its WAL and its shm, raw bytes. */
function storeBytes(): string {
  return [historyFile, `${historyFile}-wal`, `${historyFile}-shm`].filter(existsSync).map((f) => readFileSync(f).toString('latin1')).join('\n');
}

/** The secrets the store must never hold, each with what it is (for the failure message). */
function secrets(): Array<[string, string]> {
  const out: Array<[string, string]> = [['bearer token', BOT_TOKEN], ['password', ALICE_PASSWORD], ['cracked JWT secret', JWT_SECRET]];
  for (const t of tokens) out.push(['issued JWT', t], ['issued JWT signature', t.slice(t.lastIndexOf('.') + 1)]);
  for (const s of sessions) out.push(['session cookie', s]);
  return out;
}

function expectNoSecret(when: string): void {
  const bytes = storeBytes();
  expect(bytes.length).toBeGreaterThan(0);
  const found = secrets().filter(([, v]) => bytes.includes(v)).map(([what]) => what);
  expect(found, `${when}: secrets in the store's raw bytes`).toEqual([]);
}

const modeOf = (p: string): number => statSync(p).mode & 0o777;
const size = (): number => [historyFile, `${historyFile}-wal`].filter(existsSync).reduce((n, f) => n + statSync(f).size, 0);

function expectPrivate(): void {
  expect(modeOf(join(home, '.vouch'))).toBe(0o700);
  for (const f of [historyFile, `${historyFile}-wal`, `${historyFile}-shm`].filter(existsSync)) expect([f, modeOf(f)]).toEqual([f, 0o600]);
}

/** One value from the store (read-only; a running scan writes on meanwhile). */
function inStoreText(sqlText: string): unknown {
  const db = new BetterSqlite3(historyFile, { readonly: true, fileMustExist: true });
  try {
    return db.prepare(sqlText).pluck().get();
  } finally {
    db.close();
  }
}
const inStore = (sqlText: string): number => Number(inStoreText(sqlText));

describe('no secret at rest in the history store', () => {
  it('a scan killed mid-execution, resumed, and another finished leave no secret in the store; modes 0600/0700', async () => {
    // (a) SIGKILL once the JWT check has ended and more tasks were journaled, with tasks still to run.
    const child = spawn(process.execPath, [join(root, 'bin', 'vouch.js'), ...scanArgs('killed'), '--json'], { cwd: home, env: { ...process.env, CI: '1', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
    const events = (): Array<{ type: string; outcome?: { taskId: string; status: string }; done?: number; total?: number; scanId?: string }> =>
      stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l) as { type: string });
    const deadline = Date.now() + 120_000;
    let scanId = '';
    /** The JWT check's task, from the plan the journal keeps. */
    let jwtTask: string | undefined;
    for (;;) {
      if (child.exitCode !== null || Date.now() > deadline) throw new Error(`the scan was not caught mid-execution\n${stderr}`);
      const ev = events();
      scanId ||= ev.find((e) => e.type === 'scan-started')?.scanId ?? '';
      if (scanId && !jwtTask && inStore(`SELECT count(*) FROM scan_inputs WHERE scan_id = '${scanId}'`)) {
        const plan = JSON.parse(String(inStoreText(`SELECT plan FROM scan_inputs WHERE scan_id = '${scanId}'`))) as { tasks: Array<{ id: string; checkId: string }> };
        jwtTask = plan.tasks.find((t) => t.checkId === 'jwt-weakness')?.id;
      }
      const finished = ev.filter((e) => e.type === 'task-finished');
      const jwt = finished.find((e) => e.outcome?.taskId === jwtTask);
      const journaled = jwtTask ? inStore(`SELECT count(*) FROM scan_tasks WHERE scan_id = '${scanId}'`) : 0;
      if (jwt && journaled >= 3 && finished.length < (finished[0]?.total ?? 0) - 3) {
        expect(jwt.outcome?.status).toBe('found');
        break;
      }
      await new Promise((r) => setTimeout(r, 25));
    }
    child.kill('SIGKILL');
    await exited;
    expect(issued.length).toBeGreaterThanOrEqual(2); // the login ran: a JWT and a session cookie were handed out
    expect(inStore(`SELECT count(*) FROM scan_inputs WHERE scan_id = '${scanId}'`)).toBe(1); // resumable
    expectNoSecret('after SIGKILL mid-execution');
    // The JWT task's candidates carried the cracked secret and the issued token: left for the resume to run again.
    expect(inStore(`SELECT count(*) FROM scan_tasks WHERE scan_id = '${scanId}' AND task_id = '${jwtTask}'`)).toBe(0);
    expectPrivate();

    // The killed scan is resumed: the JWT task (its results carried the cracked secret) runs again and proves it.
    // A killed process leaves its scan `running`: it counts as stopped once it is silent for 3 heartbeats.
    await new Promise((r) => setTimeout(r, 3 * HEARTBEAT_MS + 500));
    const resumed = await vouch(['scan', '--resume', scanId, '--json'], { cwd: home, env });
    expect(resumed.stderr).not.toMatch(/VOUCH_INTERNAL|cannot be resumed/);
    expect([0, 1]).toContain(resumed.code);
    const report = JSON.parse(readFileSync(join(tmp, 'killed', 'report.json'), 'utf8')) as Report;
    expect(report.partial).toBeUndefined();
    expect(report.findings.filter((f) => f.vulnClass === 'jwt-weak-secret' && f.confidence === 'confirmed').length).toBe(1);
    expect(inStore(`SELECT count(*) FROM scan_tasks WHERE scan_id = '${scanId}'`)).toBe(0); // finished: journal wiped
    expectNoSecret('after the resumed scan finished');

    // (b) Another scan runs to the end.
    const full = await vouch(scanArgs('full'), { cwd: home, env });
    expect([0, 1]).toContain(full.code);
    expectNoSecret('after a scan that finished');
    expectPrivate();
  }, 300_000);

  it('the file does not grow with finished scans beyond the reports it keeps: no free pages, the WAL truncated', async () => {
    const sizes: number[] = [];
    for (let i = 0; i < 3; i++) {
      const r = await vouch(scanArgs(`more${i}`), { cwd: home, env });
      expect([0, 1]).toContain(r.code);
      sizes.push(size());
      expect(inStore('SELECT count(*) FROM scan_exchanges')).toBe(0);
      expect(inStore('PRAGMA freelist_count')).toBe(0);
    }
    // What the file holds is the reports (and small rows): it stays within them plus a fixed allowance.
    const reports = inStore('SELECT sum(length(report)) FROM scans');
    expect(size()).toBeLessThan(reports * 1.5 + 256 * 1024);
    expect(sizes[2]! - sizes[0]!).toBeLessThan(2 * (reports / inStore('SELECT count(*) FROM scans')) * 1.5 + 64 * 1024);
    expectNoSecret('after more finished scans');
    expectPrivate();
  }, 300_000);
});
