// test/e2e/tls.test.ts — `vouch scan` of an HTTPS target with a self-signed certificate: refused with a hint by default,
// scanned when target.tls trusts its CA, scanned with a warning when verification is off, and a bad CA file is exit 2.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SELF_SIGNED_CERT, SELF_SIGNED_KEY } from '../support/tls.js';
import { vouch } from './cli.js';

const tmp = mkdtempSync(join(tmpdir(), 'vouch-tls-'));
let server: Server;
let url = '';
let hits = 0;

beforeAll(async () => {
  server = createServer({ cert: SELF_SIGNED_CERT, key: SELF_SIGNED_KEY }, (_req, res) => {
    hits++;
    res.setHeader('content-type', 'text/html');
    res.end('<html><body>shop</body></html>');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  writeFileSync(join(tmp, 'ca.pem'), SELF_SIGNED_CERT);
  writeFileSync(join(tmp, 'ca.yaml'), `target:\n  environment: local\n  tls: { ca: ${JSON.stringify(join(tmp, 'ca.pem'))} }\n`);
  writeFileSync(join(tmp, 'loose.yaml'), 'target:\n  environment: local\n  tls: { verify: false }\n');
  writeFileSync(join(tmp, 'bad.yaml'), `target:\n  tls: { ca: ${JSON.stringify(join(tmp, 'missing.pem'))} }\n`);
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const scan = (config?: string) => vouch(['scan', url, '--check', 'security-headers', '-o', join(tmp, `out-${config ?? 'default'}`), '-q', ...(config ? ['--config', join(tmp, config)] : [])], { cwd: tmp });

describe('vouch scan over TLS', () => {
  it('refuses an untrusted certificate with exit 2 and says how to trust it; nothing reaches the application', async () => {
    const before = hits;
    const r = await scan();
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/self-signed certificate/);
    expect(r.stderr).toMatch(/target\.tls\.ca/);
    expect(hits).toBe(before);
  });

  it('scans when target.tls.ca trusts the certificate, without a TLS warning', async () => {
    const r = await scan('ca.yaml');
    expect([0, 1]).toContain(r.code);
    const report = JSON.parse(readFileSync(join(tmp, 'out-ca.yaml', 'report.json'), 'utf8')) as { surface: { warnings: string[] } };
    expect(report.surface.warnings.join('\n')).not.toMatch(/not verified/);
    expect(hits).toBeGreaterThan(0);
  });

  it('scans with verify: false, and the report says certificates were not verified', async () => {
    const r = await scan('loose.yaml');
    expect([0, 1]).toContain(r.code);
    const report = JSON.parse(readFileSync(join(tmp, 'out-loose.yaml', 'report.json'), 'utf8')) as { surface: { warnings: string[] } };
    expect(report.surface.warnings[0]).toMatch(/TLS certificates are not verified for https:\/\/127\.0\.0\.1:\d+ \(target\.tls\.verify: false\)/);
    expect(readFileSync(join(tmp, 'out-loose.yaml', 'report.html'), 'utf8')).toMatch(/TLS certificates are not verified/);
  });

  it('a CA file that cannot be read is one line and exit 2', async () => {
    const r = await scan('bad.yaml');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/target\.tls\.ca: cannot read .*missing\.pem \(ENOENT\)/);
  });
});
