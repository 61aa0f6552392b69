// src/checks/security/support/jwt-keys.test.ts — vouch's RSA key: the self-signed certificate parses and verifies,
// RS256 tokens verify with the public key, the key set document is both a JWK and a JWK set.
import { X509Certificate, createPublicKey, verify } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { keyPem, keySetDocument, signRs256, vouchKey } from './jwt-keys.js';

describe('vouch key', () => {
  it('makes a self-signed certificate of its public key that node:crypto parses and verifies', () => {
    const k = vouchKey();
    const cert = new X509Certificate(keyPem(k, 'CERTIFICATE'));
    expect(cert.subject).toBe('CN=vouch');
    expect(cert.verify(k.publicKey)).toBe(true);
    expect(cert.publicKey.export({ format: 'jwk' }).n).toBe(k.jwk.n);
    expect(new Date(cert.validTo).getTime()).toBeGreaterThan(Date.now());
  });

  it('signs RS256 tokens that verify with its public key, in every PEM form', () => {
    const k = vouchKey();
    const t = signRs256(k, { typ: 'JWT', alg: 'HS256' }, { sub: '1' });
    const [h, p, s] = t.split('.');
    expect(JSON.parse(Buffer.from(h!, 'base64url').toString())).toEqual({ typ: 'JWT', alg: 'RS256' });
    for (const form of ['CERTIFICATE', 'PUBLIC KEY', 'PRIVATE KEY'] as const) {
      const key = createPublicKey(keyPem(k, form));
      expect(verify('sha256', Buffer.from(`${h}.${p}`), key, Buffer.from(s!, 'base64url'))).toBe(true);
    }
  });

  it('serves a key set that reads as a JWK and as a JWK set', () => {
    const k = vouchKey();
    const doc = JSON.parse(keySetDocument(k)) as { keys: unknown[] };
    expect(createPublicKey({ key: doc as never, format: 'jwk' }).export({ format: 'jwk' }).n).toBe(k.jwk.n);
    expect(doc.keys).toEqual([k.jwk]);
  });
});
