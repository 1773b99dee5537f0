/**
 * A small synthetic draw (freeze, selection, matching) to run at Lambda init: V8 then has the
 * draw's hot loops compiled and optimized before the first real draw of the container, which
 * otherwise spends its first ~100–150 ms of a million-candidate draw in unoptimized code.
 * Deterministic, pure, about 50–100 ms; its result is thrown away.
 */
import { commitSecret, commitSystemBytes, deriveSeed } from './ceremony.js';
import { freezeDraw } from './draw.js';
import { matchTeams } from './match.js';
import { PackedCandidates, USCC_ALPHABET, STRATA } from './pool.js';
import { selectTargets } from './select.js';
import type { BatchHasher } from './simd.js';

export function warmUpDraw(hasher: BatchHasher, candidates = 60_000): void {
  const inspectors = Array.from({ length: 12 }, (_, i) => ({ id: `w${String(i).padStart(2, '0')}`, unit: 'u' }));
  const areas = ['甲', '乙', '丙'].map((name, k) => ({ name, inspectors: inspectors.filter((_, i) => i % 3 === k || i % 4 === k).map((x) => x.id) }));
  const packed = new PackedCandidates(candidates);
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
    packed.add(chars.join(''), STRATA[i % 5]!, areas[i % 3]!.name, i % 50 === 0 ? [areas[i % 3]!.inspectors[0]!] : undefined);
  }
  const witness = 'warm-up';
  let frozen;
  try {
    frozen = freezeDraw({
      taskId: 'warm-up',
      pool: { inspectors, areas, candidates: packed },
      ratiosBp: { A: 300, B: 300, C: 300, D: 300 },
      frozenAt: '2026-01-01T00:00:00Z',
      drawTime: '2026-01-01T00:00:00Z',
      witnesses: [{ id: 'w', commitment: commitSecret(witness) }],
      systemCommitment: commitSystemBytes('00'.repeat(32)),
    });
  } catch {
    return; // a duplicate among the random codes: nothing to warm further
  }
  const f = frozen.freeze;
  const seed = deriveSeed({ taskId: f.taskId, poolDigest: f.poolDigest, eligibilityDigest: f.eligibilityDigest, witnessSecrets: [witness], system: '00'.repeat(32), beacon: null });
  const sel = selectTargets(frozen.pool, seed, f.strata.map((x) => x.toDraw), hasher);
  matchTeams(frozen.pool, sel, seed, { teamSize: f.team.size, jointUnits: f.team.jointUnits }, hasher);
}
