/**
 * Task lifecycle routes: launch and watch, the human steps that resume the execution
 * (approval, witnesses and closing their registration, reveals, abort, re-draw, resume), and
 * the per-target steps. Each parses the request,
 * calls a use case (`shared/usecases/`) or a lifecycle step, and answers.
 */
import { z } from 'zod';
import { closeFollowUp, enterResult, openFollowUp, recordCheck, reviewResult } from '../../../shared/lifecycle/progress.js';
import { parseJson, readJson, staffOf, type Request, type RouteHandler } from '../../../shared/http/core.js';
import { IsoDate, LongText, NonEmpty, Short } from '../../../shared/domain/schemas.js';
import { LIMITS } from '../../../shared/domain/limits.js';
import { normalizeUscc } from '../../../shared/domain/uscc.js';
import { actorOf, launchedTask } from '../../../shared/usecases/access.js';
import { drawnTargets, drawRecordOf, drawInputsOf, checkCodeFor, launchTask, publishTaskResults, taskFollowUps, taskStatus } from '../../../shared/usecases/tasks.js';
import { decideApproval } from '../../../shared/usecases/approval.js';
import { abortCeremony, closeWitnessRegistration, enterIndexCloses, freezeCeremony, registerCeremonyWitnesses, removeCeremonyWitness, revealSecret } from '../../../shared/usecases/ceremony.js';
import { requestResume } from '../../../shared/usecases/resume.js';
import { decideLateLaunch, requestLateLaunch } from '../../../shared/usecases/late-launch.js';
import { requestRedraw } from '../../../shared/usecases/redraw.js';

const taskId = (req: Request): string => req.params.taskId!;
const uscc = (req: Request): string => normalizeUscc(req.params.uscc ?? '');

export const taskRoutes: Record<string, RouteHandler> = {
  'POST /tasks/{taskId}/launch': async (req) => {
    const r = await launchTask(staffOf(req), taskId(req));
    return { status: r.created ? 201 : 200, json: { taskId: r.taskId, executionArn: r.executionArn, alreadyLaunched: !r.created } };
  },

  'POST /tasks/{taskId}/late-launch': async (req) => ({ status: 202, json: await requestLateLaunch(staffOf(req), taskId(req), readJson(req)) }),

  'POST /tasks/{taskId}/late-launch/approval': async (req) => ({ json: await decideLateLaunch(staffOf(req), taskId(req), readJson(req)) }),

  'GET /tasks/{taskId}/status': async (req) => ({ json: await taskStatus(staffOf(req), taskId(req)) }),

  'POST /tasks/{taskId}/approval': async (req) => ({ json: await decideApproval(staffOf(req), taskId(req), readJson(req)) }),

  'POST /tasks/{taskId}/ceremony/witnesses': async (req) => ({ json: await registerCeremonyWitnesses(staffOf(req), taskId(req), readJson(req)) }),

  'POST /tasks/{taskId}/ceremony/reveal': async (req) => ({ json: await revealSecret(staffOf(req), taskId(req), readJson(req)) }),

  'POST /tasks/{taskId}/ceremony/freeze': async (req) => ({ json: await freezeCeremony(staffOf(req), taskId(req)) }),

  'POST /tasks/{taskId}/ceremony/index-closes': async (req) => ({ json: await enterIndexCloses(staffOf(req), taskId(req), readJson(req)) }),

  'GET /tasks/{taskId}/draw/checkcode': async (req) => ({ json: await checkCodeFor(staffOf(req), taskId(req), req.query.uscc ?? '', req.query.round ? Number(req.query.round) : undefined) }),

  'GET /tasks/{taskId}/draw/inputs': async (req) => {
    const r = await drawInputsOf(staffOf(req), taskId(req), req.query.round ? Number(req.query.round) : undefined);
    return { binary: { data: Buffer.from(r.json), contentType: 'application/json; charset=utf-8', filename: r.filename } };
  },

  'DELETE /tasks/{taskId}/ceremony/witnesses/{witnessId}': async (req) => ({ json: await removeCeremonyWitness(staffOf(req), taskId(req), req.params.witnessId!) }),

  'POST /tasks/{taskId}/ceremony/close': async (req) => ({ json: await closeWitnessRegistration(staffOf(req), taskId(req)) }),

  'POST /tasks/{taskId}/ceremony/abort': async (req) => ({ json: await abortCeremony(staffOf(req), taskId(req), readJson(req)) }),

  'POST /tasks/{taskId}/resume': async (req) => ({ status: 202, json: await requestResume(staffOf(req), taskId(req), readJson(req)) }),

  'POST /tasks/{taskId}/redraw': async (req) => ({ status: 202, json: await requestRedraw(staffOf(req), taskId(req), readJson(req)) }),

  'GET /tasks/{taskId}/draw': async (req) => {
    const r = await drawRecordOf(staffOf(req), taskId(req), req.query.round ? Number(req.query.round) : undefined);
    return { binary: { data: Buffer.from(r.json), contentType: 'application/json; charset=utf-8', filename: r.filename } };
  },

  'GET /tasks/{taskId}/targets': async (req) => {
    const limit = Math.min(Number(req.query.limit ?? 100) || 100, 1000);
    return { json: await drawnTargets(staffOf(req), taskId(req), { limit, ...(req.query.cursor ? { cursor: req.query.cursor } : {}), ...(req.query.status ? { status: req.query.status } : {}) }) };
  },

  'POST /tasks/{taskId}/targets/{uscc}/checked': async (req) => {
    const staff = staffOf(req);
    const t = await launchedTask(taskId(req));
    const body = parseJson(req, z.object({ checkDate: IsoDate }));
    return { json: await recordCheck(t.taskId, uscc(req), body.checkDate, actorOf(staff)) };
  },

  'PUT /tasks/{taskId}/targets/{uscc}/result': async (req) => {
    const staff = staffOf(req);
    const t = await launchedTask(taskId(req));
    // the matrix let only an inspector on the target's team through (access.ts: 'team')
    const body = parseJson(req, z.record(z.string(), z.unknown()));
    const r = await enterResult(t.taskId, uscc(req), body, { ...actorOf(staff), inspector: { department: staff.department, id: staff.inspectorId! } }, 'api');
    // 201 when this request stored a new result; 200 for a correction, and for a retry of what is
    // stored (same content), which answers with the stored result instead of a conflict.
    return {
      status: r.corrected || r.unchanged ? 200 : 201,
      json: { status: r.progress.status, resultVersion: r.progress.resultVersion, corrected: r.corrected, unchanged: r.unchanged, hasProblem: r.result.hasProblem, ...(r.unchanged ? { result: r.progress.result } : {}) },
    };
  },

  'POST /tasks/{taskId}/targets/{uscc}/review': async (req) => {
    const staff = staffOf(req);
    const t = await launchedTask(taskId(req));
    const body = parseJson(req, z.object({ approve: z.boolean(), note: Short(LIMITS.text).optional() }));
    return { json: await reviewResult(t.taskId, uscc(req), body.approve, body.note, actorOf(staff)) };
  },

  'POST /tasks/{taskId}/publish': async (req) => ({ json: await publishTaskResults(staffOf(req), taskId(req), readJson(req)) }),

  'POST /tasks/{taskId}/targets/{uscc}/followups': async (req) => {
    const staff = staffOf(req);
    const t = await launchedTask(taskId(req));
    const body = parseJson(req, z.object({ disposition: NonEmpty, responsibleUnit: NonEmpty, due: IsoDate.optional(), dueReason: Short(LIMITS.text).optional(), note: Short(LIMITS.text).optional() }));
    return { status: 201, json: await openFollowUp(t.taskId, uscc(req), body, actorOf(staff)) };
  },

  'GET /tasks/{taskId}/followups': async (req) => ({
    json: await taskFollowUps(staffOf(req), taskId(req), { ...(req.query.uscc ? { uscc: req.query.uscc } : {}), ...(req.query.status ? { status: req.query.status } : {}) }),
  }),

  'POST /tasks/{taskId}/targets/{uscc}/followups/{followupId}/close': async (req) => {
    const staff = staffOf(req);
    const t = await launchedTask(taskId(req));
    const body = parseJson(req, z.object({ outcome: LongText }));
    return { json: await closeFollowUp(t.taskId, uscc(req), req.params.followupId!, body.outcome, actorOf(staff)) };
  },
};
