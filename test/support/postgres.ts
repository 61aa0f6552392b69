// test/support/postgres.ts — a real PostgreSQL for tests: VOUCH_TEST_PG_ADMIN_URL, or Debian's cluster started here (as root); a throwaway database each.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer, type AddressInfo } from 'node:net';
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
        // A backend of another role still in the database (an autovacuum worker finishing, seen once) cannot be
        // terminated by the test role (42501): it is gone a moment later, so try again for a few seconds.
        for (let i = 0; ; i++) {
          try {
            await c.query(`drop database if exists ${name} with (force)`);
            return;
          } catch (e) {
            if ((e as { code?: string }).code !== '42501' || i >= 20) throw e;
            await new Promise((r) => setTimeout(r, 250));
          }
        }
      } finally {
        await c.end();
      }
    },
  };
}

export type ThrowawayCluster = { url: string; restart(): { ok: boolean; out: string }; drop(): void } | { skip: string };

/**
 * A PostgreSQL cluster of its own (Debian's pg_createcluster, as root) on a free loopback port, for tests that stop or
 * restart the server: the shared cluster other test files use is never touched. `drop()` stops and removes it.
 */
export async function throwawayCluster(): Promise<ThrowawayCluster> {
  if (process.getuid?.() !== 0) return { skip: 'restarting PostgreSQL needs a cluster of its own: run as root with Debian\'s postgresql installed' };
  const list = sh('pg_lsclusters', ['-h']);
  if (!list.ok) return { skip: `no PostgreSQL: pg_lsclusters is not available (${list.out.slice(0, 120)})` };
  const version = list.out.split('\n').map((l) => l.trim().split(/\s+/)[0]).find((v) => v && /^\d+$/.test(v));
  if (!version) return { skip: 'no PostgreSQL version is installed (pg_lsclusters lists no cluster)' };
  const port = await new Promise<number>((done, fail) => {
    const srv = createServer();
    srv.once('error', fail);
    srv.listen(0, '127.0.0.1', () => {
      const p = (srv.address() as AddressInfo).port;
      srv.close(() => done(p));
    });
  });
  const name = `vouch_t_${randomBytes(4).toString('hex')}`;
  const made = sh('pg_createcluster', [version, name, '-p', String(port), '--start', '--', '--auth-host=scram-sha-256']);
  const drop = (): void => void sh('pg_dropcluster', ['--stop', version, name]);
  if (!made.ok) {
    drop();
    return { skip: `pg_createcluster ${version} ${name} failed: ${made.out.slice(0, 200)}` };
  }
  const psql = (q: string) => sh('runuser', ['-u', 'postgres', '--', 'psql', '-p', String(port), '-v', 'ON_ERROR_STOP=1', '-tAc', q]);
  const role = psql(`create role ${ROLE} login createdb password '${PASSWORD}'`);
  const db = role.ok ? psql(`create database ${name} owner ${ROLE}`) : role;
  if (!db.ok) {
    drop();
    return { skip: `cannot prepare the throwaway cluster: ${db.out.slice(0, 200)}` };
  }
  return { url: `postgres://${ROLE}:${PASSWORD}@127.0.0.1:${port}/${name}`, restart: () => sh('pg_ctlcluster', [version, name, 'restart', '-m', 'fast']), drop };
}
