// src/identities/extract.test.ts — values read out of login answers: form fields in any attribute order and quoting,
// CSRF meta tags, escaped values, JSON paths and a JWT's expiry.
import { describe, expect, it } from 'vitest';
import { formValue, jsonPath, jwtExpiry } from './extract.js';

describe('login answer extraction', () => {
  it('finds a form field by name whatever the attribute order and quoting, unescaped', () => {
    expect(formValue(`<input type='hidden' name='user_token' value='ab12' />`, 'user_token')).toBe('ab12');
    expect(formValue('<INPUT value="x&amp;y&#39;z" name="csrf">', 'csrf')).toBe("x&y'z");
    expect(formValue('<input name=tok value=v1><input name=tok2 value=v2>', 'tok2')).toBe('v2');
    expect(formValue('<meta name="csrf-token" content="m-1">', 'csrf-token')).toBe('m-1');
    expect(formValue('<input name="username">', 'user_token')).toBeUndefined();
  });

  it('reads nested JSON paths and a JWT exp (bare or after a scheme)', () => {
    expect(jsonPath({ data: { auth: { token: 't' } } }, 'data.auth.token')).toBe('t');
    expect(jsonPath({ a: [{ b: 1 }] }, '$.a.0.b')).toBe(1);
    const payload = Buffer.from(JSON.stringify({ exp: 1_800_000_000 })).toString('base64url');
    expect(jwtExpiry(`eyJhbGciOiJIUzI1NiJ9.${payload}.sig`)).toBe(1_800_000_000_000);
    expect(jwtExpiry(`Bearer eyJhbGciOiJIUzI1NiJ9.${payload}.sig`)).toBe(1_800_000_000_000);
    expect(jwtExpiry('opaque-token')).toBeUndefined();
    expect(jwtExpiry('a.b.c')).toBeUndefined();
  });
});
