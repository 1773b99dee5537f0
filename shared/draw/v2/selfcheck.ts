/**
 * The enterprise's self-check (docs/DRAW.md §16): from its USCC and its check code (核验码 —
 * the salt, then `-<excluded ids>` when it has exclusions), find its commitment in a record's
 * public pool lists. Pure; the public page and the CLI call it with a published record.
 */
import { createHash } from 'node:crypto';
import { STRATA, type Stratum } from '../pool.js';
import type { DrawRecordV2 } from './record.js';

export type SelfCheck =
  | { found: true; stratum: Stratum; drawn: boolean; commitment: string }
  | { found: false; error?: string };

const CODE_RE = /^([0-9a-f]{32})(?:-([A-Za-z0-9._;-]+))?$/;

/** The check code of one opening line "<uscc>,<stratum>,<k>,<excl>,<salt>" (for its notice). */
export function checkCodeOf(openingLine: string): { uscc: string; code: string } {
  const parts = openingLine.split(',');
  const [uscc, , , excl, salt] = parts;
  return { uscc: uscc!, code: excl ? `${salt}-${excl}` : salt! };
}

/** The check code of a drawn entry of a record (the same as from its opening line). */
export function checkCodeOfTarget(t: { salt: string; exclusions: readonly string[] }): string {
  return t.exclusions.length ? `${t.salt}-${t.exclusions.join(';')}` : t.salt;
}

export function selfCheck(record: Pick<DrawRecordV2, 'inputs' | 'targets'>, uscc: string, code: string): SelfCheck {
  const u = uscc.trim().toUpperCase();
  if (!/^[0-9A-HJ-NP-RTUW-Y]{18}$/.test(u)) return { found: false, error: '统一社会信用代码应为 18 位（数字和大写字母，不含 I、O、S、V、Z）' };
  const m = CODE_RE.exec(code.trim());
  if (!m) return { found: false, error: '核验码格式不正确（应为 32 位十六进制，可能后接“-”和回避人员化名）' };
  const salt = Buffer.from(m[1]!, 'hex');
  const excl = m[2] ?? '';
  const areas = record.inputs.eligibility.filter((l) => l.startsWith('area,')).length;
  for (const s of STRATA) {
    const list = record.inputs.pool[s];
    if (!list.length) continue;
    const set = new Set(list);
    for (let k = 0; k < areas; k++) {
      const c = createHash('sha256').update(salt).update(`${u},${s},${k},${excl}`, 'utf8').digest('hex');
      if (set.has(c)) return { found: true, stratum: s, drawn: record.targets.some((t) => t.commitment === c), commitment: c };
    }
  }
  return { found: false };
}
