/**
 * The local platform loaded with the sample district, signed in as its coordinator and leader:
 * the setting most API-level tests start from.
 */
import { createHash } from 'node:crypto';
import { expect } from 'vitest';
import { resetClock, setClock, type Clock } from '../../shared/clock.js';
import { startPlatform, type Platform } from '../../shared/dev/local/platform.js';
import { sampleDistrict, SAMPLE_COORDINATOR_EMAIL, SAMPLE_LEADER_EMAIL } from '../../shared/dev/sample/district.js';
import { loadSampleDistrict } from '../../shared/dev/sample/load.js';
import { ApiClient, waitForStage, type Call } from './api.js';
import { passBeacon } from './beacon.js';

export { passBeacon };

export type As = Awaited<ReturnType<ApiClient['as']>>;

export interface SamplePlatform {
  platform: Platform;
  api: ApiClient;
  coord: As;
  leader: As;
  /** Stops the platform and gives the real clock back. */
  stop(): Promise<void>;
}

/** Sets `clock` (when given), starts the platform and loads a sample district of `targets` targets. */
export async function startSamplePlatform(opts: { targets: number; clock?: Clock }): Promise<SamplePlatform> {
  if (opts.clock) setClock(opts.clock);
  const platform = await startPlatform({ retryDelayMs: 10 });
  await loadSampleDistrict(sampleDistrict({ targets: opts.targets }));
  const api = new ApiClient(platform);
  return {
    platform,
    api,
    coord: await api.as(SAMPLE_COORDINATOR_EMAIL),
    leader: await api.as(SAMPLE_LEADER_EMAIL),
    async stop() {
      resetClock();
      await platform.stop();
    },
  };
}

export const sha256Hex = (s: string): string => createHash('sha256').update(s, 'utf8').digest('hex');

/** Takes a published task through launch, approval and a two-witness ceremony to its results stage. */
export async function drawThroughApi(coord: As, leader: As, task: string): Promise<void> {
  expect((await coord('POST', `/tasks/${task}/launch`, {})).status).toBe(201);
  await approveAndDraw(coord, leader, task);
}

/**
 * From the leader's approval to the drawn task: the leader approves, two witnesses (纪检 and an
 * enterprise representative) are registered and registration closed, both reveal, the draw runs.
 */
export async function approveAndDraw(coord: As, leader: As, task: string, secrets: [string, string] = ['s1', 's2']): Promise<void> {
  const status = (): Promise<Call> => coord('GET', `/tasks/${task}/status`);
  await waitForStage(status, 'approval');
  expect((await leader('POST', `/tasks/${task}/approval`, { approve: true })).json).toEqual({ approved: true, applied: true });
  await witnessAndDraw(coord, task, secrets);
}


/** From the witnesses stage to the drawn task: two witnesses registered, registration closed, both reveal. */
export async function witnessAndDraw(coord: As, task: string, secrets: [string, string] = ['s1', 's2']): Promise<void> {
  const status = (): Promise<Call> => coord('GET', `/tasks/${task}/status`);
  await waitForStage(status, 'witnesses');
  const witnesses = [
    { id: 'w1', name: '纪检监督员', role: '纪检监督', commitment: sha256Hex(secrets[0]) },
    { id: 'w2', name: '企业代表', role: '企业代表', commitment: sha256Hex(secrets[1]) },
  ];
  expect((await coord('POST', `/tasks/${task}/ceremony/witnesses`, { witnesses })).status).toBe(200);
  expect((await coord('POST', `/tasks/${task}/ceremony/close`, {})).status).toBe(200);
  await waitForStage(status, 'ceremony');
  passBeacon();
  expect((await coord('POST', `/tasks/${task}/ceremony/reveal`, { witnessId: 'w1', secret: secrets[0] })).json).toEqual({ round: 1, recorded: true, missing: ['企业代表'] });
  expect((await coord('POST', `/tasks/${task}/ceremony/reveal`, { witnessId: 'w2', secret: secrets[1] })).json).toEqual({ round: 1, recorded: true, missing: [] });
  await waitForStage(status, 'results');
}
