/**
 * RunDraw's progress rows read a just-drawn v2 record's targets from the draw's columns (no
 * record.targets objects): the same uscc, team (registry ids), leader, priority and check code
 * as from the targets a stored record gives.
 */
import { describe, expect, it } from 'vitest';
import { checkCodeOfTarget, targetColumnsOf } from '../../shared/draw/v2/index.js';
import { drawnTargetsV2 } from '../../shared/lifecycle/draw-stage.js';
import { drawFixtureV2, loadFixtureV2 } from '../draw/fixtures.js';

describe('the drawn targets of a v2 record (RunDraw)', () => {
  it.each(['a', 'b'] as const)('are the same from the columns as from record.targets (vector %s)', (x) => {
    const { record } = drawFixtureV2(loadFixtureV2(x));
    const idOf = (p: string) => `id-of-${p}`;
    expect(targetColumnsOf(record)).toBeDefined();
    const fromColumns = drawnTargetsV2(record, idOf);
    expect(targetColumnsOf(record)).toBeDefined(); // no objects made
    const stored = JSON.parse(JSON.stringify(record)) as typeof record; // as a retried RunDraw reads it
    expect(targetColumnsOf(stored)).toBeUndefined();
    expect(fromColumns).toEqual(drawnTargetsV2(stored, idOf));
    expect(fromColumns.some((t) => t.checkCode!.includes('-'))).toBe(true); // drawn entries with exclusions
    expect(fromColumns.map((t) => t.checkCode)).toEqual(stored.targets.map(checkCodeOfTarget));
    expect(fromColumns[0]).toMatchObject({ uscc: stored.targets[0]!.uscc, leader: idOf(stored.targets[0]!.leader), team: stored.targets[0]!.team.map(idOf) });
  });
});
