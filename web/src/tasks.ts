/** Shapes of the task read models (functions/api/routes/console.ts) and their display. */
import { get } from './api';
import { createPrefetch } from './prefetch';
export type { TaskRow } from '../../shared/domain/read-models';

export function stageType(stage: string): 'info' | 'warning' | 'success' | 'danger' | 'primary' {
  if (stage === 'closed') return 'success';
  if (stage === 'failed') return 'danger';
  if (stage === 'not-launched') return 'info';
  if (['approval', 'witnesses', 'ceremony', 'publication'].includes(stage)) return 'warning';
  return 'primary';
}

/** The task page's reads: its readable summary and its progress table (pages of 1,000). */
export const taskReads = (taskId: string) => ({
  summary: `/tasks/${encodeURIComponent(taskId)}/summary`,
  targets: (cursor?: string) => `/tasks/${encodeURIComponent(taskId)}/targets?limit=1000${cursor ? `&cursor=${cursor}` : ''}`,
});

/** Reads started ahead of the screens that take them (src/prefetch.ts). */
export const early = createPrefetch(get);

/** Start the task page's reads while its code loads (the router's guard). */
export function prefetchTask(taskId: string): void {
  const r = taskReads(taskId);
  early.start(r.summary);
  early.start(r.targets());
}
