/**
 * Launch-time check of one task: the plan was valid when published, but the registries move
 * (certificates expire, inspectors leave, targets deregister). The task is re-validated against
 * today's registries and the department profile with the same rules as the plan.
 */
import { loadPlanContext } from '../services/plans.js';
import { validatePlan } from '../domain/plan.js';
import type { FieldIssue, PlanTask, PlanVersion } from '../domain/schemas.js';

export async function checkTaskBeforeLaunch(plan: PlanVersion, task: PlanTask): Promise<FieldIssue[]> {
  const body = { title: plan.title, year: plan.year, tasks: [task] };
  const ctx = await loadPlanContext(plan.department, body);
  return validatePlan(body, ctx).issues;
}
