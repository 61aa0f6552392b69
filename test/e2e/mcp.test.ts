// test/e2e/mcp.test.ts — `vouch mcp` spawned as a coding agent would, driven by the SDK's own client over stdio:
// `gate` on the lab (candidate vs baseline) gives FAIL with the rules that fired and their proofs, with progress;
// malformed requests get protocol errors; an unreachable target is a tool error naming it; stdin closed → exit 0.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { CallToolResultSchema, McpError, type CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLab, type RunningLab } from '../../lab/server.js';
import { root, NO_BROWSER } from './cli.js';

const tmp = mkdtempSync(join(tmpdir(), 'vouch-mcp-e2e-'));
const config = join(tmp, 'vouch.yaml');
const env = { ...(process.env as Record<string, string>), CI: '1', VOUCH_HISTORY: join(tmp, 'history.db') , ...NO_BROWSER };
/** As test/e2e/gate.test.ts: checks that give the lab's candidate new confirmed high findings against its baseline. */
const GATE_CHECKS = ['sql-injection', 'security-headers', 'sensitive-files', 'path-traversal', 'crlf-injection', 'cookie-flags'];
let base: RunningLab;
let cand: RunningLab;
let client: Client;
let stderr = '';

/** A loopback port nothing listens on. */
const closedPort = (): Promise<number> =>
  new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });

beforeAll(async () => {
  writeFileSync(config, readFileSync(join(root, 'lab', 'vouch.yaml'), 'utf8'));
  [base, cand] = await Promise.all([startLab({ variant: 'baseline' }), startLab({ variant: 'candidate' })]);
  const transport = new StdioClientTransport({ command: process.execPath, args: [join(root, 'bin', 'vouch.js'), 'mcp', '--config', config], env, cwd: tmp, stderr: 'pipe' });
  transport.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  client = new Client({ name: 'e2e-agent', version: '1' });
  await client.connect(transport);
});

afterAll(async () => {
  await client?.close();
  await Promise.all([base, cand].map((l) => l?.close()));
  rmSync(tmp, { recursive: true, force: true });
});

describe('vouch mcp over stdio', { timeout: 400_000 }, () => {
  it('gates the lab candidate against its baseline: FAIL, the rules that fired, their proofs, progress on the way', async () => {
    const progress: string[] = [];
    const r = (await client.request(
      { method: 'tools/call', params: { name: 'gate', arguments: { candidate: cand.url, baseline: base.url, checks: GATE_CHECKS, out: join(tmp, 'gate') } } },
      CallToolResultSchema,
      { onprogress: (p) => progress.push(p.message ?? ''), timeout: 380_000, resetTimeoutOnProgress: true },
    )) as CallToolResult;
    expect(r.isError, `${JSON.stringify(r.content)}\n${stderr}`).toBeFalsy();
    const s = r.structuredContent as {
      verdict: string; scanId: string; baselineScanId: string;
      reasons: Array<{ rule: string; level: string; fingerprints: string[] }>;
      findings: Array<{ fingerprint: string; status?: string; confidence: string; proof: string; reproduce: string }>;
      comparison: { new: string[] };
    };
    expect(s.verdict).toBe('fail');
    const fired = s.reasons.filter((x) => x.level === 'fail');
    expect(fired.map((x) => x.rule)).toContain('new-confirmed-high');
    const proven = fired.flatMap((x) => x.fingerprints);
    expect(proven.length).toBeGreaterThan(0);
    // Every fingerprint a failing rule names is listed with its proof and a curl line to reproduce it.
    for (const fp of proven) {
      const f = s.findings.find((x) => x.fingerprint === fp);
      expect(f, fp).toBeDefined();
      expect(f!.proof.length).toBeGreaterThan(0);
      expect(f!.reproduce).toMatch(/^curl /);
    }
    expect(s.comparison.new).toEqual(expect.arrayContaining(proven.filter((fp) => s.findings.find((f) => f.fingerprint === fp)?.status === 'new')));
    expect((r.content[0] as { text: string }).text).toMatch(/^FAIL /);
    expect(progress.some((m) => m.startsWith('[baseline] ')) && progress.some((m) => m.startsWith('[candidate] '))).toBe(true);

    // The proof of one fired finding, explained from the stored scan.
    const e = (await client.callTool({ name: 'explain', arguments: { scan: s.scanId, finding: proven[0]! } })) as CallToolResult;
    const x = e.structuredContent as { why: string; exchanges: Array<{ request: { url: string } }>; rules: Array<{ rule: string }> };
    expect(x.exchanges.length).toBeGreaterThan(0);
    expect(x.exchanges.some((ex) => ex.request.url.startsWith(cand.url))).toBe(true);
    expect(x.rules.map((y) => y.rule)).toContain('new-confirmed-high');
    // Both scans are stored and their reports are resources.
    const { resources } = await client.listResources();
    expect(resources.map((y) => y.uri)).toEqual(expect.arrayContaining([`vouch://scans/${s.scanId}/report.json`, `vouch://scans/${s.baselineScanId}/report.md`]));
  });

  it('answers malformed requests with protocol errors and keeps serving', async () => {
    const unknown = await client.request({ method: 'vouch/nope', params: {} }, z.object({})).catch((e: unknown) => e);
    expect(unknown).toBeInstanceOf(McpError);
    expect((unknown as McpError).code).toBe(-32601);
    const noName = await client.request({ method: 'tools/call', params: { arguments: {} } }, CallToolResultSchema).catch((e: unknown) => e);
    expect(noName).toBeInstanceOf(McpError);
    // The SDK answers an unknown tool with a tool error naming it.
    const unknownTool = (await client.callTool({ name: 'nope', arguments: {} })) as CallToolResult;
    expect(unknownTool.isError).toBe(true);
    expect((unknownTool.content[0] as { text: string }).text).toMatch(/nope/);
    expect((await client.listTools()).tools.length).toBe(6);
  });

  it('names an unreachable target in a tool error with its code', async () => {
    const port = await closedPort();
    const r = (await client.callTool({ name: 'gate', arguments: { candidate: `http://127.0.0.1:${port}`, checks: ['security-headers'], out: join(tmp, 'down') } })) as CallToolResult;
    expect(r.isError).toBe(true);
    const text = (r.content[0] as { text: string }).text;
    expect(text).toMatch(new RegExp(`^error VOUCH_TARGET_UNREACHABLE: http://127\\.0\\.0\\.1:${port}`));
    expect(text.split('\n')).toHaveLength(1);
  });

  it('answers a line that is not JSON with a parse error, and exits 0 when stdin closes', async () => {
    const child = spawn(process.execPath, [join(root, 'bin', 'vouch.js'), 'mcp', '-q'], { env, cwd: tmp, stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stdin.write('this is not json\n');
    child.stdin.write(JSON.stringify({ jsonrpc: '2.0', id: 5, method: 'ping' }) + '\n');
    child.stdin.end();
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(code).toBe(0);
    const lines = out.trim().split('\n').map((l) => JSON.parse(l) as { id: unknown; error?: { code: number }; result?: unknown });
    expect(lines).toEqual(expect.arrayContaining([expect.objectContaining({ id: null, error: expect.objectContaining({ code: -32700 }) }), expect.objectContaining({ id: 5, result: {} })]));
  });

  it('stdin closed during a scan: the run ends with a partial report written, and the server exits 0', async () => {
    const child = spawn(process.execPath, [join(root, 'bin', 'vouch.js'), 'mcp', '-q', '--config', config], { env, cwd: tmp, stdio: ['pipe', 'pipe', 'pipe'] });
    const send = (m: unknown): boolean => child.stdin.write(JSON.stringify(m) + '\n');
    send({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } } });
    send({ jsonrpc: '2.0', method: 'notifications/initialized' });
    const out = join(tmp, 'closed');
    send({ jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'scan', arguments: { url: cand.url, checks: GATE_CHECKS, out }, _meta: { progressToken: 'p' } } });
    let buffered = '';
    // Closed once the scan has begun (its first progress notification).
    child.stdout.on('data', (d: Buffer) => {
      buffered += d.toString();
      if (buffered.includes('"notifications/progress"') && child.stdin.writable) child.stdin.end();
    });
    const started = Date.now();
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(code).toBe(0);
    expect(Date.now() - started).toBeLessThan(60_000);
    const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as { partial?: { reason: string }; verdict: { status: string } };
    expect(report.partial?.reason).toBeTruthy();
    expect(report.verdict.status).not.toBe('pass');
  });
});
