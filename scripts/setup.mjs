#!/usr/bin/env node
// scripts/setup.mjs — idempotent set-up run before `npm run demo`, `npm test` and `npm run bench`:
// installs node modules when missing or stale, builds dist/ when sources changed, and finds (or installs) Chromium.
// Uses only Node built-ins: it runs before any dependency exists.
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const say = (msg) => process.stderr.write(`setup: ${msg}\n`);

function fail(msg) {
  say(msg);
  process.exit(2);
}

function run(cmd, args, env = {}) {
  say(`$ ${cmd} ${args.join(' ')}`);
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env: { ...process.env, ...env } });
  return r.status === 0;
}

// 1. Node version.
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 20 || (major === 20 && minor < 19)) fail(`Node ${process.versions.node} is too old: vouch needs Node >= 20.19.`);

// 2. Node modules, keyed on the lock file's hash.
const lock = join(root, 'package-lock.json');
const stampDir = join(root, 'node_modules');
const lockStamp = join(stampDir, '.vouch-lock-hash');
const lockHash = createHash('sha256').update(readFileSync(lock)).digest('hex');
const installed = existsSync(lockStamp) ? readFileSync(lockStamp, 'utf8').trim() : '';
if (installed !== lockHash) {
  say(existsSync(stampDir) ? 'node modules are stale; reinstalling' : 'installing node modules (first run; better-sqlite3 compiles from source, about a minute)');
  // The prebuilt better-sqlite3 download is unreachable on closed networks; compile it directly.
  const ok = run('npm', ['ci', '--no-audit', '--no-fund', '--loglevel=error'], { npm_config_build_from_source: 'true' });
  if (!ok) fail('`npm ci` failed; see the output above. Check network access to the npm registry and a C++ toolchain (make, g++, python3).');
  writeFileSync(lockStamp, lockHash + '\n');
}

// 3. Regenerate the check registry (a new check file needs no hand edit), then build dist/ when sources changed.
if (!run(process.execPath, [join(root, 'scripts', 'gen-checks.mjs')])) fail('generating src/checks/index.ts failed; see above.');
function newest(dir) {
  let t = 0;
  if (!existsSync(dir)) return t;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
    const p = join(dir, entry.name);
    t = Math.max(t, entry.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}
const buildStamp = join(root, 'dist', '.build-stamp');
const sourcesTime = Math.max(newest(join(root, 'src')), newest(join(root, 'lab')), statSync(join(root, 'tsconfig.json')).mtimeMs, statSync(join(root, 'tsconfig.build.json')).mtimeMs);
const builtTime = existsSync(buildStamp) ? statSync(buildStamp).mtimeMs : 0;
if (sourcesTime > builtTime) {
  say('building dist/ (tsc)');
  if (!run(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json'])) {
    fail('the TypeScript build failed; see the errors above.');
  }
  mkdirSync(dirname(buildStamp), { recursive: true });
  writeFileSync(buildStamp, new Date().toISOString() + '\n');
}

// 4. Chromium for the browser-based parts (crawling single-page apps, proving XSS by execution).
const candidates = [process.env.CHROME_PATH, '/usr/lib/chromium/chromium', '/usr/bin/chromium', '/usr/bin/chromium-browser'].filter(Boolean);
let chromium = candidates.find((p) => existsSync(p));
let browserNote = '';
if (!chromium && process.env.VOUCH_NO_BROWSER_INSTALL !== '1') {
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const debian = existsSync('/etc/debian_version') && spawnSync('sh', ['-c', 'command -v apt-get'], { stdio: 'ignore' }).status === 0;
  if (isRoot && debian) {
    say('Chromium is missing; installing Debian\'s chromium with apt (about a minute)');
    const env = { DEBIAN_FRONTEND: 'noninteractive' };
    if (run('apt-get', ['update', '-qq'], env) && run('apt-get', ['install', '-y', '-qq', '--no-install-recommends', 'chromium'], env)) {
      chromium = candidates.find((p) => existsSync(p));
    }
    if (!chromium) browserNote = 'apt-get could not install chromium';
  } else {
    browserNote = isRoot ? 'not a Debian-like system' : 'not root, so it cannot be installed automatically';
  }
}
if (!chromium) {
  say(`Chromium not found (${browserNote || 'VOUCH_NO_BROWSER_INSTALL=1'}). Browser-based checks and crawling will be reported as skipped.`);
  say('To enable them: `sudo apt-get install chromium` (Debian/Ubuntu), or set CHROME_PATH to a Chromium or Chrome binary.');
}
mkdirSync(join(root, '.vouch'), { recursive: true });
writeFileSync(join(root, '.vouch', 'setup.json'), JSON.stringify({ chromium: chromium ?? null, reason: chromium ? undefined : browserNote || 'disabled by VOUCH_NO_BROWSER_INSTALL' }, null, 2) + '\n');
