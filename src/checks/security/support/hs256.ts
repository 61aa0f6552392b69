// src/checks/security/support/hs256.ts — HMAC-SHA256 in plain JavaScript for cracking one message against many
// short keys: the message's schedule is expanded once, so a key costs five compressions instead of one
// node:crypto object (about twice as fast, which makes all 1.1 M numbers of 4–6 digits affordable).

const K = Int32Array.from([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01,
  0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc,
  0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147,
  0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08,
  0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
  0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
]);
const IV = Int32Array.from([0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19]);

/** Fills w[16..63] from w[0..15] (the message schedule). */
function expand(w: Int32Array): void {
  for (let i = 16; i < 64; i++) {
    const a = w[i - 15]!;
    const b = w[i - 2]!;
    const s0 = ((a >>> 7) | (a << 25)) ^ ((a >>> 18) | (a << 14)) ^ (a >>> 3);
    const s1 = ((b >>> 17) | (b << 15)) ^ ((b >>> 19) | (b << 13)) ^ (b >>> 10);
    w[i] = (w[i - 16]! + s0 + w[i - 7]! + s1) | 0;
  }
}

/** One compression of state `h` with an expanded schedule `w`. */
function compress(h: Int32Array, w: Int32Array): void {
  let a = h[0]!, b = h[1]!, c = h[2]!, d = h[3]!, e = h[4]!, f = h[5]!, g = h[6]!, k = h[7]!;
  for (let i = 0; i < 64; i++) {
    const t1 = (k + (((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7))) + ((e & f) ^ (~e & g)) + K[i]! + w[i]!) | 0;
    const t2 = ((((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10))) + ((a & b) ^ (a & c) ^ (b & c))) | 0;
    k = g; g = f; f = e; e = (d + t1) | 0; d = c; c = b; b = a; a = (t1 + t2) | 0;
  }
  h[0] = (h[0]! + a) | 0; h[1] = (h[1]! + b) | 0; h[2] = (h[2]! + c) | 0; h[3] = (h[3]! + d) | 0;
  h[4] = (h[4]! + e) | 0; h[5] = (h[5]! + f) | 0; h[6] = (h[6]! + g) | 0; h[7] = (h[7]! + k) | 0;
}

/**
 * A matcher for one message and one expected HMAC-SHA256: `test(key)` says whether `key` (at most 64 bytes; longer
 * keys are hashed first by HMAC, so callers use node:crypto for them) signs the message to that MAC.
 */
export function hs256Matcher(message: Uint8Array, mac: Uint8Array): (key: Uint8Array) => boolean {
  // The message after a 64-byte key block, padded: its blocks' schedules do not depend on the key.
  const total = Math.ceil((message.length + 9) / 64) * 64;
  const buf = new Uint8Array(total);
  buf.set(message);
  buf[message.length] = 0x80;
  const view = new DataView(buf.buffer);
  const bits = (message.length + 64) * 8;
  view.setUint32(total - 8, Math.floor(bits / 2 ** 32));
  view.setUint32(total - 4, bits >>> 0);
  const blocks: Int32Array[] = [];
  for (let at = 0; at < total; at += 64) {
    const w = new Int32Array(64);
    for (let i = 0; i < 16; i++) w[i] = view.getInt32(at + 4 * i);
    expand(w);
    blocks.push(w);
  }
  const want = new Int32Array(8);
  if (mac.length === 32) for (let i = 0; i < 8; i++) want[i] = new DataView(mac.buffer, mac.byteOffset, 32).getInt32(4 * i);
  const w = new Int32Array(64);
  const inner = new Int32Array(8);
  const outer = new Int32Array(8);
  const keyBlock = (key: Uint8Array, pad: number): void => {
    for (let i = 0; i < 16; i++) {
      let v = 0;
      for (let j = 4 * i; j < 4 * i + 4; j++) v = (v << 8) | ((j < key.length ? key[j]! : 0) ^ pad);
      w[i] = v;
    }
    expand(w);
  };
  return (key) => {
    if (mac.length !== 32 || key.length > 64) return false;
    keyBlock(key, 0x36);
    inner.set(IV);
    compress(inner, w);
    for (const b of blocks) compress(inner, b);
    keyBlock(key, 0x5c);
    outer.set(IV);
    compress(outer, w);
    w.set(inner);
    w[8] = 0x80000000 | 0;
    w.fill(0, 9, 15);
    w[15] = (64 + 32) * 8;
    expand(w);
    compress(outer, w);
    for (let i = 0; i < 8; i++) if (outer[i] !== want[i]) return false;
    return true;
  };
}
