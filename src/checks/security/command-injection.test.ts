// src/checks/security/command-injection.test.ts — command injection through a real /bin/sh (output and sleep), the
// safe twin that runs the program without a shell, and an endpoint that echoes its input.
import { execFile } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveFixture, sendJson, type Fixture } from '../kit/fixture.js';
import { testCheck } from '../kit/tester.js';
import check from './command-injection.js';

let app: Fixture;
const run = (file: string, args: string[]): Promise<string> =>
  new Promise((resolve) => execFile(file, args, { timeout: 5000 }, (_e, stdout, stderr) => resolve(`${stdout}${stderr}`)));

beforeAll(async () => {
  app = await serveFixture(async (_req, res, url) => {
    const host = url.searchParams.get('host') ?? '';
    if (url.pathname === '/vulnerable') return sendJson(res, 200, { out: await run('/bin/sh', ['-c', `echo checking ${host}`]) });
    if (url.pathname === '/blind') {
      await run('/bin/sh', ['-c', `echo checking ${host} > /dev/null`]);
      return sendJson(res, 200, { ok: true });
    }
    if (url.pathname === '/safe') return sendJson(res, 200, { out: await run('echo', ['checking', host]) });
    // The whole value is the command, run without a shell, split on spaces (spawn(exe, args)).
    const command = url.searchParams.get('command') ?? '';
    const [exe = '', ...args] = command.split(' ');
    if (url.pathname === '/spawn') return sendJson(res, 200, { out: await run(exe, args) });
    // Its safe twin: only an allow-listed command runs.
    if (url.pathname === '/spawn-allowed') return ['date', 'uptime'].includes(command) ? sendJson(res, 200, { out: await run(exe, args) }) : sendJson(res, 400, { error: 'unknown command' });
    return sendJson(res, 404, {});
  });
});
afterAll(() => app.close());

const op = (path: string) => ({ method: 'GET', path, params: [{ name: 'host', in: 'query' as const, examples: ['localhost'] }] });

describe('command-injection', () => {
  it('output-based: confirms with a fresh product computed by the shell', async () => {
    const r = await testCheck(check, { url: app.url, operations: [op('/vulnerable')] });
    expect(r.findings).toHaveLength(1);
    const f = r.findings[0]!;
    expect(f.confidence).toBe('confirmed');
    expect(f.vulnClass).toBe('command-injection-output');
    expect(f.cwe).toBe('CWE-78');
    expect(f.proof.exchanges.length).toBe(5); // payload, baseline; settled baseline, replay, control
  });

  it('time-based: confirms a blind sleep against same-run controls', async () => {
    const r = await testCheck(check, { url: app.url, operations: [op('/blind')], options: { delaySeconds: 0.4 } });
    expect(r.findings).toHaveLength(1);
    expect(r.findings[0]!.vulnClass).toBe('command-injection-time');
    expect(r.findings[0]!.confidence, r.findings[0]!.proof.summary).toBe('confirmed');
  });

  it('output-based: a parameter that is the whole command, run without a shell (expr computes the product)', async () => {
    const spawn = (path: string) => ({ method: 'GET', path, params: [{ name: 'command', in: 'query' as const, examples: ['date'] }] });
    const r = await testCheck(check, { url: app.url, operations: [spawn('/spawn')], options: { delaySeconds: 0.4 } });
    expect(r.findings.map((f) => [f.vulnClass, f.confidence])).toEqual([['command-injection-output', 'confirmed']]);
    expect(r.findings[0]!.proof.payload).toMatch(/^expr \d+ \* \d+$/);
    const safe = await testCheck(check, { url: app.url, operations: [spawn('/spawn-allowed')], options: { delaySeconds: 0.4 } });
    expect(safe.findings).toEqual([]);
  });

  it('reports nothing on the safe twin, which echoes the payload literally', async () => {
    const r = await testCheck(check, { url: app.url, operations: [op('/safe')], options: { delaySeconds: 0.4 } });
    expect(r.findings).toEqual([]);
    expect(r.outcomes[0]?.status).toBe('clean');
    expect(r.requests).toBe(1 + check.requestsPerPoint!.default);
  });
});
