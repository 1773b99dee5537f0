/**
 * v2 vectors: v2-record-a/b.json were written by vectors/make_vectors_v2.py, an independent
 * Python (hashlib) implementation of docs/DRAW.md §10–§17. The TypeScript draw must reproduce them
 * byte for byte, and `verifyRecordV2` (which also checks the BLS signatures of the recorded
 * real quicknet rounds) must accept them.
 */
import { describe, expect, it } from 'vitest';
import { scalarHasher, wasmHasher } from '../../../shared/draw/index.js';
import { serializeRecordV2, verifyRecordV2 } from '../../../shared/draw/v2/index.js';
import { drawFixtureV2, loadFixtureV2, pythonRecordV2 } from '../fixtures.js';

const hashers = [scalarHasher(), wasmHasher()].filter((h) => h !== undefined);

describe.each(['a', 'b'] as const)('v2 vector %s', (x) => {
  const fx = loadFixtureV2(x);
  it.each(hashers.map((h) => [h.kind, h] as const))('the TypeScript draw reproduces the Python record byte for byte (%s)', (_k, h) => {
    const { record } = drawFixtureV2(fx, h);
    expect(serializeRecordV2(record)).toBe(pythonRecordV2(x));
  }, 30_000);

  it('the Python record verifies, BLS signatures included', () => {
    const r = verifyRecordV2(JSON.parse(pythonRecordV2(x)));
    expect(r.ok ? r.summary : r.error).toMatch(/^OK suiji-draw-v2/);
  }, 30_000);

  it('publishes no non-drawn enterprise: no USCC in the record other than the drawn ones', () => {
    const text = pythonRecordV2(x);
    const drawn = new Set((JSON.parse(text) as { targets: { uscc: string }[] }).targets.map((t) => t.uscc));
    const hidden = fx.pool.candidates instanceof Array ? fx.pool.candidates.filter((c) => !drawn.has(c.uscc)) : [];
    expect(hidden.length).toBeGreaterThan(0);
    for (const c of hidden) expect(text).not.toContain(c.uscc);
    // registry ids never appear: inspectors are pseudonyms
    for (const i of fx.pool.inspectors) expect(text).not.toMatch(new RegExp(`"${i.id}"|[,;]${i.id}[,;"]`));
  });
});

describe('v2 vector a, literally', () => {
  it('digests and the first targets (from the Python output)', () => {
    const r = JSON.parse(pythonRecordV2('a'));
    expect(r.freeze.poolDigest).toBe('53c841acc1d82b7a4f54fe6492b5c2de388502f1f090b3526991c4275ba4c9fc');
    expect(r.freezeDigest).toBe('231ac84428fd4416ed6b069f7b05dd4844ea9640f74c501dad12be326a37bf46');
    expect(r.freezeDigestSm3).toBe('5ba171663b72219998cd7f31f1b415aaf6de23b3ae96c50678d51d4e4f22794f');
    expect(r.closeDigest).toBe('58083921d149c988f7b2c652031b8d787168ee7e13e2d2329edadbf036ab26e0');
    expect(r.seed).toBe('e9161875d9896e7c5389b87d1e70d6f41e2bb4711e7bd2512ca4b556cc0effb2');
    expect(r.targets.slice(0, 3).map((t: { uscc: string; stratum: string; team: string[] }) => [t.uscc, t.stratum, t.team])).toEqual([
      ['911303023C8ELTB5B0', 'C', ['p001', 'p003', 'p002']],
      ['911306810267GK0H6L', 'key', ['p006', 'p002', 'p005']],
      ['91130624826XYJWNAC', 'C', ['p002', 'p007', 'p003']],
    ]);
  });
});

describe('v2 with the two-thread hasher', () => {
  it('reproduces the vectors and a 100,000-candidate draw exactly as one thread does', async () => {
    const { createParallelHasher } = await import('../../../shared/draw/parallel.js');
    const two = createParallelHasher();
    try {
      expect(serializeRecordV2(drawFixtureV2(loadFixtureV2('b'), two).record)).toBe(pythonRecordV2('b'));
      const { commitAll, publicPool, selectV2 } = await import('../../../shared/draw/v2/commit.js');
      const { compilePool } = await import('../../../shared/draw/pool.js');
      const { randomBytes } = await import('node:crypto');
      const A = '0123456789ABCDEFGHJKLMNPQRTUWXY';
      const raw = randomBytes(100_000 * 16);
      const candidates = Array.from({ length: 100_000 }, (_, i) => ({
        uscc: '91' + Array.from(raw.subarray(i * 16, i * 16 + 16), (b) => A[b % 31]).join(''),
        stratum: (['key', 'A', 'B', 'C', 'D'] as const)[i % 5]!,
        area: `a${i % 7}`,
      }));
      const p = compilePool({ inspectors: [{ id: 'i1', unit: 'u' }, { id: 'i2', unit: 'u' }], areas: Array.from({ length: 7 }, (_, k) => ({ name: `a${k}`, inspectors: ['i1', 'i2'] })), candidates });
      const salts = randomBytes(p.n * 16);
      const c1 = commitAll(p, salts, hashers[hashers.length - 1]!), c2 = commitAll(p, salts, two);
      expect(Buffer.from(c2.buffer).equals(Buffer.from(c1.buffer))).toBe(true);
      const pub = publicPool(p, Int32Array.from(c1)); // sorts its argument in place
      const s1 = selectV2('ab'.repeat(32), c1, pub.order, pub.bounds, [5, 700, 0, 3, 20_000], hashers[hashers.length - 1]!);
      const s2 = selectV2('ab'.repeat(32), c1, pub.order, pub.bounds, [5, 700, 0, 3, 20_000], two);
      expect(Array.from(s2.order)).toEqual(Array.from(s1.order));
      expect(two.threads).toBe(2);
    } finally {
      await two.close();
    }
  }, 60_000);
});

describe('v2 commitments of every text length', () => {
  it('equal SHA-256(salt ‖ candidate text) with 0–6 exclusions, short and long ids, area indices past 10 (one block and two)', async () => {
    const { commitAll, commitmentOf, candidateText } = await import('../../../shared/draw/v2/commit.js');
    const { compilePool } = await import('../../../shared/draw/pool.js');
    const { createParallelHasher } = await import('../../../shared/draw/parallel.js');
    const { randomBytes } = await import('node:crypto');
    const A = '0123456789ABCDEFGHJKLMNPQRTUWXY';
    const ids = ['p1', 'p02', 'p003', 'inspector-with-a-long-id-0004', 'q5', 'q6', 'q7'];
    const areas = Array.from({ length: 13 }, (_, k) => ({ name: `区${k}`, inspectors: ids }));
    const raw = randomBytes(40_000 * 16);
    const candidates = Array.from({ length: 40_000 }, (_, i) => ({
      uscc: '91' + Array.from(raw.subarray(i * 16, i * 16 + 16), (b) => A[b % 31]).join(''),
      stratum: (['key', 'A', 'B', 'C', 'D'] as const)[i % 5]!,
      area: `区${i % 13}`,
      excluded: i % 3 ? [] : ids.slice(i % 7, (i % 7) + (i % 6) + 1),
    }));
    const p = compilePool({ inspectors: ids.map((id) => ({ id, unit: 'u' })), areas, candidates });
    const salts = randomBytes(p.n * 16);
    const two = createParallelHasher();
    try {
      const lengths = new Set<number>();
      for (const h of [...hashers, two]) {
        const c = commitAll(p, salts, h);
        for (let i = 0; i < p.n; i++) {
          const text = candidateText(p, i);
          lengths.add(16 + Buffer.byteLength(text));
          expect(Buffer.from(c.buffer, i * 32, 32).swap32().toString('hex'), `${h.kind} candidate ${i}: ${text}`).toBe(commitmentOf(salts.subarray(i * 16, i * 16 + 16), text).toString('hex'));
        }
      }
      expect(Math.min(...lengths)).toBeLessThanOrEqual(40);
      expect(Math.max(...lengths)).toBeGreaterThan(64); // two-block messages too
    } finally {
      await two.close();
    }
  }, 60_000);
});
