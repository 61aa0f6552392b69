// bench/targets/targets.mjs — the targets the bench knows: where their setup.sh is, how to reset them, how wapiti is
// given a session (vouch logs in by itself with its vouch.yaml recipes) and what each run mode scans.
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';

export const TARGETS_DIR = process.env.VOUCH_TARGETS_DIR ?? '/work/shared/targets';

/** Runs a target's setup.sh with arguments; throws with its output's tail when it fails. */
export function setup(name, args = [], env = {}) {
  const r = spawnSync('sh', ['-c', args.join(' ')], { cwd: `${TARGETS_DIR}/${name}`, encoding: 'utf8', env: { ...process.env, ...env }, timeout: 30 * 60_000 });
  if (r.status !== 0) throw new Error(`${name}: \`${args.join(' ')}\` exited ${r.status ?? r.signal}: ${(r.stdout + r.stderr).trim().split('\n').slice(-5).join(' | ')}`);
  return r.stdout;
}

/** Cookies from a fetch response, as `name=value` pairs (the first attribute of each Set-Cookie). */
const setCookies = (res) => (res.headers.getSetCookie?.() ?? []).map((c) => c.split(';')[0].trim());

/** DVWA's real login: GET login.php (session + user_token), POST the form with the token; keeps the given sid. */
async function dvwaLogin(base, sid) {
  const cookie = () => `PHPSESSID=${sid ?? ''}`;
  const page = await fetch(`${base}/login.php`, { headers: sid ? { cookie: cookie() } : {}, redirect: 'manual' });
  const issued = setCookies(page).find((c) => c.startsWith('PHPSESSID='));
  if (issued) sid = issued.slice('PHPSESSID='.length);
  const token = /name='user_token' value='([0-9a-f]+)'/.exec(await page.text())?.[1];
  if (!token) throw new Error(`dvwa ${base}: no user_token on login.php`);
  const body = new URLSearchParams({ username: 'admin', password: 'password', Login: 'Login', user_token: token });
  const res = await fetch(`${base}/login.php`, { method: 'POST', body, headers: { cookie: cookie() }, redirect: 'manual' });
  const again = setCookies(res).find((c) => c.startsWith('PHPSESSID='));
  if (again) sid = again.slice('PHPSESSID='.length);
  if (res.status !== 302 || !/index\.php/.test(res.headers.get('location') ?? '')) throw new Error(`dvwa ${base}: login answered ${res.status} ${res.headers.get('location')}`);
  return sid;
}

/** A wapiti JSON cookie file (wapitiCore/net/jsoncookie.py format) holding one cookie for 127.0.0.1. */
function wapitiCookieFile(file, name, value) {
  writeFileSync(file, JSON.stringify({ '127.0.0.1': { '/': { [name]: { value, expires: null, secure: false, port: null, version: 0 } } } }));
  return file;
}

async function dvrToken(username, password) {
  const res = await fetch('http://127.0.0.1:4347/token', { method: 'POST', body: new URLSearchParams({ username, password }) });
  const token = res.ok ? (await res.json()).access_token : undefined;
  if (!token) throw new Error(`dvrestaurant: POST /token for ${username} answered ${res.status}`);
  return token;
}

async function bcToken(user, password) {
  const res = await fetch('http://127.0.0.1:4357/api/auth/login', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ user, password, op: 'basic' }) });
  const token = res.headers.get('authorization');
  if (!res.ok || !token) throw new Error(`brokencrystals: login ${user} answered ${res.status} without an Authorization header`);
  return token;
}

/**
 * Per target: `up()` starts it (idempotent), `reset()` gives fresh data, `login()` returns wapiti's login options
 * (vouch's own login is in <target>.vouch.yaml), `configured` / `zeroConfig` say what vouch scans, `wapiti` what
 * wapiti scans, and `variant` which ground-truth variant a scanned URL is.
 */
export const targets = {
  dvwa: {
    up: () => setup('dvwa', ['./setup.sh']),
    reset: () => setup('dvwa', ['./setup.sh', 'reset']),
    async login(tmp) {
      const sid = await dvwaLogin('http://127.0.0.1:4280');
      return { wapiti: ['-c', wapitiCookieFile(`${tmp}/dvwa-cookies.json`, 'PHPSESSID', sid)] };
    },
    configured: { gate: { baseline: 'http://127.0.0.1:4281', candidate: 'http://127.0.0.1:4280' }, variant: 'low' },
    zeroConfig: { url: 'http://127.0.0.1:4280/', variant: 'low' },
    wapiti: {
      url: 'http://127.0.0.1:4280/',
      variant: 'low',
      exclude: ['/logout.php', '/setup.php', '/security.php'], // paths, refused by bench/targets/proxy.mjs
    },
  },
  dvrestaurant: {
    up: () => setup('dvrestaurant', ['./setup.sh']),
    // The README's full reset: seed data comes back on the next start.
    reset: () => setup('dvrestaurant', ['./setup.sh stop && rm -rf /tmp/dvrestaurant-target && ./setup.sh']),
    async login() {
      return { wapiti: ['-H', `Authorization: Bearer ${await dvrToken('johndoe', 'password123')}`] };
    },
    configured: { url: 'http://127.0.0.1:4347/' },
    zeroConfig: { url: 'http://127.0.0.1:4347/' },
    wapiti: { url: 'http://127.0.0.1:4347/', start: ['http://127.0.0.1:4347/docs', 'http://127.0.0.1:4347/openapi.json'], exclude: [] },
  },
  brokencrystals: {
    up: () => setup('brokencrystals', ['./setup.sh']),
    // Fresh data without a rebuild (README): stop, drop the database folder, start (pg.sql is loaded again).
    reset: () => setup('brokencrystals', ['./setup.sh stop && rm -rf /tmp/brokencrystals-target/pgdata && ./setup.sh']),
    async login() {
      return { wapiti: ['-H', `Authorization: ${await bcToken('user', 'user')}`] };
    },
    configured: { url: 'http://127.0.0.1:4357/' },
    zeroConfig: { url: 'http://127.0.0.1:4357/' },
    wapiti: { url: 'http://127.0.0.1:4357/', start: ['http://127.0.0.1:4357/swagger', 'http://127.0.0.1:4357/swagger-json'], exclude: [] },
  },
};
