/** Shapes of the task read models (functions/api/routes/console.ts) and their display. */
import { answer, bodyOf, get } from './api';
import { createPrefetch } from './prefetch';
import { handedOver, taskReads } from './early-reads';
export type { TaskRow } from '../../shared/domain/read-models';

export function stageType(stage: string): 'info' | 'warning' | 'success' | 'danger' | 'primary' {
  if (stage === 'closed') return 'success';
  if (stage === 'failed') return 'danger';
  if (stage === 'not-launched') return 'info';
  if (['approval', 'witnesses', 'ceremony', 'publication'].includes(stage)) return 'warning';
  return 'primary';
}

export { taskReads };

/**
 * Reads started ahead of the screens that take them (src/prefetch.ts); the task page's two may
 * already be under way, sent by public/early-reads.js when the page arrived.
 */
export const early = createPrefetch((path) => {
  const sent = handedOver(path);
  return sent ? answer('GET', sent).then((res) => bodyOf(res)) : get(path);
});

/** Start the task page's reads while its code loads (the router's guard). */
export function prefetchTask(taskId: string): void {
  const r = taskReads(taskId);
  early.start(r.summary);
  early.start(r.targets());
}
