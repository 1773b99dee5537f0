/**
 * Delivery: one helper every job uses to render-and-send (`deliver`), and what happens when a
 * delivery problem is reported (`recordDeliveryProblem`): by SES (`handleSesEvent`: event
 * destination of the configuration set → SNS → Lambda), by a DSN in the reply mailbox (dsn.ts,
 * where there is no SES) or by the SMTP server refusing a recipient (send.ts).
 *
 * A permanent bounce or a complaint:
 *   - suppresses the address (send.ts `suppress`; sendMail skips it from then on),
 *   - marks every inspector registered under it (`mailStatus` bounced / complained),
 *   - tells the coordinators of each department the address belongs to (inspector, leader,
 *     section head, liaison or coordinator), once per address: the notice's idempotency key is
 *     `deliveryNoticeKey(address, coordinator)`, shared with the daily job, which tells the
 *     coordinator when it skips a digest for a suppressed address. Repeated events (SNS
 *     redelivery, several bounced messages to the same address) send nothing more.
 * Transient and undetermined bounces, delivery delays and rejects are only logged.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { maskEmail } from '../lambda/redact.js';
import { composeMime, renderDeliveryProblemNotice, type MailKind, type RenderedMail } from './render.js';
import { isSuppressed, sendMail, suppress, type SendOptions, type SendOutcome } from './send.js';
import { config } from '../config.js';
import { now, nowIso } from '../clock.js';
import { K } from '../store/keys.js';
import { getItem } from '../store/base.js';
import { findInspectorsByEmail, listDepartments, putInspector } from '../store/registry.js';
import type { Department, Inspector } from '../domain/schemas.js';

const logger = new Logger({ serviceName: 'suiji-mail-events' });

// ---------------------------------------------------------------- sending

export interface Recipient {
  name: string;
  email: string;
}

export interface Delivery {
  /** Idempotency key (mail log): the same key is never sent twice. */
  key: string;
  /** Mail kind for the log and the SES tag (free text, e.g. `calendar-alert`). */
  kind: string;
  to: Recipient[];
  mail: RenderedMail;
  replyTo?: string | undefined;
  inReplyTo?: string | undefined;
  references?: readonly string[] | undefined;
  /** `X-Suiji-Kind` header, for the kinds render.ts knows. */
  mimeKind?: MailKind | undefined;
}

/** Compose the MIME message and send it through the idempotent mail log. */
export async function deliver(d: Delivery, send?: SendOptions): Promise<SendOutcome> {
  const raw = await composeMime(d.mail, {
    from: config().mailFrom,
    to: d.to.map((p) => ({ name: p.name, address: p.email })),
    replyTo: d.replyTo,
    inReplyTo: d.inReplyTo,
    references: d.references,
    kind: d.mimeKind,
    date: now(),
    key: d.key,
  });
  return sendMail({ key: d.key, kind: d.kind, to: d.to.map((p) => p.email), raw }, send);
}

// ---------------------------------------------------------------- suppression

export interface Suppression {
  address: string;
  reason: 'bounce' | 'complaint';
  detail: string;
  at: string;
}

/**
 * The suppression record of an address, if any. Reads the record send.ts `suppress` writes
 * (same key); send.ts only exposes a boolean.
 */
export async function suppressionOf(address: string): Promise<Suppression | undefined> {
  const it = await getItem<Suppression & { pk: string }>(K.mailLog(`suppressed#${address.toLowerCase()}`), true);
  return it ? { address: it.address, reason: it.reason, detail: it.detail, at: it.at } : undefined;
}

/** Idempotency key of the coordinator's notice about an undeliverable address (once per address). */
export const deliveryNoticeKey = (address: string, coordinator: string): string =>
  `delivery-problem#${address.toLowerCase()}#${coordinator.toLowerCase()}`;

export interface AddressOwner {
  department: Department;
  name: string;
  /** Chinese role: 检查人员, 分管领导, 科室负责人, 信息联络员, 协调员 */
  role: string;
}

/** Who an address belongs to, per department (inspectors and the department's people). */
export async function ownersOf(address: string, departments?: Department[], inspectors?: Inspector[]): Promise<AddressOwner[]> {
  const a = address.toLowerCase();
  const depts = departments ?? (await listDepartments());
  const byId = new Map(depts.map((d) => [d.id, d]));
  const out: AddressOwner[] = [];
  for (const i of inspectors ?? (await findInspectorsByEmail(a))) {
    const d = byId.get(i.department);
    if (d) out.push({ department: d, name: i.name, role: '检查人员' });
  }
  for (const d of depts) {
    const roles: [string, { name: string; email: string }[]][] = [
      ['分管领导', d.leaders],
      ['科室负责人', d.sectionHeads],
      ['信息联络员', [d.liaison]],
      ['协调员', d.coordinators],
    ];
    for (const [role, people] of roles) {
      for (const p of people) if (p.email.toLowerCase() === a) out.push({ department: d, name: p.name, role });
    }
  }
  return out;
}

export interface NoticeDetail {
  problem: 'bounce' | 'complaint';
  bounceType?: string | undefined;
  bounceSubType?: string | undefined;
  diagnostic?: string | undefined;
  occurredAt?: string | undefined;
  failedSubject?: string | undefined;
}

/**
 * Tell the coordinators of every department the address belongs to that it cannot receive
 * mail (once per address and coordinator). Returns the number of notices sent now.
 */
export async function notifyCoordinators(address: string, owners: AddressOwner[], detail: NoticeDetail): Promise<number> {
  let sent = 0;
  const seen = new Set<string>();
  for (const o of owners) {
    for (const c of o.department.coordinators) {
      const key = deliveryNoticeKey(address, c.email);
      if (c.email.toLowerCase() === address.toLowerCase() || seen.has(key)) continue;
      seen.add(key);
      const mail = renderDeliveryProblemNotice({
        recipient: { name: c.name, email: c.email },
        departmentName: o.department.name,
        problem: detail.problem,
        bounceType: detail.bounceType,
        bounceSubType: detail.bounceSubType,
        address,
        owner: { name: o.name, role: o.role },
        diagnostic: detail.diagnostic,
        occurredAt: detail.occurredAt ?? nowIso(),
        failedSubject: detail.failedSubject,
      });
      const r = await deliver({ key, kind: 'delivery-problem', to: [{ name: c.name, email: c.email }], mail, mimeKind: 'delivery-problem' });
      if (r === 'sent') sent++;
    }
  }
  return sent;
}

// ---------------------------------------------------------------- SES events

interface SesRecipient {
  emailAddress: string;
  action?: string;
  status?: string;
  diagnosticCode?: string;
}

/** The part of an SES event (event destination or notification format) that is read here. */
export interface SesEvent {
  eventType?: string;
  notificationType?: string;
  bounce?: { bounceType?: string; bounceSubType?: string; bouncedRecipients?: SesRecipient[]; timestamp?: string; feedbackId?: string };
  complaint?: { complainedRecipients?: SesRecipient[]; complaintFeedbackType?: string; timestamp?: string; feedbackId?: string };
  mail?: { messageId?: string; timestamp?: string; commonHeaders?: { subject?: string }; tags?: Record<string, string[]> };
}

export interface SesEventOutcome {
  type: string;
  /** Addresses suppressed by this event (already suppressed ones included). */
  suppressed: string[];
  /** Inspector ids whose mailStatus changed. */
  marked: string[];
  /** Coordinator notices sent now. */
  notified: number;
  /** Logged only (transient bounce, delay, reject, unknown). */
  logged: boolean;
}

export async function handleSesEvent(event: SesEvent): Promise<SesEventOutcome> {
  const type = event.eventType ?? event.notificationType ?? 'Unknown';
  const out: SesEventOutcome = { type, suppressed: [], marked: [], notified: 0, logged: false };
  if (type === 'Bounce') {
    const b = event.bounce ?? {};
    if (b.bounceType !== 'Permanent') {
      logger.warn('transient or undetermined bounce, not suppressed', { bounceType: b.bounceType, bounceSubType: b.bounceSubType, recipients: (b.bouncedRecipients ?? []).map((r) => maskEmail(r.emailAddress)), messageId: event.mail?.messageId });
      return { ...out, logged: true };
    }
    const r = await recordDeliveryProblem({
      problem: 'bounce',
      permanent: true,
      recipients: (b.bouncedRecipients ?? []).map((x) => ({
        address: x.emailAddress,
        detail: [x.status, x.diagnosticCode].filter(Boolean).join(' ') || `${b.bounceType ?? ''}/${b.bounceSubType ?? ''}`,
        diagnostic: x.diagnosticCode,
      })),
      bounceType: b.bounceType,
      bounceSubType: b.bounceSubType,
      occurredAt: b.timestamp ?? event.mail?.timestamp,
      failedSubject: event.mail?.commonHeaders?.subject,
    });
    return { ...out, ...r };
  }
  if (type === 'Complaint') {
    const c = event.complaint ?? {};
    const r = await recordDeliveryProblem({
      problem: 'complaint',
      permanent: true,
      recipients: (c.complainedRecipients ?? []).map((x) => ({ address: x.emailAddress, detail: c.complaintFeedbackType ?? 'complaint', diagnostic: c.complaintFeedbackType })),
      occurredAt: c.timestamp ?? event.mail?.timestamp,
      failedSubject: event.mail?.commonHeaders?.subject,
    });
    return { ...out, ...r };
  }
  logger.warn('SES event logged only', { type, messageId: event.mail?.messageId });
  return { ...out, logged: true };
}

/** A delivery problem from any source: an SES event, a DSN in the reply mailbox, an SMTP refusal. */
export interface DeliveryProblem {
  problem: 'bounce' | 'complaint';
  /** A permanent bounce or a complaint suppresses; anything else is only logged. */
  permanent: boolean;
  recipients: {
    address: string;
    /** Kept on the suppression record (default: the diagnostic). */
    detail?: string | undefined;
    /** Shown to the coordinator, e.g. `smtp; 550 5.1.1 user unknown`. */
    diagnostic?: string | undefined;
  }[];
  bounceType?: string | undefined;
  bounceSubType?: string | undefined;
  occurredAt?: string | undefined;
  failedSubject?: string | undefined;
}

/**
 * Suppresses each address (keeping the first record), marks the inspectors registered under it
 * and tells the coordinators of every department it belongs to, once per address.
 */
export async function recordDeliveryProblem(p: DeliveryProblem): Promise<Pick<SesEventOutcome, 'suppressed' | 'marked' | 'notified'>> {
  const out = { suppressed: [] as string[], marked: [] as string[], notified: 0 };
  if (!p.permanent) {
    logger.warn('transient delivery problem, not suppressed', { problem: p.problem, recipients: p.recipients.map((r) => maskEmail(r.address)) });
    return out;
  }
  const departments = await listDepartments();
  for (const r of p.recipients) {
    const address = r.address.trim().toLowerCase();
    if (!address) continue;
    const detail = r.detail || r.diagnostic || (p.problem === 'bounce' ? `${p.bounceType ?? 'Permanent'}/${p.bounceSubType ?? ''}` : 'complaint');
    // Keep the first suppression record (its time and reason) when events repeat.
    if (!(await isSuppressed(address))) await suppress(address, p.problem, detail);
    out.suppressed.push(address);

    const inspectors = await findInspectorsByEmail(address);
    const status = p.problem === 'bounce' ? 'bounced' : 'complained';
    for (const i of inspectors) {
      if (i.mailStatus === status) continue;
      await putInspector({ ...i, mailStatus: status });
      out.marked.push(i.id);
    }
    const owners = await ownersOf(address, departments, inspectors);
    if (!owners.length) {
      logger.warn('undeliverable address belongs to nobody registered', { address: maskEmail(address), problem: p.problem });
      continue;
    }
    out.notified += await notifyCoordinators(address, owners, {
      problem: p.problem,
      bounceType: p.bounceType,
      bounceSubType: p.bounceSubType,
      diagnostic: r.diagnostic,
      occurredAt: p.occurredAt,
      failedSubject: p.failedSubject,
    });
  }
  return out;
}

/** SNS → Lambda: each record's Message is one SES event (JSON). */
export async function handleSnsRecords(records: { Sns?: { Message?: string } }[]): Promise<SesEventOutcome[]> {
  const out: SesEventOutcome[] = [];
  for (const rec of records) {
    const msg = rec.Sns?.Message;
    if (!msg) continue;
    let event: SesEvent;
    try {
      event = JSON.parse(msg) as SesEvent;
    } catch {
      logger.error('SNS message is not JSON; ignored', { message: msg.slice(0, 200) });
      continue;
    }
    out.push(await handleSesEvent(event));
  }
  return out;
}
