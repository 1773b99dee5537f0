/** The two-thread hasher computes exactly what the one-thread hasher computes. */
import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { createHasher } from '../../shared/draw/simd.js';
import { createParallelHasher } from '../../shared/draw/parallel.js';
import { seedMidstate } from '../../shared/draw/select.js';
import { USCC_ALPHABET } from '../../shared/draw/pool.js';
import { drawFixture, loadFixture } from './fixtures.js';
import { serializeRecord } from '../../shared/draw/index.js';

const one = createHasher();
const two = createParallelHasher();
afterAll(() => two.close());
const mid = seedMidstate(randomBytes(32).toString('hex'));

describe('parallel hasher', () => {
  it('priorities: a split batch equals the one-thread result (odd count, offset start)', () => {
    const n = 70_001;
    const u = Uint8Array.from(randomBytes(n * 18), (b) => USCC_ALPHABET.charCodeAt(b % 31));
    const a = new Int32Array(n + 5), b = new Int32Array(n + 5);
    one.priorities(mid, u, 3, n - 3, a);
    two.priorities(mid, u, 3, n - 3, b);
    expect(Buffer.from(b.buffer).equals(Buffer.from(a.buffer))).toBe(true);
    expect(a.subarray(3, 10).some((x) => x !== 0)).toBe(true);
  });

  it('pairFirstWords: a split batch equals the one-thread result', () => {
    const targets = 3000, inspectors = 40, count = 50_001;
    const head = new Int32Array(randomBytes(targets * 20).buffer.slice(0));
    const tail = new Int32Array(randomBytes(inspectors * 44).buffer.slice(0));
    const pairHead = Uint32Array.from({ length: count }, (_, p) => Math.floor(p / 17) % targets);
    const pairTail = Uint32Array.from({ length: count }, (_, p) => (p * 7) % inspectors);
    const a = new Int32Array(count), b = new Int32Array(count);
    one.pairFirstWords(mid, head, tail, pairHead, pairTail, count, a);
    two.pairFirstWords(mid, head, tail, pairHead, pairTail, count, b);
    expect(Buffer.from(b.buffer).equals(Buffer.from(a.buffer))).toBe(true);
  });

  it('draws the fixed vectors identically', () => {
    for (const x of ['a', 'b'] as const) expect(serializeRecord(drawFixture(loadFixture(x), two))).toBe(serializeRecord(drawFixture(loadFixture(x), one)));
  });

  it('after close it still hashes, on one thread', async () => {
    const h = createParallelHasher();
    await h.close();
    const n = 20_000;
    const u = Uint8Array.from(randomBytes(n * 18), (v) => USCC_ALPHABET.charCodeAt(v % 31));
    const a = new Int32Array(n), b = new Int32Array(n);
    one.priorities(mid, u, 0, n, a);
    h.priorities(mid, u, 0, n, b);
    expect(Buffer.from(b.buffer).equals(Buffer.from(a.buffer))).toBe(true);
  });
});
