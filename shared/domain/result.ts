/**
 * Result entry ("谁检查、谁录入"): the shape of an inspection result and its validation against
 * the department profile and the task. Used by the form, the API and reply-by-mail alike, so a
 * result is accepted or rejected by the same rules whichever way it arrives.
 */
import { z } from 'zod';
import { checkResultCodes } from './phrases.js';
import type { ResultPhrase } from './profile/schema.js';
import { CheckMethod, IsoDate, List, LongText, NonEmpty, Short, ValidationError, describeIssues, fieldLabel, type FieldIssue } from './schemas.js';
import { LIMITS } from './limits.js';

/** The conclusion for one inspected item, and its Chinese name (form, record sheet, messages). */
export const ITEM_OUTCOME_LABELS = { pass: '未发现问题', problem: '发现问题', not_applicable: '不涉及' } as const;
export type ItemOutcome = keyof typeof ITEM_OUTCOME_LABELS;
export const ItemOutcome = z.enum(['pass', 'problem', 'not_applicable'], {
  message: `检查结论应为 ${Object.values(ITEM_OUTCOME_LABELS).join('、')} 之一`,
});

export const ResultInput = z.object({
  /** Result phrase codes from the department's list (several may apply). */
  codes: List(NonEmpty).min(1, { message: '至少选择一项检查结果' }),
  /** Outcome for every item of the task. */
  itemOutcomes: List(z.object({ itemId: NonEmpty, outcome: ItemOutcome, note: Short(LIMITS.text).optional() })).default([]),
  methods: List(CheckMethod).min(1, { message: '至少选择一种检查方式' }),
  checkDate: IsoDate,
  /** Team members present at the check (inspector ids). */
  present: List(NonEmpty).default([]),
  signature: z.discriminatedUnion(
    'signed',
    [
      z.object({ signed: z.literal(true), signer: NonEmpty }),
      z.object({ signed: z.literal(false), refusalReason: LongText }),
    ],
    { message: '请填写被检查对象签字情况（签字人，或拒绝签字的原因）' },
  ),
  problems: Short(LIMITS.text).optional(),
  remark: Short(LIMITS.text).optional(),
});
export type ResultInput = z.infer<typeof ResultInput>;

export interface ResultContext {
  phrases: readonly ResultPhrase[];
  allowedMethods: readonly string[];
  /** Minimum team members present for an on-site check (实地核查). */
  minOnSite: number;
  team: readonly string[];
  itemIds: readonly string[];
  window: { start: string; end: string };
  /** China-local date of "now" (results cannot be dated in the future). */
  today: string;
  /**
   * Name and enforcement-certificate expiry of the team members: an inspector whose certificate
   * had expired on the check date cannot have checked (valid through the expiry date itself).
   */
  certificates?: ReadonlyMap<string, { name: string; expiry: string }>;
}

export interface ValidResult extends ResultInput {
  hasProblem: boolean;
  /** A follow-up disposal (后续处置) arises when the result is published. */
  needsFollowUp: boolean;
  phrases: { code: string; text: string }[];
}

/** Validate a submitted result; throws ValidationError with Chinese messages per field. */
export function validateResult(input: unknown, ctx: ResultContext): ValidResult {
  const parsed = ResultInput.safeParse(input);
  if (!parsed.success) {
    throw new ValidationError(describeIssues(parsed.error));
  }
  const r = parsed.data;
  const issues: FieldIssue[] = [];
  const add = (path: (string | number)[], message: string): void => {
    issues.push({ field: fieldLabel(path), message, path });
  };

  // Code combinations follow the department's phrase list (phrases.ts): exclusive codes,
  // mutually exclusive pairs, codes that need a companion (B needs A or E) …
  const codes = [...new Set(r.codes.map((c) => c.trim().toUpperCase()))];
  const check = checkResultCodes({ resultPhrases: ctx.phrases }, codes);
  if (!check.ok) for (const reason of check.reasons) add(['codes'], reason);
  const hasProblem = check.ok && check.problem;
  if (check.ok && check.requiresDescription && !r.problems?.trim()) add(['problems'], '所选检查结果须描述发现的问题');

  r.methods.forEach((m, i) => {
    if (!ctx.allowedMethods.includes(m)) add(['methods', i], `本部门不使用检查方式「${m}」`);
  });

  if (r.checkDate < ctx.window.start || r.checkDate > ctx.window.end) {
    add(['checkDate'], `检查日期 ${r.checkDate} 不在抽查时间 ${ctx.window.start} 至 ${ctx.window.end} 之内`);
  }
  if (r.checkDate > ctx.today) add(['checkDate'], `检查日期 ${r.checkDate} 晚于今天（${ctx.today}）`);

  const team = new Set(ctx.team);
  r.present.forEach((p, i) => {
    if (!team.has(p)) add(['present', i], `「${p}」不是本检查对象的检查组成员`);
    const cert = ctx.certificates?.get(p);
    if (cert && cert.expiry < r.checkDate) {
      add(['present', i], `检查人员「${cert.name}」的执法证已于 ${cert.expiry} 到期，不能作为 ${r.checkDate} 的到场检查人员`);
    }
  });
  if (r.methods.includes('实地核查') && new Set(r.present).size < ctx.minOnSite) {
    add(['present'], `实地核查时检查人员不少于 ${ctx.minOnSite} 人，本次登记到场 ${new Set(r.present).size} 人`);
  }

  const given = new Map(r.itemOutcomes.map((it) => [it.itemId, it]));
  for (const id of ctx.itemIds) if (!given.has(id)) add(['itemOutcomes'], `缺少检查事项「${id}」的结论`);
  r.itemOutcomes.forEach((it, i) => {
    if (!ctx.itemIds.includes(it.itemId)) add(['itemOutcomes', i, 'itemId'], `「${it.itemId}」不是本任务的检查事项`);
  });
  const itemProblem = r.itemOutcomes.some((it) => it.outcome === 'problem');
  if (itemProblem && !hasProblem) add(['codes'], '有检查事项结论为「发现问题」，检查结果应选择发现问题类表述');
  if (hasProblem && r.itemOutcomes.length && !itemProblem) add(['itemOutcomes'], '检查结果为发现问题，但没有任何事项结论为「发现问题」');

  if (issues.length) throw new ValidationError(issues);
  if (!check.ok) throw new ValidationError(issues);
  return { ...r, codes, hasProblem, needsFollowUp: check.requiresFollowUp, phrases: check.phrases.map((p) => ({ code: p.code, text: p.text })) };
}
