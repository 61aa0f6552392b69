// src/net/anonymous.test.ts — the anonymous identity never carries cookies, whatever a target sets.
import { describe, expect, it } from 'vitest';
import { serveFixture } from '../checks/kit/fixture.js';
import { createEngine } from './engine.js';

describe('anonymous identity', () => {
  it('does not store Set-Cookie, while a named identity does', async () => {
    const seen: Array<string | undefined> = [];
    const app = await serveFixture((req, res) => {
      seen.push(req.headers.cookie);
      res.setHeader('set-cookie', 'session=abc123; Path=/');
      res.end('ok');
    });
    const engine = createEngine({ target: { name: 't', url: app.url, environment: 'local' }, scope: { origins: [app.url], include: [], exclude: [] }, safeMode: false });
    try {
      await engine.send({ method: 'GET', url: '/login' }, { identity: 'anonymous' });
      await engine.send({ method: 'GET', url: '/private' }, { identity: 'anonymous' });
      await engine.send({ method: 'GET', url: '/login' }, { identity: 'alice' });
      await engine.send({ method: 'GET', url: '/private' }, { identity: 'alice' });
      expect(seen).toEqual([undefined, undefined, undefined, 'session=abc123']);
    } finally {
      await engine.close();
    }
  });
});
