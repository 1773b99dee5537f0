import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { compress, IV, midstate, paddedTail, wordsToHex, compareDigests, bytesToWords } from '../../shared/draw/sha256.js';
import { scalarHasher, wasmHasher, type BatchHasher } from '../../shared/draw/simd.js';
import { USCC_ALPHABET } from '../../shared/draw/pool.js';
import { radixRecords, sortRecords } from '../../shared/draw/sort.js';

/** SHA-256 of any message through our compression only. */
function sha256ByCompress(msg: Uint8Array): string {
  const tail = paddedTail(msg, 0);
  const state = Int32Array.from(IV);
  for (let b = 0; b < tail.length; b += 16) compress(state, 0, tail, b, state, 0);
  return wordsToHex(state);
}

const wasm = wasmHasher();
const hashers: BatchHasher[] = [scalarHasher(), ...(wasm ? [wasm] : [])];
const randomUscc = () => Array.from(randomBytes(18), (b) => USCC_ALPHABET[b % 31]).join('');

describe('SHA-256 compression', () => {
  it('matches node:crypto on random messages of every length 0..300 bytes', () => {
    for (let len = 0; len <= 300; len++) {
      const msg = randomBytes(len);
      expect(sha256ByCompress(msg), `length ${len}`).toBe(createHash('sha256').update(msg).digest('hex'));
    }
  });

  it('finishes seed-prefixed messages from the midstate (the draw\'s shortcut)', () => {
    for (let k = 0; k < 200; k++) {
      const seed = randomBytes(32).toString('hex');
      const rest = Buffer.from(`:${randomUscc()}:${'i'.repeat(k % 70)}`);
      const tail = paddedTail(rest, 64);
      const state = midstate(Buffer.from(seed, 'ascii'));
      for (let b = 0; b < tail.length; b += 16) compress(state, 0, tail, b, state, 0);
      expect(wordsToHex(state)).toBe(createHash('sha256').update(seed).update(rest).digest('hex'));
    }
  });

  it('compares digests like their hex strings', () => {
    for (let k = 0; k < 500; k++) {
      const a = randomBytes(32), b = randomBytes(32);
      if (k % 5 === 0) a.copy(b, 0, 0, 28); // long common prefixes
      const cmp = compareDigests(bytesToWords(a), 0, bytesToWords(b), 0);
      const hex = a.toString('hex') < b.toString('hex') ? -1 : a.toString('hex') > b.toString('hex') ? 1 : 0;
      expect(cmp).toBe(hex);
    }
  });
});

describe.each(hashers.map((h) => [h.kind, h] as const))('batch hasher %s', (_kind, h) => {
  it('priorities: first word of SHA-256(seed + ":" + uscc) for 40,000 random USCCs', () => {
    const seed = randomBytes(32).toString('hex');
    const n = 40_003; // not a multiple of 4 lanes nor of the chunk size
    const usccs = Array.from({ length: n }, randomUscc);
    const bytes = Buffer.from(usccs.join(''), 'latin1');
    const first = new Int32Array(n);
    h.priorities(midstate(Buffer.from(seed, 'ascii')), bytes, 0, n, first);
    for (let i = 0; i < n; i += 97) {
      expect(first[i]! >>> 0).toBe(createHash('sha256').update(`${seed}:${usccs[i]}`).digest().readUInt32BE(0));
    }
    expect(first[n - 1]! >>> 0).toBe(createHash('sha256').update(`${seed}:${usccs[n - 1]}`).digest().readUInt32BE(0));
  });

  it('priorityDigests: full SHA-256(seed + ":" + uscc) of gathered candidates', () => {
    const seed = randomBytes(32).toString('hex');
    const usccs = Array.from({ length: 20_011 }, randomUscc);
    const bytes = Buffer.from(usccs.join(''), 'latin1');
    const idx = Uint32Array.from({ length: 17_003 }, (_, k) => (k * 7919) % usccs.length);
    const out = new Int32Array(idx.length * 8);
    h.priorityDigests(midstate(Buffer.from(seed, 'ascii')), bytes, idx, out);
    for (let k = 0; k < idx.length; k += 61) {
      expect(wordsToHex(out, k * 8)).toBe(createHash('sha256').update(`${seed}:${usccs[idx[k]!]}`).digest('hex'));
    }
  });

  it('pairFirstWords: first word of SHA-256(seed + ":" + uscc + ":" + id)', () => {
    const seed = randomBytes(32).toString('hex');
    const mid = midstate(Buffer.from(seed, 'ascii'));
    const usccs = Array.from({ length: 50 }, randomUscc);
    const ids = Array.from({ length: 30 }, (_, i) => `insp-${i}`.padEnd(i % 36, 'x'));
    const head = new Int32Array(usccs.length * 5);
    usccs.forEach((u, t) => head.set(bytesToWords(Buffer.from(`:${u}:`, 'latin1')), t * 5));
    const tail = new Int32Array(ids.length * 11);
    ids.forEach((id, i) => {
      const rest = new Uint8Array(20 + id.length);
      rest.set(Buffer.from(id), 20);
      tail.set(paddedTail(rest, 64).subarray(5), i * 11);
    });
    const n = 1499;
    const ph = Uint32Array.from({ length: n }, (_, p) => p % usccs.length);
    const pt = Uint32Array.from({ length: n }, (_, p) => (p * 7) % ids.length);
    const first = new Int32Array(n);
    h.pairFirstWords(mid, head, tail, ph, pt, n, first);
    for (let p = 0; p < n; p += 7) {
      expect(first[p]! >>> 0).toBe(createHash('sha256').update(`${seed}:${usccs[ph[p]!]}:${ids[pt[p]!]}`).digest().readUInt32BE(0));
    }
  });

  it('pair first words over several batches: targets in order (as matching makes them), 20,000 inspectors, targets far apart', () => {
    const mid = new Int32Array(randomBytes(32).buffer.slice(0));
    const targets = 40_000, inspectors = 20_000;
    const head = new Int32Array(randomBytes(targets * 20).buffer.slice(0));
    const tail = new Int32Array(randomBytes(inspectors * 44).buffer.slice(0));
    const want = (ph: Uint32Array, pt: Uint32Array, p: number): number => {
      const blk = new Int32Array(16), out = new Int32Array(8);
      blk.set(head.subarray(ph[p]! * 5, ph[p]! * 5 + 5));
      blk.set(tail.subarray(pt[p]! * 11, pt[p]! * 11 + 11), 5);
      compress(mid, 0, blk, 0, out, 0);
      return out[0]!;
    };
    // 3 pairs per target (a partial last group), then targets spread over the whole table
    const n = 3 * 12_001;
    const inOrder = Uint32Array.from({ length: n }, (_, p) => 7_000 + Math.floor(p / 3));
    const spread = Uint32Array.from({ length: n }, (_, p) => (p * 7_919) % targets);
    const pt = Uint32Array.from({ length: n }, (_, p) => (p * 104_729) % inspectors);
    for (const ph of [inOrder, spread]) {
      const first = new Int32Array(n);
      h.pairFirstWords(mid, head, tail, ph, pt, n, first);
      for (let p = 0; p < n; p++) if (first[p] !== want(ph, pt, p)) expect(first[p], `pair ${p}`).toBe(want(ph, pt, p));
    }
  });

  it('compressMany equals the scalar compression on random states and blocks', () => {
    const n = 20_001;
    const states = new Int32Array(randomBytes(n * 32).buffer.slice(0));
    const blocks = new Int32Array(randomBytes(n * 64).buffer.slice(0));
    const expected = Int32Array.from(states);
    for (let i = 0; i < n; i++) compress(expected, i * 8, blocks, i * 16, expected, i * 8);
    h.compressMany(states, blocks, n);
    expect(Buffer.from(states.buffer).equals(Buffer.from(expected.buffer))).toBe(true);
  });

  it('v2 commitments: SHA-256(salt ‖ uscc ‖ tail) of one-block texts of every length, from start', () => {
    // texts after the USCC of 0..21 bytes: 34..55-byte messages (the one-block range), mixed
    const n = 9_001, start = 7;
    const salts = randomBytes(n * 16), usccs = Array.from({ length: n }, randomUscc);
    const rests = Array.from({ length: 22 }, (_, len) => Buffer.from(`,A,${'7;p0'.repeat(6)}`.slice(0, len)));
    const tails = new Int32Array(rests.length * 8);
    rests.forEach((rest, t) => {
      const block = Buffer.alloc(64);
      rest.copy(block, 34);
      block[34 + rest.length] = 0x80;
      block.writeUInt16BE((34 + rest.length) * 8, 62);
      for (let j = 0; j < 8; j++) tails[t * 8 + j] = block.readInt32BE(32 + j * 4);
    });
    const tailOf = Uint32Array.from({ length: n }, (_, i) => (i * 7) % rests.length);
    const out = new Int32Array(n * 8);
    h.commitments(salts, Buffer.from(usccs.join(''), 'latin1'), tails, tailOf, start, n - start, out);
    expect(out.subarray(0, start * 8).every((x) => x === 0)).toBe(true);
    for (let i = start; i < n; i++) {
      const want = createHash('sha256').update(salts.subarray(i * 16, i * 16 + 16)).update(usccs[i]!).update(rests[tailOf[i]!]!).digest('hex');
      expect(wordsToHex(out, i * 8), `candidate ${i}`).toBe(want);
    }
  });

  it('v2 priorities: first words and full SHA-256(seed ‖ ":" ‖ commitment) through an index', () => {
    const n = 20_003;
    const seed = randomBytes(32).toString('hex');
    const mid = midstate(Buffer.from(seed, 'ascii'));
    const c = new Int32Array(randomBytes(n * 32).buffer.slice(0));
    const idx = Uint32Array.from({ length: n }, (_, k) => (k * 7919) % n);
    const want = (k: number) => createHash('sha256').update(seed).update(':').update(Buffer.from(wordsToHex(c, idx[k]! * 8), 'hex')).digest();
    const first = new Int32Array(n);
    h.commitPriorities(mid, c, idx, 3, n - 3, first);
    expect(first[2]).toBe(0);
    for (let k = 3; k < n; k++) expect(first[k]! >>> 0, `entry ${k}`).toBe(want(k).readUInt32BE(0));
    const some = idx.subarray(100, 2100);
    const full = new Int32Array(some.length * 8);
    h.commitPriorityDigests(mid, c, some, full);
    for (let k = 0; k < some.length; k++) expect(wordsToHex(full, k * 8)).toBe(want(100 + k).toString('hex'));
  });

  it('v2 priorities in sequence (no index): the commitments read as they are, across chunks and a partial group', () => {
    // 16,384 lanes per chunk: 20,003 − 5 entries make a full chunk, then 3,614 (not a multiple of 4)
    const n = 20_003;
    const seed = randomBytes(32).toString('hex');
    const mid = midstate(Buffer.from(seed, 'ascii'));
    const c = new Int32Array(randomBytes(n * 32).buffer.slice(0));
    const first = new Int32Array(n);
    h.commitPriorities(mid, c, null, 5, n - 5, first);
    expect(first.subarray(0, 5).every((x) => x === 0)).toBe(true);
    const top = new Uint16Array(n);
    h.commitPriorityTops(mid, c, 5, n - 5, top);
    expect(top.subarray(0, 5).every((x) => x === 0)).toBe(true);
    for (let k = 5; k < n; k++) {
      const want = createHash('sha256').update(seed).update(':').update(Buffer.from(wordsToHex(c, k * 8), 'hex')).digest();
      expect(first[k]! >>> 0, `entry ${k}`).toBe(want.readUInt32BE(0));
      expect(top[k], `entry ${k}`).toBe(want.readUInt16BE(0));
    }
  });
});

describe('USCC ordering', () => {
  /** 5-word records [k0, k1, k2, 0, index] as compilePool builds them. */
  const pack = (us: string[]) => {
    const rec = new Uint32Array(us.length * 5);
    us.forEach((u, i) => {
      for (let j = 0; j < 18; j++) rec[i * 5 + Math.floor(j / 6)] = (rec[i * 5 + Math.floor(j / 6)]! << 5) | USCC_ALPHABET.indexOf(u[j]!);
      rec[i * 5 + 4] = i;
    });
    return rec;
  };
  const order = (rec: Uint32Array) => Array.from({ length: rec.length / 5 }, (_, r) => rec[r * 5 + 4]!);
  it('radix sort orders like string comparison (random, shared prefixes)', () => {
    const us = Array.from({ length: 5000 }, (_, i) => (i % 3 ? '91130302' + randomUscc().slice(8) : randomUscc()));
    expect(order(radixRecords(pack(us), us.length)).map((i) => us[i])).toEqual([...us].sort());
  });
  it('radix sort: large ranges, long common prefixes, keys differing only in the last symbol', () => {
    const deep = Array.from({ length: 3000 }, (_, i) => '91130302MA0B' + 'XY' + USCC_ALPHABET[i % 31]! + USCC_ALPHABET[(i / 31) % 31 | 0]! + USCC_ALPHABET[(i * 7) % 31]! + USCC_ALPHABET[i % 29]!);
    const us = [...new Set([...deep, ...Array.from({ length: 40_000 }, () => '91130302' + randomUscc().slice(8))])];
    const rec = pack(us);
    const out = radixRecords(rec, us.length);
    expect(order(out).map((i) => us[i])).toEqual([...us].sort());
  });
  it('merges pre-sorted runs (USCC-ordered shards) and keeps sorted input as it is', () => {
    const shards = Array.from({ length: 16 }, () => Array.from({ length: 300 }, randomUscc).sort());
    const us = shards.flat();
    expect(order(sortRecords(pack(us), us.length)).map((i) => us[i])).toEqual([...us].sort());
    const sorted = [...us].sort();
    const rec = pack(sorted);
    expect(sortRecords(rec, sorted.length)).toBe(rec);
  });
});

describe('orderByDigest', () => {
  it('orders like a full comparison, including runs of equal first words', async () => {
    const { orderByDigest } = await import('../../shared/draw/select.js');
    const n = 3000;
    const d = new Int32Array(randomBytes(n * 32).buffer.slice(0));
    for (let k = 0; k < n; k++) d[k * 8] = [0, -1, 0x7fffffff, -0x80000000, 12345][k % 5]!; // only 5 distinct first words
    const expected = Array.from({ length: n }, (_, k) => k).sort((x, y) => compareDigests(d, x * 8, d, y * 8));
    expect(Array.from(orderByDigest(d, n))).toEqual(expected);
  });
});
