/**
 * A late launch (逾期启动): the coordinator's request with its reason and new dates, and a
 * leader's decision. One record per task (`TASK#<id>` / `LATE`), written before the task record
 * exists; a new request replaces a refused one, never a pending or approved one.
 */
import { K } from './keys.js';
import { getItem, isConditionFailure, putItem, updateItem, type Item } from './base.js';
import { nowIso } from '../clock.js';
import type { TaskDates } from '../domain/late.js';

export interface LateLaunchRecord extends TaskDates {
  taskId: string;
  department: string;
  reason: string;
  /** The dates of the published plan the request departs from. */
  original: TaskDates;
  planVersion: number;
  requestedBy: string;
  requestedAt: string;
  status: 'pending' | 'approved' | 'rejected';
  decidedBy?: string;
  decidedByName?: string;
  decidedAt?: string;
  /** The leader's comment (required when refusing). */
  comment?: string;
}

export async function getLateLaunch(taskId: string): Promise<LateLaunchRecord | undefined> {
  return getItem<LateLaunchRecord & Item>(K.lateLaunch(taskId), true);
}

/** Store a new request; false when a pending or approved one is there already. */
export async function putLateLaunchRequest(r: LateLaunchRecord): Promise<boolean> {
  try {
    await putItem({ ...K.lateLaunch(r.taskId), entity: 'late-launch', ...r }, { expr: 'attribute_not_exists(pk) OR #s = :rejected', names: { '#s': 'status' }, values: { ':rejected': 'rejected' } });
    return true;
  } catch (e) {
    if (isConditionFailure(e)) return false;
    throw e;
  }
}

/** Decide the pending request (once); false when it was decided meanwhile. */
export async function decideLateLaunchRecord(taskId: string, d: Pick<LateLaunchRecord, 'status' | 'decidedBy' | 'decidedByName' | 'comment'>): Promise<boolean> {
  try {
    await updateItem(K.lateLaunch(taskId), {
      set: { ...d, decidedAt: nowIso() },
      condition: '#s = :pending',
      names: { '#s': 'status' },
      values: { ':pending': 'pending' },
    });
    return true;
  } catch (e) {
    if (isConditionFailure(e)) return false;
    throw e;
  }
}
