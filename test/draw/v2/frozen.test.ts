/**
 * The internal frozen state of a v2 round as FreezePool stores it and RunDraw reads it back
 * (openings written and parsed as bytes), and the record's pool lists written straight from the
 * commitment words: both must give exactly what the straightforward code gives.
 */
import { describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compilePool } from '../../../shared/draw/pool.js';
import { createHasher } from '../../../shared/draw/simd.js';
import { candidateText, commitAll, publicPool } from '../../../shared/draw/v2/commit.js';
import {
  closeRegistration,
  digestsOf,
  frozenStateOf,
  openingLines,
  rebuildFrozenV2,
  runDrawV2,
  serializeRecordV2,
  serializeRecordV2Bytes,
  recordV2Chunks,
  recordV2Stream,
  writeRecordV2File,
  targetColumnsOf,
  targetsFromColumns,
  targetsJsonLength,
  targetsJsonPiece,
  type FreezeRecordV2,
  type TargetColumnsV2,
  type FrozenDrawV2,
} from '../../../shared/draw/v2/index.js';
import { commitSecret } from '../../../shared/draw/index.js';
import { drawFixtureV2, freezeFixtureV2, loadFixtureV2, proofsOf, pythonRecordV2 } from '../fixtures.js';

const reference = (f: Pick<FrozenDrawV2, 'pool' | 'salts'>) =>
  Array.from({ length: f.pool.n }, (_, i) => `${candidateText(f.pool, i)},${Buffer.from(f.salts.subarray(i * 16, i * 16 + 16)).toString('hex')}`);

/** A pool with 0–6 exclusions per candidate, long ids and 13 areas, frozen as far as rebuildFrozenV2 needs. */
function exclusionPool() {
  const A = '0123456789ABCDEFGHJKLMNPQRTUWXY';
  const ids = ['p1', 'p02', 'p003', 'inspector-with-a-long-id-0004', 'q5', 'q6', 'q7'];
  const raw = randomBytes(5_000 * 16);
  const candidates = Array.from({ length: 5_000 }, (_, i) => ({
    uscc: '91' + Array.from(raw.subarray(i * 16, i * 16 + 16), (b) => A[b % 31]).join(''),
    stratum: (['key', 'A', 'B', 'C', 'D'] as const)[i % 5]!,
    area: `区${i % 13}`,
    excluded: i % 3 ? [] : ids.slice(i % 7, (i % 7) + (i % 6) + 1),
  }));
  const pool = compilePool({ inspectors: ids.map((id) => ({ id, unit: 'u' })), areas: Array.from({ length: 13 }, (_, k) => ({ name: `区${k}`, inspectors: ids })), candidates });
  const salts = randomBytes(pool.n * 16);
  const commitments = commitAll(pool, salts, createHasher());
  const pub = publicPool(pool, commitments);
  const freeze = { taskId: 'T-1', poolDigest: pub.poolDigest } as FreezeRecordV2;
  const d = digestsOf(freeze);
  const frozen = { freeze, freezeDigest: d.sha256, freezeDigestSm3: d.sm3, pool, salts, commitments, order: pub.order, bounds: pub.bounds, sorted: pub.sorted, pseudonyms: new Map<string, string>() };
  return frozen;
}

describe('the frozen state (openings)', () => {
  it('openings are "<candidate text>,<salt hex>" per candidate, exclusions and long ids included', () => {
    const f = exclusionPool();
    expect(openingLines(f)).toEqual(reference(f));
  });

  it('rebuilds the same commitments, public order and pool from the stored JSON', () => {
    const f = exclusionPool();
    const state = JSON.parse(JSON.stringify(frozenStateOf(f)));
    const r = rebuildFrozenV2(state);
    expect(Buffer.from(r.sorted!.buffer).equals(Buffer.from(f.sorted.buffer))).toBe(true);
    expect(Array.from(r.order)).toEqual(Array.from(f.order));
    expect(Array.from(r.pool.exclOff)).toEqual(Array.from(f.pool.exclOff));
    expect(Array.from(r.pool.exclIdx)).toEqual(Array.from(f.pool.exclIdx));
    expect(r.pool.strataCounts).toEqual(f.pool.strataCounts);
  });

  it('refuses a changed or malformed opening', () => {
    const f = exclusionPool();
    const state = frozenStateOf(f);
    const swap = (i: number, line: string) => ({ ...state, openings: state.openings.map((l, j) => (j === i ? line : l)) });
    const salted = state.openings[7]!.replace(/.$/, (c) => (c === '0' ? '1' : '0'));
    expect(() => rebuildFrozenV2(swap(7, salted))).toThrow(/do not match poolDigest/);
    expect(() => rebuildFrozenV2(swap(3, state.openings[3]!.replace(',', '')))).toThrow(/opening 4 is malformed/);
    expect(() => rebuildFrozenV2(swap(5, state.openings[5]! + '0'))).toThrow(/opening 6 is malformed/);
    expect(() => rebuildFrozenV2(swap(9, state.openings[9]!.replace(/,[^,]*,([^,]*),/, ',Z,$1,')))).toThrow(/opening 10 is malformed/);
  });

  it.each(['a', 'b'] as const)('RunDraw over the stored state of vector %s reproduces the Python record byte for byte', (x) => {
    const fx = loadFixtureV2(x);
    const frozen = freezeFixtureV2(fx);
    const rebuilt = rebuildFrozenV2(JSON.parse(JSON.stringify(frozenStateOf(frozen))));
    const closed = closeRegistration(rebuilt, fx.closedAt, fx.witnesses.map((w) => ({ id: w.id, name: w.name, role: w.role, commitment: commitSecret(w.secret) })));
    const record = runDrawV2(rebuilt, closed, { witnesses: fx.witnesses.map((w) => ({ id: w.id, secret: w.secret })), system: fx.system, beacons: proofsOf(fx) });
    expect(serializeRecordV2(record)).toBe(pythonRecordV2(x));
  });
});

describe('the record pool lists', () => {
  it('are written from the words exactly as JSON.stringify writes the arrays, and read as arrays', () => {
    const { record } = drawFixtureV2(loadFixtureV2('a'));
    const fast = serializeRecordV2(record);
    expect(serializeRecordV2Bytes(record).equals(Buffer.from(fast, 'utf8'))).toBe(true);
    // in pieces of 1–24 pool entries, 1–3 targets (a 10,000,000 record is written ~5 MB at a time): the same bytes
    for (const piece of [1, 2, 3, 16, 24]) {
      const chunks = [...recordV2Chunks(record, piece)];
      expect(chunks.length).toBeGreaterThan(record.freeze.candidates / piece);
      expect(Buffer.concat(chunks).equals(Buffer.from(fast, 'utf8'))).toBe(true);
      // one buffer reused for the pool pieces: the same bytes when each chunk is used before the next
      const copied = Array.from(recordV2Chunks(record, piece, true), (c) => Buffer.from(c));
      expect(Buffer.concat(copied).equals(Buffer.from(fast, 'utf8'))).toBe(true);
      // for a stream that needs the length first (RunDraw's upload): the length before any pool piece is made, then the same bytes
      const stream = recordV2Stream(record, piece);
      expect(stream.length).toBe(Buffer.byteLength(fast));
      expect(Buffer.concat([...stream.chunks]).equals(Buffer.from(fast, 'utf8'))).toBe(true);
    }
    const dir = mkdtempSync(join(tmpdir(), 'suiji-record-'));
    try {
      expect(writeRecordV2File(record, join(dir, 'r.json'))).toBe(Buffer.byteLength(fast));
      expect(readFileSync(join(dir, 'r.json'), 'utf8')).toBe(fast);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    const lists = record.inputs.pool; // materialized now
    expect(lists).toEqual(JSON.parse(fast).inputs.pool);
    expect(serializeRecordV2(record)).toBe(fast);
    // a replaced list is what gets written
    record.inputs.pool = { ...lists, D: [] };
    expect(JSON.parse(serializeRecordV2(record)).inputs.pool.D).toEqual([]);
  });
});

describe("the record's targets written from the draw's columns", () => {
  /** Targets [a, b) as the object path writes them (JSON.stringify at depth 2, a comma before all but the record's first). */
  const viaObjects = (c: TargetColumnsV2, a: number, b: number) => {
    const t = targetsFromColumns(c).slice(a, b).map((x) => ({ commitment: x.commitment, uscc: x.uscc, salt: x.salt, stratum: x.stratum, area: x.area, exclusions: x.exclusions, priority: x.priority, leader: x.leader, team: x.team }));
    const inner = JSON.stringify(t, null, 2).slice(1, -2).replaceAll('\n', '\n  ');
    return (a > 0 && b > a ? ',' : '') + (b > a ? inner : '');
  };

  it('gives the bytes of the target objects, and the record is the same whether targets was read or not', () => {
    const { record } = drawFixtureV2(loadFixtureV2('b'));
    const cols = targetColumnsOf(record)!;
    expect(cols.n).toBeGreaterThan(3);
    const fromColumns = serializeRecordV2(record);
    expect(targetColumnsOf(record)).toBe(cols); // writing did not make the objects
    expect(record.targets).toHaveLength(cols.n); // reading does, once
    expect(targetColumnsOf(record)).toBeUndefined();
    expect(serializeRecordV2(record)).toBe(fromColumns);
    expect(fromColumns).toBe(pythonRecordV2('b'));
  });

  it('escapes what JSON escapes, keeps UTF-8 area names, and writes teams, exclusions and salts of any shape', () => {
    const ids = ['p1', 'p02', 'inspector-with-a-long-id-0004', 'q"4', 'q\\5'];
    const n = 6;
    const words = (seed: number) => Int32Array.from({ length: n * 8 }, (_, k) => (k * 2654435761 + seed) | 0);
    const uscc = Buffer.from('911303023C8ELTB5B0'.repeat(n), 'latin1');
    uscc.write('91130302"C8ELT\\5\x01', 18, 'latin1'); // not a USCC: escaped as JSON.stringify escapes it
    const base: TargetColumnsV2 = {
      n, commitments: words(1), priority: words(7), salts: Uint8Array.from({ length: n * 16 }, (_, k) => (k * 37) & 255), usccBytes: uscc,
      strata: Uint8Array.of(0, 1, 2, 3, 4, 0), area: Uint32Array.of(0, 1, 2, 1, 0, 2), areaNames: ['王林口乡', 'a "quoted" \\ area', 'tab\there'],
      ids, exclOff: Uint32Array.of(0, 0, 2, 2, 5, 5, 6), exclIdx: Uint32Array.of(0, 3, 1, 2, 4, 4),
      teamOff: Uint32Array.of(0, 3, 5, 5, 7, 8, 10), teamMembers: Uint32Array.of(2, 0, 1, 3, 4, 1, 2, 0, 4, 3),
    };
    const withSaltOf: TargetColumnsV2 = { ...base, salts: (r) => `${r}`.padStart(32, 'f') };
    for (const c of [base, withSaltOf]) {
      for (const [a, b] of [[0, n], [0, 1], [1, 4], [4, n], [2, 2], [5, n]] as const) {
        const piece = targetsJsonPiece(c, a, b);
        expect(piece.toString('utf8')).toBe(viaObjects(c, a, b));
        expect(targetsJsonLength(c, a, b)).toBe(piece.length);
      }
    }
    // a target without a team has no leader key (JSON.stringify leaves an undefined out)
    expect(JSON.parse(`[${targetsJsonPiece(base, 2, 3).toString('utf8').slice(1)}]`)[0]).not.toHaveProperty('leader');
  });
});

describe('sortPublic (the public order: stratum, then commitment)', () => {
  it('sorts whole digests per stratum in place, equal first words and empty strata included, on one or two threads, passes on the sorted stretches in order, and reports a duplicate', async () => {
    const { sortPublic, commitmentHash, digestCommitments } = await import('../../../shared/draw/v2/commit.js');
    const { compareDigests } = await import('../../../shared/draw/sha256.js');
    const { createParallelHasher } = await import('../../../shared/draw/parallel.js');
    const two = createParallelHasher();
    try {
      for (const n of [0, 1, 5, 1_000, 50_000, 120_000]) {
        const d = new Int32Array(randomBytes(n * 32).buffer.slice(0));
        // every 7th digest shares its first word with the previous one; every 11th its first three
        for (let i = 7; i < n; i += 7) d[i * 8] = d[(i - 1) * 8]!;
        for (let i = 11; i < n; i += 11) d.copyWithin(i * 8, (i - 1) * 8, (i - 1) * 8 + 3);
        // strata skewed as a register's (stratum B empty)
        const strata = Uint8Array.from({ length: n }, (_, i) => [0, 1, 1, 1, 1, 1, 3, 3, 4, 1][(i * 7919) % 10]!);
        const counts = [0, 0, 0, 0, 0];
        strata.forEach((s) => counts[s]!++);
        const want = Array.from({ length: n }, (_, i) => i).sort((x, y) => strata[x]! - strata[y]! || compareDigests(d, x * 8, d, y * 8));
        // sorted in place: a copy each time (shared memory, as the helper thread needs)
        const copy = (x: Int32Array) => {
          const c = new Int32Array(new SharedArrayBuffer(x.byteLength));
          c.set(x);
          return c;
        };
        for (const helper of [undefined, two]) {
          const dd = copy(d);
          // the sorted stretches, passed on as they are final (the pool digest hashes them while
          // the helper sorts on): [0, n) in order, each entry once
          const stretches: number[] = [];
          const h = commitmentHash();
          const { sorted, order, equal } = sortPublic(dd, strata, counts, helper, undefined, (a, e) => {
            stretches.push(a, e);
            h.update(dd, a, e);
          });
          expect(stretches[0]).toBe(0);
          expect(stretches.at(-1)).toBe(n);
          for (let k = 1; k + 1 < stretches.length; k += 2) expect(stretches[k]).toBe(stretches[k + 1]);
          expect(h.digest()).toBe(digestCommitments(sorted));
          expect(sorted).toBe(dd);
          expect(equal).toBe(false);
          expect(Array.from(order)).toEqual(want);
          for (let k = 0; k < n; k++) expect(compareDigests(sorted, k * 8, d, want[k]! * 8)).toBe(0);
        }
        if (n >= 2) {
          const dup = Int32Array.from(d);
          dup.copyWithin(want[n - 1]! * 8, want[n - 2]! * 8, want[n - 2]! * 8 + 8); // the last two of the last stratum equal
          strata[want[n - 1]!] = strata[want[n - 2]!]!;
          const c2 = [0, 0, 0, 0, 0];
          strata.forEach((s) => c2[s]!++);
          expect(sortPublic(copy(dup), strata, c2).equal).toBe(true);
          expect(sortPublic(copy(dup), strata, c2, two).equal).toBe(true);
        }
      }
      expect(two.threads).toBe(2);
    } finally {
      await two.close();
    }
  }, 60_000);
});

describe('reading a record file (parseRecordFile)', () => {
  it.each(['a', 'b'] as const)('gives JSON.parse\'s value for vector %s, the pool decoded from the bytes, and it verifies', async (x) => {
    const { parseRecordFile, lazyPoolWords } = await import('../../../shared/draw/v2/pooltext.js');
    const { verifyRecordV2 } = await import('../../../shared/draw/v2/index.js');
    const text = pythonRecordV2(x);
    const v = parseRecordFile(Buffer.from(text)) as { inputs: object };
    expect(lazyPoolWords(v.inputs)).toBeDefined(); // the fast path was taken
    const r = verifyRecordV2(v);
    expect(r.ok ? r.summary : r.error).toMatch(/^OK suiji-draw-v2/);
    expect(lazyPoolWords(v.inputs)).toBeDefined(); // …and the verifier read the words, not strings
    expect(v).toEqual(JSON.parse(text));
  }, 30_000);

  it('falls back to JSON.parse for any other layout, invalid JSON, a bad entry or a duplicate key', async () => {
    const { parseRecordFile, lazyPoolWords } = await import('../../../shared/draw/v2/pooltext.js');
    const { verifyRecordV2 } = await import('../../../shared/draw/v2/index.js');
    const text = pythonRecordV2('a');
    const compact = JSON.stringify(JSON.parse(text));
    expect(parseRecordFile(Buffer.from(compact))).toEqual(JSON.parse(text));
    expect(() => parseRecordFile(Buffer.from(text.slice(0, -3)))).toThrow(SyntaxError);
    // an upper-case hex digit in the pool: read as text, and the verifier names it
    const first = (JSON.parse(text).inputs.pool.A as string[])[0]!;
    const upper = text.replace(`"${first}"`, `"${first.slice(0, 63).toUpperCase()}${first[63]}"`);
    const v = parseRecordFile(Buffer.from(upper)) as { inputs: object };
    expect(lazyPoolWords(v.inputs)).toBeUndefined();
    const r = verifyRecordV2(v);
    expect(r.ok ? '' : r.error).toMatch(/inputs\.pool\.A\[0\]/);
    // a second "inputs" after the first: JSON.parse's value (the last one wins), not the fast path's
    const dup = text.replace(/\n}\n$/, ',\n  "inputs": {"pool": {"key": [], "A": [], "B": [], "C": [], "D": []}, "eligibility": []}\n}\n');
    expect(parseRecordFile(Buffer.from(dup))).toEqual(JSON.parse(dup));
  }, 30_000);
});
