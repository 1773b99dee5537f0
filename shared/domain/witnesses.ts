/**
 * Who must witness a draw (the profile's `draw` settings): at least `minWitnesses`, and, where
 * the draw is under discipline-inspection supervision (wuhai: 「在住建局纪检部门监督下」), one
 * witness from discipline inspection — a witness whose role names 纪检.
 */
import type { PolicyProfile } from './profile/schema.js';

/** The word a discipline-inspection witness's role contains (纪检监督, 纪检组长, 驻局纪检员…). */
export const DISCIPLINE_ROLE_WORD = '纪检';

/** What keeps the witnesses registered so far from closing registration; empty when nothing does. */
export function witnessShortfall(draw: Pick<PolicyProfile['draw'], 'minWitnesses' | 'disciplineSupervision'>, witnesses: readonly { role: string }[]): string[] {
  const problems: string[] = [];
  if (witnesses.length < draw.minWitnesses) {
    problems.push(`至少需要 ${draw.minWitnesses} 名见证人，目前已登记 ${witnesses.length} 名`);
  }
  if (draw.disciplineSupervision && !witnesses.some((w) => w.role.includes(DISCIPLINE_ROLE_WORD))) {
    problems.push(`本部门的抽取须在纪检部门监督下进行，请登记一名纪检监督人员（身份含“${DISCIPLINE_ROLE_WORD}”）为见证人`);
  }
  return problems;
}
