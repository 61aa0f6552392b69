// src/mcp/server.test.ts — the MCP server in-process with the SDK's own Client: tools and their schemas, a scan of
// a fixture with progress notifications, its report as resources, a finding explained, errors as tool errors.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { CallToolResultSchema, type CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveFixture, type Fixture } from '../checks/kit/fixture.js';
import type { Report } from '../core/index.js';
import { createMcpServer } from './server.js';

const tmp = mkdtempSync(join(tmpdir(), 'vouch-mcp-'));
const config = join(tmp, 'vouch.yaml');
const priorHistory = process.env.VOUCH_HISTORY;
let site: Fixture;
/** Answers as `site` does, 300 ms late: a scan of it runs long enough to be cancelled. */
let slow: Fixture;
let client: Client;

const structured = (r: CallToolResult): Record<string, unknown> => r.structuredContent as Record<string, unknown>;
const call = async (name: string, args: Record<string, unknown>): Promise<CallToolResult> =>
  (await client.callTool({ name, arguments: args })) as CallToolResult;

beforeAll(async () => {
  process.env.VOUCH_HISTORY = join(tmp, 'history.db');
  writeFileSync(config, 'target:\n  environment: local\ndiscovery:\n  graphql: false\n');
  // A page served without any security header: security-headers proves it from the recorded answer.
  site = await serveFixture((_req, res, url) => {
    if (url.pathname !== '/') return void res.writeHead(404).end('not found');
    res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><html><body><h1>shop</h1></body></html>');
  });
  slow = await serveFixture(async (_req, res, url) => {
    await new Promise((r) => setTimeout(r, 300));
    if (url.pathname !== '/') return void res.writeHead(404).end('not found');
    res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><html><body><a href="/a">a</a><a href="/b">b</a></body></html>');
  });
  const [a, b] = InMemoryTransport.createLinkedPair();
  await createMcpServer({ config }).connect(a);
  client = new Client({ name: 'test', version: '1' });
  await client.connect(b);
});

afterAll(async () => {
  await client?.close();
  await site?.close();
  await slow?.close();
  rmSync(tmp, { recursive: true, force: true });
  if (priorHistory === undefined) delete process.env.VOUCH_HISTORY;
  else process.env.VOUCH_HISTORY = priorHistory;
});

describe('vouch mcp (in-process)', () => {
  it('lists the six tools with typed inputs', async () => {
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual(['audit', 'explain', 'gate', 'history', 'inspect', 'scan']);
    const gate = tools.find((t) => t.name === 'gate')!;
    expect(gate.inputSchema.required).toEqual(['candidate']);
    expect(Object.keys(gate.inputSchema.properties ?? {})).toEqual(expect.arrayContaining(['baseline', 'checks', 'safe', 'config']));
    expect(gate.outputSchema?.properties).toHaveProperty('verdict');
  });

  let scanId = '';
  let fingerprint = '';
  it('scans with progress notifications, and returns the verdict and the findings with their proofs', { timeout: 120_000 }, async () => {
    const progress: string[] = [];
    const r = (await client.request(
      { method: 'tools/call', params: { name: 'scan', arguments: { url: site.url, checks: ['security-headers'], out: join(tmp, 'scan') } } },
      CallToolResultSchema,
      { onprogress: (p) => progress.push(p.message ?? ''), timeout: 120_000 },
    )) as CallToolResult;
    expect(r.isError, JSON.stringify(r.content)).toBeFalsy();
    const s = structured(r) as { scanId: string; verdict: string; findings: Array<{ fingerprint: string; checkId: string; reproduce: string }>; reports: Record<string, string>; resources: { json: string } };
    expect(['pass', 'fail', 'incomplete']).toContain(s.verdict);
    expect(s.findings.length).toBeGreaterThan(0);
    expect(s.findings.every((f) => f.checkId === 'security-headers' && f.reproduce.startsWith('curl'))).toBe(true);
    expect(Object.keys(s.reports).sort()).toEqual(['json', 'markdown']);
    expect(s.resources.json).toBe(`vouch://scans/${s.scanId}/report.json`);
    expect(progress.some((m) => m.startsWith('scan '))).toBe(true);
    expect(progress.some((m) => /^execute: \d+\/\d+ tasks$/.test(m))).toBe(true);
    scanId = s.scanId;
    fingerprint = s.findings[0]!.fingerprint;
  });

  it('lists the stored scan and reads its reports as resources', async () => {
    const h = structured(await call('history', {})) as { scans: Array<{ id: string }> };
    expect(h.scans.map((x) => x.id)).toContain(scanId);
    const { resources } = await client.listResources();
    expect(resources.map((x) => x.uri)).toEqual(expect.arrayContaining([`vouch://scans/${scanId}/report.json`, `vouch://scans/${scanId}/report.md`]));
    const json = await client.readResource({ uri: `vouch://scans/${scanId}/report.json` });
    const report = JSON.parse((json.contents[0] as { text: string }).text) as Report;
    expect(report.scanId).toBe(scanId);
    expect(report.findings.map((f) => f.fingerprint)).toContain(fingerprint);
    const md = await client.readResource({ uri: `vouch://scans/${scanId}/report.md` });
    expect((md.contents[0] as { text: string }).text).toContain(site.url);
  });

  it('explains a finding by a prefix of its fingerprint: why it is proof, the exchanges, the curl line', async () => {
    const r = await call('explain', { scan: scanId, finding: fingerprint.slice(0, 10) });
    const e = structured(r) as { fingerprint: string; why: string; exchanges: Array<{ request: { url: string }; response?: { status: number } }>; reproduce: string };
    expect(e.fingerprint).toBe(fingerprint);
    expect(e.why).toMatch(/^(confirmed|tentative): /);
    expect(e.exchanges.length).toBeGreaterThan(0);
    expect(e.exchanges[0]!.request.url.startsWith(site.url)).toBe(true);
    expect(e.reproduce).toContain(site.url);
  });

  it('stops a run whose request is cancelled, as an interrupt: a partial report, stored', { timeout: 120_000 }, async () => {
    const abort = new AbortController();
    const pending = client.request(
      { method: 'tools/call', params: { name: 'scan', arguments: { url: slow.url, out: join(tmp, 'cancelled') } } },
      CallToolResultSchema,
      { signal: abort.signal, onprogress: (p) => (p.message?.startsWith('scan ') ? abort.abort('enough') : undefined), timeout: 120_000 },
    );
    await expect(pending).rejects.toThrow();
    // The server finishes the run with what it has and stores it, marked partial.
    let row: { id: string; state: string } | undefined;
    for (let i = 0; i < 100 && !row; i++) {
      await new Promise((r) => setTimeout(r, 300));
      const h = structured(await call('history', {})) as { scans: Array<{ id: string; state: string }> };
      row = h.scans.find((x) => x.id !== scanId && x.state !== 'running');
    }
    expect(row, 'the cancelled scan in the history').toBeDefined();
    const report = JSON.parse(((await client.readResource({ uri: `vouch://scans/${row!.id}/report.json` })).contents[0] as { text: string }).text) as Report;
    expect(report.partial?.reason).toBeTruthy();
    expect(report.verdict.status).not.toBe('pass');
  });

  it('answers bad input with tool errors carrying vouch codes and one line, no stack', async () => {
    const unknownScan = await call('explain', { scan: '20990101000000-abcdef', finding: '1' });
    expect(unknownScan.isError).toBe(true);
    expect(unknownScan._meta?.['vouch/error']).toMatchObject({ code: 'VOUCH_USAGE', message: expect.stringContaining('20990101000000-abcdef') });
    const badCheck = await call('scan', { url: site.url, checks: ['no-such-check'] });
    expect(badCheck.isError).toBe(true);
    const text = (badCheck.content[0] as { text: string }).text;
    expect(text).toMatch(/^error VOUCH_USAGE: unknown check id: no-such-check/);
    expect(text).not.toMatch(/\n\s+at /);
    const creds = await call('gate', { candidate: 'http://user:pw@127.0.0.1:9/' });
    expect(creds.isError).toBe(true);
    expect((creds.content[0] as { text: string }).text).toMatch(/^error VOUCH_/);
    const wrongType = await call('scan', { url: 42 });
    expect(wrongType.isError).toBe(true);
  });
});
