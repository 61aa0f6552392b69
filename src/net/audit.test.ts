// src/net/audit.test.ts — the audit log's batches: every line whole and in order, across batch boundaries, in UTF-8.
import { describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { auditLine, createAuditLog, type AuditEntry } from './audit.js';
import { createRedactor } from './redact.js';

const entry = (i: number, extra: Partial<AuditEntry> = {}): AuditEntry => ({
  at: '2026-11-24T10:00:00.000Z',
  exchange: `x${String(i).padStart(6, '0')}`,
  identity: 'anonymous',
  method: 'GET',
  url: `http://127.0.0.1:8080/ünïcode/€/${i}?q=\u2028`,
  outcome: 'sent',
  status: 200,
  ms: 1.5,
  ...extra,
});

describe('audit log', () => {
  it('keeps every line whole and in order across many batches, huge lines included, and redacts', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'vouch-audit-')), 'audit.jsonl');
    const log = createAuditLog(path, createRedactor(['hunter2-secret']));
    const expected: string[] = [];
    for (let i = 0; i < 6_000; i++) {
      // Every 1,000th line is larger than a whole batch (256 KiB of 3-byte characters); the rest are small.
      const e = entry(i, i % 1000 === 999 ? { outcome: 'error', code: 'TIMEOUT', reason: '€'.repeat(100_000) + ' hunter2-secret' } : {});
      if (i === 7) e.url += '&token=abc123';
      log.write(e);
      expected.push(auditLine(e));
    }
    await log.close();
    const lines = readFileSync(path, 'utf8').split('\n');
    expect(lines.pop()).toBe('');
    expect(lines).toHaveLength(6_000);
    expect(lines).toEqual(expected);
    const parsed = lines.map((l) => JSON.parse(l) as AuditEntry);
    expect(parsed[3]!.url).toBe('http://127.0.0.1:8080/ünïcode/€/3?q=\u2028');
    expect(parsed[7]!.url).toContain('token=[REDACTED]');
    expect(parsed[999]!.reason).toMatch(/€ \[REDACTED\]$/);
    expect(readFileSync(path, 'utf8')).not.toContain('hunter2-secret');
  });

  it('writes a quiet log on its timer (100 ms), before it is closed', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'vouch-audit-')), 'audit.jsonl');
    const log = createAuditLog(path, createRedactor());
    log.write(entry(1));
    const t0 = Date.now();
    const written = (): string => (existsSync(path) ? readFileSync(path, 'utf8') : '');
    while (written() === '' && Date.now() - t0 < 5_000) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(readFileSync(path, 'utf8')).toBe(auditLine(entry(1)) + '\n');
    await log.close();
  });
});
