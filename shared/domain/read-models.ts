/**
 * Shapes of the read models the API answers and the web console shows: types only, no imports,
 * so the console (web/, bundled for the browser) and the use cases that build them share one
 * definition. A field added here is seen by both sides' type checks.
 */

/** Lifecycle stage of a task, as shown to the coordinator. */
export type Stage =
  | 'launched'
  | 'approval'
  | 'witnesses'
  | 'freeze'
  | 'ceremony'
  | 'draw'
  | 'results'
  | 'publication'
  | 'followup'
  | 'closed'
  | 'failed';

/** Targets of a task whose status is at or beyond a milestone (monotonic counters). */
export interface TaskReached {
  resultEntered: number;
  published: number;
  closed: number;
  followupOpened: number;
}

/** What waits for a leader: the plan form, a late launch, a resume or a re-draw (shared/lifecycle/decisions.ts). */
export type LeaderDecisionKind = 'plan' | 'late-launch' | 'resume' | 'redraw';

/** What happens next in a task, and who does it. */
export interface NextAction {
  /** Who acts: a role of the task's department, or `lead` (the lead department of a joint task a partner watches). */
  who: string;
  what: string;
}

/** A row of a department's task list (`GET /departments/{dept}/tasks`; shared/usecases/task-list.ts). */
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
  /** A partner's row: the department that leads the joint task, and the label 联合（牵头：X局）. */
  lead?: { department: string; name: string };
  jointLabel?: string;
  stage: Stage | 'not-launched';
  stageName: string;
  total: number;
  reached?: TaskReached;
  overdue: number;
  launchedAt?: string;
  closedAt?: string;
  decision?: { kind: LeaderDecisionKind; label: string };
  next?: NextAction;
}
