// src/checks/security/support/jwt-keys.ts — vouch's own RSA key for forged RS256 tokens: the key pair (one per
// process), its public JWK, a self-signed X.509 certificate of it (DER built here: node:crypto parses certificates
// but makes none), and RS256 signing, for tokens that name their key (jku, x5u) or carry it (jwk, x5c).
import { generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';

export interface VouchKey {
  privateKey: KeyObject;
  publicKey: KeyObject;
  /** The key id vouch gives its key (`vouch-<hex>`). */
  kid: string;
  /** The public key as a JWK with `kid`, `alg` RS256 and `use` sig. */
  jwk: Record<string, unknown>;
  /** A self-signed certificate of the public key (CN=vouch), DER. */
  certificate: Buffer;
}

let made: VouchKey | undefined;

/** vouch's RSA key, made once per process (2048 bits; a few tens of ms). */
export function vouchKey(): VouchKey {
  if (made) return made;
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const kid = `vouch-${randomBytes(4).toString('hex')}`;
  const jwk = { ...publicKey.export({ format: 'jwk' }), kid, alg: 'RS256', use: 'sig' };
  made = { privateKey, publicKey, kid, jwk, certificate: selfSigned(privateKey, publicKey) };
  return made;
}

/** One DER element: tag, length, content. */
function der(tag: number, ...content: Buffer[]): Buffer {
  const body = Buffer.concat(content);
  const n = body.length;
  const len = n < 0x80 ? Buffer.from([n]) : n < 0x100 ? Buffer.from([0x81, n]) : n < 0x10000 ? Buffer.from([0x82, n >> 8, n & 0xff]) : Buffer.from([0x83, n >> 16, (n >> 8) & 0xff, n & 0xff]);
  return Buffer.concat([Buffer.from([tag]), len, body]);
}

const seq = (...c: Buffer[]): Buffer => der(0x30, ...c);
/** sha256WithRSAEncryption (1.2.840.113549.1.1.11) with NULL parameters. */
const SHA256_RSA = seq(Buffer.from('06092a864886f70d01010b', 'hex'), Buffer.from('0500', 'hex'));
/** A Name of one common name (2.5.4.3), UTF8String. */
const name = (cn: string): Buffer => seq(der(0x31, seq(Buffer.from('0603550403', 'hex'), der(0x0c, Buffer.from(cn)))));
/** UTCTime `YYMMDDHHMMSSZ`. */
const utc = (d: Date): Buffer => der(0x17, Buffer.from(`${d.toISOString().slice(2, 19).replace(/[-:T]/g, '')}Z`));

/** An X.509 v3 certificate of `publicKey`, issued by and to CN=vouch, signed with `privateKey`, valid ±1 day. */
function selfSigned(privateKey: KeyObject, publicKey: KeyObject): Buffer {
  const now = Date.now();
  const serial = randomBytes(8);
  serial[0] = serial[0]! & 0x7f; // a positive INTEGER
  const tbs = seq(
    der(0xa0, der(0x02, Buffer.from([2]))),
    der(0x02, serial),
    SHA256_RSA,
    name('vouch'),
    seq(utc(new Date(now - 86_400_000)), utc(new Date(now + 86_400_000))),
    name('vouch'),
    publicKey.export({ type: 'spki', format: 'der' }),
  );
  const signature = sign('sha256', tbs, privateKey);
  return seq(tbs, SHA256_RSA, der(0x03, Buffer.from([0]), signature));
}

/** A PEM block of DER bytes, 64 characters a line. */
export function pem(label: string, bytes: Buffer): string {
  const lines = bytes.toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}

/** The key in the PEM form a token header used (a certificate, a public or a private key). */
export function keyPem(key: VouchKey, form: 'CERTIFICATE' | 'PUBLIC KEY' | 'PRIVATE KEY'): string {
  if (form === 'CERTIFICATE') return pem(form, key.certificate);
  if (form === 'PUBLIC KEY') return pem(form, key.publicKey.export({ type: 'spki', format: 'der' }));
  return pem(form, key.privateKey.export({ type: 'pkcs8', format: 'der' }));
}

const b64 = (v: unknown): string => Buffer.from(JSON.stringify(v)).toString('base64url');

/** A compact RS256 token with this header (its `alg` set to RS256) and claims, signed with vouch's key. */
export function signRs256(key: VouchKey, header: Record<string, unknown>, claims: Record<string, unknown>): string {
  const head = `${b64({ ...header, alg: 'RS256' })}.${b64(claims)}`;
  return `${head}.${sign('sha256', Buffer.from(head), key.privateKey).toString('base64url')}`;
}

/** The key set served at a `jku` URL: a JWK set whose document is also the JWK itself (servers read either). */
export const keySetDocument = (key: VouchKey): string => JSON.stringify({ ...key.jwk, keys: [key.jwk] });

