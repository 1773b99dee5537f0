/**
 * Annual plans (年度抽查计划): drafts, adjustments with a reason, leader approval, publication
 * (the announcement becomes public at /public/plans/{planId}).
 */
import { z } from 'zod';
import { getPlan, listPlans } from '../../../shared/store/plans.js';
import { approvePlan, createDraft, proposeAdjustment, publishPlan, rejectPlan, replaceDraft, submitPlan, type PlanActor } from '../../../shared/services/plans.js';
import { parseJson, requirePrincipal, type Request, type RouteHandler } from '../../../shared/http/core.js';
import { notFound } from '../../../shared/domain/errors.js';
import { Short } from '../../../shared/domain/schemas.js';
import { LIMITS } from '../../../shared/domain/limits.js';

function planActor(req: Request): PlanActor {
  const p = requirePrincipal(req);
  return { email: p.email, name: p.name, department: p.department };
}

/** The plan `{planId}` (else `notFound`); the allow matrix ('plan') has checked its department. */
async function ownPlan(req: Request): Promise<string> {
  const planId = req.params.planId!;
  if (!(await getPlan(planId))) throw notFound(`年度抽查计划「${planId}」`);
  return planId;
}

export const planRoutes: Record<string, RouteHandler> = {
  'GET /departments/{dept}/plans': async (req) => ({ json: await listPlans(req.params.dept!) }),

  'POST /departments/{dept}/plans': async (req) => {
    const body = parseJson(req, z.record(z.string(), z.unknown()));
    const { planId, ...plan } = body as { planId?: string } & Record<string, unknown>;
    return { status: 201, json: await createDraft(req.params.dept!, plan, planActor(req), typeof planId === 'string' ? { planId } : {}) };
  },

  'GET /plans/{planId}': async (req) => {
    await ownPlan(req);
    return { json: await getPlan(req.params.planId!) };
  },

  'PUT /plans/{planId}/draft': async (req) => {
    const planId = await ownPlan(req);
    const body = parseJson(req, z.record(z.string(), z.unknown()));
    const { revision, ...plan } = body as { revision?: number } & Record<string, unknown>;
    return { json: await replaceDraft(planId, plan, planActor(req), typeof revision === 'number' ? { revision } : {}) };
  },

  'POST /plans/{planId}/adjustments': async (req) => {
    const planId = await ownPlan(req);
    const body = parseJson(req, z.object({ reason: Short(LIMITS.text).trim().min(1, { message: '计划调整必须写明理由' }), plan: z.record(z.string(), z.unknown()) }));
    return { status: 201, json: await proposeAdjustment(planId, body.plan, body.reason, planActor(req)) };
  },

  'POST /plans/{planId}/approve': async (req) => {
    const planId = await ownPlan(req);
    const body = parseJson(req, z.object({ version: z.number().int().optional() }));
    return { json: await approvePlan(planId, planActor(req), body.version ? { version: body.version } : {}) };
  },

  'POST /plans/{planId}/submit': async (req) => {
    const planId = await ownPlan(req);
    const body = parseJson(req, z.object({ version: z.number().int().optional() }));
    return { json: await submitPlan(planId, planActor(req), body.version ? { version: body.version } : {}) };
  },

  'POST /plans/{planId}/reject': async (req) => {
    const planId = await ownPlan(req);
    const body = parseJson(req, z.object({ reason: Short(LIMITS.text), version: z.number().int().optional(), revision: z.number().int().optional() }));
    return { json: await rejectPlan(planId, planActor(req), body.reason, { ...(body.version ? { version: body.version } : {}), ...(body.revision ? { revision: body.revision } : {}) }) };
  },

  'POST /plans/{planId}/publish': async (req) => {
    const planId = await ownPlan(req);
    const body = parseJson(req, z.object({ version: z.number().int().optional() }));
    return { json: await publishPlan(planId, planActor(req), body.version ? { version: body.version } : {}) };
  },
};
