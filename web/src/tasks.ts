/** Shapes of the task read models (functions/api/routes/console.ts) and their display. */
import { get } from './api';
import { createPrefetch } from './prefetch';
export interface TaskRow {
  taskId: string;
  name: string;
  planId: string;
  year: number;
  leadSection: string;
  category: string;
  window: { start: string; end: string };
  drawDate: string;
  joint: boolean;
  /** A joint task the department takes part in as a partner: its lead department, and 联合（牵头：X局）. */
  lead?: { department: string; name: string };
  jointLabel?: string;
  stage: string;
  stageName: string;
  total: number;
  reached?: { resultEntered: number; published: number; closed: number };
  overdue: number;
  next?: { who: string; what: string };
  /** What waits for a leader: the plan form, a late launch, a resume or a re-draw (shared/lifecycle/decisions.ts). */
  decision?: { kind: 'plan' | 'late-launch' | 'resume' | 'redraw'; label: string };
}

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
