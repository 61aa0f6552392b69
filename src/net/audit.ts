// src/net/audit.ts — the audit log: every request attempted or refused, as JSON lines, secrets redacted.
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { dirname } from 'node:path';
import type { Redactor } from './redact.js';

export interface AuditEntry {
  at: string;
  exchange?: string;
  identity: string;
  checkId?: string;
  taskId?: string;
  method: string;
  url: string;
  outcome: 'sent' | 'refused' | 'error';
  status?: number;
  reason?: string;
  ms?: number;
}

export interface AuditLog {
  write(entry: AuditEntry): void;
  close(): Promise<void>;
}

export function createAuditLog(path: string, redact: Redactor): AuditLog {
  mkdirSync(dirname(path), { recursive: true });
  const out: WriteStream = createWriteStream(path, { flags: 'a' });
  return {
    write(e) {
      out.write(JSON.stringify({ ...e, url: redact.url(e.url), ...(e.reason ? { reason: redact.text(e.reason) } : {}) }) + '\n');
    },
    close: () => new Promise((resolve) => out.end(resolve)),
  };
}

export const noAudit: AuditLog = { write: () => undefined, close: async () => undefined };
