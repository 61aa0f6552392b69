// test/e2e/errors.test.ts — bad input from the command line: one clear line naming what and where, exit 2.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { serveFixture, sendJson } from '../../src/checks/kit/fixture.js';
import { vouch } from './cli.js';

const tmp = mkdtempSync(join(tmpdir(), 'vouch-e2e-'));

async function closedPort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

describe('CLI bad input', () => {
  it('an unknown command exits 2', async () => {
    const r = await vouch(['scna', 'http://127.0.0.1:1']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown command 'scna'/);
  });

  it('an unknown option exits 2', async () => {
    const r = await vouch(['scan', 'http://127.0.0.1:1', '--frobnicate']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown option '--frobnicate'/);
  });

  it('a broken vouch.yaml names the key and the file', async () => {
    const cfg = join(tmp, 'bad.yaml');
    writeFileSync(cfg, 'budget:\n  requests: many\n');
    const r = await vouch(['scan', 'http://127.0.0.1:1', '--config', cfg]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`error VOUCH_CONFIG_INVALID: ${cfg}: budget.requests:`);
  });

  it('a policy rule naming an unknown check is a config error, before any request', async () => {
    const cfg = join(tmp, 'policy.yaml');
    writeFileSync(cfg, 'policy:\n  rules:\n    - { id: no-sqli, when: { checks: [sql-injektion] } }\n');
    const r = await vouch(['scan', 'http://127.0.0.1:1', '--config', cfg]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('error VOUCH_CONFIG_INVALID: policy.rules.0.when.checks: unknown check id sql-injektion in rule no-sqli');
  });

  it('an unreachable target says so and writes no report', async () => {
    const out = join(tmp, 'unreachable');
    const r = await vouch(['scan', `http://127.0.0.1:${await closedPort()}`, '--out', out, '-q']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/error VOUCH_TARGET_UNREACHABLE: http:\/\/127\.0\.0\.1:\d+: .*ECONNREFUSED/);
  });

  it('a spec that is not OpenAPI is refused with its location', async () => {
    const spec = join(tmp, 'notapi.json');
    writeFileSync(spec, '{"hello": "world"}');
    const app = await serveFixture((_q, res) => sendJson(res, 200, {}));
    try {
      const r = await vouch(['scan', app.url, '--spec', spec, '-q']);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(`error VOUCH_SPEC_INVALID: ${spec}: not an OpenAPI document`);
    } finally {
      await app.close();
    }
  });

  it('an unknown report format and an unknown check are usage errors', async () => {
    expect((await vouch(['scan', 'http://127.0.0.1:1', '--format', 'pdf'])).stderr).toMatch(/pdf/);
    const r = await vouch(['scan', 'http://127.0.0.1:1', '--check', 'no-such-check']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('unknown check id: no-such-check');
  });

  it('lists the checks', async () => {
    const r = await vouch(['checks']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('sql-injection');
    const one = await vouch(['checks', 'sql-injection']);
    expect(one.stdout).toContain('CWE-89');
  });
});
