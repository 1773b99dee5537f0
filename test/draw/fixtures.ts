/**
 * The fixed vectors of test/draw/vectors, v1 and v2 (shared with the independent Python
 * generators make_vectors.py and make_vectors_v2.py): loading, and one freeze/draw builder per
 * version over the fields both versions' fixtures share.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  commitSecret,
  commitSystemBytes,
  freezeDraw,
  runDraw,
  type BatchHasher,
  type DrawPool,
  type DrawRecord,
  type FreezeInputCommon,
  type FrozenDraw,
} from '../../shared/draw/index.js';
import {
  closeRegistration,
  freezeDrawV2,
  indexCloseProof,
  runDrawV2,
  type BeaconProof,
  type BeaconSpec,
  type DrawRecordV2,
  type FrozenDrawV2,
} from '../../shared/draw/v2/index.js';

/** What the fixtures of both versions hold. */
interface FixtureCommon {
  taskId: string;
  frozenAt: string;
  drawTime: string;
  ratiosBp: { A: number; B: number; C: number; D: number };
  minTeamSize: number;
  jointUnits: string[];
  /** The system's 32 bytes as hex. */
  system: string;
  pool: DrawPool;
}

export interface Fixture extends FixtureCommon {
  witnesses: { id: string; secret: string }[];
  beacon: { source: string; round: number; value: string } | null;
}

export interface FixtureV2 extends FixtureCommon {
  department: string;
  round: number;
  prev: { freezeDigest: string; freezeDigestSm3: string } | null;
  redrawOf: number | null;
  closedAt: string;
  witnesses: { id: string; name: string; role: string; secret: string }[];
  beacons: BeaconSpec[];
  beaconProofs: ({ signature: string } | { closes: string[]; enteredBy: string[] })[];
  salts: Record<string, string>;
  pseudonyms: Record<string, string>;
}

type Version = 1 | 2;
const dir = new URL('./vectors/', import.meta.url);
export const vectorPath = (name: string) => fileURLToPath(new URL(name, dir));
/** fixture-a.json / record-a.json (v1), v2-fixture-a.json / v2-record-a.json (v2). */
const vectorText = (v: Version, kind: 'fixture' | 'record', x: 'a' | 'b') => readFileSync(vectorPath(`${v === 2 ? 'v2-' : ''}${kind}-${x}.json`), 'utf8');

export const loadFixture = (x: 'a' | 'b'): Fixture => JSON.parse(vectorText(1, 'fixture', x));
export const loadFixtureV2 = (x: 'a' | 'b'): FixtureV2 => JSON.parse(vectorText(2, 'fixture', x));
/** The record the Python generator wrote (the bytes the TypeScript draw must reproduce). */
export const pythonRecordText = (x: 'a' | 'b'): string => vectorText(1, 'record', x);
export const pythonRecordV2 = (x: 'a' | 'b'): string => vectorText(2, 'record', x);

/** The freeze input fields of both versions, from a fixture. */
function freezeInputOf(fx: FixtureCommon): FreezeInputCommon {
  const { taskId, pool, ratiosBp, minTeamSize, jointUnits, frozenAt, drawTime } = fx;
  return { taskId, pool, ratiosBp, minTeamSize, jointUnits, frozenAt, drawTime, systemCommitment: commitSystemBytes(fx.system) };
}

export function freezeFixture(fx: Fixture): FrozenDraw {
  return freezeDraw({
    ...freezeInputOf(fx),
    witnesses: fx.witnesses.map((w) => ({ id: w.id, commitment: commitSecret(w.secret) })),
    beacon: fx.beacon ? { source: fx.beacon.source, round: fx.beacon.round } : null,
  });
}

export function drawFixture(fx: Fixture, hasher?: BatchHasher): DrawRecord {
  const frozen = freezeFixture(fx);
  return runDraw(frozen, { witnesses: fx.witnesses, system: fx.system, beacon: fx.beacon?.value ?? null }, hasher ? { hasher } : {});
}

export function freezeFixtureV2(fx: FixtureV2, hasher?: BatchHasher): FrozenDrawV2 {
  return freezeDrawV2(
    {
      ...freezeInputOf(fx),
      department: fx.department,
      round: fx.round,
      prev: fx.prev,
      redrawOf: fx.redrawOf,
      beacons: fx.beacons,
      salts: new Map(Object.entries(fx.salts)),
      pseudonyms: new Map(Object.entries(fx.pseudonyms)),
    },
    hasher,
  );
}

const sha256hex = (hex: string) => createHash('sha256').update(Buffer.from(hex, 'hex')).digest('hex');

/** The beacon proofs of a v2 fixture (BLS signatures as recorded; index closes entered twice alike). */
export function proofsOf(fx: FixtureV2): BeaconProof[] {
  return fx.beacons.map((spec, k) => {
    const p = fx.beaconProofs[k]!;
    if (spec.source === 'index-close') {
      const q = p as { closes: string[]; enteredBy: string[] };
      return indexCloseProof(spec, { by: q.enteredBy[0]!, closes: q.closes }, { by: q.enteredBy[1]!, closes: q.closes });
    }
    const signature = (p as { signature: string }).signature;
    return { source: spec.source, round: spec.round, signature, randomness: sha256hex(signature) };
  });
}

export function drawFixtureV2(fx: FixtureV2, hasher?: BatchHasher): { frozen: FrozenDrawV2; record: DrawRecordV2 } {
  const frozen = freezeFixtureV2(fx, hasher);
  const closed = closeRegistration(frozen, fx.closedAt, fx.witnesses.map((w) => ({ id: w.id, name: w.name, role: w.role, commitment: commitSecret(w.secret) })));
  const record = runDrawV2(frozen, closed, { witnesses: fx.witnesses.map((w) => ({ id: w.id, secret: w.secret })), system: fx.system, beacons: proofsOf(fx) }, hasher ? { hasher } : {});
  return { frozen, record };
}
