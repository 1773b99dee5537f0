/**
 * suiji-draw-v1: the publicly verifiable draw (双随机 — random targets, random inspectors).
 * Pure: no database, no network, no clock (times are passed in); node:crypto only. The algorithm
 * is published in docs/DRAW.md exactly as implemented here.
 *
 * Typical use by the draw Lambda
 * ------------------------------
 *   // 0. From registry records (or build a DrawPool yourself):
 *   const { pool, ratiosBp, labels } = buildDrawPool({ targets, inspectors, task });   // eligibility.ts
 *
 *   // 1. Before the ceremony. Witnesses registered their commitments SHA-256(secret) earlier
 *   //    (commitSecret(secret) computes one). Keep `system.hex` secret until the ceremony.
 *   const system = newSystemSecret();
 *   const frozen = freezeDraw({ taskId, pool, ratiosBp, minTeamSize: 2, jointUnits: [],
 *     frozenAt, drawTime, witnesses: [{ id: 'w1', commitment }, …],
 *     systemCommitment: system.commitment, beacon: null, labels });
 *   //    → throws DrawInfeasibleError (Chinese message, `.shortages`) before anything exists.
 *   //    Publish frozen.freeze + frozen.freezeDigest; store them and frozenInputs(frozen)
 *   //    (the pool/eligibility lines) — e.g. in S3 — for the ceremony.
 *
 *   // 2. At the ceremony (possibly another invocation):
 *   const again = loadFrozen(freeze, inputs);           // re-checks digests
 *   const record = runDraw(again, { witnesses: [{ id: 'w1', secret }, …], system: system.hex,
 *     beacon: null }, { inputs });
 *   //    → throws RevealMismatchError (.witnessId) or MissingRevealError (.missing) before any
 *   //      selection; record the abort. Otherwise store/publish serializeRecord(record) —
 *   //      or, for large pools, runDraw(…, { omitInputs: true }) and stream
 *   //      serializeRecordChunks(record, again) to S3 (same bytes, a fraction of the memory).
 *
 *   // 3. Anyone, offline:
 *   verifyRecord(JSON.parse(text))  → { ok: true, summary } | { ok: false, error }
 *   (CLI: shared/dev/cli/verify.ts, `suiji verify <record.json>`)
 *
 * Record contents: see `DrawRecord` in record.ts. Inspector ids in the pool are whatever ids
 * the caller passes: pass pseudonymous ids (they are published and hashed into the scores).
 */
export { ALGORITHM, checkReveals, checkSecretText, commitSecret, commitSystemBytes, deriveSeed, newSystemSecret } from './ceremony.js';
export type { Reveals, WitnessCommitment } from './ceremony.js';
export {
  buildRecord,
  checkFrozenInputs,
  drawWithSeed,
  freezeDraw,
  frozenInputs,
  loadFrozen,
  runDraw,
  serializeRecordChunks,
} from './draw.js';
export type { DrawResult, FreezeInput, FreezeInputCommon, FrozenDraw } from './draw.js';
export { DrawInfeasibleError, DrawInputError, MissingRevealError, RevealMismatchError } from './errors.js';
export type { Shortage } from './errors.js';
export { findShortages, matchTeams } from './match.js';
export type { AreaLoad, Matching, MatchParams, ShortageLabels } from './match.js';
export { compilePool, PackedCandidates, digestLines, eligibilityLines, parsePoolLines, poolLines, STRATA, usccAt, USCC_ALPHABET } from './pool.js';
export type { CompiledPool, DrawPool, PoolArea, PoolCandidate, PoolInspector, Stratum } from './pool.js';
export { canonicalJson, DrawRecordSchema, FreezeRecordSchema, freezeDigestOf, parseRecordShape, RECORD_VERSION, serializeRecord } from './record.js';
export type { DrawRecord, DrawResults, DrawTarget, DrawTargetCommon, FreezeCommon, FreezeRecord } from './record.js';
export { selectTargets } from './select.js';
export type { Selection } from './select.js';
export { createHasher, scalarHasher, wasmHasher } from './simd.js';
export { createParallelHasher } from './parallel.js';
export type { ParallelHasher } from './parallel.js';
export type { BatchHasher } from './simd.js';
export { verifyRecord } from './verify.js';
export type { VerifyResult } from './verify.js';
export { buildDrawPool, drawPoolBuilder } from './eligibility.js';
export { warmUpDraw } from './warmup.js';
export { DRAW_FUNCTION_ENV, DRAW_MALLOC_ENV, heapRetained, prefaultHeap } from './memory.js';
export type { EligibilityInput, EligibilityResult, EligibilityInspector, EligibilityTarget, EligibilityTask } from './eligibility.js';
