/**
 * The local platform with the sample district and its cross-department joint task
 * (fp-zjj with fp-scjg and fp-yjj, `fp-zjj-2026-06`) drawn through the API: the setting of the
 * identity and authorization tests.
 */
import { createHash } from 'node:crypto';
import { expect } from 'vitest';
import { startPlatform, type Platform } from '../../shared/dev/local/platform.js';
import { sampleDistrict, SAMPLE_COORDINATOR_EMAIL, SAMPLE_LEADER_EMAIL, SAMPLE_PLAN_ID } from '../../shared/dev/sample/district.js';
import { loadSampleDistrict } from '../../shared/dev/sample/load.js';
import type { Inspector } from '../../shared/domain/schemas.js';
import { ApiClient, waitForStage, type Call } from '../helpers/api.js';

export const JOINT_TASK = `${SAMPLE_PLAN_ID}-06`;
/** The joint task's items, in the order of its plan entry. */
export const JOINT_ITEMS = ['zjj-013', 'scjg-001', 'yjj-001'];

export type As = Awaited<ReturnType<ApiClient['as']>>;

export interface JointSetting {
  platform: Platform;
  api: ApiClient;
  coord: As;
  leader: As;
  targets: { uscc: string; team: string[]; teamDepartments: string[]; leader: string }[];
  /** Registered inspectors of the four sample departments, by department. */
  inspectors: Map<string, Inspector[]>;
}

const sha = (s: string): string => createHash('sha256').update(s, 'utf8').digest('hex');

/** Start the platform (the clock must be set to a day in the task's window before). */
export async function drawnJointTask(): Promise<JointSetting> {
  const platform = await startPlatform({ retryDelayMs: 10 });
  await loadSampleDistrict(sampleDistrict({ targets: 400 }));
  const api = new ApiClient(platform);
  const coord = await api.as(SAMPLE_COORDINATOR_EMAIL);
  const leader = await api.as(SAMPLE_LEADER_EMAIL);
  const status = (): Promise<Call> => coord('GET', `/tasks/${JOINT_TASK}/status`);
  expect((await coord('POST', `/tasks/${JOINT_TASK}/launch`, {})).status).toBe(201);
  await waitForStage(status, 'approval');
  expect((await leader('POST', `/tasks/${JOINT_TASK}/approval`, { approve: true })).status).toBe(200);
  await waitForStage(status, 'witnesses');
  await coord('POST', `/tasks/${JOINT_TASK}/ceremony/witnesses`, { witnesses: [{ id: 'w1', name: '纪检监督员', role: '纪检监督', commitment: sha('s1') }] });
  await waitForStage(status, 'ceremony');
  await coord('POST', `/tasks/${JOINT_TASK}/ceremony/reveal`, { witnessId: 'w1', secret: 's1' });
  await waitForStage(status, 'results');
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
