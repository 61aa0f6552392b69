// test/support/postgres.ts — a real PostgreSQL for tests: VOUCH_TEST_PG_ADMIN_URL, or Debian's cluster started here (as root); a throwaway database each.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import pg from 'pg';

export type TestPostgres = { url: string; drop(): Promise<void> } | { skip: string };

const ROLE = 'vouch_test';
const PASSWORD = 'vouch_test_pw';

function sh(cmd: string, args: string[]): { ok: boolean; out: string } {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 60_000 });
  return { ok: r.status === 0, out: `${r.stdout ?? ''}${r.stderr ?? ''}${r.error ? String(r.error) : ''}`.trim() };
}

let adminUrl: Promise<string | { skip: string }> | undefined;

/** Finds or starts a server once per process; returns an admin URL (a role that may create databases) or why there is none. */
async function findServer(): Promise<string | { skip: string }> {
  if (process.env.VOUCH_TEST_PG_ADMIN_URL) return process.env.VOUCH_TEST_PG_ADMIN_URL;
  if (process.getuid?.() !== 0) return { skip: 'no PostgreSQL: set VOUCH_TEST_PG_ADMIN_URL (a role with CREATEDB), or run as root with Debian\'s postgresql installed' };
  const list = sh('pg_lsclusters', ['-h']);
  if (!list.ok) return { skip: `no PostgreSQL: pg_lsclusters is not available (${list.out.slice(0, 120)})` };
  const first = list.out.split('\n').map((l) => l.trim().split(/\s+/)).find((f) => f.length >= 4);
  if (!first) return { skip: 'no PostgreSQL cluster is installed (pg_lsclusters lists none)' };
  const [version, name, port, status] = first as [string, string, string, string];
  if (status !== 'online') {
    const start = sh('pg_ctlcluster', [version, name, 'start']);
    if (!start.ok && !/already running/.test(start.out)) return { skip: `PostgreSQL ${version}/${name} could not be started: ${start.out.slice(0, 200)}` };
  }
  const psql = (q: string) => sh('runuser', ['-u', 'postgres', '--', 'psql', '-p', port, '-v', 'ON_ERROR_STOP=1', '-tAc', q]);
  const exists = psql(`select 1 from pg_roles where rolname = '${ROLE}'`);
  if (!exists.ok) return { skip: `PostgreSQL ${version}/${name} is not answering: ${exists.out.slice(0, 200)}` };
  if (exists.out !== '1') {
    const made = psql(`create role ${ROLE} login createdb password '${PASSWORD}'`);
    if (!made.ok && !/already exists/.test(made.out)) return { skip: `cannot create the test role: ${made.out.slice(0, 200)}` };
  }
  return `postgres://${ROLE}:${PASSWORD}@127.0.0.1:${port}/postgres`;
}

/** The server's admin URL, found or started once per process; or `{ skip }` saying why there is none. */
export function postgresServer(): Promise<string | { skip: string }> {
  adminUrl ??= findServer();
  return adminUrl;
}

/** A fresh, empty database on a real server, dropped by `drop()`; or `{ skip }` saying why no server could be had. */
export async function testPostgres(): Promise<TestPostgres> {
  const admin = await postgresServer();
  if (typeof admin !== 'string') return admin;
  const name = `vouch_t_${randomBytes(6).toString('hex')}`;
  const client = new pg.Client({ connectionString: admin });
  try {
    await client.connect();
    await client.query(`create database ${name}`);
  } catch (e) {
    return { skip: `PostgreSQL at ${admin.replace(/:[^:@/]*@/, ':***@')} refused a test database: ${(e as Error).message}` };
  } finally {
    await client.end().catch(() => undefined);
  }
  const u = new URL(admin);
  u.pathname = `/${name}`;
  return {
    url: u.toString(),
    drop: async () => {
      const c = new pg.Client({ connectionString: admin });
      await c.connect();
      try {
        await c.query(`drop database if exists ${name} with (force)`);
      } finally {
        await c.end();
      }
    },
  };
}
