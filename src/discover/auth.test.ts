// src/discover/auth.test.ts — when an anonymous answer asks the visitor to sign in: a 401, a redirect to a sign-in
// path, or a redirect to a page with a password form; not a redirect to an ordinary page, nor a bare 403.
import { describe, expect, it } from 'vitest';
import type { Exchange } from '../core/index.js';
import { asksToSignIn } from './auth.js';

const ex = (status: number, headers: Array<[string, string]> = [], body = ''): Exchange => ({
  id: 'x1',
  identity: 'anonymous',
  request: { method: 'GET', url: 'http://127.0.0.1:9/account', headers: [] },
  response: { status, headers, body },
  timing: { startedAt: 0, totalMs: 0 },
});

describe('asksToSignIn', () => {
  const page = (body: string) => async (): Promise<Exchange> => ex(200, [], body);
  const never = async (): Promise<Exchange> => {
    throw new Error('not followed');
  };

  it('a 401 and a redirect to a sign-in path ask, without following', async () => {
    expect(await asksToSignIn(ex(401), never)).toBe(true);
    expect(await asksToSignIn(ex(302, [['location', '/users/sign_in?next=/account']]), never)).toBe(true);
  });

  it('a redirect to a page with a password form asks; to an ordinary page or off the origin it does not', async () => {
    const followed: string[] = [];
    const form = async (url: string): Promise<Exchange> => {
      followed.push(url);
      return ex(200, [], '<form method=post><input name=u><input type="password" name=p></form>');
    };
    expect(await asksToSignIn(ex(302, [['location', '/welcome?x=1']]), form)).toBe(true);
    expect(followed).toEqual(['/welcome?x=1']);
    expect(await asksToSignIn(ex(302, [['location', '/home']]), page('<h1>home</h1>'))).toBe(false);
    expect(await asksToSignIn(ex(302, [['location', 'https://elsewhere.example/welcome']]), never)).toBe(false);
    expect(await asksToSignIn(ex(403), never)).toBe(false);
    expect(await asksToSignIn(ex(200, [], '<input type="password">'), never)).toBe(false);
  });
});
