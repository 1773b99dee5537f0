/**
 * A small synthetic draw (freeze, selection, matching) to run at Lambda init: V8 then has the
 * draw's hot loops compiled and optimized before the first real draw of the container, which
 * otherwise spends its first ~100–150 ms of a million-candidate draw in unoptimized code.
 *
 * Coverage matters as much as size: optimized code deoptimizes at the first operation it has
 * no type feedback for, and re-optimizing a long loop costs tens of milliseconds. So the
 * synthetic pool takes the branches a real one can: exclusion lists of several ids (unordered,
 * with a duplicate and an id from outside the area), and a joint task whose teams are filled
 * both per unit and from anyone. The freeze runs twice (its passes are small functions that run
 * once per freeze; on a second run V8 optimizes them whole): that took 40–45 ms off the first
 * real freeze of a million candidates. v1's selection and matching run once (a second run did
 * not help selection and made the first real matching slower), then matching once more for a
 * task that is not joint.
 *
 * Then the first 20,000 go through a v2 round (warmUpDrawV2), the default for new rounds, with a
 * quarter of each stratum drawn and its ceremony run three times (docs/DRAW.md §19).
 *
 * Takes about 0.4–0.6 s in a fresh process (v1 alone). Deterministic and pure; returns the number of
 * teams drawn (0 if the random codes happened to collide), which the tests check.
 */
import { commitSecret, commitSystemBytes, deriveSeed } from './ceremony.js';
import { freezeDraw } from './draw.js';
import { matchTeams } from './match.js';
import { PackedCandidates, USCC_ALPHABET, STRATA } from './pool.js';
import { selectTargets } from './select.js';
import type { BatchHasher } from './simd.js';
import type { FreezeInputCommon } from './draw.js';
import { createHash } from 'node:crypto';
import { QUICKNET } from './v2/beacon.js';
import { closeRegistration, freezeDrawV2, runDrawV2 } from './v2/draw.js';
import { decodeFrozenV2, encodeFrozenV2, loadFrozenStateV2 } from './v2/state.js';
import { serializeRecordV2 } from './v2/record.js';

/**
 * The first ArrayBuffer detached in a process (a transfer: prefaultHeap's, which runs after this
 * warm-up) invalidates V8's "array buffer detaching" protector, and with it all optimized code
 * that reads typed arrays: the warm-up's code was thrown away at init and the first real draw
 * compiled it all again (~0.7 s of compiler time, on the second CPU the helper thread needs,
 * with the draw in unoptimized code meanwhile; docs/DRAW.md §19). Detached here first, the
 * protector is gone before anything is optimized, and code compiled from now on stays valid.
 */
function detachOnce(): void {
  const b = new ArrayBuffer(8);
  structuredClone(b, { transfer: [b] });
}

export function warmUpDraw(hasher: BatchHasher, candidates = 60_000): number {
  detachOnce();
  // two units, twelve inspectors, three areas sharing some of them
  const inspectors = Array.from({ length: 12 }, (_, i) => ({ id: `w${String(i).padStart(2, '0')}`, unit: i % 2 ? 'u1' : 'u2' }));
  const areas = ['甲', '乙', '丙'].map((name, k) => ({ name, inspectors: inspectors.filter((_, i) => i % 3 === k || i % 4 === k).map((x) => x.id) }));
  const packed = new PackedCandidates(candidates);
  // the v2 round warms on the first 20,000 (its passes are the same small functions; the
  // freeze and the rebuild each run once per draw, and time at init is a cold start's time)
  const v2Size = Math.min(candidates, 20_000);
  const forV2 = new PackedCandidates(v2Size);
  let s = 0x2545f491;
  const chars = new Array<string>(18);
  for (let i = 0; i < candidates; i++) {
    chars[0] = '9';
    chars[1] = '1';
    for (let j = 2; j < 18; j++) {
      s ^= s << 13;
      s ^= s >>> 17;
      s ^= s << 5;
      chars[j] = USCC_ALPHABET[(s >>> 0) % 31]!;
    }
    const area = areas[i % 3]!;
    // every 50th excludes two of its area (out of order, one of them twice) and an outsider
    const excluded = i % 50 === 0 ? [area.inspectors[2]!, area.inspectors[0]!, area.inspectors[2]!, 'w99'] : undefined;
    packed.add(chars.join(''), STRATA[i % 5]!, area.name, excluded);
    if (i < v2Size) forV2.add(chars.join(''), STRATA[i % 5]!, area.name, excluded);
  }
  const witness = 'warm-up';
  const input = (pool: PackedCandidates) => ({
    taskId: 'warm-up',
    pool: { inspectors: [...inspectors, { id: 'w99', unit: 'u1' }], areas, candidates: pool },
    ratiosBp: { A: 300, B: 300, C: 300, D: 300 },
    // teams of three: one seat per unit, then one from anyone
    minTeamSize: 3,
    jointUnits: ['u1', 'u2'],
    frozenAt: '2026-01-01T00:00:00Z',
    drawTime: '2026-01-01T00:00:00Z',
    witnesses: [{ id: 'w', commitment: commitSecret(witness) }],
    systemCommitment: commitSystemBytes('00'.repeat(32)),
  });
  let frozen;
  try {
    // twice: the freeze's passes run once per freeze, and a function that has run before is
    // optimized as a whole, not just its loops
    freezeDraw(input(packed.clone()));
    frozen = freezeDraw(input(packed));
  } catch {
    return 0; // a duplicate among the random codes: nothing to warm further
  }
  const f = frozen.freeze;
  const seed = deriveSeed({ taskId: f.taskId, poolDigest: f.poolDigest, eligibilityDigest: f.eligibilityDigest, witnessSecrets: [witness], system: '00'.repeat(32), beacon: null });
  const sel = selectTargets(frozen.pool, seed, f.strata.map((x) => x.toDraw), hasher);
  const teams = matchTeams(frozen.pool, sel, seed, { teamSize: f.team.size, jointUnits: f.team.jointUnits }, hasher).teamOff.length - 1;
  // a quarter of each stratum drawn (~5,000 targets): the ceremony's loops over the drawn
  // entries (opening, matching, the record's targets) run long enough to be optimized
  warmUpDrawV2({ ...input(forV2), ratiosBp: { A: 2500, B: 2500, C: 2500, D: 2500 } }, witness, hasher);
  // matching of a task that is not joint, its units as a stored freeze record holds them (an
  // empty array from JSON): a first real draw of such a task re-optimized matchTeams (~60 ms)
  matchTeams(frozen.pool, sel, seed, { teamSize: 2, jointUnits: JSON.parse('[]') as string[] }, hasher);
  return teams;
}

/** drand quicknet round 1000 (recorded; also test vector b): checked at warm-up so the first real pairing check runs warm. */
const QUICKNET_1000 = 'b44679b9a59af2ec876b1a6b1ad52ea9b1615fc3982b19576350f93447cb1125e342b73a8dd2bacbe47e4b6b63ed5e39';

/**
 * The v2 round on the same synthetic pool, as FreezePool and RunDraw run it: freeze, the stored
 * state (binary) written and read back and loaded, close, reveals with a real BLS beacon
 * check, selection, matching, the record and its file text.
 */
function warmUpDrawV2(input: FreezeInputCommon & { witnesses: readonly { id: string; commitment: string }[] }, witness: string, hasher: BatchHasher): void {
  const spec = { ...QUICKNET, round: 1000 };
  const frozen = freezeDrawV2(
    { ...input, frozenAt: '2023-08-23T15:00:00Z', drawTime: '2023-08-23T15:30:00Z', department: 'warm-up', round: 1, prev: null, beacons: [spec] },
    hasher,
  );
  const rebuilt = loadFrozenStateV2(decodeFrozenV2(encodeFrozenV2(frozen, { systemSecretHex: '00'.repeat(32) })));
  const closed = closeRegistration(rebuilt, '2023-08-23T15:40:00Z', [{ id: 'w', name: '预热', role: '预热', commitment: input.witnesses[0]!.commitment }]);
  const signature = QUICKNET_1000;
  const randomness = createHash('sha256').update(Buffer.from(signature, 'hex')).digest('hex');
  // three ceremonies: V8 optimizes a function as a whole only after it has run a few times
  // (a single run leaves the long loops to on-stack replacement in the first real draw)
  for (let k = 0; k < 3; k++) {
    const record = runDrawV2(rebuilt, closed, { witnesses: [{ id: 'w', secret: witness }], system: '00'.repeat(32), beacons: [{ source: 'drand-quicknet', round: 1000, signature, randomness }] }, { hasher });
    serializeRecordV2(record);
  }
}
