// src/checks/security/support/jwt.test.ts — the offline cracker: the JavaScript HMAC-SHA256 agrees with node:crypto,
// and secrets from the shipped list and digit runs are found, for every HMAC algorithm; others are not.
import { createHmac, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { hs256Matcher } from './hs256.js';
import { crackHmac, decodeJwt, forge, weakSecrets } from './jwt.js';

describe('hs256Matcher', () => {
  it('agrees with node:crypto on messages and keys of many lengths', () => {
    for (const len of [0, 1, 55, 56, 63, 64, 65, 119, 120, 300]) {
      const msg = randomBytes(len);
      for (const keyLen of [0, 1, 6, 32, 63, 64]) {
        const key = randomBytes(keyLen);
        const mac = createHmac('sha256', key).update(msg).digest();
        const test = hs256Matcher(msg, mac);
        expect(test(key)).toBe(true);
        const other = Buffer.from(key);
        if (keyLen) other[0] = other[0]! ^ 1;
        expect(test(keyLen ? other : Buffer.from('x'))).toBe(false);
      }
    }
  });
});

describe('crackHmac', () => {
  const token = (alg: string, secret: string) => decodeJwt(forge({ alg, typ: 'JWT' }, { sub: '1', iat: 1_700_000_000 }, secret))!;

  it('ships a list of a few thousand secrets, with the JWT defaults first', () => {
    const list = weakSecrets();
    expect(list.length).toBeGreaterThan(3000);
    expect(list.slice(0, 100)).toContain('your-256-bit-secret');
    expect(list).toContain('keyboard cat');
    expect(list.some((w) => w.startsWith('# '))).toBe(false);
  });

  it('finds list secrets for HS256/384/512 and digit runs (6 digits for HS256, 4 for the others)', async () => {
    expect(await crackHmac(token('HS256', 'changeme'))).toBe('changeme');
    expect(await crackHmac(token('HS384', 'keyboard cat'))).toBe('keyboard cat');
    expect(await crackHmac(token('HS512', 'dragon'))).toBe('dragon');
    expect(await crackHmac(token('HS384', '0815'))).toBe('0815');
    const started = performance.now();
    expect(await crackHmac(token('HS256', '987654'))).toBe('987654');
    // All 1.1 M digit runs: about 1 s on an idle core; generous for a loaded shared machine.
    expect(performance.now() - started).toBeLessThan(20_000);
    expect(await crackHmac(token('HS256', 'from-options')), 'not listed').toBeUndefined();
    expect(await crackHmac(token('HS256', 'from-options'), ['from-options'])).toBe('from-options');
    expect(await crackHmac(token('RS256', 'secret'))).toBeUndefined();
  });

  it('runs the whole list in well under a second', async () => {
    const started = performance.now();
    expect(await crackHmac(token('HS512', 'x7Jq-not-in-list'))).toBeUndefined();
    expect(performance.now() - started).toBeLessThan(5_000);
  });

  it('lets the event loop turn while it cracks (a scan keeps serving its sockets and timers)', async () => {
    let turns = 0;
    const timer = setInterval(() => turns++, 1);
    try {
      expect(await crackHmac(token('HS256', 'x7Jq-not-in-list'))).toBeUndefined();
    } finally {
      clearInterval(timer);
    }
    expect(turns).toBeGreaterThan(5);
  });
});
