import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { commitSecret, commitSystemBytes, MissingRevealError, newSystemSecret, RevealMismatchError, verifyRecord } from '../../../shared/draw/index.js';
import {
  checkCodeOf,
  closeRegistration,
  freezeDrawV2,
  LocalTestChain,
  openingLines,
  outcomeRecord,
  runDrawV2,
  selfCheck,
  serializeOutcomeV2,
  serializeRecordV2,
  verifyChain,
  type DrawRecordV2,
  type FrozenDrawV2,
  type OutcomeRecordV2,
} from '../../../shared/draw/v2/index.js';
import { runSelfCheck, runVerify, runVerifyChain } from '../../../shared/dev/cli/verify.js';
import { drawFixtureV2, loadFixtureV2, pythonRecordV2 } from '../fixtures.js';
import { leaves, undetectedChanges } from '../tamper.js';

const genuine = (x: 'a' | 'b') => JSON.parse(pythonRecordV2(x));

describe('v2 records: any one-character change is detected', () => {
  it.each(['a', 'b'] as const)('v2-record-%s: every string and number, changed in one character', (x) => {
    // Who entered the index closes is a statement in the record, not an input of the draw (the
    // values are: they are hashed into the seed); every other field is checked.
    const paths = leaves(genuine(x)).filter((p) => p.join('.').match(/^reveals\.beacons\.\d+\.enteredBy\./) === null);
    expect(paths.length).toBeGreaterThan(150);
    expect(undetectedChanges(() => genuine(x), paths, verifyRecord)).toEqual([]);
  }, 120_000);

  it('names the first difference in words', () => {
    const r = genuine('a');
    r.targets[0].salt = r.targets[1].salt;
    expect(verifyRecord(r)).toMatchObject({ ok: false, error: expect.stringMatching(/^第 1 个抽中对象 targets\[0\] 的公开信息（统一社会信用代码 911303023C8ELTB5B0、盐值、辖区、回避人员）与其承诺值不符/) });
    const s = genuine('a');
    s.inputs.pool.C.reverse();
    expect(verifyRecord(s)).toMatchObject({ ok: false, error: expect.stringMatching(/inputs\.pool\.C 第 2 个承诺值未按升序排列或重复/) });
    const t = genuine('a');
    t.close.closedAt = '2024-08-05T16:36:00Z';
    expect(verifyRecord(t)).toMatchObject({ ok: false, error: expect.stringMatching(/晚于公共随机信标（drand-quicknet）产生前的最后期限/) });
  });
});

// ------------------------------------------------------------------ a department's rounds

const fx = loadFixtureV2('a');
const chain = new LocalTestChain(LocalTestChain.newSecretKey(), Date.parse('2026-01-01T00:00:00Z') / 1000);
const witnesses = [
  { id: 'w1', name: '王明', role: '纪检监察组', secret: '纪检监察组见证 2026 第一轮' },
  { id: 'w2', name: '李华', role: '公众代表', secret: 'public witness #2 secret' },
];

function round(n: number, prev: FrozenDrawV2 | null, day: string, redrawOf: number | null = null) {
  const system = newSystemSecret();
  const drawTime = `${day}T02:00:00Z`;
  const frozen = freezeDrawV2({
    taskId: `T-${n}`, department: 'dept-housing', round: n, prev: prev && { freezeDigest: prev.freezeDigest, freezeDigestSm3: prev.freezeDigestSm3 }, redrawOf,
    pool: fx.pool, ratiosBp: fx.ratiosBp, minTeamSize: fx.minTeamSize, jointUnits: fx.jointUnits,
    frozenAt: `${day}T01:00:00Z`, drawTime, systemCommitment: system.commitment, beacons: [chain.specAfter(drawTime)],
  });
  const closed = closeRegistration(frozen, `${day}T01:59:00Z`, witnesses.map((w) => ({ ...w, commitment: commitSecret(w.secret) })));
  const spec = frozen.freeze.beacons[0]! as ReturnType<LocalTestChain['spec']>;
  const beaconAt = new Date((chain.genesis + (spec.round - 1) * chain.period) * 1000);
  return { frozen, closed, system, spec, beaconAt };
}

describe('a department chain with the local test beacon', () => {
  const r1 = round(1, null, '2026-03-02');
  const rec1 = runDrawV2(r1.frozen, r1.closed, { witnesses, system: r1.system.hex, beacons: [chain.proof(r1.spec.round, r1.beaconAt)] });
  const r2 = round(2, r1.frozen, '2026-03-09');
  // round 2: a witness never reveals, after the beacon is public → aborted, on record
  const proof2 = chain.proof(r2.spec.round, r2.beaconAt);
  const out2 = outcomeRecord(r2.frozen, 'aborted', '见证人 w2 未揭示', '2026-03-09T03:00:00Z', r2.closed.close, [proof2]);
  const r3 = round(3, r2.frozen, '2026-03-16', 2);
  const rec3 = runDrawV2(r3.frozen, r3.closed, { witnesses, system: r3.system.hex, beacons: [chain.proof(r3.spec.round, r3.beaconAt)] });
  const files = (xs: (DrawRecordV2 | OutcomeRecordV2)[]) => xs.map((x) => JSON.parse('outcome' in x ? serializeOutcomeV2(x) : serializeRecordV2(x)));

  it('the seed cannot be computed before the beacon round: the ceremony needs its proof', () => {
    expect(() => chain.proof(r2.spec.round, new Date(r2.beaconAt.getTime() - 3000))).toThrow(/尚未发布/);
    expect(() => runDrawV2(r2.frozen, r2.closed, { witnesses, system: r2.system.hex, beacons: [] })).toThrow(MissingRevealError);
    expect(() => runDrawV2(r2.frozen, r2.closed, { witnesses: [witnesses[0]!], system: r2.system.hex, beacons: [proof2] })).toThrow(/缺少揭示值（见证人「w2」）/);
    expect(() => runDrawV2(r2.frozen, r2.closed, { witnesses: [witnesses[0]!, { id: 'w2', secret: 'wrong' }], system: r2.system.hex, beacons: [proof2] })).toThrow(RevealMismatchError);
    const other = chain.proof(r2.spec.round + 1, new Date(r2.beaconAt.getTime() + 3000));
    expect(() => runDrawV2(r2.frozen, r2.closed, { witnesses, system: r2.system.hex, beacons: [other] })).toThrow(/信标轮次不一致/);
  });

  it('registration closing after the beacon deadline is refused', () => {
    expect(() => closeRegistration(r2.frozen, '2026-03-09T02:10:00Z', witnesses.map((w) => ({ ...w, commitment: commitSecret(w.secret) })))).toThrow(/本轮应中止/);
  });

  it('verifies rounds 1–3 (drawn, aborted, re-drawn) as a chain, in SHA-256 and SM3', () => {
    const v = verifyChain(files([rec1, out2, rec3]));
    expect(v).toMatchObject({ ok: true });
    if (v.ok) expect(v.summary).toContain('第 1–3 轮连续、逐轮衔接（SHA-256 与 SM3），各轮记录均验证通过（1:drawn 2:aborted 3:drawn）');
    expect(rec1.freeze.beacons[0]!.source).toBe('suiji-local-test');
  });

  it('reports a missing round and a replaced round', () => {
    expect(verifyChain(files([rec1, rec3]))).toMatchObject({ ok: false, error: expect.stringMatching(/缺少第 2 轮的记录/) });
    // round 2 silently re-run with a new freeze: round 3's link no longer matches
    const again = round(2, r1.frozen, '2026-03-10');
    const rec2b = runDrawV2(again.frozen, again.closed, { witnesses, system: again.system.hex, beacons: [chain.proof(again.spec.round, again.beaconAt)] });
    expect(verifyChain(files([rec1, rec2b, rec3]))).toMatchObject({ ok: false, error: expect.stringMatching(/第 3 轮记录的上一轮摘要 prev 为 [0-9a-f]{64}，而第 2 轮的 freezeDigest 为 [0-9a-f]{64}：第 2 轮被替换/) });
    expect(verifyChain(files([rec1, out2, rec2b, rec3]))).toMatchObject({ ok: false, error: expect.stringMatching(/第 2 轮被替换/) });
  });

  it('suiji verify and suiji verify --chain on the files', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'suiji-v2-'));
    const paths = [rec1, out2, rec3].map((x, k) => {
      const p = join(dir, `r${k + 1}.json`);
      writeFileSync(p, 'outcome' in x ? serializeOutcomeV2(x) : serializeRecordV2(x));
      return p;
    });
    const lines: string[] = [];
    expect(await runVerify(paths[0]!, (l) => lines.push(l))).toBe(0);
    expect(lines[0]).toMatch(/^OK suiji-draw-v2 任务 T-1（dept-housing 第 1 轮）/);
    expect(await runVerifyChain(paths, (l) => lines.push(l))).toBe(0);
    expect(await runVerifyChain([paths[0]!, paths[2]!], (l) => lines.push(l))).toBe(1);
    expect(lines.at(-1)).toMatch(/^验证失败：缺少第 2 轮的记录/);
  });
});

describe('pseudonyms and the enterprise self-check', () => {
  it('pseudonyms are a fresh random assignment per freeze; the mapping stays internal', () => {
    const freeze = () => freezeDrawV2({ ...baseInput(), pool: fx.pool });
    const a = freeze(), b = freeze();
    expect([...a.pseudonyms.values()].sort()).toEqual(fx.pool.inspectors.map((i) => i.id).sort());
    const assignments = new Set<string>();
    for (let k = 0; k < 8; k++) assignments.add(JSON.stringify([...freeze().pseudonyms.entries()].sort()));
    expect(assignments.size).toBeGreaterThan(1);
    // fresh salts too: the same pool never gives the same commitments twice
    expect(a.freeze.poolDigest).not.toBe(b.freeze.poolDigest);
  });

  it('every enterprise finds itself, in its stratum, with its check code; a wrong code finds nothing', () => {
    const { frozen, record } = drawFixtureV2(fx);
    const drawn = new Set(record.targets.map((t) => t.uscc));
    for (const line of openingLines(frozen)) {
      const { uscc, code } = checkCodeOf(line);
      const stratum = line.split(',')[1];
      expect(selfCheck(record, uscc, code)).toMatchObject({ found: true, stratum, drawn: drawn.has(uscc) });
      expect(selfCheck(record, uscc, code.replace(/^./, (c) => (c === '0' ? '1' : '0')))).toEqual({ found: false });
    }
    expect(selfCheck(record, 'x', '00')).toMatchObject({ found: false, error: expect.stringMatching(/统一社会信用代码/) });
  });

  it('suiji selfcheck on a record file', async () => {
    const { frozen, record } = drawFixtureV2(fx);
    const dir = mkdtempSync(join(tmpdir(), 'suiji-v2-'));
    const file = join(dir, 'record.json');
    writeFileSync(file, serializeRecordV2(record));
    const lines: string[] = [];
    const drawnLine = openingLines(frozen).find((l) => l.startsWith(record.targets[0]!.uscc))!;
    const { uscc, code } = checkCodeOf(drawnLine);
    expect(await runSelfCheck(file, uscc, code, (l) => lines.push(l))).toBe(0);
    expect(lines.at(-1)).toMatch(new RegExp(`^已找到：${uscc} 在本次抽取的对象池中（.*），本次被抽中$`));
    expect(await runSelfCheck(file, uscc, '0'.repeat(32), (l) => lines.push(l))).toBe(1);
    expect(lines.at(-1)).toMatch(/^未找到：/);
  });
});

function baseInput() {
  return {
    taskId: fx.taskId, department: 'dept-housing', round: 1, prev: null, ratiosBp: fx.ratiosBp, minTeamSize: fx.minTeamSize, jointUnits: fx.jointUnits,
    frozenAt: '2026-03-02T01:00:00Z', drawTime: '2026-03-02T02:00:00Z', systemCommitment: commitSystemBytes(fx.system), beacons: [chain.specAfter('2026-03-02T02:00:00Z')],
  };
}

describe('the uniform sort', () => {
  it('orders like a full comparison, for sizes around every bucket threshold and with equal top bits', async () => {
    const { sortUniform } = await import('../../../shared/draw/v2/commit.js');
    const { compareDigests } = await import('../../../shared/draw/sha256.js');
    const { randomBytes } = await import('node:crypto');
    for (const n of [0, 1, 63, 64, 65, 1000, 70_000]) {
      const d = new Int32Array(randomBytes(n * 32).buffer.slice(0));
      // force equal leading words on some entries: the full digest must decide
      for (let i = 0; i + 1 < n; i += 7) d[(i + 1) * 8] = d[i * 8]!;
      const idx = Uint32Array.from({ length: n }, (_, i) => i);
      const want = Array.from(idx).sort((x, y) => compareDigests(d, x * 8, d, y * 8));
      expect(Array.from(sortUniform(d, idx))).toEqual(want);
    }
  });

  it('positionsByKey: the positions in ascending key order, equal keys in position order', async () => {
    const { positionsByKey } = await import('../../../shared/draw/v2/commit.js');
    const { randomBytes } = await import('node:crypto');
    for (const n of [0, 1, 5, 3000]) {
      const keys = new Uint32Array(randomBytes(n * 4).buffer.slice(0));
      for (let i = 0; i + 1 < n; i += 9) keys[i + 1] = keys[i]!;
      const want = Array.from({ length: n }, (_, i) => i).sort((a, b) => keys[a]! - keys[b]! || a - b);
      expect(Array.from(positionsByKey(keys))).toEqual(want);
    }
  });

  it('orders digests bunched in a small part of the range (a selection\'s priorities) and reports equal ones', async () => {
    const { sortUniform } = await import('../../../shared/draw/v2/commit.js');
    const { compareDigests } = await import('../../../shared/draw/sha256.js');
    const { randomBytes } = await import('node:crypto');
    const n = 50_000;
    const d = new Int32Array(randomBytes(n * 32).buffer.slice(0));
    // 80 % below 3 % of the range, the rest anywhere (a full stratum drawn beside partial ones)
    for (let i = 0; i < n; i++) if (i % 5) d[i * 8] = (d[i * 8]! >>> 0) % 128_849_019;
    const idx = Uint32Array.from({ length: n }, (_, i) => n - 1 - i);
    const want = Array.from(idx).sort((x, y) => compareDigests(d, x * 8, d, y * 8));
    let equal = 0;
    expect(Array.from(sortUniform(d, idx, () => equal++))).toEqual(want);
    expect(equal).toBe(0);
    d.copyWithin(77 * 8, 4_321 * 8, 4_322 * 8);
    sortUniform(d, idx, () => equal++);
    expect(equal).toBeGreaterThan(0);
  });
});
