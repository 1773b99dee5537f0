/**
 * The local platform with the sample district and its cross-department joint task
 * (fp-zjj with fp-scjg and fp-yjj, `fp-zjj-2026-06`) drawn through the API: the setting of the
 * identity and authorization tests.
 */
import type { Platform } from '../../shared/dev/local/platform.js';
import { SAMPLE_PLAN_ID } from '../../shared/dev/sample/district.js';
import type { Inspector } from '../../shared/domain/schemas.js';
import type { ApiClient } from '../helpers/api.js';
import { expect } from 'vitest';
import { setClock, type Clock } from '../../shared/clock.js';
import { drawThroughApi, startSamplePlatform, type As } from '../helpers/platform.js';
export type { As };

export const JOINT_TASK = `${SAMPLE_PLAN_ID}-06`;
/** The joint task's items, in the order of its plan entry. */
export const JOINT_ITEMS = ['zjj-013', 'scjg-001', 'yjj-001'];


export interface JointSetting {
  platform: Platform;
  api: ApiClient;
  coord: As;
  leader: As;
  targets: { uscc: string; team: string[]; teamDepartments: string[]; leader: string }[];
  /** Registered inspectors of the four sample departments, by department. */
  inspectors: Map<string, Inspector[]>;
}

/** Start the platform (the clock must be set to a day in the task's window before). */
export async function drawnJointTask(): Promise<JointSetting> {
  const { platform, api, coord, leader } = await startSamplePlatform({ targets: 400 });
  await drawThroughApi(coord, leader, JOINT_TASK);
  const targets = (await coord('GET', `/tasks/${JOINT_TASK}/targets?limit=1000`)).json.items as JointSetting['targets'];
  const inspectors = new Map<string, Inspector[]>();
  for (const d of ['fp-zjj', 'fp-scjg', 'fp-yjj', 'fp-sthjj']) {
    const c = await api.as(`${d.slice(3)}.coordinator@example.gov.cn`);
    inspectors.set(d, (await c('GET', `/departments/${d}/inspectors`)).json as Inspector[]);
  }
  return { platform, api, coord, leader, targets, inspectors };
}

/** A result body for the joint task with the given team present. */
export function jointResult(team: string[], codes = ['1'], extra: Record<string, unknown> = {}): Record<string, unknown> {
  const problem = codes.some((c) => c !== '1');
  return {
    codes,
    itemOutcomes: JOINT_ITEMS.map((itemId) => ({ itemId, outcome: problem ? 'problem' : 'pass' })),
    methods: ['实地核查'],
    checkDate: '2026-05-19',
    present: team.slice(0, 2),
    signature: { signed: true, signer: '法定代表人' },
    ...(problem ? { problems: '燃气管道未按规定设置安全警示标志' } : {}),
    ...extra,
  };
}

/** A drawn target with the first inspector of its team (that inspector's own department's record). */
export type TargetWithInspector = JointSetting['targets'][number] & { me: Inspector };

/**
 * Set `clock` to the task's window, draw the joint task, take its first three targets each with
 * the first inspector of its team, and move the clock to the day results are entered.
 */
export async function jointTaskAtWork(clock: { set(iso: string): void } & Clock): Promise<{ s: JointSetting; mine: TargetWithInspector[] }> {
  setClock(clock);
  const s = await drawnJointTask();
  const mine = s.targets.slice(0, 3).map((t) => ({ ...t, me: s.inspectors.get(t.teamDepartments[0]!)!.find((i) => i.id === t.team[0])! }));
  expect(mine.length, 'the joint task draws three targets').toBe(3);
  clock.set('2026-05-20T02:00:00Z');
  return { s, mine };
}
