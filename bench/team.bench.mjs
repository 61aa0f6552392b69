// bench/team.bench.mjs — team mode: (a) the same 8 lab scans by 1 `vouch worker` and by 2 against one PostgreSQL (ratio 2:1);
// (b) store write throughput, findings and exchanges, on SQLite (the reference) and PostgreSQL.
// Env: VOUCH_BENCH_PG_ADMIN_URL (a role with CREATEDB; default: Debian's cluster, started when root), BENCH_SCANS (8),
// BENCH_CHECKS (a subset of checks per scan), BENCH_ROWS (20000).
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const dist = (p) => pathToFileURL(join(root, 'dist', p)).href;
if (!existsSync(join(root, 'dist', 'src', 'cli', 'main.js'))) {
  process.stderr.write('bench team: dist/ is missing. Run `node scripts/setup.mjs`, then `node bench/run.mjs team`.\n');
  process.exit(2);
}
const { startLab } = await import(dist('lab/server.js'));
const { openPostgresHistory, openSqliteHistory } = await import(dist('src/store/index.js'));
const { pgBossQueue } = await import(dist('src/team/queue.js'));
const { sql } = await import('kysely');
const pg = (await import('pg')).default;

const SCANS = Number(process.env.BENCH_SCANS ?? 8);
const CHECKS = process.env.BENCH_CHECKS ?? 'security-headers,sensitive-files,verbose-errors,not-a-server-error,ignored-auth,response-schema-conformance';
const ROWS = Number(process.env.BENCH_ROWS ?? 20_000);

/** An admin URL: given, or Debian's cluster with a bench role (as root). */
function adminUrl() {
  if (process.env.VOUCH_BENCH_PG_ADMIN_URL) return process.env.VOUCH_BENCH_PG_ADMIN_URL;
  if (process.getuid?.() !== 0) return undefined;
  const list = spawnSync('pg_lsclusters', ['-h'], { encoding: 'utf8' });
  const f = (list.stdout ?? '').trim().split('\n')[0]?.split(/\s+/);
  if (!f || f.length < 4) return undefined;
  if (f[3] !== 'online') spawnSync('pg_ctlcluster', [f[0], f[1], 'start']);
  const psql = (q) => spawnSync('runuser', ['-u', 'postgres', '--', 'psql', '-p', f[2], '-tAc', q], { encoding: 'utf8' });
  if (psql("select 1 from pg_roles where rolname = 'vouch_test'").stdout.trim() !== '1') psql("create role vouch_test login createdb password 'vouch_test_pw'");
  return `postgres://vouch_test:vouch_test_pw@127.0.0.1:${f[2]}/postgres`;
}
const admin = adminUrl();
if (!admin) {
  process.stderr.write('bench team: no PostgreSQL. Set VOUCH_BENCH_PG_ADMIN_URL to a role with CREATEDB (or run as root with Debian\'s postgresql).\n');
  process.exit(2);
}
const dbs = [];
async function freshDb() {
  const name = `vouch_bench_${randomBytes(5).toString('hex')}`;
  const c = new pg.Client({ connectionString: admin });
  await c.connect();
  await c.query(`create database ${name}`);
  await c.end();
  dbs.push(name);
  const u = new URL(admin);
  u.pathname = `/${name}`;
  return u.toString();
}
async function dropDbs() {
  const c = new pg.Client({ connectionString: admin });
  await c.connect();
  for (const n of dbs) await c.query(`drop database if exists ${n} with (force)`);
  await c.end();
}

const tmp = mkdtempSync(join(tmpdir(), 'vouch-bench-team-'));
const cfg = join(tmp, 'vouch.yaml');
writeFileSync(cfg, 'target: { environment: local, spec: /openapi.json }\nbudget: { ratePerSecond: 1000, concurrency: 8 }\n');
const { readFileSync } = await import('node:fs');
const cfgText = readFileSync(cfg, 'utf8');

/** Queues SCANS scans over 4 labs (one active scan per target), runs `workers` worker processes until all are done; returns seconds. */
async function batch(workers, labs) {
  const url = await freshDb();
  const store = await openPostgresHistory(url);
  const queue = await pgBossQueue(url);
  const ids = [];
  for (let i = 0; i < SCANS; i++) {
    const lab = labs[i % labs.length];
    const id = `bench-${workers}-${i}-${randomBytes(3).toString('hex')}`;
    const job = { kind: 'scan', url: lab.url, check: CHECKS, config: { name: cfg, text: cfgText } };
    await store.enqueue({ id, kind: 'scan', target: new URL(lab.url).host, url: lab.url, job: JSON.stringify(job) });
    await store.setJobId(id, await queue.send({ scanId: id, key: new URL(lab.url).origin }));
    ids.push(id);
  }
  await queue.stop();
  const t0 = performance.now();
  const procs = Array.from({ length: workers }, () => spawn(process.execPath, [join(root, 'bin', 'vouch.js'), 'worker'], { cwd: tmp, env: { ...process.env, VOUCH_DATABASE_URL: url }, stdio: 'ignore' }));
  let rows = [];
  for (;;) {
    rows = (await store.listScans({ limit: 100 })).filter((s) => ids.includes(s.id));
    if (rows.every((r) => r.state !== 'queued' && r.state !== 'running')) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  const seconds = (performance.now() - t0) / 1000;
  for (const p of procs) p.kill('SIGTERM');
  await Promise.all(procs.map((p) => new Promise((r) => (p.exitCode !== null ? r() : p.once('exit', r)))));
  const notDone = rows.filter((r) => r.state !== 'done').length;
  await store.close();
  return { seconds, notDone, findings: rows.reduce((n, r) => n + r.findingCount, 0) };
}

/** Rows/s for findings (through saveReport) and for exchange-shaped rows (1 KB JSON each, batches of 500). */
async function writes(store, label) {
  const { makeReport } = await import(dist('src/report/fixture.js'));
  const base = makeReport();
  const f0 = base.findings[0];
  const per = 500;
  let t0 = performance.now();
  for (let i = 0; i < ROWS / per; i++) {
    const findings = Array.from({ length: per }, (_, j) => ({ ...f0, fingerprint: `${i}-${j}-${f0.fingerprint}` }));
    await store.saveReport({ ...base, scanId: `${label}-w-${i}`, findings });
  }
  const findingsPerSec = ROWS / ((performance.now() - t0) / 1000);
  const db = store.db;
  await sql`create table if not exists bench_exchanges (scan_id text not null, exchange_id text not null, seq bigint not null, exchange text not null, primary key (scan_id, exchange_id))`.execute(db);
  const body = JSON.stringify({ request: { method: 'GET', url: '/api/products/1', headers: [['accept', 'application/json']] }, response: { status: 200, body: 'x'.repeat(800) } });
  t0 = performance.now();
  for (let i = 0; i < ROWS / per; i++) {
    const values = Array.from({ length: per }, (_, j) => ({ scan_id: 'bench', exchange_id: `${i}-${j}`, seq: i * per + j, exchange: body }));
    await db.insertInto('bench_exchanges').values(values).execute();
  }
  const exchangesPerSec = ROWS / ((performance.now() - t0) / 1000);
  return { findingsPerSec, exchangesPerSec };
}

try {
  const { Kysely, SqliteDialect } = await import('kysely');
  const Sqlite = (await import('better-sqlite3')).default;
  // (b) first: it needs no labs.
  const sqlitePath = join(tmp, 'bench.db');
  const lite = await openSqliteHistory(sqlitePath);
  // The SQLite store does not expose its Kysely instance; a second handle on the same file writes the exchanges.
  const liteDb = new Kysely({ dialect: new SqliteDialect({ database: new Sqlite(sqlitePath) }) });
  const l = await writes({ saveReport: (r) => lite.saveReport(r), db: liteDb }, 'lite');
  await liteDb.destroy();
  await lite.close();
  const pgStore = await openPostgresHistory(await freshDb());
  const p = await writes(pgStore, 'pg');
  await pgStore.close();
  const fmt = (n) => Math.round(n).toLocaleString('en-US');
  console.log(`store writes (${ROWS} rows each, batches of 500):`);
  console.log(`  findings   SQLite ${fmt(l.findingsPerSec)}/s   PostgreSQL ${fmt(p.findingsPerSec)}/s   ratio PG/SQLite ${(p.findingsPerSec / l.findingsPerSec).toFixed(2)}`);
  console.log(`  exchanges  SQLite ${fmt(l.exchangesPerSec)}/s   PostgreSQL ${fmt(p.exchangesPerSec)}/s   ratio PG/SQLite ${(p.exchangesPerSec / l.exchangesPerSec).toFixed(2)}`);

  // (a) workers.
  const labs = await Promise.all(['candidate', 'baseline', 'candidate', 'baseline'].map((variant) => startLab({ variant })));
  try {
    const one = await batch(1, labs);
    const two = await batch(2, labs);
    console.log(`${SCANS} lab scans (checks: ${CHECKS}) against one PostgreSQL:`);
    console.log(`  1 worker  ${one.seconds.toFixed(1)} s  (${(SCANS / one.seconds).toFixed(2)} scans/s, ${one.findings} findings, ${one.notDone} not done)`);
    console.log(`  2 workers ${two.seconds.toFixed(1)} s  (${(SCANS / two.seconds).toFixed(2)} scans/s, ${two.findings} findings, ${two.notDone} not done)`);
    console.log(`  throughput ratio 2 workers / 1 worker: ${(one.seconds / two.seconds).toFixed(2)}`);
  } finally {
    await Promise.all(labs.map((x) => x.close()));
  }
} finally {
  await dropDbs();
  rmSync(tmp, { recursive: true, force: true });
}
