/**
 * FreezePool losing the race for its department's next chain round (DynamoDB Local): another
 * task of the department appends that round between FreezePool's read of the chain head and its
 * own append. The freeze then takes the round after, over the same pool (it is compiled once and
 * cannot be frozen again), and links to the round that won.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

// The real append, except that the first call of this file's task lets a rival round in first.
const race = vi.hoisted(() => ({ rival: undefined as undefined | (() => Promise<void>), appends: 0 }));
vi.mock('../../shared/store/chain.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../shared/store/chain.js')>();
  return {
    ...real,
    appendChainRound: async (entry: Parameters<typeof real.appendChainRound>[0]) => {
      race.appends++;
      const rival = race.rival;
      race.rival = undefined;
      if (rival) await rival();
      return real.appendChainRound(entry);
    },
  };
});

import { startTestStack, type TestStack } from '../helpers/local-aws.js';
import { createDepartment, type DeptFixture } from '../jobs/fixtures.js';
import { freezeStage } from '../../shared/lifecycle/draw-stage.js';
import { readFrozenBlob } from '../../shared/lifecycle/draw-v2.js';
import { registerWitnesses } from '../../shared/store/ceremony.js';
import { findTask } from '../../shared/store/plans.js';
import { approvePlan, createDraft, publishPlan } from '../../shared/services/plans.js';
import { createTask } from '../../shared/store/tasks.js';
import { appendChainRound, getChainHead } from '../../shared/store/chain.js';
import { getItem, type Item } from '../../shared/store/base.js';
import { K } from '../../shared/store/keys.js';
import { commitSecret } from '../../shared/draw/index.js';
import { digestsOf, loadFrozenStateV2 } from '../../shared/draw/v2/index.js';
import { ManualClock, resetClock, setClock } from '../../shared/clock.js';
import type { PlanTask } from '../../shared/domain/schemas.js';

let stack: TestStack;
let F: DeptFixture;
const clock = new ManualClock('2026-12-04T02:00:00Z');
const RIVAL = { freezeDigest: 'a'.repeat(64), freezeDigestSm3: 'b'.repeat(64) };

beforeAll(async () => {
  stack = await startTestStack();
  setClock(clock);
  F = await createDepartment('race', 'fuping-housing-2021', { inspectors: 4, targets: 6, seed: 8300 });
}, 120_000);

afterAll(async () => {
  resetClock();
  await stack?.stop();
});

describe('FreezePool and a busy department chain', () => {
  it('takes the next round over the same pool when another task appended the round it read', async () => {
    const model = (await findTask(F.taskIds[0]!))!.task;
    const task: PlanTask = { ...model, taskId: 'race-t2', name: '第二次随机抽查' };
    const coord = { email: F.dept.coordinators[0]!.email, name: F.dept.coordinators[0]!.name, department: F.dept.id };
    await createDraft(F.dept.id, { title: '补充计划', year: 2026, tasks: [task] }, coord, { planId: 'race-2026b' });
    await approvePlan('race-2026b', { email: F.dept.leaders[0]!.email, name: F.dept.leaders[0]!.name, department: F.dept.id });
    await publishPlan('race-2026b', coord);
    await createTask({ taskId: task.taskId, department: F.dept.id, planId: 'race-2026b', planVersion: 1, name: task.name, stage: 'freeze', launchedAt: '2026-12-04T02:00:00.000Z', launchedBy: coord.email });
    await registerWitnesses(task.taskId, 1, [
      { id: 'w1', name: '纪检监督员', role: '纪检监督', commitment: commitSecret('纪检监督员的秘密 race') },
      { id: 'w2', name: '企业代表', role: '社会监督', commitment: commitSecret('企业代表的秘密 race') },
    ]);
    expect(await getChainHead(F.dept.id)).toBeUndefined();
    // another task of the department freezes round 1 while this one is between head and append
    race.rival = async () => {
      const won = await appendChainRound({
        department: F.dept.id, round: 1, taskId: 'race-rival', taskRound: 1, status: 'frozen', ...RIVAL, prev: '0'.repeat(64), redrawOf: null, frozenAt: '2026-12-04T02:00:00.000Z',
      });
      expect(won).toBe(true);
    };

    const r = await freezeStage({ taskId: task.taskId });
    expect(race.appends).toBe(3); // this task's refused append, the rival's, this task's second

    const head = (await getChainHead(F.dept.id))!;
    expect(head).toMatchObject({ round: 2, taskId: task.taskId, taskRound: 1 });
    expect(r.round).toBe(1);
    // the stored state is the second round's: linked to the rival, its digests its own
    const blob = (await readFrozenBlob(task.taskId, 1))!;
    expect(blob.freeze).toMatchObject({ round: 2, prev: RIVAL.freezeDigest, prevSm3: RIVAL.freezeDigestSm3 });
    expect(digestsOf(blob.freeze)).toEqual({ sha256: blob.freezeDigest, sm3: blob.freezeDigestSm3 });
    expect(head.freezeDigest).toBe(blob.freezeDigest);
    const entry = await getItem<Item & { prev: string; freezeDigest: string }>(K.chainRound(F.dept.id, 2), true);
    expect(entry).toMatchObject({ prev: RIVAL.freezeDigest, freezeDigest: blob.freezeDigest });
    // and it loads: the commitments still hash to the pool digest the record names
    const frozen = loadFrozenStateV2(blob.state!);
    expect(frozen.freeze.candidates).toBe(F.targets.length);
    const summary = await getItem<Item & { v2: { chainRound: number; prev: string } }>(K.draw(task.taskId, 1), true);
    expect(summary?.v2).toMatchObject({ chainRound: 2, prev: RIVAL.freezeDigest });
  });
});
