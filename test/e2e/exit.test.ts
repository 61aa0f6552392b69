// test/e2e/exit.test.ts — a finished command exits with its own code even when something it used leaves a handle open.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { vouch } from './cli.js';

const tmp = mkdtempSync(join(tmpdir(), 'vouch-exit-'));
// Loaded before vouch (NODE_OPTIONS --require): a timer that never ends, like a browser or socket that will not close.
const leak = join(tmp, 'leak.cjs');
writeFileSync(leak, 'setInterval(() => undefined, 1000);\n');

describe('a finished command', () => {
  it('exits with its code within the grace period, naming what was left open', async () => {
    const t0 = Date.now();
    const r = await vouch(['checks'], { env: { NODE_OPTIONS: `--require ${leak}` }, timeoutMs: 60_000 });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/sql-injection/);
    expect(r.stderr).toMatch(/vouch: finished, but .*Timeout.* kept the process alive for 10 s; exiting/);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(9_000);
  });

  it('with nothing left open it exits by itself and says nothing of the kind', async () => {
    const r = await vouch(['checks'], { timeoutMs: 60_000 });
    expect(r.code).toBe(0);
    expect(r.stderr).not.toMatch(/kept the process alive/);
  });
});
