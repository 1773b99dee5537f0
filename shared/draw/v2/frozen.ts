/**
 * The internal frozen state of a v2 round (docs/DRAW.md §16, "Internal state"): what FreezePool
 * stores and RunDraw reads back — the freeze record and its digests, the public eligibility lines,
 * the internal openings and the pseudonym mapping. Never published (the supervisor's inputs are
 * this state). `rebuildFrozenV2` recomputes every commitment from the openings and refuses state
 * whose pool or freeze digest differs from the published ones.
 */
import { STRATA, type CompiledPool } from '../pool.js';
import { createHasher, type BatchHasher } from '../simd.js';
import { commitAll, publicPool } from './commit.js';
import { openingLines, publicEligibilityLines, type FrozenDrawV2 } from './draw.js';
import { parsePublicEligibility } from './pooltext.js';
import { digestsOf, type FreezeRecordV2 } from './record.js';

export interface FrozenStateV2 {
  freeze: FreezeRecordV2;
  freezeDigest: string;
  freezeDigestSm3: string;
  /** Public eligibility lines (pseudonyms). */
  eligibility: string[];
  /** Internal openings, USCC order: "<uscc>,<stratum>,<k>,<excl>,<salt hex>". */
  openings: string[];
  /** Pseudonym → registry inspector id. */
  pseudonyms: Record<string, string>;
}

export function frozenStateOf(f: FrozenDrawV2): FrozenStateV2 {
  return {
    freeze: f.freeze,
    freezeDigest: f.freezeDigest,
    freezeDigestSm3: f.freezeDigestSm3,
    eligibility: publicEligibilityLines(f.pool),
    openings: openingLines(f),
    pseudonyms: Object.fromEntries(f.pseudonyms),
  };
}

/**
 * Rebuilds the frozen draw from the internal openings, recomputing every commitment: the pool
 * digest must come out as frozen (the stored inputs were not changed in between).
 */
export function rebuildFrozenV2(b: FrozenStateV2, hasher: BatchHasher = createHasher()): FrozenDrawV2 {
  const base = parsePublicEligibility(b.eligibility);
  const index = new Map(base.inspectorIds.map((id, k) => [id, k]));
  const n = b.openings.length;
  const usccBytes = new Uint8Array(n * 18);
  const strata = new Uint8Array(n);
  const area = new Uint32Array(n);
  const exclOff = new Uint32Array(n + 1);
  const ex: number[] = [];
  const salts = new Uint8Array(n * 16);
  const strataCounts = [0, 0, 0, 0, 0];
  b.openings.forEach((line, i) => {
    const [uscc, s, k, excl, salt] = line.split(',');
    usccBytes.set(Buffer.from(uscc!, 'latin1'), i * 18);
    const si = STRATA.indexOf(s as (typeof STRATA)[number]);
    strata[i] = si;
    strataCounts[si]!++;
    area[i] = Number(k);
    if (excl) for (const id of excl.split(';')) ex.push(index.get(id)!);
    exclOff[i + 1] = ex.length;
    salts.set(Buffer.from(salt!, 'hex'), i * 16);
  });
  const pool: CompiledPool = { n, usccBytes, strata, area, exclOff, exclIdx: Uint32Array.from(ex), ...base, strataCounts };
  const commitments = commitAll(pool, salts, hasher);
  const pub = publicPool(pool, commitments);
  if (pub.poolDigest !== b.freeze.poolDigest) throw new Error(`frozen inputs of ${b.freeze.taskId} do not match poolDigest ${b.freeze.poolDigest}`);
  const d = digestsOf(b.freeze);
  if (d.sha256 !== b.freezeDigest) throw new Error(`frozen record of ${b.freeze.taskId} does not match freezeDigest`);
  return { freeze: b.freeze, freezeDigest: b.freezeDigest, freezeDigestSm3: b.freezeDigestSm3, pool, salts, commitments, order: pub.order, bounds: pub.bounds, sorted: pub.sorted, pseudonyms: new Map(Object.entries(b.pseudonyms)) };
}
