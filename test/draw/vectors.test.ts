/**
 * Fixed vectors. record-a.json / record-b.json were produced by vectors/make_vectors.py, an
 * independent Python (hashlib) implementation of docs/DRAW.md, from fixture-a/b.json; the
 * expectations below were copied from its output.
 */
import { describe, expect, it } from 'vitest';
import { PackedCandidates, runDraw, scalarHasher, serializeRecord, serializeRecordChunks, verifyRecord, wasmHasher, type DrawRecord, type PoolCandidate } from '../../shared/draw/index.js';
import { drawFixture, freezeFixture, loadFixture, pythonRecordText } from './fixtures.js';

const hashers = [scalarHasher(), wasmHasher()].filter((h) => h !== undefined);
const summary = (r: DrawRecord) => r.targets.map((t) => [t.uscc, t.stratum, t.priority.slice(0, 16), t.team]);

describe('vector A: joint task (2 departments), team of 3, 2 jurisdictions, key + A + C strata, beacon', () => {
  const fx = loadFixture('a');

  it.each(hashers.map((h) => [h.kind, h] as const))('digests, seed, selection and teams (%s)', (_k, h) => {
    const r = drawFixture(fx, h);
    expect(r.freeze.poolDigest).toBe('938c4c7c5bef585806f3435ddba080695ba676d81fc8cdf2490993415bb0e623');
    expect(r.freeze.eligibilityDigest).toBe('f7b8607f9b488f53b68f7aa578675871dac6deed73e953c3c970b4a454846c9f');
    expect(r.freezeDigest).toBe('f126529b9e7281088c4082a98e93a766c7564aacce4cc264accbbe1c8f50ff3a');
    expect(r.seed).toBe('cde23c3f8fabb1ba1a96da25c0506afe7f99327093c5df03e9ec56f7d5fc2cca');
    expect(r.strata.map((s) => [s.stratum, s.candidates, s.selected])).toEqual([
      ['key', 3, 3], ['A', 6, 2], ['B', 0, 0], ['C', 7, 4], ['D', 0, 0],
    ]);
    expect(summary(r)).toEqual([
      ['911303023MPWH2JD10', 'key', '058ca92d106d81cb', ['m03', 'h04', 'h03']],
      ['91130681QQ17T1RAC8', 'C', '1725e7e3349b5fb7', ['h03', 'h02', 'm01']],
      ['91130302EH3XC2H9T8', 'A', '191f023637e6c837', ['h03', 'm02', 'h04']],
      ['91130624NLNHD7EJ8P', 'A', '42487919b8229b34', ['m02', 'h02', 'h03']],
      ['911303028XLNH7MATN', 'C', '4c8bf50490833235', ['h04', 'm03', 'm02']],
      ['91130681B6M8NXML2X', 'C', '4d5b2daee087d658', ['h02', 'h01', 'm01']],
      ['911303023C8ELTB5B0', 'C', '9031212a6724a07c', ['m03', 'h03', 'm02']],
      ['91130624L30P8774PN', 'key', 'b6f80cca9b7ff358', ['h03', 'h02', 'm02']],
      ['911306810267GK0H6L', 'key', 'fb1c86212b0efb07', ['h03', 'm02', 'm01']],
    ]);
    expect(r.targets.every((t) => t.leader === t.team[0])).toBe(true);
    expect(r.matching.areas.map((a) => [a.area, a.selected, a.share])).toEqual([['城关镇', 5, 3], ['王林口乡', 4, 3]]);
    expect(r.matching.inspectors.map((i) => [i.id, i.cap, i.load])).toEqual([
      ['h01', 4, 1], ['h02', 4, 4], ['h03', 7, 7], ['h04', 4, 3], ['m01', 4, 3], ['m02', 7, 6], ['m03', 4, 3],
    ]);
    // exclusions: h01 declared a conflict with 91130624NLNHD7EJ8P; m03 was on the previous team of
    // 91130302EH3XC2H9T8 (m01 is listed there too but is not in 王林口乡's list, so it is dropped)
    const cand = (u: string) => r.inputs.eligibility[r.inputs.eligibility.length - r.inputs.pool.length + r.inputs.pool.findIndex((l) => l.startsWith(u))];
    expect(cand('91130624NLNHD7EJ8P')).toBe('cand,0,h01');
    expect(cand('91130302EH3XC2H9T8')).toBe('cand,1,m03');
  });

  it('serialises byte-identically to the independent implementation', () => {
    for (const h of hashers) expect(serializeRecord(drawFixture(fx, h))).toBe(pythonRecordText('a'));
  });
});

describe('vector B: one department, 44 drawable targets on 4 inspectors (cap binds and yields once), no beacon', () => {
  const fx = loadFixture('b');

  it.each(hashers.map((h) => [h.kind, h] as const))('seed, caps and the first and last teams (%s)', (_k, h) => {
    const r = drawFixture(fx, h);
    expect(r.seed).toBe('4b1c45af14fe93405b8e11b6ddf00f77a042164532423691ff2d45a0f246d313');
    expect(r.freeze.beacon).toBeNull();
    expect(r.strata.map((s) => [s.stratum, s.candidates, s.selected])).toEqual([
      ['key', 0, 0], ['A', 0, 0], ['B', 1, 0], ['C', 1, 1], ['D', 43, 43],
    ]);
    expect(r.matching.capYields).toBe(1);
    expect(r.matching.inspectors.map((i) => [i.id, i.cap, i.load])).toEqual([
      ['samr-insp-02', 23, 20], ['samr-insp-07', 24, 25], ['samr-insp-11', 23, 23], ['samr-insp-31', 23, 19], ['samr-insp-99', 2, 1],
    ]);
    const s = summary(r);
    expect(s.slice(0, 4)).toEqual([
      ['91130302MA0BXY7777', 'D', '00256b4c372266ca', ['samr-insp-02', 'samr-insp-11']],
      ['91130302MA0JJC171N', 'D', '047a272ca8f963b1', ['samr-insp-11', 'samr-insp-31']],
      ['91130302MA0H3J9HTG', 'D', '0af3fd3737147ab2', ['samr-insp-02', 'samr-insp-07']],
      ['91130302MA0A1B2C3D', 'D', '0b51bff6b2ec44f6', ['samr-insp-31', 'samr-insp-11']],
    ]);
    // the C-stratum target excludes samr-insp-02 (declared conflict)
    expect(s.find((t) => t[0] === '91130303MA0M00007Q')).toEqual(['91130303MA0M00007Q', 'C', '8a36414064ff6258', ['samr-insp-11', 'samr-insp-31']]);
    // the last target (山海关区: samr-insp-99 and samr-insp-07) takes samr-insp-07 over his cap: the one yield
    expect(s.slice(-3)).toEqual([
      ['92130302MA0CQRT01N', 'D', 'f6c41f22ba4d56ac', ['samr-insp-31', 'samr-insp-07']],
      ['91130302MA0F00001W', 'D', 'f799c8334f35abc6', ['samr-insp-31', 'samr-insp-02']],
      ['91130303MA0N00008E', 'D', 'faf7dc30d628d885', ['samr-insp-07', 'samr-insp-99']],
    ]);
  });

  it('serialises byte-identically to the independent implementation', () => {
    for (const h of hashers) expect(serializeRecord(drawFixture(fx, h))).toBe(pythonRecordText('b'));
  });
});

describe('streamed record file', () => {
  it.each(['a', 'b'] as const)('serializeRecordChunks(%s) joins to the same bytes, without inputs held in the record', (x) => {
    const fx = loadFixture(x);
    const frozen = freezeFixture(fx);
    const rec = runDraw(frozen, { witnesses: fx.witnesses, system: fx.system, beacon: fx.beacon?.value ?? null }, { omitInputs: true });
    expect(rec.inputs).toEqual({ pool: [], eligibility: [] });
    expect([...serializeRecordChunks(rec, frozen, 5)].join('')).toBe(pythonRecordText(x));
  });
});

describe('published vectors verify', () => {
  it.each(['a', 'b'] as const)('record-%s.json → OK, and re-serialises byte-identically', (x) => {
    const text = pythonRecordText(x);
    const v = verifyRecord(JSON.parse(text));
    expect(v.ok ? v.summary : v.error).toMatch(/^OK suiji-draw-v1 任务 T2025-/);
    expect(serializeRecord(JSON.parse(text))).toBe(text);
  });
});

describe('packed candidates (the draw Lambda packs the pool while reading it)', () => {
  it.each(['a', 'b'] as const)('fixture %s frozen from packed records gives the same digests and draw', (x) => {
    const fx = loadFixture(x);
    const objects = drawFixture(fx);
    // packed in a different order than the fixture lists them: order must not matter
    const reversed = [...(fx.pool.candidates as PoolCandidate[])].reverse();
    const packed = drawFixture({ ...fx, pool: { ...fx.pool, candidates: PackedCandidates.from(reversed) } });
    expect(serializeRecord(packed)).toBe(serializeRecord(objects));
    expect(serializeRecord(packed)).toBe(pythonRecordText(x));
  });

  it('grows past its initial capacity and reports bad records in Chinese with the USCC', () => {
    const fx = loadFixture('b');
    const p = new PackedCandidates(1);
    for (const c of fx.pool.candidates as PoolCandidate[]) p.add(c.uscc, c.stratum, c.area, c.excluded);
    expect(p.length).toBe((fx.pool.candidates as PoolCandidate[]).length);
    expect(serializeRecord(drawFixture({ ...fx, pool: { ...fx.pool, candidates: p } }))).toBe(pythonRecordText('b'));
    expect(() => p.add('91130302EH3XC2H9TI', 'A', '城关镇')).toThrow('统一社会信用代码「91130302EH3XC2H9TI」包含无效字符「I」');
    expect(() => p.add('91130302EH3XC2H9T8', 'E' as 'A', '城关镇')).toThrow('分层「E」无效');
    const orphan = PackedCandidates.from([{ uscc: '91130302EH3XC2H9T8', stratum: 'A', area: '不存在镇' }]);
    expect(() => drawFixture({ ...fx, pool: { ...fx.pool, candidates: orphan } })).toThrow('检查对象 91130302EH3XC2H9T8 的辖区「不存在镇」没有对应的检查人员范围');
  });
});
