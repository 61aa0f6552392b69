// test/e2e/startup.test.ts — the light commands stay light: `--version`, `--help`, `checks`, `history` and `scan --queue`
// load neither the engine, nor a check, nor Chromium's driver (what made `vouch --version` take 2.4 s; bench: startup).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { root } from './cli.js';

const tmp = mkdtempSync(join(tmpdir(), 'vouch-startup-'));
// A module hook that names every module resolved, on stderr: what a command loaded.
writeFileSync(join(tmp, 'hook.mjs'), "export async function resolve(s, c, next) { const r = await next(s, c); process.stderr.write(`LOADED ${r.url}\\n`); return r; }\n");
writeFileSync(join(tmp, 'register.mjs'), `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(join(tmp, 'hook.mjs')).href)});\n`);

function loaded(args: string[], env: NodeJS.ProcessEnv = {}): { code: number | null; stdout: string; modules: string[] } {
  const r = spawnSync(process.execPath, ['--import', join(tmp, 'register.mjs'), join(root, 'bin', 'vouch.js'), ...args], {
    cwd: tmp,
    env: { ...process.env, VOUCH_HISTORY: join(tmp, 'history.db'), VOUCH_DATABASE_URL: '', CI: '1', ...env },
    encoding: 'utf8',
    timeout: 60_000,
  });
  const modules = r.stderr.split('\n').filter((l) => l.startsWith('LOADED ')).map((l) => l.slice(7));
  return { code: r.status, stdout: r.stdout, modules };
}

const HEAVY = [/\/dist\/src\/engine\//, /\/dist\/src\/checks\/(security|conformance|reliability|authorization)\//, /\/dist\/src\/checks\/index\.js/, /\/playwright-core\//, /\/dist\/src\/browser\//, /\/dist\/src\/report\/(html|sarif)\.js/, /\/pg-boss\//];
const heavyIn = (modules: string[]): string[] => modules.filter((m) => HEAVY.some((h) => h.test(m)));

describe('start-up', () => {
  it.each([[['--version']], [['--help']], [['checks']], [['checks', 'sql-injection']], [['history']]])('vouch %j loads no engine, check or browser', (args) => {
    const r = loaded(args);
    expect(r.code).toBe(0);
    expect(r.modules.some((m) => m.includes('/dist/src/cli/program.js'))).toBe(true);
    expect(heavyIn(r.modules)).toEqual([]);
  });

  it('vouch checks lists every check from the generated catalog (test/meta/catalog.test.ts keeps it equal to the checks)', () => {
    const r = loaded(['checks', '--json']);
    const ids = (JSON.parse(r.stdout) as Array<{ id: string }>).map((c) => c.id);
    expect(ids).toContain('sql-injection');
    expect(ids.length).toBeGreaterThan(30);
    expect(r.modules.some((m) => m.endsWith('/dist/src/checks/catalog.js'))).toBe(true);
  });

  it('scan --queue without a team store fails before loading the engine', () => {
    const r = loaded(['scan', 'http://127.0.0.1:9', '--queue']);
    expect(r.code).toBe(2);
    expect(heavyIn(r.modules).filter((m) => !m.includes('/pg-boss/'))).toEqual([]);
  });
});
