/**
 * suiji-draw-v2 (docs/DRAW.md §10–§19). Typical use:
 *
 *   const frozen = freezeDrawV2({ taskId, department, round, prev, pool, ratiosBp, minTeamSize,
 *     frozenAt, drawTime, systemCommitment, beacons: [quicknetRoundAfter(drawTime)] });
 *   // publish frozen.freeze + digests; keep encodeFrozenV2(frozen) (openings, pseudonyms) internal
 *   const closed = closeRegistration(frozen, closedAt, witnesses);   // before the beacon
 *   // publish closed.close + digests; after the beacon round:
 *   const record = runDrawV2(frozen, closed, { witnesses: reveals, system, beacons: [proof] });
 *   // or outcomeRecord(frozen, 'aborted', reason, at, closed.close, proofs)
 *   verifyRecordV2(JSON.parse(text)); verifyChain([...records]);
 */
export * from './beacon.js';
export { candidateText, commitAll, commitmentOf, publicPool, selectV2, sortUniform } from './commit.js';
export {
  checkRevealsV2,
  closeRegistration,
  deriveSeedV2,
  freezeDrawV2,
  lateClose,
  outcomeRecord,
  publicEligibilityLines,
  publicPoolLists,
  rechainFreezeV2,
  runDrawV2,
} from './draw.js';
export type { FreezeInputV2, FrozenDrawV2, RevealsV2 } from './draw.js';
export * from './record.js';
export { frozenStateOf, openingLine, openingLines, rebuildFrozenV2 } from './frozen.js';
export { decodedOf, decodeFrozenV2, encodeFrozenV2, encodeFrozenV2Parts, indexOfUscc, loadFrozenStateV2 } from './state.js';
export type { DecodedFrozenV2, FrozenHeaderV2 } from './state.js';
export { parsePublicEligibility } from './pooltext.js';
export type { FrozenStateV2 } from './frozen.js';
export { verifyChain, verifyOutcomeV2, verifyRecordV2 } from './verify.js';
export type { VerifyV2Result } from './verify.js';
export { checkCodeOf, checkCodeOfTarget, selfCheck } from './selfcheck.js';
export type { SelfCheck } from './selfcheck.js';
