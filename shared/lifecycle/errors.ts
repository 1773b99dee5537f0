/**
 * Errors that end a lifecycle in a named state. Step Functions matches Catch clauses on the
 * Lambda error type, which is the error's `name`; the message (Chinese) becomes the cause the
 * coordinator reads.
 */
/** Errors a person causes; each ends the execution in a Fail state of the same name (infra/lifecycle.ts). */
export const HUMAN_ERRORS = ['PlanInvalid', 'PlanRejected', 'WitnessesMissing', 'DrawInfeasible', 'CeremonyAborted'] as const;
export type LifecycleErrorName = (typeof HUMAN_ERRORS)[number];
export const HUMAN_OUTCOMES: ReadonlySet<string> = new Set(HUMAN_ERRORS);

export class LifecycleError extends Error {
  constructor(name: LifecycleErrorName, message: string) {
    super(message);
    this.name = name;
  }
}

export const FAILURE_NAMES: Record<string, string> = {
  PlanInvalid: '任务计划校验未通过',
  PlanRejected: '任务计划未获批准',
  WitnessesMissing: '未登记见证人',
  DrawInfeasible: '无法完成抽取',
  CeremonyAborted: '抽取仪式中止',
  LifecycleError: '流程异常',
};
