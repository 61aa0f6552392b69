// src/core/ids.ts — scan ids: the start time to the second and a random suffix, e.g. 20260101120000-a1b2c3.
import { randomBytes } from 'node:crypto';

export function newScanId(): string {
  const t = new Date().toISOString().replace(/[-:T]/g, '').slice(0, 14);
  return `${t}-${randomBytes(3).toString('hex')}`;
}
