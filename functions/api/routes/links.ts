/**
 * E-mail links: `/l/{id}`. Mail scanners prefetch GETs, so a GET only ever shows a page (a
 * confirmation, or the result form); only a POST acts, and a POST that acts consumes a
 * single-use id; no link approves anything (acts with legal weight need a signed-in session).
 * The id resolves server-side to what it allows and for whom
 * (`shared/usecases/links.ts`); here a refusal becomes its page.
 */
import { parseForm, type RouteHandler, type Response } from '../../../shared/http/core.js';
import { httpStatusOf } from '../../../shared/http/errors.js';
import { renderResultForm, formToResult, submissionOf } from '../../../shared/pages/result-form.js';
import {
  approvalAlreadyDecidedPage,
  approvalNeedsSignInPage,
  assignmentListPage,
  linkUnusablePage,
  notOnTeamPage,
  otherLinkPage,
  resultRecordedPage,
  resultRefusedPage,
  taskApprovalPage,
  unsupportedLinkPage,
} from '../../../shared/pages/links.js';
import { renderInspectionSheet } from '../../../shared/mail/render.js';
import {
  assertOnTeam,
  assignmentList,
  decisionBehindLink,
  enterResultByLink,
  inspectionSheet,
  NOT_ON_TEAM,
  openLink,
  resultFormData,
  submissionState,
  taskApprovalForm,
} from '../../../shared/usecases/links.js';
import { DomainError } from '../../../shared/domain/errors.js';
import { ValidationError } from '../../../shared/domain/schemas.js';

/**
 * Refusals every link page shows the same way; anything else goes on to the JSON error. A used
 * or expired approval link whose task was decided says who decided and when.
 */
async function refusalPage(e: unknown, linkId: string, method: 'GET' | 'POST'): Promise<Response> {
  if (e instanceof DomainError && e.code === 'tooLate') {
    const d = await decisionBehindLink(linkId);
    if (d) return method === 'GET' ? { html: approvalAlreadyDecidedPage(d.decision, d.reason) } : { status: 410, html: approvalAlreadyDecidedPage(d.decision, `${d.reason}，本次提交未产生变化。`) };
    return { status: 410, html: linkUnusablePage(e.message) };
  }
  if (e instanceof DomainError && e.reason === NOT_ON_TEAM) return { status: 404, html: notOnTeamPage(e.message) };
  throw e;
}

async function resultForm(action: string, payload: Record<string, string>, errors?: ValidationError, values?: Record<string, string | string[]>): Promise<Response> {
  const data = await resultFormData(payload);
  return { status: errors ? 400 : 200, html: renderResultForm({ ...data, action, ...(errors ? { errors: errors.issues } : {}), ...(values ? { values } : {}) }) };
}

export const linkRoutes: Record<string, RouteHandler> = {
  'GET /l/{linkId}': async (req) => {
    // The result form asking, after a failed save, whether its submission is stored (JSON).
    if (req.query.check) {
      const s = await submissionState(req.params.linkId!, req.query.t, req.query.check);
      return { json: { saved: s.saved, ...(s.version ? { version: s.version } : {}) } };
    }
    try {
      const link = await openLink(req.params.linkId!);
      switch (link.action) {
        case 'enter-result':
          return await resultForm(`/l/${link.id}`, link.payload);
        case 'view-assignment': {
          const t = req.query.t;
          if (!t) return { html: assignmentListPage(link.id, await assignmentList(link.payload)) };
          await assertOnTeam(link.payload, t);
          if (req.query.print) return { html: renderInspectionSheet(await inspectionSheet(link.payload, t)) };
          return await resultForm(`/l/${link.id}?t=${encodeURIComponent(t)}`, { ...link.payload, uscc: t });
        }
        case 'approve-task':
          return { html: taskApprovalPage(await taskApprovalForm(link)) };
        default:
          return { html: otherLinkPage() };
      }
    } catch (e) {
      return await refusalPage(e, req.params.linkId!, 'GET');
    }
  },

  'POST /l/{linkId}': async (req) => {
    try {
      // the result entry reads the inspector with the task and the target (one round trip)
      const link = await openLink(req.params.linkId!, { inspector: 'later' });
      const form = parseForm(req);
      if (link.action === 'view-assignment' || link.action === 'enter-result') {
        const uscc = link.action === 'enter-result' ? link.payload.uscc! : (req.query.t ?? '');
        const action = link.action === 'enter-result' ? `/l/${link.id}` : `/l/${link.id}?t=${encodeURIComponent(uscc)}`;
        try {
          return { html: resultRecordedPage(link.id, await enterResultByLink(link, uscc, formToResult(form), req.sourceIp, submissionOf(form))) };
        } catch (e) {
          if (e instanceof ValidationError) return await resultForm(action, { ...link.payload, uscc }, e, form);
          if (e instanceof DomainError && e.reason !== NOT_ON_TEAM) return { status: httpStatusOf(e), html: resultRefusedPage(e.message) };
          throw e;
        }
      }
      if (link.action === 'approve-task') {
        // An approval has legal weight: never through a link (a forward, a shared mailbox, a
        // log would do). The page sends the leader to the console; decided already, it says so.
        const f = await taskApprovalForm(link);
        if (f.decided) return { status: 409, html: approvalAlreadyDecidedPage(f.decided, '本次提交未产生变化。') };
        return { status: 403, html: approvalNeedsSignInPage(f.consoleUrl) };
      }
      return { status: 400, html: unsupportedLinkPage() };
    } catch (e) {
      // A repeated POST of a submission the first POST stored (and used the link up with): its
      // answer was lost, so this one gets it.
      const submission = e instanceof DomainError && e.code === 'tooLate' ? submissionOf(parseForm(req)) : undefined;
      const stored = submission ? await submissionState(req.params.linkId!, req.query.t, submission) : undefined;
      if (stored?.entry) return { html: resultRecordedPage(req.params.linkId!, { entry: stored.entry }) };
      return await refusalPage(e, req.params.linkId!, 'POST');
    }
  },
};
