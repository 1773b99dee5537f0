/**
 * The task summary written when a task closes (and read by the reports): counts per outcome,
 * on-time entry and publication from the deadline records (met time vs due date), follow-ups.
 */
import { deadlinesOfTask, listProgress, type TaskRecord } from '../store/tasks.js';
import { listFollowUps } from './progress.js';
import { chinaDate } from '../domain/calendar.js';

export interface TaskSummary {
  targets: number;
  enterprises: number;
  published: number;
  withProblems: number;
  followUpsOpened: number;
  followUpsClosed: number;
  entryOnTime: number;
  entryLate: number;
  publicationOnTime: number;
  publicationLate: number;
  refusedToSign: number;
  byStratum: Record<string, number>;
}

export async function computeTaskSummary(task: Pick<TaskRecord, 'taskId'>): Promise<TaskSummary> {
  const [progress, deadlines, followUps] = await Promise.all([
    listProgress(task.taskId, { projection: ['uscc', 'status', 'kind', 'stratum', 'hasProblem', 'publishedAt', 'result'] }),
    deadlinesOfTask(task.taskId),
    listFollowUps(task.taskId),
  ]);
  const s: TaskSummary = {
    targets: progress.length,
    enterprises: progress.filter((p) => p.kind === 'enterprise').length,
    published: progress.filter((p) => p.publishedAt).length,
    withProblems: progress.filter((p) => p.hasProblem).length,
    followUpsOpened: followUps.length,
    followUpsClosed: followUps.filter((f) => f.status === 'closed').length,
    entryOnTime: 0,
    entryLate: 0,
    publicationOnTime: 0,
    publicationLate: 0,
    refusedToSign: progress.filter((p) => (p.result as { signature?: { signed?: boolean } } | undefined)?.signature?.signed === false).length,
    byStratum: {},
  };
  for (const p of progress) s.byStratum[p.stratum] = (s.byStratum[p.stratum] ?? 0) + 1;
  for (const d of deadlines) {
    if (!d.metAt || !d.due) continue;
    // met on or before the due date (China local date of the met instant)
    const metDay = chinaDate(d.metAt);
    const onTime = metDay <= d.due;
    if (d.kind === 'entry') onTime ? s.entryOnTime++ : s.entryLate++;
    if (d.kind === 'publish') onTime ? s.publicationOnTime++ : s.publicationLate++;
  }
  return s;
}

export async function closeTaskSummary(task: TaskRecord): Promise<Record<string, unknown>> {
  return { ...(await computeTaskSummary(task)) };
}
