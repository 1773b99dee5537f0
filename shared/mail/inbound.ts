/**
 * Answering by reply: an inspector replies to a reminder digest with one line per target,
 * `<USCC> <result codes> [remark]`, and each line is entered through the same validation as the
 * form (`enterResult(…, 'mail')`). SES receiving stores the raw message under `inbound/` in the
 * blob bucket; the S3 event runs `handleInboundS3Event`; locally `POST /local/inbound-mail`
 * passes the raw message to `handleInboundMail`.
 *
 * Trust (decision 5): a reply acts only when
 *   - it is addressed to `r+<token>@<inbound domain>` and the token was issued with a digest
 *     (stored here: token → inspectors, department, the address the digest went to, date);
 *   - From is exactly that address, and it is still the inspector's registered address;
 *   - the verdicts pass: SPF, DKIM aligned with the From domain, DMARC not failed, no spam or
 *     virus (SES; not scanned over IMAP), not an autoresponder (reply.ts `assessInbound`).
 * Otherwise nothing is recorded and nothing is answered (the sender is unverified); it is logged.
 * An expired token from a verified sender is answered: nothing recorded, and why.
 *
 * What a one-line reply cannot say is filled in, documented here because it is recorded:
 *   check date      the target's recorded check date, else today (China time);
 *   check method    the department's on-site method (实地核查 when the profile allows it,
 *                   else the profile's first method);
 *   present         the whole team of the target;
 *   signature       `{ signed: true, signer: '见纸质检查记录表' }` — the inspected party signs the
 *                   paper 一企一表 on site; the reply cannot carry a signature, so the record
 *                   points to the paper form (a refusal to sign must be entered with the form);
 *   problems        for problem codes, the remark is the problem description (required);
 *   item outcomes   every item of the task gets the overall outcome of the codes, read from the
 *                   department's phrase list by code (`itemOutcomeOf`): 发现问题 when a code is a
 *                   problem phrase, 未发现问题 when every code means nothing was found (1),
 *                   otherwise 不涉及 (status codes such as F, 7, 9 … where nothing was checked).
 * The inspector gets one confirmation (threaded with In-Reply-To) listing what was recorded and
 * what was rejected and why; it accepts replies again (same token) for corrections. A message
 * is handled once per Message-ID, claimed before anything is done (claim.ts).
 *
 * Where there is no SES (the AWS China regions) the reply mailbox is polled over IMAP (imap.ts)
 * and the message's own DKIM, SPF and DMARC are checked (authenticate.ts) instead of SES's
 * verdicts; the token and sender checks are the same.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { maskAddressesIn, maskEmail, maskRecipient, maskSecret } from '../lambda/redact.js';
import { assessInbound, newReplyToken, parseInboundMail, replyAddress, splitResultLines, isLineError, type InboundMail } from './reply.js';
import { authenticateMessage, type DnsResolver } from './authenticate.js';
import { claimInbound, completeInbound, inboundClaimId, releaseInbound } from './claim.js';
import type { RecordedResult, RejectedResult } from './render.js';
import type { SendOutcome } from './send.js';
import { config } from '../config.js';
import { now, nowIso } from '../clock.js';
import { chinaToday } from '../domain/calendar.js';
import { ValidationError, type Inspector } from '../domain/schemas.js';
import { itemOutcomeOf } from '../domain/phrases.js';
import { DomainError } from '../domain/errors.js';
import { LIMITS } from '../domain/limits.js';
import { getBlob } from '../blobs.js';
import { getItem, putIfAbsent, putItem, type Item } from '../store/base.js';
import { getDepartment, getInspector } from '../store/registry.js';
import { getProfile } from '../services/profile.js';
import { getProgress, seatsOfInspector, type ProgressRecord } from '../store/tasks.js';
import { enterResult, taskContext, type TaskContext } from '../lifecycle/progress.js';
import { assignmentLink } from '../lifecycle/notify.js';
import { sendResultConfirmation } from '../usecases/confirmations.js';
import { onTeam } from '../lifecycle/team.js';
import { refOf } from '../domain/identity.js';

const logger = new Logger({ serviceName: 'suiji-mail-inbound' });

/** Reply tokens stay valid this long after the digest. */
export const REPLY_TOKEN_DAYS = 30;
/** What the reply records as the inspected party's signature (see the module comment). */
export const PAPER_SIGNER = '见纸质检查记录表';

// ---------------------------------------------------------------- reply tokens

export const replyKeys = {
  /** token → who it was issued to */
  token: (token: string) => ({ pk: `REPLYTOKEN#${token}`, sk: 'REPLYTOKEN' }),
  /** digest idempotency key → token (a retried run reuses the token) */
  issued: (key: string) => ({ pk: `REPLYISSUED#${key}`, sk: 'REPLYISSUED' }),
};

export interface ReplyTokenGrant {
  /** Inspectors behind the address (one person may be registered in two departments). */
  inspectors: { id: string; department: string }[];
  /** Department whose name and result codes the digest showed. */
  department: string;
  /** The address the digest was sent to. */
  address: string;
  /** China-local date of the digest. */
  date: string;
}

export interface ReplyTokenRecord extends ReplyTokenGrant {
  token: string;
  issuedAt: string;
  expiresAt: string;
}

/** The token for the digest with idempotency key `key`, issued once. */
export async function issueReplyToken(key: string, grant: ReplyTokenGrant): Promise<string> {
  const prior = await getItem<Item & { token: string }>(replyKeys.issued(key), true);
  if (prior) return prior.token;
  const token = newReplyToken();
  const expires = new Date(now().getTime() + REPLY_TOKEN_DAYS * 86_400_000);
  const ttl = Math.floor(expires.getTime() / 1000) + 86_400;
  const rec: ReplyTokenRecord = { ...grant, address: grant.address.toLowerCase(), token, issuedAt: nowIso(), expiresAt: expires.toISOString() };
  await putItem({ ...replyKeys.token(token), entity: 'replyToken', ttl, ...rec });
  if (!(await putIfAbsent({ ...replyKeys.issued(key), entity: 'replyIssued', token, ttl }))) {
    return (await getItem<Item & { token: string }>(replyKeys.issued(key), true))!.token;
  }
  return token;
}

export async function getReplyToken(token: string): Promise<ReplyTokenRecord | undefined> {
  const it = await getItem<Item & ReplyTokenRecord>(replyKeys.token(token), true);
  if (!it) return undefined;
  const { pk: _p, sk: _s, entity: _e, ttl: _t, ...rec } = it as Item & ReplyTokenRecord & { entity?: string; ttl?: number };
  return rec as ReplyTokenRecord;
}

// ---------------------------------------------------------------- handling a reply

export interface InboundOutcome {
  /**
   * applied     lines were processed and a confirmation sent (some may be rejected);
   * unverified  token/sender/SPF/DKIM/spam checks failed: nothing recorded, nothing answered;
   * ignored     no reply token, or a token nobody issued: nothing recorded, nothing answered;
   * expired     verified sender, expired token: nothing recorded, answered with the reason;
   * duplicate   this message was processed before.
   */
  status: 'applied' | 'unverified' | 'ignored' | 'expired' | 'duplicate';
  reasons: string[];
  from?: string | undefined;
  recorded: { taskId: string; uscc: string; codes: string[]; corrected: boolean; unchanged: boolean }[];
  rejected: { line: string; reasons: string[] }[];
  ignoredLines: string[];
  confirmation?: { key: string; outcome: SendOutcome; inReplyTo?: string | undefined; to: string } | undefined;
}

const OPEN: readonly ProgressRecord['status'][] = ['assigned', 'notified', 'checked', 'result_entered', 'reviewed'];
const NOT_ENTERED: readonly ProgressRecord['status'][] = ['assigned', 'notified', 'checked'];

export interface InboundOptions {
  /** Recipients from the SES receipt notification. */
  envelopeRecipients?: readonly string[];
  /**
   * Whose verdicts count: `ses` (the default) reads SES's Authentication-Results and spam and
   * virus verdicts; `mailauth` (mail polled over IMAP, where there is no SES) checks the
   * message's own DKIM, SPF and DMARC (authenticate.ts).
   */
  authentication?: 'ses' | 'mailauth';
  /** DNS for `mailauth` (tests inject a fixture; default MAIL_DNS_SERVERS or the system's). */
  resolver?: DnsResolver;
}

/** Handles one received message once (claim.ts): see the module comment. */
export async function handleInboundMail(raw: Buffer, opts: InboundOptions = {}): Promise<InboundOutcome> {
  const mail = await parseInboundMail(raw, { inboundDomain: config().mailInboundDomain, ...(opts.envelopeRecipients ? { envelopeRecipients: opts.envelopeRecipients } : {}) });
  const claim = inboundClaimId(mail.messageId, raw);
  if (!(await claimInbound(claim))) return { reasons: [], recorded: [], rejected: [], ignoredLines: [], status: 'duplicate', from: mail.from?.address };
  let out: InboundOutcome;
  try {
    if (opts.authentication === 'mailauth') mail.auth = await authenticateMessage(raw, opts.resolver ? { resolver: opts.resolver } : {});
    out = await processReply(mail, claim);
  } catch (e) {
    await releaseInbound(claim);
    throw e;
  }
  if (out.status === 'applied' || out.status === 'expired') {
    await completeInbound(claim, { outcome: out.status, recorded: out.recorded.length, rejected: out.rejected.length });
  } else {
    await releaseInbound(claim);
  }
  return out;
}

async function processReply(mail: InboundMail, claim: string): Promise<InboundOutcome> {
  const base = { reasons: [] as string[], recorded: [], rejected: [], ignoredLines: [] };
  const from = mail.from?.address;

  if (!mail.replyToken) {
    // Logs never carry a reply token or a full address (shared/lambda/redact.ts).
    logger.warn('inbound mail without a reply token ignored', { from: maskEmail(from), recipients: mail.recipients.map(maskRecipient) });
    return { ...base, status: 'ignored', from, reasons: ['收件地址中没有回复令牌'] };
  }
  const grant = await getReplyToken(mail.replyToken);
  if (!grant) {
    logger.warn('inbound mail with an unknown reply token ignored', { from: maskEmail(from), token: maskSecret(mail.replyToken) });
    return { ...base, status: 'ignored', from, reasons: ['回复令牌无效'] };
  }
  const assessment = assessInbound(mail, { address: grant.address, token: grant.token });
  // The address must still be the inspector's registered address, and the inspector active:
  // deactivating or deleting him revokes his reply tokens.
  const registered = (await Promise.all(grant.inspectors.map((i) => getInspector(i.department, i.id)))).filter(
    (i): i is Inspector => Boolean(i) && i!.email.toLowerCase() === from,
  );
  const inspectors = registered.filter((i) => i.active);
  if (assessment.ok && !registered.length) assessment.reasons.push('发件地址已不是登记的检查人员邮箱');
  else if (assessment.ok && !inspectors.length) assessment.reasons.push('检查人员登记已停用，回复令牌已失效');
  if (!assessment.ok || !inspectors.length) {
    logger.warn('unverified reply: nothing recorded, not answered', {
      from: maskEmail(from),
      token: maskSecret(grant.token),
      address: maskEmail(grant.address),
      reasons: assessment.reasons.map(maskAddressesIn),
      auth: mail.auth,
    });
    return { ...base, status: 'unverified', from, reasons: assessment.reasons };
  }
  const me = inspectors[0]!;
  const dept = await getDepartment(grant.department);
  const departmentName = dept?.name ?? grant.department;
  const receivedAt = nowIso();
  const answer = async (recorded: RecordedResult[], rejected: RejectedResult[], ignoredLines: string[]) => {
    const key = `reply-confirm#${claim}`;
    const outcome = await sendResultConfirmation({
      key,
      to: { name: me.name, email: me.email },
      mail: { departmentName, via: 'reply', receivedAt, recorded, rejected, ignoredLines, inReplyToSubject: mail.subject },
      thread: {
        replyTo: replyAddress(grant.token, config().mailInboundDomain),
        inReplyTo: mail.messageId ?? undefined,
        references: [...mail.references, ...(mail.messageId ? [mail.messageId] : [])],
      },
    });
    return { key, outcome, inReplyTo: mail.messageId ?? undefined, to: me.email };
  };

  if (grant.expiresAt < receivedAt) {
    const reason = `您回复的提醒邮件（${grant.date}）已超过 ${REPLY_TOKEN_DAYS} 天有效期，本次回复未录入任何结果；请回复最新的提醒邮件，或使用邮件中的链接录入。`;
    const confirmation = await answer([], [{ line: '（整封回复）', reasons: [reason] }], []);
    return { ...base, status: 'expired', from, reasons: [reason], confirmation };
  }

  // The inspector's seats (targets they are on the team of), by USCC: (department, id) each.
  const seats = new Map<string, { taskId: string; insp: Inspector }[]>();
  for (const i of inspectors) {
    for (const s of await seatsOfInspector(i)) seats.set(s.uscc, [...(seats.get(s.uscc) ?? []), { taskId: s.taskId, insp: i }]);
  }
  const contexts = new Map<string, Promise<TaskContext>>();
  const ctxOf = (taskId: string) => {
    let c = contexts.get(taskId);
    if (!c) contexts.set(taskId, (c = taskContext(taskId)));
    return c;
  };
  /** On the target's team as (department, id); a task whose plan is gone has no members. */
  const memberOf = async (taskId: string, p: ProgressRecord, insp: Inspector): Promise<boolean> => {
    try {
      return await onTeam(await ctxOf(taskId), p, insp);
    } catch (e) {
      if (e instanceof DomainError) return false;
      throw e;
    }
  };
  // Result codes known to the departments of the inspector's tasks (each line is validated
  // against its own task's profile by enterResult).
  const codes = new Set<string>();
  for (const taskId of new Set([...seats.values()].flat().map((s) => s.taskId))) {
    try {
      for (const p of (await ctxOf(taskId)).profile.resultPhrases) codes.add(p.code);
    } catch (e) {
      if (!(e instanceof DomainError)) throw e;
    }
  }
  if (!codes.size) for (const p of (await getProfile(grant.department)).resultPhrases) codes.add(p.code);

  const split = splitResultLines(mail.lines, [...codes]);
  // Bounded work per message: at most LIMITS.replyLines results, the rest refused in one line.
  const entries = split.entries.slice(0, LIMITS.replyLines);
  const ignored = capLines(split.ignored);
  const recorded: RecordedResult[] = [];
  const rejected: RejectedResult[] = [];
  const beyond = split.entries.length - entries.length;
  if (beyond > 0) {
    rejected.push({
      line: `（第 ${LIMITS.replyLines + 1} 条起共 ${beyond} 条结果）`,
      reasons: [`一封回复最多录入 ${LIMITS.replyLines} 条结果，其余未处理；请分多封回复，或使用邮件中的链接录入`],
    });
  }
  const out: InboundOutcome = { ...base, status: 'applied', from, recorded: [], rejected: [], ignoredLines: ignored };
  const today = chinaToday(now());

  for (const e of entries) {
    if (isLineError(e)) {
      rejected.push({ line: e.line, reasons: [e.error] });
      continue;
    }
    const candidates: { taskId: string; insp: Inspector; p: ProgressRecord }[] = [];
    for (const s of seats.get(e.uscc) ?? []) {
      const p = await getProgress(s.taskId, e.uscc);
      if (p && (await memberOf(s.taskId, p, s.insp))) candidates.push({ ...s, p });
    }
    const open = candidates.filter((c) => OPEN.includes(c.p.status));
    const fresh = open.filter((c) => NOT_ENTERED.includes(c.p.status));
    const pick = fresh.length === 1 ? fresh[0] : fresh.length === 0 && open.length === 1 ? open[0] : undefined;
    if (!pick) {
      const reason = !candidates.length
        ? `统一社会信用代码 ${e.uscc} 不是您所在检查组负责的检查对象`
        : !open.length
          ? '该检查对象的检查结果已公示，不能再修改'
          : `该检查对象在多个抽查任务中待录入（${[...new Set((fresh.length ? fresh : open).map((c) => c.taskId))].join('、')}），请使用邮件中的链接分别录入`;
      rejected.push({ line: e.line, uscc: e.uscc, reasons: [reason] });
      continue;
    }
    const ctx = await ctxOf(pick.taskId);
    const body = replyResultBody(ctx, pick.p, e.codes, e.remark, today);
    const insp = pick.insp;
    try {
      const r = await enterResult(pick.taskId, e.uscc, body, { by: `mail:${insp.email}`, role: 'inspector', inspector: refOf(insp) }, 'mail');
      recorded.push({ uscc: e.uscc, targetName: pick.p.name, taskName: ctx.planTask.name, codes: r.result.phrases, remark: e.remark || undefined, line: e.line });
      out.recorded.push({ taskId: pick.taskId, uscc: e.uscc, codes: r.result.codes, corrected: r.corrected, unchanged: r.unchanged });
    } catch (err) {
      let reasons: string[];
      if (err instanceof ValidationError) reasons = err.issues.map((i) => `${i.field}：${i.message}`);
      else if (err instanceof DomainError) reasons = [err.message];
      else throw err;
      const link = await assignmentLink(pick.taskId, ctx.task.drawRound, insp);
      rejected.push({ line: e.line, uscc: e.uscc, targetName: pick.p.name, reasons, url: `${config().publicBaseUrl}/l/${link}?t=${encodeURIComponent(e.uscc)}` });
    }
  }
  out.rejected = rejected.map((r) => ({ line: r.line ?? '', reasons: r.reasons }));
  out.confirmation = await answer(recorded, rejected, ignored);
  logger.info('reply by mail processed', { from: maskEmail(from), recorded: out.recorded.length, rejected: rejected.length, ignored: ignored.length });
  return out;
}

/** The lines a confirmation lists: each cut to a name's length, at most LIMITS.confirmationLines. */
function capLines(lines: readonly string[]): string[] {
  const cut = lines.slice(0, LIMITS.confirmationLines).map((l) => (l.length > LIMITS.name ? `${l.slice(0, LIMITS.name)}…` : l));
  if (lines.length > cut.length) cut.push(`……另有 ${lines.length - cut.length} 行未列出`);
  return cut;
}

/** The result a one-line reply stands for (see the module comment for every default). */
export function replyResultBody(ctx: TaskContext, p: Pick<ProgressRecord, 'checkDate' | 'team'>, codes: string[], remark: string, today: string): Record<string, unknown> {
  const profile = ctx.profile;
  const outcome = itemOutcomeOf(profile.resultPhrases, codes);
  const problem = outcome === 'problem';
  const method = profile.checkMethods.includes('实地核查') ? '实地核查' : profile.checkMethods[0];
  const itemIds = [...ctx.planTask.items.general, ...ctx.planTask.items.key];
  return {
    codes,
    itemOutcomes: itemIds.map((itemId) => ({ itemId, outcome })),
    methods: method ? [method] : [],
    checkDate: p.checkDate ?? today,
    present: [...p.team],
    signature: { signed: true, signer: PAPER_SIGNER },
    ...(problem ? (remark ? { problems: remark } : {}) : remark ? { remark } : {}),
  };
}

// ---------------------------------------------------------------- S3 event (SES receipt rule → bucket)

export interface S3EventLike {
  Records?: { s3?: { object?: { key?: string } }; eventName?: string }[];
}

export const INBOUND_PREFIX = 'inbound/';

/** Objects created under `inbound/`: read each raw message and handle it. */
export async function handleInboundS3Event(event: S3EventLike): Promise<InboundOutcome[]> {
  const out: InboundOutcome[] = [];
  for (const r of event.Records ?? []) {
    const rawKey = r.s3?.object?.key;
    if (!rawKey) continue;
    // S3 event keys are URL-encoded with '+' for spaces.
    const key = decodeURIComponent(rawKey.replace(/\+/g, ' '));
    if (!key.startsWith(INBOUND_PREFIX)) continue;
    const raw = await getBlob(key);
    if (!raw) {
      logger.warn('inbound object not found', { key });
      continue;
    }
    out.push(await handleInboundMail(raw));
  }
  return out;
}
