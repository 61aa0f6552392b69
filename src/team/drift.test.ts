// src/team/drift.test.ts — continuous verification's parts: intervals, drift from the accepted state, payloads, webhook retries and dead letters.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import type { Report } from '../core/index.js';
import { makeReport } from '../report/fixture.js';
import type { HistoryStore } from '../store/index.js';
import { describeDrift, driftOf, hasDrift, parseInterval, webhookPayload } from './drift.js';
import { settleRound } from './round.js';
import { deliver, redactHookUrl } from './webhooks.js';

const servers: Server[] = [];
afterAll(() => servers.forEach((s) => s.close()));

/** A webhook receiver answering with the given statuses in turn (then 200). */
async function receiver(statuses: number[]): Promise<{ url: string; bodies: unknown[] }> {
  const bodies: unknown[] = [];
  const server = createServer((req, res) => {
    let b = '';
    req.on('data', (d: Buffer) => (b += d.toString()));
    req.on('end', () => {
      bodies.push(JSON.parse(b));
      res.writeHead(statuses.shift() ?? 200).end();
    });
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, bodies };
}

describe('continuous verification', () => {
  it('parses intervals and refuses anything else clearly', () => {
    expect(parseInterval('30s')).toBe(30_000);
    expect(parseInterval('10m')).toBe(600_000);
    expect(parseInterval('1h')).toBe(3_600_000);
    for (const bad of ['10', 'often', '0s', '5x', '-1m']) expect(() => parseInterval(bad)).toThrow(/--every .*: not an interval/);
  });

  it('finds new findings, surface and auth changes, permission and latency drift; none against itself', () => {
    const accepted: Report = { ...makeReport(), scanId: 'acc', latency: { 'GET /a': { samples: 5, p50: 50, p95: 100, p99: 120 } } };
    const base = makeReport();
    const f = base.findings[0]!;
    const now: Report = {
      ...base,
      scanId: 'now',
      latency: { 'GET /a': { samples: 5, p50: 300, p95: 400, p99: 500 } },
      comparison: {
        baseline: { kind: 'scan', ref: 'acc' },
        findings: { new: [f.fingerprint], persisting: [], fixed: [] },
        fixedFindings: [],
        surface: { added: ['GET /new'], removed: [], authChanged: [{ operation: 'GET /users', from: 'required', to: 'none' }] },
        behaviour: { operations: [] },
        permissions: { identities: [{ identity: 'agent', gained: ['DELETE /x'], lost: [] }] },
      },
    };
    const d = driftOf(now, accepted);
    expect(d.newFindings.map((x) => x.fingerprint)).toEqual([f.fingerprint]);
    expect(d).toMatchObject({ surface: { added: ['GET /new'] }, authLost: ['GET /users'], permissions: [{ identity: 'agent', gained: ['DELETE /x'] }], latency: [{ operation: 'GET /a', fromP95: 100, toP95: 400 }] });
    expect(hasDrift(d)).toBe(true);
    expect(describeDrift(d).join('\n')).toMatch(/1 new finding.*\n.*added: GET \/new\nauth lost on GET \/users\npermissions of agent: \+1 -0.*\nlatency GET \/a: p95 100 ms → 400 ms/);
    expect(hasDrift(driftOf({ ...accepted, comparison: { ...now.comparison!, findings: { new: [], persisting: [], fixed: [] }, surface: { added: [], removed: [], authChanged: [] }, permissions: { identities: [] } } }, accepted))).toBe(false);
    expect(webhookPayload(d, 'json')).toMatchObject({ type: 'vouch.drift', scanId: 'now', acceptedScanId: 'acc' });
    expect(webhookPayload(d, 'slack')).toMatchObject({ text: expect.stringMatching(/^vouch: .* drifted from its accepted state/), blocks: [{ type: 'section' }] });
  });

  it('an incomplete round says so first, is sent without visible drift, and a first incomplete round is not accepted', async () => {
    const accepted: Report = { ...makeReport(), scanId: 'acc' };
    const base = makeReport({ incomplete: true });
    const now: Report = { ...base, scanId: 'now', comparison: { ...base.comparison!, baseline: { kind: 'scan', ref: 'acc' }, findings: { new: [], persisting: [], fixed: [] }, surface: { added: [], removed: [], authChanged: [] }, permissions: { identities: [] } } };
    const d = driftOf(now, accepted);
    expect(hasDrift(d)).toBe(false);
    expect(d.verdict).toBe('incomplete');
    expect(describeDrift(d)[0]).toMatch(/^INCOMPLETE \(login-failed\): identity carol could not log in/u);
    expect(webhookPayload(d, 'json')).toMatchObject({ type: 'vouch.drift', verdict: 'incomplete', incomplete: [{ cause: 'login-failed' }, { cause: 'check-crashed' }, { cause: 'coverage' }] });
    expect(webhookPayload(d, 'slack')).toMatchObject({ text: expect.stringMatching(/^vouch: candidate: round INCOMPLETE, drift cannot be ruled out/u) });

    const hook = await receiver([]);
    const said: string[] = [];
    const accepts: string[] = [];
    const store = { accept: (id: string) => Promise.resolve(void accepts.push(id)), deadLetter: () => Promise.resolve() } as unknown as HistoryStore;
    expect(await settleRound(store, now, accepted, [{ url: hook.url, format: 'json' }], (l) => said.push(l))).toBe(true);
    expect(hook.bodies).toMatchObject([{ verdict: 'incomplete', scanId: 'now' }]);
    expect(await settleRound(store, now, undefined, [], (l) => said.push(l))).toBe(false);
    expect(accepts).toEqual([]);
    expect(said.at(-1)).toMatch(/is incomplete \(.*\); not taken as the accepted state$/u);
  });

  it('retries a failing webhook and delivers; one that keeps failing goes to the dead letters with the URL redacted', async () => {
    const flaky = await receiver([500, 503]);
    const ok = await deliver({ url: flaky.url, format: 'json' }, { a: 1 }, { baseDelayMs: 10 });
    expect(ok).toMatchObject({ ok: true, attempts: 3 });
    expect(flaky.bodies).toEqual([{ a: 1 }, { a: 1 }, { a: 1 }]);
    const down = await receiver([500, 500, 500, 500]);
    const dead: unknown[] = [];
    const r = await deliver({ url: `${down.url}?token=s3cret`, format: 'slack' }, { b: 2 }, { retries: 3, baseDelayMs: 10, deadLetter: async (x) => void dead.push(x) });
    expect(r).toMatchObject({ ok: false, attempts: 4, error: 'status 500' });
    expect(dead).toEqual([{ url: `${down.url}?[REDACTED]`, payload: '{"b":2}', error: 'status 500', attempts: 4 }]);
    expect(redactHookUrl('https://hooks.slack.com/services/T0/B0/xyz')).toBe('https://hooks.slack.com/services/[REDACTED]');
  });
});
