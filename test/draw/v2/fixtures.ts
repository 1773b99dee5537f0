/** The v2 vectors of test/draw/vectors (shared with make_vectors_v2.py). */
import { readFileSync } from 'node:fs';
import { commitSecret, commitSystemBytes, type BatchHasher, type DrawPool } from '../../../shared/draw/index.js';
import {
  closeRegistration,
  freezeDrawV2,
  indexCloseProof,
  runDrawV2,
  type BeaconProof,
  type BeaconSpec,
  type DrawRecordV2,
  type FrozenDrawV2,
} from '../../../shared/draw/v2/index.js';
import { vectorPath } from '../fixtures.js';

export interface FixtureV2 {
  taskId: string;
  department: string;
  round: number;
  prev: { freezeDigest: string; freezeDigestSm3: string } | null;
  redrawOf: number | null;
  frozenAt: string;
  drawTime: string;
  closedAt: string;
  ratiosBp: { A: number; B: number; C: number; D: number };
  minTeamSize: number;
  jointUnits: string[];
  witnesses: { id: string; name: string; role: string; secret: string }[];
  system: string;
  beacons: BeaconSpec[];
  beaconProofs: ({ signature: string } | { closes: string[]; enteredBy: string[] })[];
  salts: Record<string, string>;
  pseudonyms: Record<string, string>;
  pool: DrawPool;
}

export const loadFixtureV2 = (x: 'a' | 'b'): FixtureV2 => JSON.parse(readFileSync(vectorPath(`v2-fixture-${x}.json`), 'utf8'));
export const pythonRecordV2 = (x: 'a' | 'b'): string => readFileSync(vectorPath(`v2-record-${x}.json`), 'utf8');

export function freezeFixtureV2(fx: FixtureV2, hasher?: BatchHasher): FrozenDrawV2 {
  return freezeDrawV2(
    {
      taskId: fx.taskId,
      department: fx.department,
      round: fx.round,
      prev: fx.prev,
      redrawOf: fx.redrawOf,
      pool: fx.pool,
      ratiosBp: fx.ratiosBp,
      minTeamSize: fx.minTeamSize,
      jointUnits: fx.jointUnits,
      frozenAt: fx.frozenAt,
      drawTime: fx.drawTime,
      systemCommitment: commitSystemBytes(fx.system),
      beacons: fx.beacons,
      salts: new Map(Object.entries(fx.salts)),
      pseudonyms: new Map(Object.entries(fx.pseudonyms)),
    },
    hasher,
  );
}

export function proofsOf(fx: FixtureV2): BeaconProof[] {
  return fx.beacons.map((spec, k) => {
    const p = fx.beaconProofs[k]!;
    if (spec.source === 'index-close') {
      const q = p as { closes: string[]; enteredBy: string[] };
      return indexCloseProof(spec, { by: q.enteredBy[0]!, closes: q.closes }, { by: q.enteredBy[1]!, closes: q.closes });
    }
    const sig = (p as { signature: string }).signature;
    return { source: spec.source, round: spec.round, signature: sig, randomness: '' };
  }).map((p) => (p.source === 'index-close' ? p : { ...p, randomness: sha256hex(p.signature) }));
}

import { createHash } from 'node:crypto';
const sha256hex = (hex: string) => createHash('sha256').update(Buffer.from(hex, 'hex')).digest('hex');

export function drawFixtureV2(fx: FixtureV2, hasher?: BatchHasher): { frozen: FrozenDrawV2; record: DrawRecordV2 } {
  const frozen = freezeFixtureV2(fx, hasher);
  const closed = closeRegistration(frozen, fx.closedAt, fx.witnesses.map((w) => ({ id: w.id, name: w.name, role: w.role, commitment: commitSecret(w.secret) })));
  const record = runDrawV2(frozen, closed, { witnesses: fx.witnesses.map((w) => ({ id: w.id, secret: w.secret })), system: fx.system, beacons: proofsOf(fx) }, hasher ? { hasher } : {});
  return { frozen, record };
}
