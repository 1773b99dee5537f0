/** The two-thread hasher computes exactly what the one-thread hasher computes. */
import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { createHasher } from '../../shared/draw/simd.js';
import { createParallelHasher } from '../../shared/draw/parallel.js';
import { seedMidstate } from '../../shared/draw/select.js';
import { poolTextDigest, USCC_ALPHABET } from '../../shared/draw/pool.js';
import { radixRecords } from '../../shared/draw/sort.js';
import { drawFixture, loadFixture, loadFixtureV2 } from './fixtures.js';
import { commitSecret, commitSystemBytes, freezeDraw, PackedCandidates, serializeRecord, type PoolCandidate } from '../../shared/draw/index.js';
import { freezeDrawV2 } from '../../shared/draw/v2/draw.js';
import { gatherOpenings, type OpeningGather } from '../../shared/draw/gather.js';

const one = createHasher();
const two = createParallelHasher();
afterAll(() => two.close());
const mid = seedMidstate(randomBytes(32).toString('hex'));

describe('parallel hasher', () => {
  it('runs its helper thread (from source: helper-thread.ts bundled in memory)', () => {
    expect(two.threads).toBe(2);
  });

  it('priorities: a split batch equals the one-thread result (odd count, offset start)', () => {
    const n = 70_001;
    const u = Uint8Array.from(randomBytes(n * 18), (b) => USCC_ALPHABET.charCodeAt(b % 31));
    const a = new Int32Array(n + 5), b = new Int32Array(n + 5);
    one.priorities(mid, u, 3, n - 3, a);
    two.priorities(mid, u, 3, n - 3, b);
    expect(Buffer.from(b.buffer).equals(Buffer.from(a.buffer))).toBe(true);
    expect(a.subarray(3, 10).some((x) => x !== 0)).toBe(true);
  });

  it('compressMany: a split batch (private or shared memory) equals the one-thread result', () => {
    const count = 20_001;
    const blocks = new Int32Array(randomBytes(count * 64).buffer.slice(0));
    const states = new Int32Array(randomBytes(count * 32).buffer.slice(0));
    const a = states.slice();
    one.compressMany(a, blocks, count);
    const b = states.slice();
    two.compressMany(b, blocks, count);
    expect(Buffer.from(b.buffer).equals(Buffer.from(a.buffer))).toBe(true);
    const sb = new Int32Array(new SharedArrayBuffer(count * 64)), ss = new Int32Array(new SharedArrayBuffer(count * 32));
    sb.set(blocks);
    ss.set(states);
    two.compressMany(ss, sb, count);
    expect(Buffer.from(ss.buffer).equals(Buffer.from(a.buffer))).toBe(true);
    expect(two.threads).toBe(2);
  });

  it('v2 commitments and priorities: split batches (private or shared memory) equal the one-thread result', () => {
    const n = 50_001;
    const salts = randomBytes(n * 16);
    const u = Uint8Array.from(randomBytes(n * 18), (b) => USCC_ALPHABET.charCodeAt(b % 31));
    const tails = new Int32Array(randomBytes(40 * 32).buffer.slice(0));
    for (let t = 0; t < 40; t++) tails[t * 8] = tails[t * 8]! & 0xffff; // the USCC's last two bytes go in the top half
    const tailOf = Uint32Array.from({ length: n }, (_, i) => (i * 13) % 40);
    const a = new Int32Array(n * 8), b = new Int32Array(n * 8);
    one.commitments(salts, u, tails, tailOf, 1, n - 1, a);
    two.commitments(salts, u, tails, tailOf, 1, n - 1, b);
    expect(Buffer.from(b.buffer).equals(Buffer.from(a.buffer))).toBe(true);
    const shared = new Int32Array(new SharedArrayBuffer(n * 32));
    const sSalts = new Uint8Array(new SharedArrayBuffer(n * 16));
    sSalts.set(salts);
    two.commitments(sSalts, u, tails, tailOf, 1, n - 1, shared);
    expect(Buffer.from(shared.buffer).equals(Buffer.from(a.buffer))).toBe(true);
    // every array shared (as the freeze's): both threads take chunks of one batch
    const sh = <T extends Uint8Array | Int32Array | Uint32Array>(x: T): T => {
      const c = new (x.constructor as new (b: SharedArrayBuffer) => T)(new SharedArrayBuffer(x.byteLength));
      c.set(x as never);
      return c;
    };
    const stolen = new Int32Array(new SharedArrayBuffer(n * 32));
    two.commitments(sSalts, sh(u), sh(tails), sh(tailOf), 1, n - 1, stolen);
    expect(Buffer.from(stolen.buffer).equals(Buffer.from(a.buffer))).toBe(true);
    const idx = Uint32Array.from({ length: n }, (_, k) => (k * 7919) % n);
    const f1 = new Int32Array(n), f2 = new Int32Array(n), f3 = new Int32Array(new SharedArrayBuffer(n * 4));
    one.commitPriorities(mid, a, idx, 2, n - 2, f1);
    two.commitPriorities(mid, a, idx, 2, n - 2, f2);
    two.commitPriorities(mid, shared, idx, 2, n - 2, f3);
    expect(Array.from(f2)).toEqual(Array.from(f1));
    expect(Array.from(f3)).toEqual(Array.from(f1));
    // the first words' tops of commitments in sequence, both threads in place
    const t1 = new Uint16Array(n), t2 = new Uint16Array(new SharedArrayBuffer(n * 2));
    one.commitPriorityTops(mid, a, 3, n - 3, t1);
    two.commitPriorityTops(mid, shared, 3, n - 3, t2);
    expect(Array.from(t2)).toEqual(Array.from(t1));
    expect(t1.subarray(3, 20).some((x) => x !== 0)).toBe(true);
    // the full digests of the entries near the selection's thresholds: both threads in place
    const some = sh(Uint32Array.from({ length: 40_003 }, (_, k) => (k * 7919) % n));
    const d1 = new Int32Array(some.length * 8), d2 = new Int32Array(new SharedArrayBuffer(some.length * 32));
    one.commitPriorityDigests(mid, a, some, d1);
    two.commitPriorityDigests(mid, shared, some, d2);
    expect(Buffer.from(d2.buffer).equals(Buffer.from(d1.buffer))).toBe(true);
    expect(two.threads).toBe(2);
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
    // shared arrays: chunks on both threads, the calling thread's `alongside` work first, once
    const sh = <T extends Int32Array | Uint32Array>(x: T): T => {
      const c = new (x.constructor as new (b: SharedArrayBuffer) => T)(new SharedArrayBuffer(x.byteLength));
      c.set(x as never);
      return c;
    };
    const c = new Int32Array(new SharedArrayBuffer(count * 4));
    let ran = 0;
    two.pairFirstWords(mid, sh(head), tail, sh(pairHead), sh(pairTail), count, c, () => ran++);
    expect(ran).toBe(1);
    expect(Buffer.from(c.buffer).equals(Buffer.from(a.buffer))).toBe(true);
    one.pairFirstWords(mid, head, tail, pairHead, pairTail, 10, a, () => ran++);
    expect(ran).toBe(2);
  });

  it('radix sort: the first scatter and the buckets split between the threads give the one-thread order (a common region, one region for all, no common prefix; duplicates)', () => {
    const n = 150_001;
    const shared = (words: number) => new Uint32Array(new SharedArrayBuffer(words * 4));
    const r = new Uint32Array(randomBytes(n * 8).buffer);
    // word 0 (the first scatter's digits 0 and 1 are its top 20 bits): "91" + a region code common
    // to most, then random symbols; one region for all (digits 0 and 1 constant); no common prefix
    const word0 = [
      (j: number) => 0x12100000 | (j % 7 ? 0x318c6 : r[2 * j]! & 0xfffff),
      (j: number) => 0x12100000 | (0x318 << 10) | (r[2 * j]! & 0x3ff),
      (j: number) => r[2 * j]! & 0x3fffffff,
    ];
    for (const w0 of word0) {
      const rec = shared(n * 5);
      for (let i = 0; i < n; i++) {
        // every 1000th a duplicate key
        const j = i % 1000 === 999 ? i - 1 : i;
        rec.set([w0(j), r[2 * j + 1]! & 0x3fffffff, (j * 2654435761) & 0x3fffffff, i % 5, i], i * 5);
      }
      const copy = rec.slice();
      const a = radixRecords(copy, n, new Uint32Array(n * 5));
      const b = radixRecords(rec, n, shared(n * 5), two);
      expect(Buffer.from(b.buffer, 0, n * 20).equals(Buffer.from(a.buffer, 0, n * 20))).toBe(true);
      for (let i = 1; i < n; i++) {
        const x = i * 5, y = x - 5;
        const le = a[y]! < a[x]! || (a[y] === a[x] && (a[y + 1]! < a[x + 1]! || (a[y + 1] === a[x + 1] && a[y + 2]! <= a[x + 2]!)));
        if (!le) throw new Error(`not sorted at ${i}`);
      }
    }
  });

  it('a hand-over whose own part throws (bad input: a repeated USCC) leaves the helper in step for the next ones', () => {
    const n = 70_000;
    const rec = new Uint32Array(new SharedArrayBuffer(n * 20));
    for (let r = 0; r < n; r++) rec.set([0x12100000 | r, r, r, r % 5, r], r * 5);
    const u1 = new Uint8Array(new SharedArrayBuffer(n * 18)), u2 = new Uint8Array(new SharedArrayBuffer(n * 18));
    const want = poolTextDigest(rec, n, u1);
    const rec2 = rec.slice(0, 50_000 * 5);
    rec2[0] = 0x1fffffff; // another text: another digest
    expect(() => two.poolText(rec2, 50_000, u2, () => {
      throw new Error('repeated USCC');
    })).toThrow('repeated USCC');
    // the next hand-over waits for its own answer: this text's digest (not the abandoned one's)
    expect(two.poolText(rec, n, u2, () => undefined)).toBe(want);
    expect(Buffer.from(u2).equals(Buffer.from(u1))).toBe(true);
    expect(two.threads).toBe(2);
  });

  it("gathers the drawn entries' salts and frozen commitments on the helper while the caller works: the one-thread gather", () => {
    const n = 200_000, m = 20_001;
    const salts = new Uint8Array(new SharedArrayBuffer(n * 16)), sorted = new Int32Array(new SharedArrayBuffer(n * 32));
    salts.set(randomBytes(n * 16));
    sorted.set(new Int32Array(randomBytes(n * 32).buffer));
    const pick = (k: number) => Uint32Array.from({ length: m }, (_, r) => (r * k + 7) % n);
    const byKey = (a: Uint32Array) => Uint32Array.from(a.keys()).sort((x, y) => a[x]! - a[y]!);
    const cand = pick(9_973), positions = pick(7_919);
    const g = (): OpeningGather => ({ salts, sorted, cand, byCand: byKey(cand), positions, rows: byKey(positions), s16: new Uint8Array(new SharedArrayBuffer(m * 16)), expect: new Int32Array(new SharedArrayBuffer(m * 32)) });
    const a = g(), b = g();
    gatherOpenings(a);
    let ran = 0;
    expect(two.gatherOpenings!(b, () => void ran++)).toBe(true);
    expect(ran).toBe(1);
    expect(Buffer.from(b.s16).equals(Buffer.from(a.s16))).toBe(true);
    expect(Buffer.from(b.expect.buffer).equals(Buffer.from(a.expect.buffer))).toBe(true);
    expect(Buffer.from(a.s16.subarray(16 * 5, 16 * 6)).equals(Buffer.from(salts.subarray(cand[5]! * 16, cand[5]! * 16 + 16)))).toBe(true);
    expect(Array.from(a.expect.subarray(8 * 5, 8 * 6))).toEqual(Array.from(sorted.subarray(positions[5]! * 8, positions[5]! * 8 + 8)));
  });

  it('fills the salts on the helper thread while the caller works', () => {
    const salts = new Uint8Array(new SharedArrayBuffer(1 << 20));
    let ran = false;
    expect(two.fillRandom!(salts, () => void (ran = true))).toBe(true);
    expect(ran).toBe(true);
    // random bytes to the end (a run of 64 zero bytes: probability 2^-512)
    for (let at = 0; at < salts.length; at += 64) expect(salts.subarray(at, at + 64).some((b) => b !== 0)).toBe(true);
  });

  it('touches pages of a buffer while the caller is busy, never changing what is written', () => {
    const buf = new Int32Array(new SharedArrayBuffer(64 << 20));
    for (let i = 0; i < buf.length; i += 4096) buf[i] = i | 1; // every fourth page written already
    const salts = new Uint8Array(new SharedArrayBuffer(64));
    const faults = () => process.resourceUsage().minorPageFault;
    const f0 = faults(), t = performance.now();
    two.touchWhileIdle!(buf);
    try {
      // the caller busy until the helper, its salts drawn at once, has faulted 2,000 pages in
      expect(two.fillRandom!(salts, () => {
        while (faults() - f0 < 2_000 && performance.now() - t < 10_000);
      })).toBe(true);
      expect(faults() - f0).toBeGreaterThanOrEqual(2_000);
    } finally {
      two.touchWhileIdle!(undefined);
    }
    let changed = 0;
    for (let i = 0; i < buf.length; i++) if (buf[i] !== (i % 4096 === 0 ? i | 1 : 0)) changed++;
    expect(changed).toBe(0);
    // no touching after touchWhileIdle(undefined): the next job leaves a new buffer alone
    const f1 = faults();
    expect(two.fillRandom!(salts, () => undefined)).toBe(true);
    expect(faults() - f1).toBeLessThan(1_000);
  });

  it('freeze v2 of 60,000 candidates (commitments faulted in by the helper, buckets claimed by both threads): the same freeze as one thread', () => {
    const fx = loadFixtureV2('b');
    const areas = fx.pool.areas.map((a) => a.name);
    const salts = new Map<string, string>();
    const cands: PoolCandidate[] = [];
    while (cands.length < 60_000) {
      const u = '91' + Array.from(randomBytes(16), (b) => USCC_ALPHABET[b % 31]).join('');
      if (salts.has(u)) continue;
      salts.set(u, randomBytes(16).toString('hex'));
      const k = cands.length;
      cands.push({ uscc: u, stratum: (['key', 'A', 'B', 'C', 'D'] as const)[k % 5]!, area: areas[k % areas.length]! });
    }
    const freeze = (helper?: typeof two) =>
      freezeDrawV2(
        {
          taskId: fx.taskId, department: fx.department, round: fx.round, prev: fx.prev, redrawOf: fx.redrawOf, beacons: fx.beacons,
          pool: { inspectors: fx.pool.inspectors, areas: fx.pool.areas, candidates: PackedCandidates.from(cands) },
          ratiosBp: { A: 300, B: 300, C: 300, D: 300 }, minTeamSize: 1, frozenAt: fx.frozenAt, drawTime: fx.drawTime,
          systemCommitment: commitSystemBytes(fx.system), salts, pseudonyms: new Map(Object.entries(fx.pseudonyms)), ...(helper ? { helper } : {}),
        },
        helper ?? one,
      );
    const a = freeze(), b = freeze(two);
    expect(b.freezeDigest).toBe(a.freezeDigest);
    expect(b.freeze.poolDigest).toBe(a.freeze.poolDigest);
    expect(Buffer.from(b.sorted.buffer).equals(Buffer.from(a.sorted.buffer))).toBe(true);
    expect(Array.from(b.order)).toEqual(Array.from(a.order));
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

  it('freeze: the pool text hashed on the helper gives the same freeze, bytes and strata', () => {
    const inspectors = ['a1', 'a2', 'a3', 'b1', 'b2'].map((id) => ({ id, unit: id[0]! }));
    const areas = [{ name: '城关镇', inspectors: ['a1', 'a2', 'b1'] }, { name: '王林口乡', inspectors: ['a3', 'b1', 'b2'] }];
    const seen = new Set<string>();
    const cands: PoolCandidate[] = [];
    while (cands.length < 120_000) {
      const u = '91' + Array.from(randomBytes(16), (b) => USCC_ALPHABET[b % 31]).join('');
      if (seen.has(u)) continue;
      seen.add(u);
      const k = cands.length;
      cands.push({ uscc: u, stratum: (['key', 'A', 'B', 'C', 'D'] as const)[k % 5]!, area: areas[k % 2]!.name, ...(k % 97 === 0 ? { excluded: ['b1'] } : {}) });
    }
    const freeze = (helper?: typeof two) =>
      freezeDraw({
        taskId: 'T-PAR', pool: { inspectors, areas, candidates: PackedCandidates.from(cands) }, ratiosBp: { A: 300, B: 300, C: 300, D: 300 }, minTeamSize: 2,
        frozenAt: '2026-03-01T08:00:00Z', drawTime: '2026-03-01T08:00:00Z', witnesses: [{ id: 'w', commitment: commitSecret('s') }],
        systemCommitment: commitSystemBytes('00'.repeat(32)), ...(helper ? { helper } : {}),
      });
    const a = freeze(), b = freeze(two);
    expect(b.freezeDigest).toBe(a.freezeDigest);
    expect(b.freeze.poolDigest).toBe(a.freeze.poolDigest);
    expect(Buffer.from(b.pool.usccBytes).equals(Buffer.from(a.pool.usccBytes))).toBe(true);
    expect(Buffer.from(b.pool.strata).equals(Buffer.from(a.pool.strata))).toBe(true);
    expect(Array.from(b.pool.exclIdx)).toEqual(Array.from(a.pool.exclIdx));
  });
});
