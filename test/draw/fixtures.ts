/** Loads the fixed vectors of test/draw/vectors (shared with the independent Python script). */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { commitSecret, commitSystemBytes, freezeDraw, runDraw, type BatchHasher, type DrawPool, type DrawRecord, type FrozenDraw } from '../../shared/draw/index.js';

export interface Fixture {
  taskId: string;
  frozenAt: string;
  drawTime: string;
  ratiosBp: { A: number; B: number; C: number; D: number };
  minTeamSize: number;
  jointUnits: string[];
  witnesses: { id: string; secret: string }[];
  system: string;
  beacon: { source: string; round: number; value: string } | null;
  pool: DrawPool;
}

const dir = new URL('./vectors/', import.meta.url);
export const vectorPath = (name: string) => fileURLToPath(new URL(name, dir));
export const loadFixture = (x: 'a' | 'b'): Fixture => JSON.parse(readFileSync(vectorPath(`fixture-${x}.json`), 'utf8'));
export const pythonRecordText = (x: 'a' | 'b'): string => readFileSync(vectorPath(`record-${x}.json`), 'utf8');

export function freezeFixture(fx: Fixture): FrozenDraw {
  return freezeDraw({
    taskId: fx.taskId,
    pool: fx.pool,
    ratiosBp: fx.ratiosBp,
    minTeamSize: fx.minTeamSize,
    jointUnits: fx.jointUnits,
    frozenAt: fx.frozenAt,
    drawTime: fx.drawTime,
    witnesses: fx.witnesses.map((w) => ({ id: w.id, commitment: commitSecret(w.secret) })),
    systemCommitment: commitSystemBytes(fx.system),
    beacon: fx.beacon ? { source: fx.beacon.source, round: fx.beacon.round } : null,
  });
}

export function drawFixture(fx: Fixture, hasher?: BatchHasher): DrawRecord {
  const frozen = freezeFixture(fx);
  return runDraw(frozen, { witnesses: fx.witnesses, system: fx.system, beacon: fx.beacon?.value ?? null }, hasher ? { hasher } : {});
}
