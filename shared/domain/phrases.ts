/**
 * Result phrases by code: the standard list of the market-regulation systems (BRIEF §2), the
 * rules for combining codes and what chosen codes say of the checked items. What a phrase means
 * (nothing found, a problem, a follow-up, …) is data of the department's phrase list, never read
 * from its wording.
 */
import type { ResultPhrase } from './profile/schema.js';
import type { ItemOutcome } from './result.js';

/**
 * The standard result phrases of the market-regulation systems (BRIEF §2). B, C, 6, D qualify a
 * finding and go with A (pending follow-up) or, except 6, with E (corrected on order); status
 * codes (F, 7, 9–12), 1 and 8 stand alone.
 */
export const STANDARD_RESULT_PHRASES: readonly ResultPhrase[] = [
  phrase('1', '未发现问题', { passed: true, exclusive: true }),
  phrase('A', '发现问题待后续处理', { problem: true, followUp: true, excludes: ['E'] }),
  phrase('B', '未按规定公示应当公示的信息', { problem: true, requiresAnyOf: ['A', 'E'] }),
  phrase('C', '公示信息隐瞒真实情况弄虚作假', { problem: true, requiresAnyOf: ['A', 'E'] }),
  phrase('6', '通过登记的住所（经营场所）无法联系', { problem: true, excludes: ['E'], requiresAnyOf: ['A'] }),
  phrase('D', '违反其他法律、法规、规章规定', { problem: true, requiresAnyOf: ['A', 'E'] }),
  phrase('E', '发现问题经责令已改正', { problem: true, excludes: ['A', '6'] }),
  phrase('F', '未发现开展本次抽查涉及的经营活动', { exclusive: true }),
  phrase('7', '已关闭停业或正在组织清算', { exclusive: true }),
  phrase('8', '不配合检查情节严重', { problem: true, followUp: true, exclusive: true }),
  phrase('9', '注销', { exclusive: true }),
  phrase('10', '被吊销', { exclusive: true }),
  phrase('11', '被撤销', { exclusive: true }),
  phrase('12', '迁出', { exclusive: true }),
];

function phrase(
  code: string,
  text: string,
  o: { passed?: boolean; problem?: boolean; followUp?: boolean; exclusive?: boolean; excludes?: string[]; requiresAnyOf?: string[] },
): ResultPhrase {
  const problem = o.problem ?? false;
  return {
    code,
    text,
    passed: o.passed ?? false,
    problem,
    requiresDescription: problem,
    requiresFollowUp: o.followUp ?? false,
    exclusive: o.exclusive ?? false,
    excludes: o.excludes ?? [],
    requiresAnyOf: o.requiresAnyOf ?? [],
  };
}

/** The standard phrase of a code, if it is one. */
export function standardPhrase(code: string): ResultPhrase | undefined {
  return STANDARD_RESULT_PHRASES.find((x) => x.code === code);
}

/**
 * What chosen codes say of every checked item (reply by mail, where items get no outcome of their
 * own): `problem` when a code is a problem phrase, `pass` when every code means nothing was found
 * (1 未发现问题), otherwise `not_applicable` (status codes such as F, 7, 9: nothing was checked).
 */
export function itemOutcomeOf(phrases: readonly ResultPhrase[], codes: readonly string[]): ItemOutcome {
  const byCode = new Map(phrases.map((x) => [x.code, x]));
  if (codes.some((c) => byCode.get(c)?.problem)) return 'problem';
  return codes.length > 0 && codes.every((c) => byCode.get(c)?.passed) ? 'pass' : 'not_applicable';
}

export type ResultCodesCheck =
  | { ok: true; problem: boolean; requiresDescription: boolean; requiresFollowUp: boolean; phrases: ResultPhrase[] }
  | { ok: false; reasons: string[] };

/** Checks a combination of result codes against the profile's phrase list (Chinese reasons). */
export function checkResultCodes(profile: { readonly resultPhrases: readonly ResultPhrase[] }, codes: readonly string[]): ResultCodesCheck {
  const byCode = new Map(profile.resultPhrases.map((x) => [x.code, x]));
  const reasons: string[] = [];
  const label = (c: string) => `${c} ${byCode.get(c)?.text ?? ''}`.trim();
  if (codes.length === 0) return { ok: false, reasons: ['请至少选择一项抽查结果'] };
  const seen = new Set<string>();
  for (const c of codes) {
    if (!byCode.has(c)) reasons.push(`结果代码“${c}”不在本部门的结果表述清单中`);
    else if (seen.has(c)) reasons.push(`结果代码“${c}”重复`);
    seen.add(c);
  }
  if (reasons.length) return { ok: false, reasons };
  const chosen = [...seen].map((c) => byCode.get(c)!);
  for (const ph of chosen) {
    if (ph.exclusive && chosen.length > 1) reasons.push(`“${label(ph.code)}”只能单独选择`);
  }
  chosen.forEach((a, i) => {
    for (const b of chosen.slice(i + 1)) {
      if (a.excludes.includes(b.code) || b.excludes.includes(a.code)) {
        reasons.push(`“${label(a.code)}”与“${label(b.code)}”不能同时选择`);
      }
    }
  });
  for (const ph of chosen) {
    if (ph.requiresAnyOf.length && !ph.requiresAnyOf.some((c) => seen.has(c))) {
      reasons.push(`选择“${label(ph.code)}”时须同时选择${ph.requiresAnyOf.map((c) => `“${label(c)}”`).join('或')}`);
    }
  }
  if (reasons.length) return { ok: false, reasons: [...new Set(reasons)] };
  return {
    ok: true,
    problem: chosen.some((x) => x.problem),
    requiresDescription: chosen.some((x) => x.requiresDescription),
    requiresFollowUp: chosen.some((x) => x.requiresFollowUp),
    phrases: chosen,
  };
}
