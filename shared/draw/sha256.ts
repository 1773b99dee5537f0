/**
 * A small SHA-256 block compression (FIPS 180-4 §6.2.2) over Int32Array words, used to finish
 * many hashes that share a first block: `SHA-256(seed + ":" + …)` where the seed is 64 hex
 * characters, i.e. exactly one 64-byte block. The state after that block (the midstate) is
 * computed once; each candidate then costs one compression of its final block.
 *
 * Words are big-endian 32-bit values stored as signed int32 (JS bitwise ops work on int32).
 * This scalar version is the reference; `simd.ts` runs the same function four lanes at a time
 * and is tested against it and against node:crypto.
 */
import { createHash } from 'node:crypto';

export const K = Int32Array.from([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
]);

export const IV = Int32Array.from([
  0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
]);

const W = new Int32Array(64);

/**
 * out[0..8) = compress(state[so..so+8), block[bo..bo+16)). `out` may alias `state` (same offset).
 */
export function compress(
  state: Int32Array,
  so: number,
  block: Int32Array,
  bo: number,
  out: Int32Array,
  oo: number,
): void {
  const w = W;
  for (let i = 0; i < 16; i++) w[i] = block[bo + i]!;
  for (let i = 16; i < 64; i++) {
    const x = w[i - 15]!;
    const y = w[i - 2]!;
    const s0 = ((x >>> 7) | (x << 25)) ^ ((x >>> 18) | (x << 14)) ^ (x >>> 3);
    const s1 = ((y >>> 17) | (y << 15)) ^ ((y >>> 19) | (y << 13)) ^ (y >>> 10);
    w[i] = (s1 + w[i - 7]! + s0 + w[i - 16]!) | 0;
  }
  let a = state[so]!;
  let b = state[so + 1]!;
  let c = state[so + 2]!;
  let d = state[so + 3]!;
  let e = state[so + 4]!;
  let f = state[so + 5]!;
  let g = state[so + 6]!;
  let h = state[so + 7]!;
  for (let i = 0; i < 64; i++) {
    const S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
    const ch = (e & f) ^ (~e & g);
    const t1 = (h + S1 + ch + K[i]! + w[i]!) | 0;
    const S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
    const maj = (a & b) ^ (a & c) ^ (b & c);
    const t2 = (S0 + maj) | 0;
    h = g;
    g = f;
    f = e;
    e = (d + t1) | 0;
    d = c;
    c = b;
    b = a;
    a = (t1 + t2) | 0;
  }
  const s0 = state[so]!, s1 = state[so + 1]!, s2 = state[so + 2]!, s3 = state[so + 3]!;
  const s4 = state[so + 4]!, s5 = state[so + 5]!, s6 = state[so + 6]!, s7 = state[so + 7]!;
  out[oo] = (s0 + a) | 0;
  out[oo + 1] = (s1 + b) | 0;
  out[oo + 2] = (s2 + c) | 0;
  out[oo + 3] = (s3 + d) | 0;
  out[oo + 4] = (s4 + e) | 0;
  out[oo + 5] = (s5 + f) | 0;
  out[oo + 6] = (s6 + g) | 0;
  out[oo + 7] = (s7 + h) | 0;
}

/** Big-endian words of a byte array whose length is a multiple of 4. */
export function bytesToWords(bytes: Uint8Array): Int32Array {
  if (bytes.length % 4 !== 0) throw new Error('bytesToWords: length must be a multiple of 4');
  const out = new Int32Array(bytes.length / 4);
  for (let i = 0; i < out.length; i++) {
    const p = i * 4;
    out[i] = (bytes[p]! << 24) | (bytes[p + 1]! << 16) | (bytes[p + 2]! << 8) | bytes[p + 3]!;
  }
  return out;
}

/** State after compressing exactly one 64-byte block from the initial value. */
export function midstate(firstBlock: Uint8Array): Int32Array {
  if (firstBlock.length !== 64) throw new Error('midstate: the first block must be 64 bytes');
  const out = new Int32Array(8);
  compress(IV, 0, bytesToWords(firstBlock), 0, out, 0);
  return out;
}

/**
 * Padded tail words for a message that continues after `prefixBytes` already compressed bytes:
 * `rest` + 0x80 + zeros + 64-bit big-endian bit length, as 16·k words (k = 1 or more blocks).
 */
export function paddedTail(rest: Uint8Array, prefixBytes: number): Int32Array {
  const total = prefixBytes + rest.length;
  const blocks = Math.ceil((rest.length + 9) / 64);
  const buf = new Uint8Array(blocks * 64);
  buf.set(rest, 0);
  buf[rest.length] = 0x80;
  const bits = total * 8;
  // bit length fits in 53 bits; write the high and low 32-bit halves
  const hi = Math.floor(bits / 0x1_0000_0000);
  const lo = bits >>> 0;
  const v = new DataView(buf.buffer);
  v.setUint32(buf.length - 8, hi);
  v.setUint32(buf.length - 4, lo);
  return bytesToWords(buf);
}

const HEX: string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** Lowercase hex of 8 words starting at `o`. */
export function wordsToHex(words: Int32Array, o = 0): string {
  let s = '';
  for (let i = 0; i < 8; i++) {
    const w = words[o + i]!;
    s += HEX[(w >>> 24) & 255]! + HEX[(w >>> 16) & 255]! + HEX[(w >>> 8) & 255]! + HEX[w & 255]!;
  }
  return s;
}

/** Unsigned comparison of two 8-word digests (= comparison of their hex strings). */
export function compareDigests(a: Int32Array, ao: number, b: Int32Array, bo: number): number {
  for (let i = 0; i < 8; i++) {
    const x = a[ao + i]! >>> 0;
    const y = b[bo + i]! >>> 0;
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

/** SHA-256 of a UTF-8 string or bytes, lowercase hex (node:crypto). */
export function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}
