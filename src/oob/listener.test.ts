// src/oob/listener.test.ts — the out-of-band listener: tokens in the path, waiting, timeouts, public URL, and the
// callback recorded as an exchange for findings.
import { describe, expect, it } from 'vitest';
import { callbackExchange } from '../execute/context.js';
import { startOobListener } from './listener.js';

describe('oob listener', () => {
  it('records a callback carrying a minted token, with method, headers, body and source', async () => {
    const oob = await startOobListener();
    try {
      const { url, token } = oob.mint();
      expect(url).toBe(`${oob.origin}/v/${token}`);
      const waiting = oob.waitFor(token, 5000);
      await fetch(`${url}?x=1`, { method: 'POST', body: 'hello', headers: { 'x-from': 'target' } });
      const cb = await waiting;
      expect(cb).toMatchObject({ token, method: 'POST', body: 'hello' });
      expect(cb!.headers).toContainEqual(['x-from', 'target']);
      expect(cb!.from).toMatch(/^127\.0\.0\.1:\d+$/);
      const x = callbackExchange(cb!, { taskId: 't', checkId: 'ssrf' });
      expect(x.identity).toBe('oob-callback');
      expect(x.response?.notes?.[0]).toContain(`token ${token}`);
      // an earlier callback is found without waiting
      expect(await oob.waitFor(token, 1)).toBe(cb);
    } finally {
      await oob.close();
    }
  });

  it('gives undefined when no callback comes, and ignores other tokens', async () => {
    const oob = await startOobListener();
    try {
      const a = oob.mint();
      const b = oob.mint();
      await fetch(b.url);
      expect(await oob.waitFor(a.token, 150)).toBeUndefined();
      expect(oob.callbacks().map((c) => c.token)).toEqual([b.token]);
    } finally {
      await oob.close();
    }
  });

  it('answers a token minted with content with that content, and records the callback', async () => {
    const oob = await startOobListener();
    try {
      const { url, token } = oob.mint({ body: '{"keys":[]}', contentType: 'application/json' });
      const res = await fetch(`${url}/jwks.json`);
      expect(res.headers.get('content-type')).toBe('application/json');
      expect(await res.text()).toBe('{"keys":[]}');
      expect((await oob.waitFor(token, 1))?.url).toBe(`${url}/jwks.json`);
      expect(await (await fetch(oob.mint().url)).text()).toMatch(/^vouch-oob /);
    } finally {
      await oob.close();
    }
  });

  it('mints URLs on the public URL when one is configured', async () => {
    const oob = await startOobListener({ publicUrl: 'https://oob.example.net/hooks/' });
    try {
      expect(oob.origin).toBe('https://oob.example.net');
      expect(oob.mint().url).toMatch(/^https:\/\/oob\.example\.net\/hooks\/v\/[a-f0-9]{16}$/);
    } finally {
      await oob.close();
    }
  });

  it('refuses a listen address it cannot bind, naming oob.listen', async () => {
    await expect(startOobListener({ listen: { host: '203.0.113.1', port: 0 } })).rejects.toMatchObject({ code: 'VOUCH_CONFIG_INVALID', message: expect.stringContaining('oob.listen') });
  });
});
