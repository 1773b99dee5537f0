/**
 * Task lifecycle routes: launch and watch, the human steps that resume the execution
 * (approval, witnesses, reveals, re-draw), and the per-target steps.
 */
import { z } from 'zod';
import { createHash } from 'node:crypto';
import { findTask } from '../../../shared/store/plans.js';
import {
  createTask,
  deadlinesOfTask,
  getTask,
  listProgressPage,
  updateTask,
  audit,
  STATUS_NAMES,
  type TaskRecord,
} from '../../../shared/store/tasks.js';
import { getCeremony, recordReveal, registerWitnesses, updateCeremony } from '../../../shared/store/ceremony.js';
import { completeStage, describeExecution, failStage, startExecution } from '../../../shared/lifecycle/callbacks.js';
import { closeFollowUp, enterResult, listFollowUps, openFollowUp, publishResults, recordCheck, reviewResult } from '../../../shared/lifecycle/progress.js';
import { getDrawRecordJson } from '../../../shared/lifecycle/draw-stage.js';
import { actor, parseJson, requirePrincipal, type Request, type RouteHandler } from '../../../shared/http/core.js';
import { conflict, forbidden, invalid, notFound } from '../../../shared/domain/errors.js';
import { IsoDate, NonEmpty, Id } from '../../../shared/domain/schemas.js';
import { chinaToday } from '../../../shared/domain/calendar.js';
import { DEADLINE_LABELS } from '../../../shared/domain/deadlines.js';
import { now } from '../../../shared/clock.js';
import { normalizeUscc } from '../../../shared/domain/uscc.js';
import { listInspectionItems, getDepartment } from '../../../shared/store/registry.js';

/** The task, checked against the caller's department (joint departments may read). */
async function taskFor(req: Request, write = false): Promise<TaskRecord> {
  const p = requirePrincipal(req);
  const t = await getTask(req.params.taskId!);
  if (!t) throw notFound(`任务「${req.params.taskId}」（尚未启动）`);
  if (t.department !== p.department) {
    const found = write ? undefined : await findTask(t.taskId);
    if (!found?.task.jointDepartments.includes(p.department)) throw forbidden(`无权访问其他部门（${t.department}）的任务`);
  }
  return t;
}

const uscc = (req: Request): string => normalizeUscc(req.params.uscc ?? '');

export const taskRoutes: Record<string, RouteHandler> = {
  'POST /tasks/{taskId}/launch': async (req) => {
    const p = requirePrincipal(req);
    const found = await findTask(req.params.taskId!);
    if (!found) throw notFound(`已发布计划中的任务「${req.params.taskId}」`);
    if (found.plan.department !== p.department) throw forbidden('只能启动本部门计划中的任务');
    const { task, created } = await createTask({
      taskId: found.task.taskId,
      department: found.plan.department,
      planId: found.plan.planId,
      planVersion: found.plan.version,
      name: found.task.name,
      stage: 'launched',
      launchedAt: new Date(now()).toISOString(),
      launchedBy: p.email,
    });
    // Same name and input: Step Functions returns the running execution (idempotent launch).
    const { executionArn } = await startExecution(task.taskId, { taskId: task.taskId });
    if (!task.executionArn) await updateTask(task.taskId, { executionArn, executionName: task.taskId });
    if (created) await audit(task.taskId, actor(req), 'task.launched', { executionArn });
    return { status: created ? 201 : 200, json: { taskId: task.taskId, executionArn, alreadyLaunched: !created } };
  },

  'GET /tasks/{taskId}/status': async (req) => {
    const t = await taskFor(req);
    const today = chinaToday(now());
    const overdue = (await deadlinesOfTask(t.taskId))
      .filter((d) => !d.metAt && d.due !== null && d.due < today)
      .map((d) => ({ kind: d.kind, name: DEADLINE_LABELS[d.kind], ref: d.ref, due: d.due, people: d.people }));
    let execution: Awaited<ReturnType<typeof describeExecution>> | undefined;
    if (t.executionArn) {
      try {
        execution = await describeExecution(t.executionArn);
      } catch {
        execution = undefined;
      }
    }
    const counts = Object.fromEntries(Object.entries(t.counts).filter(([, n]) => (n ?? 0) > 0));
    return {
      json: {
        taskId: t.taskId,
        name: t.name,
        department: t.department,
        stage: t.stage,
        drawRound: t.drawRound,
        total: t.total,
        counts,
        countsZh: Object.fromEntries(Object.entries(counts).map(([k, n]) => [STATUS_NAMES[k as keyof typeof STATUS_NAMES], n])),
        reached: t.reached,
        overdue,
        failure: t.failure,
        summary: t.summary,
        execution,
      },
    };
  },

  'POST /tasks/{taskId}/approval': async (req) => {
    const t = await taskFor(req, true);
    const body = parseJson(req, z.object({ approve: z.boolean(), reason: z.string().optional(), subject: z.enum(['plan', 'redraw']).default('plan') }));
    const who = actor(req);
    if (body.subject === 'redraw') {
      const next = await getCeremony(t.taskId, t.drawRound + 1);
      if (!next?.redraw || next.redraw.approvedAt) throw conflict('没有待批准的重新抽取申请');
      if (!body.approve) {
        await updateCeremony(t.taskId, t.drawRound + 1, { status: 'aborted', abortReason: body.reason ?? '分管领导未批准重新抽取' });
        await audit(t.taskId, who, 'redraw.rejected', { reason: body.reason ?? '' });
        return { json: { redraw: 'rejected' } };
      }
      await updateCeremony(t.taskId, t.drawRound + 1, { redraw: { ...next.redraw, approvedBy: who.by, approvedAt: new Date(now()).toISOString() } });
      const ok = await completeStage(t.taskId, 'results', { redraw: true });
      await audit(t.taskId, who, 'redraw.approved', { reason: next.redraw.reason });
      return { json: { redraw: ok ? 'approved' : 'already-handled' } };
    }
    if (!body.approve && !body.reason?.trim()) throw invalid('不批准时请填写理由');
    const ok = body.approve
      ? await completeStage(t.taskId, 'approval', { approvedBy: who.by })
      : await failStage(t.taskId, 'approval', 'PlanRejected', body.reason!);
    if (ok) await audit(t.taskId, who, body.approve ? 'plan.approved' : 'plan.rejected', { reason: body.reason ?? '' });
    return { json: { approved: body.approve, applied: ok, message: ok ? undefined : '该审批已处理过，本次请求未产生变化' } };
  },

  'POST /tasks/{taskId}/ceremony/witnesses': async (req) => {
    const t = await taskFor(req, true);
    if (t.stage !== 'witnesses') throw conflict(`当前阶段（${t.stage}）不能登记见证人`);
    const body = parseJson(
      req,
      z.object({
        witnesses: z
          .array(z.object({ id: Id, name: NonEmpty, role: NonEmpty, commitment: z.string().regex(/^[0-9a-f]{64}$/, { message: '承诺值应为 64 位小写十六进制 SHA-256' }) }))
          .min(1, { message: '至少登记一名见证人' }),
      }),
    );
    if (new Set(body.witnesses.map((w) => w.id)).size !== body.witnesses.length) throw invalid('见证人编号重复');
    const round = t.drawRound + 1;
    await registerWitnesses(t.taskId, round, body.witnesses);
    await audit(t.taskId, actor(req), 'ceremony.witnesses', { round, witnesses: body.witnesses.map((w) => ({ id: w.id, role: w.role, commitment: w.commitment })) });
    const ok = await completeStage(t.taskId, 'witnesses', { round });
    return { json: { round, witnesses: body.witnesses.length, applied: ok } };
  },

  'POST /tasks/{taskId}/ceremony/reveal': async (req) => {
    const t = await taskFor(req, true);
    const body = parseJson(req, z.object({ witnessId: Id, secret: z.string().min(1, { message: '揭示值不能为空' }) }));
    const round = t.drawRound + 1;
    const c = await getCeremony(t.taskId, round);
    if (!c || !['frozen', 'revealing'].includes(c.status)) throw conflict('抽取对象池尚未冻结，或本轮仪式已结束');
    const w = c.witnesses.find((x) => x.id === body.witnessId);
    if (!w) throw notFound(`见证人「${body.witnessId}」`);
    const digest = createHash('sha256').update(body.secret, 'utf8').digest('hex');
    if (digest !== w.commitment) {
      // A reveal that does not match its commitment stops the ceremony, on record.
      const reason = `见证人「${w.name}」（${w.id}）揭示的值与其承诺不符，仪式中止`;
      await updateCeremony(t.taskId, round, { status: 'aborted', abortReason: reason });
      await audit(t.taskId, actor(req), 'ceremony.mismatch', { witnessId: w.id, digest, commitment: w.commitment });
      await failStage(t.taskId, 'ceremony', 'CeremonyAborted', reason);
      throw conflict(reason);
    }
    const fresh = await recordReveal(t.taskId, round, w.id, body.secret);
    await audit(t.taskId, actor(req), 'ceremony.reveal', { witnessId: w.id, duplicate: !fresh });
    const after = (await getCeremony(t.taskId, round))!;
    const missing = after.witnesses.filter((x) => after.reveals[x.id] === undefined).map((x) => x.name);
    if (missing.length === 0) await completeStage(t.taskId, 'ceremony', { round });
    return { json: { round, recorded: fresh, missing } };
  },

  'POST /tasks/{taskId}/ceremony/abort': async (req) => {
    const t = await taskFor(req, true);
    const body = parseJson(req, z.object({ reason: NonEmpty }));
    const round = t.drawRound + 1;
    await updateCeremony(t.taskId, round, { status: 'aborted', abortReason: body.reason });
    await audit(t.taskId, actor(req), 'ceremony.aborted', { round, reason: body.reason });
    const ok = await failStage(t.taskId, 'ceremony', 'CeremonyAborted', body.reason);
    return { json: { aborted: ok } };
  },

  'POST /tasks/{taskId}/redraw': async (req) => {
    const t = await taskFor(req, true);
    if (t.stage !== 'results') throw conflict('只有在检查阶段（抽取完成后）才能申请重新抽取');
    const body = parseJson(req, z.object({ reason: z.string().trim().min(5, { message: '请写明重新抽取的理由（至少 5 个字）' }) }));
    const who = actor(req);
    await registerWitnesses(t.taskId, t.drawRound + 1, [], { reason: body.reason, requestedBy: who.by, requestedAt: new Date(now()).toISOString() });
    await audit(t.taskId, who, 'redraw.requested', { reason: body.reason });
    return { status: 202, json: { message: '重新抽取申请已提交，待分管领导批准；原抽取记录保持公开' } };
  },

  'GET /tasks/{taskId}/draw': async (req) => {
    const t = await taskFor(req);
    const round = req.query.round ? Number(req.query.round) : t.drawRound;
    const json = await getDrawRecordJson(t.taskId, round);
    if (!json) throw notFound(`第 ${round} 轮抽取记录`);
    return { binary: { data: Buffer.from(json), contentType: 'application/json; charset=utf-8', filename: `${t.taskId}-draw-${round}.json` } };
  },

  'GET /tasks/{taskId}/targets': async (req) => {
    const t = await taskFor(req);
    const limit = Math.min(Number(req.query.limit ?? 100) || 100, 1000);
    const start = req.query.cursor ? (JSON.parse(Buffer.from(req.query.cursor, 'base64url').toString()) as Record<string, unknown>) : undefined;
    const page = await listProgressPage(t.taskId, limit, start);
    return {
      json: {
        items: page.items.map(({ history: _h, ...rest }) => rest),
        ...(page.next ? { cursor: Buffer.from(JSON.stringify(page.next)).toString('base64url') } : {}),
      },
    };
  },

  'POST /tasks/{taskId}/targets/{uscc}/checked': async (req) => {
    const t = await taskFor(req, true);
    const body = parseJson(req, z.object({ checkDate: IsoDate }));
    const p = requirePrincipal(req);
    return { json: await recordCheck(t.taskId, uscc(req), body.checkDate, { ...actor(req), ...(p.inspectorId ? { inspectorId: p.inspectorId } : {}) }) };
  },

  'PUT /tasks/{taskId}/targets/{uscc}/result': async (req) => {
    const t = await taskFor(req);
    const p = requirePrincipal(req);
    if (!p.inspectorId) throw forbidden('只有检查人员可以录入检查结果');
    const body = parseJson(req, z.record(z.string(), z.unknown()));
    const r = await enterResult(t.taskId, uscc(req), body, { ...actor(req), inspectorId: p.inspectorId }, 'api');
    return { status: r.corrected ? 200 : 201, json: { status: r.progress.status, resultVersion: r.progress.resultVersion, corrected: r.corrected, hasProblem: r.result.hasProblem } };
  },

  'POST /tasks/{taskId}/targets/{uscc}/review': async (req) => {
    const t = await taskFor(req, true);
    const body = parseJson(req, z.object({ approve: z.boolean(), note: z.string().optional() }));
    return { json: await reviewResult(t.taskId, uscc(req), body.approve, body.note, actor(req)) };
  },

  'POST /tasks/{taskId}/publish': async (req) => {
    const t = await taskFor(req, true);
    const body = parseJson(req, z.object({ usccs: z.array(z.string()).optional() }));
    const dept = await getDepartment(t.department);
    const items = new Map((await listInspectionItems(t.department)).map((i) => [i.id, i.name]));
    const r = await publishResults(t.taskId, actor(req), body.usccs?.map(normalizeUscc), { department: dept?.name ?? t.department, items });
    return { json: r };
  },

  'POST /tasks/{taskId}/targets/{uscc}/followups': async (req) => {
    const t = await taskFor(req, true);
    const body = parseJson(req, z.object({ disposition: NonEmpty, responsibleUnit: NonEmpty, due: IsoDate.optional(), note: z.string().optional() }));
    return { status: 201, json: await openFollowUp(t.taskId, uscc(req), body, actor(req)) };
  },

  'POST /tasks/{taskId}/targets/{uscc}/followups/{followupId}/close': async (req) => {
    const t = await taskFor(req, true);
    const body = parseJson(req, z.object({ outcome: NonEmpty }));
    return { json: await closeFollowUp(t.taskId, uscc(req), req.params.followupId!, body.outcome, actor(req)) };
  },
};

export { listFollowUps };
