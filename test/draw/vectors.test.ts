/**
 * Fixed vectors. record-a.json / record-b.json were produced by vectors/make_vectors.py, an
 * independent Python (hashlib) implementation of docs/DRAW.md, from fixture-a/b.json; the
 * expectations below were copied from its output.
 */
import { describe, expect, it } from 'vitest';
import { scalarHasher, serializeRecord, verifyRecord, wasmHasher, type DrawRecord } from '../../shared/draw/index.js';
import { drawFixture, loadFixture, pythonRecordText } from './fixtures.js';

const hashers = [scalarHasher(), wasmHasher()].filter((h) => h !== undefined);
const summary = (r: DrawRecord) => r.targets.map((t) => [t.uscc, t.stratum, t.priority.slice(0, 16), t.team]);

describe('vector A: joint task (2 departments), team of 3, 2 jurisdictions, key + A + C strata, beacon', () => {
  const fx = loadFixture('a');

  it.each(hashers.map((h) => [h.kind, h] as const))('digests, seed, selection and teams (%s)', (_k, h) => {
    const r = drawFixture(fx, h);
    expect(r.freeze.poolDigest).toBe('938c4c7c5bef585806f3435ddba080695ba676d81fc8cdf2490993415bb0e623');
    expect(r.freeze.eligibilityDigest).toBe('ce8bccb3ff4ff26fef938681359d1e6569e5faf678679b870b207d512de26d3f');
    expect(r.freezeDigest).toBe('8c8afbc5d360d382a4ae96a50290a63184fd31dba61c5f9a15930bab1248298a');
    expect(r.seed).toBe('1ed4b21ef48940e6175995b20086923b41018b508dacbd1c4557cc47ff2bd413');
    expect(r.strata.map((s) => [s.stratum, s.candidates, s.selected])).toEqual([
      ['key', 3, 3], ['A', 6, 2], ['B', 0, 0], ['C', 7, 4], ['D', 0, 0],
    ]);
    expect(summary(r)).toEqual([
      ['91130681QQ17T1RAC8', 'C', '23e32bd75bafefab', ['h03', 'h01', 'm02']],
      ['91130681846YQA32C0', 'A', '2f2cc7bac8eedf87', ['h01', 'h03', 'm02']],
      ['911306810267GK0H6L', 'key', '3b3414c0afa96e88', ['m01', 'h02', 'h03']],
      ['91130624NLNHD7EJ8P', 'A', '3cd74c39c1973a07', ['m01', 'm02', 'h02']],
      ['91130624826XYJWNAC', 'C', '5a8f04fe67587763', ['m03', 'm02', 'h03']],
      ['91130624L30P8774PN', 'key', '634a8dd380560de3', ['m02', 'h02', 'm01']],
      ['911306241M7Q92U7UN', 'C', '73a51d21ad3de2c7', ['h03', 'h01', 'm01']],
      ['911303023C8ELTB5B0', 'C', '743aa60d350583b8', ['m02', 'h04', 'h03']],
      ['911303023MPWH2JD10', 'key', '8233463d744ec005', ['m03', 'h03', 'h04']],
    ]);
    expect(r.targets.every((t) => t.leader === t.team[0])).toBe(true);
    expect(r.matching.areas.map((a) => [a.area, a.share])).toEqual([['城关镇', 4], ['王林口乡', 3]]);
    expect(r.matching.inspectors.map((i) => [i.id, i.cap, i.load])).toEqual([
      ['h01', 5, 3], ['h02', 5, 3], ['h03', 8, 7], ['h04', 4, 2], ['m01', 5, 4], ['m02', 8, 6], ['m03', 4, 2],
    ]);
    // the exclusion of h01 (declared conflict) and of m03 (previous team) held
    expect(r.targets.find((t) => t.uscc === '91130624NLNHD7EJ8P')!.team).not.toContain('h01');
    expect(r.inputs.eligibility).toContain('cand,91130302EH3XC2H9T8,1,m03');
  });

  it('serialises byte-identically to the independent implementation', () => {
    for (const h of hashers) expect(serializeRecord(drawFixture(fx, h))).toBe(pythonRecordText('a'));
  });
});

describe('vector B: one department, 44 drawable targets on 4 inspectors (cap binds and yields once), no beacon', () => {
  const fx = loadFixture('b');

  it.each(hashers.map((h) => [h.kind, h] as const))('seed, caps and the first and last teams (%s)', (_k, h) => {
    const r = drawFixture(fx, h);
    expect(r.seed).toBe('8569fba28a8d810ec158263ade765a6ff5e4fb5be9f9774d9712f5f69cb58f8b');
    expect(r.freeze.beacon).toBeNull();
    expect(r.strata.map((s) => [s.stratum, s.candidates, s.selected])).toEqual([
      ['key', 0, 0], ['A', 0, 0], ['B', 1, 0], ['C', 1, 1], ['D', 43, 43],
    ]);
    expect(r.matching.capYields).toBe(1);
    expect(r.matching.inspectors.map((i) => [i.id, i.cap, i.load])).toEqual([
      ['samr-insp-02', 23, 24], ['samr-insp-07', 24, 17], ['samr-insp-11', 23, 23], ['samr-insp-31', 23, 23], ['samr-insp-99', 2, 1],
    ]);
    const s = summary(r);
    expect(s.slice(0, 3)).toEqual([
      ['91130302MA07L1XQ3K', 'D', '009b6ba4a9ef8b4e', ['samr-insp-02', 'samr-insp-31']],
      ['91130302MA0JJC171N', 'D', '036f618b2a705c0c', ['samr-insp-02', 'samr-insp-11']],
      ['91130302MA0E9K23G9', 'D', '0c02bdd646056a0f', ['samr-insp-11', 'samr-insp-31']],
    ]);
    expect(s.find((t) => t[0] === '91130303MA0N00008E')).toEqual(['91130303MA0N00008E', 'D', '8148ea1c1f238fdb', ['samr-insp-99', 'samr-insp-07']]);
    expect(s.find((t) => t[0] === '91130303MA0M00007Q')).toEqual(['91130303MA0M00007Q', 'C', 'c2522f2c6507ce05', ['samr-insp-07', 'samr-insp-11']]);
    expect(s.slice(-2)).toEqual([
      ['91130302MA07LLJY1U', 'D', 'fd3c86b3e9df0eac', ['samr-insp-02', 'samr-insp-07']],
      ['91130302MA0J00004U', 'D', 'fdf83ac07a783771', ['samr-insp-07', 'samr-insp-02']],
    ]);
  });

  it('serialises byte-identically to the independent implementation', () => {
    for (const h of hashers) expect(serializeRecord(drawFixture(fx, h))).toBe(pythonRecordText('b'));
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
