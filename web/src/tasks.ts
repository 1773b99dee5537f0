/** Shapes of the task read models (functions/api/routes/console.ts) and their display. */
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
