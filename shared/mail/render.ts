/**
 * Suiji's outgoing messages, rendered from typed data (pure). One function per message kind,
 * each returning `{ subject, html, text, attachments? }` in Simplified Chinese; links are passed
 * in as ready URLs (short opaque ids are made by links.ts). `renderMail` dispatches on a tagged
 * union so jobs can store what to send and render it later; `composeMime` turns a rendered mail
 * into the raw MIME message that `sendMail` (send.ts) hands to SES.
 *
 *   kind                  function                       to
 *   plan-approval         renderPlanApprovalRequest      the leader
 *   assignment            renderAssignmentNotice         each team member
 *   reminder-digest       renderReminderDigest           one per person per day
 *   escalation            renderEscalationDigest         inspector + section head / leadership
 *   result-confirmation   renderResultConfirmation       the inspector (form or reply)
 *   report-reminder       renderReportReminder           the liaison (信息联络员)
 *   leadership-summary    renderLeadershipSummary        leadership (XLSX attached)
 *   delivery-problem      renderDeliveryProblemNotice    the coordinator
 *   ceremony              renderCeremonyNotice           witnesses / supervisors
 * and `renderInspectionSheet` (a printable page, not a mail).
 */
import { buildMimeMessage, type AddressLike } from './mime.js';
import { renderAssignmentNotice, type AssignmentMail } from './templates/assignment.js';
import { renderCeremonyNotice, type CeremonyMail } from './templates/ceremony.js';
import { renderResultConfirmation, type ConfirmationMail } from './templates/confirmation.js';
import { renderDeliveryProblemNotice, type DeliveryProblemMail } from './templates/delivery.js';
import { renderEscalationDigest, type EscalationMail } from './templates/escalation.js';
import type { RenderedMail } from './templates/layout.js';
import { renderLeadershipSummary, type LeadershipSummaryMail } from './templates/leadership-summary.js';
import { renderPlanApprovalRequest, type PlanApprovalMail } from './templates/plan-approval.js';
import { renderReminderDigest, type ReminderDigestMail } from './templates/reminder.js';
import { renderReportReminder, type ReportReminderMail } from './templates/report-reminder.js';

export * from './templates/layout.js';
export * from './templates/plan-approval.js';
export * from './templates/assignment.js';
export * from './templates/reminder.js';
export * from './templates/escalation.js';
export * from './templates/confirmation.js';
export * from './templates/report-reminder.js';
export * from './templates/leadership-summary.js';
export * from './templates/delivery.js';
export * from './templates/ceremony.js';
export * from './templates/followup.js';
export * from './templates/inspection-sheet.js';

export type MailMessage =
  | { kind: 'plan-approval'; data: PlanApprovalMail }
  | { kind: 'assignment'; data: AssignmentMail }
  | { kind: 'reminder-digest'; data: ReminderDigestMail }
  | { kind: 'escalation'; data: EscalationMail }
  | { kind: 'result-confirmation'; data: ConfirmationMail }
  | { kind: 'report-reminder'; data: ReportReminderMail }
  | { kind: 'leadership-summary'; data: LeadershipSummaryMail }
  | { kind: 'delivery-problem'; data: DeliveryProblemMail }
  | { kind: 'ceremony'; data: CeremonyMail };

export type MailKind = MailMessage['kind'];

export function renderMail(m: MailMessage): RenderedMail {
  switch (m.kind) {
    case 'plan-approval':
      return renderPlanApprovalRequest(m.data);
    case 'assignment':
      return renderAssignmentNotice(m.data);
    case 'reminder-digest':
      return renderReminderDigest(m.data);
    case 'escalation':
      return renderEscalationDigest(m.data);
    case 'result-confirmation':
      return renderResultConfirmation(m.data);
    case 'report-reminder':
      return renderReportReminder(m.data);
    case 'leadership-summary':
      return renderLeadershipSummary(m.data);
    case 'delivery-problem':
      return renderDeliveryProblemNotice(m.data);
    case 'ceremony':
      return renderCeremonyNotice(m.data);
  }
}

export interface Envelope {
  from: AddressLike;
  to: readonly AddressLike[];
  cc?: readonly AddressLike[] | undefined;
  /** `r+<token>@<inbound domain>` for mails that accept replies (reply.ts `replyAddress`). */
  replyTo?: AddressLike | undefined;
  /** Threading for confirmations answering a reply. */
  inReplyTo?: string | undefined;
  references?: readonly string[] | undefined;
  /** Becomes the `X-Suiji-Kind` header (filtering, tests). */
  kind?: MailKind | undefined;
  date?: Date | undefined;
  /** The mail log's idempotency key: a stable Message-ID and `X-Suiji-Mail-Key` (mime.ts). */
  key?: string | undefined;
}

/** The raw MIME message for SES `Content.Raw` or SMTP (multipart/alternative, attachments if any). */
export function composeMime(mail: RenderedMail, env: Envelope): Promise<Buffer> {
  return buildMimeMessage({
    from: env.from,
    to: env.to,
    cc: env.cc,
    replyTo: env.replyTo,
    subject: mail.subject,
    text: mail.text,
    html: mail.html,
    attachments: mail.attachments,
    inReplyTo: env.inReplyTo,
    references: env.references,
    date: env.date,
    messageKey: env.key,
    headers: env.kind ? { 'X-Suiji-Kind': env.kind } : undefined,
  });
}
