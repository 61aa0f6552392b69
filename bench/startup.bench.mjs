// bench/startup.bench.mjs — how fast the CLI starts: the median wall time of `vouch --version`, `--help`, `checks`,
// `history` (an empty store, and one with 20 scans) and `scan --queue` (time to the printed id, a fresh PostgreSQL database), each against
// the same run's reference `node -e 0`. Runs: BENCH_RUNS (default 11). PostgreSQL: VOUCH_BENCH_PG_ADMIN_URL, or
// Debian's cluster as root; without one the --queue line is skipped with the reason. BENCH_VOUCH=<path to bin/vouch.js>
// measures another build (e.g. an older checkout's) the same way.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bin = process.env.BENCH_VOUCH ?? join(root, 'bin', 'vouch.js');
if (!existsSync(join(dirname(bin), '..', 'dist', 'src', 'cli', 'main.js'))) {
  process.stderr.write('bench startup: dist/ is missing; run `npm run setup` first\n');
  process.exit(2);
}
const RUNS = Number(process.env.BENCH_RUNS ?? 11);
const tmp = mkdtempSync(join(tmpdir(), 'vouch-startup-'));
const baseEnv = { ...process.env, VOUCH_HISTORY: join(tmp, 'history.db'), CI: '1' };
delete baseEnv.VOUCH_DATABASE_URL;

/** GNU time, when installed: the CPU time (user + system) of each run, which a loaded machine inflates far less than wall time. */
const TIME = existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;

/**
 * Medians (ms) of `runs` runs of `node <args>` in the empty temp folder, after one warm-up run: wall time, and CPU
 * time (user + system) when GNU time is there: on an idle machine wall time is about the CPU time.
 */
function median(args, env = baseEnv, runs = RUNS) {
  const once = () => {
    const cmd = TIME ? [TIME, ['-f', 'cpu %U %S', process.execPath, ...args]] : [process.execPath, args];
    const t0 = performance.now();
    const r = spawnSync(cmd[0], cmd[1], { cwd: tmp, env, encoding: 'utf8' });
    const ms = performance.now() - t0;
    if (r.status !== 0) throw new Error(`node ${args.join(' ')} exited ${r.status}: ${r.stderr.split('\n')[0]}`);
    const cpu = /cpu (\d+\.\d+) (\d+\.\d+)\s*$/.exec(r.stderr);
    return { ms, cpu: cpu ? (Number(cpu[1]) + Number(cpu[2])) * 1000 : NaN };
  };
  once();
  const samples = Array.from({ length: runs }, once);
  const mid = (xs) => xs.sort((a, b) => a - b)[Math.floor(runs / 2)];
  return { ms: mid(samples.map((s) => s.ms)), cpu: mid(samples.map((s) => s.cpu)) };
}

/** A PostgreSQL admin URL: given, or Debian's cluster (started when down) with the test role, as root. */
function adminUrl() {
  if (process.env.VOUCH_BENCH_PG_ADMIN_URL) return { url: process.env.VOUCH_BENCH_PG_ADMIN_URL };
  if (process.getuid?.() !== 0) return { skip: 'not root and VOUCH_BENCH_PG_ADMIN_URL is not set' };
  const list = spawnSync('pg_lsclusters', ['-h'], { encoding: 'utf8' });
  const f = (list.stdout ?? '').trim().split('\n')[0]?.split(/\s+/);
  if (!f || f.length < 4) return { skip: 'no PostgreSQL cluster (pg_lsclusters lists none)' };
  if (f[3] !== 'online') spawnSync('pg_ctlcluster', [f[0], f[1], 'start']);
  const psql = (q) => spawnSync('runuser', ['-u', 'postgres', '--', 'psql', '-p', f[2], '-tAc', q], { encoding: 'utf8' });
  if (psql("select 1 from pg_roles where rolname = 'vouch_test'").stdout?.trim() !== '1') psql("create role vouch_test login createdb password 'vouch_test_pw'");
  return { url: `postgres://vouch_test:vouch_test_pw@127.0.0.1:${f[2]}/postgres` };
}

const fmt = (ms) => `${ms.toFixed(0).padStart(6)} ms`;
const line = (name, m, ref, target) =>
  console.log(
    `${name.padEnd(20)} wall ${fmt(m.ms)} (${(m.ms / ref.ms).toFixed(2)}× node)   cpu ${fmt(m.cpu)} (${(m.cpu / ref.cpu).toFixed(2)}× node)` +
      `   target <= ${target} ms wall${Math.min(m.ms, m.cpu) <= target ? '' : ' (over)'}`,
  );

console.log(`${bin}: ${RUNS} runs each (median), load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}, Node ${process.versions.node}`);
const ref = median(['-e', '0']);
console.log(`${'node -e 0'.padEnd(20)} wall ${fmt(ref.ms)}               cpu ${fmt(ref.cpu)}   (reference)`);
line('vouch --version', median([bin, '--version']), ref, 300);
line('vouch --help', median([bin, '--help']), ref, 300);
line('vouch checks', median([bin, 'checks']), ref, 300);
line('vouch history', median([bin, 'history']), ref, 300);

/** A history holding 20 finished scans (saved through the build's own store), so `history` reads real rows. */
async function filledStore() {
  const dist = join(dirname(bin), '..', 'dist', 'src');
  const { openSqliteHistory } = await import(join(dist, 'store', 'history.js'));
  const { makeReport } = await import(join(dist, 'report', 'fixture.js'));
  const path = join(tmp, 'filled.db');
  const store = await openSqliteHistory(path, () => undefined);
  for (let i = 0; i < 20; i++) await store.saveReport({ ...makeReport(), scanId: `bench-${i}` });
  await store.close();
  return path;
}
line('vouch history (20)', median([bin, 'history'], { ...baseEnv, VOUCH_HISTORY: await filledStore() }), ref, 300);

const admin = adminUrl();
if ('skip' in admin) {
  console.log(`vouch scan --queue      skipped: ${admin.skip}`);
} else {
  const pg = (await import('pg')).default;
  const name = `vouch_bench_${randomBytes(5).toString('hex')}`;
  const admin_ = new pg.Client({ connectionString: admin.url });
  await admin_.connect();
  await admin_.query(`create database ${name}`);
  const u = new URL(admin.url);
  u.pathname = `/${name}`;
  try {
    const env = { ...baseEnv, VOUCH_DATABASE_URL: u.toString() };
    // Once to create the schema and pg-boss's tables (a new team store's first use), then timed runs.
    const queue = median([bin, 'scan', 'http://127.0.0.1:9', '--queue'], env);
    // What PostgreSQL itself costs a fresh process: connect and one query (the floor of any --queue).
    const answer = median(['-e', `const pg=require(${JSON.stringify(join(root, 'node_modules', 'pg'))});const c=new pg.Client({connectionString:process.env.VOUCH_DATABASE_URL});c.connect().then(()=>c.query('select 1')).then(()=>c.end())`], env);
    console.log(`${'node + pg select 1'.padEnd(20)} wall ${fmt(answer.ms)}               cpu ${fmt(answer.cpu)}   (PostgreSQL answering a fresh process)`);
    line('vouch scan --queue', queue, ref, 1000);
    console.log(`scan --queue after PostgreSQL answers: wall ${fmt(queue.ms - answer.ms)}, cpu ${fmt(queue.cpu - answer.cpu)} (target <= 1000 ms)`);
  } finally {
    await admin_.query(`drop database if exists ${name} with (force)`).catch(() => undefined);
    await admin_.end();
  }
}
rmSync(tmp, { recursive: true, force: true });
