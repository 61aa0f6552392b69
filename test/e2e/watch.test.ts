// test/e2e/watch.test.ts — `vouch watch` end to end: the accepted state is the baseline variant, a round on the candidate drifts and fires the JSON and Slack webhooks; bad intervals are refused.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLab, type RunningLab } from '../../lab/server.js';
import { webhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.js';
import { vouch, NO_BROWSER } from './cli.js';

const tmp = mkdtempSync(join(tmpdir(), 'vouch-watch-'));
const env = { VOUCH_HISTORY: join(tmp, 'history.db'), VOUCH_DATABASE_URL: '' , ...NO_BROWSER };
const cfg = join(tmp, 'vouch.yaml');
// Both labs under one target name: the candidate is "the same target, redeployed".
writeFileSync(cfg, 'target: { name: shop, environment: local, spec: /openapi.json, version: { header: X-Lab-Version } }\n');
const CHECKS = 'security-headers,sensitive-files';
let base: RunningLab;
let cand: RunningLab;
let hook: WebhookReceiver;

beforeAll(async () => {
  [base, cand] = await Promise.all([startLab({ variant: 'baseline' }), startLab({ variant: 'candidate' })]);
  hook = await webhookReceiver();
});
afterAll(async () => {
  hook?.close();
  await Promise.all([base, cand].map((l) => l?.close()));
});

describe('vouch watch', () => {
  it('accepts the first scan, then reports drift of a redeployed target to JSON and Slack webhooks', async () => {
    const hookUrl = hook.url;
    const first = await vouch(['watch', base.url, '--every', '1s', '--count', '1', '--check', CHECKS, '--config', cfg], { cwd: tmp, env });
    expect(first.code, first.stderr).toBe(0);
    expect(first.stderr).toMatch(/shop: scan \S+ is the accepted state \(first scan/);
    const r = await vouch(['watch', cand.url, '--every', '1s', '--count', '1', '--check', CHECKS, '--config', cfg, '--webhook', `${hookUrl}/json`, '--slack-webhook', `${hookUrl}/slack`], { cwd: tmp, env });
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toMatch(/drifted from accepted/);
    expect(r.stderr).toMatch(/new finding/);
    expect(r.stderr).toMatch(/deployment: version 1\.4\.0 → 1\.5\.0, assets changed/);
    const json = hook.received.find((x) => x.path === '/json')!.body;
    expect(json).toMatchObject({ type: 'vouch.drift', target: 'shop', deployment: { fromVersion: '1.4.0', toVersion: '1.5.0', assetsChanged: true } });
    expect((json.newFindings as unknown[]).length).toBeGreaterThan(0);
    expect(hook.received.find((x) => x.path === '/slack')!.body.text).toMatch(/^vouch: shop drifted from its accepted state/);
  });

  it('refuses an invalid interval with a clear line', async () => {
    const r = await vouch(['watch', cand.url, '--every', 'soon', '--config', cfg], { cwd: tmp, env });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--every soon: not an interval/);
  });
});
