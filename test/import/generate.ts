/**
 * Deterministic import files for tests and the import benchmark: the same n and seed always give
 * the same bytes. USCCs come from makeUscc, so every check digit is valid and every code distinct.
 */
import { makeUscc } from '../../shared/domain/uscc.js';
import { KINDS } from '../../shared/import/columns.js';

const TOWNS = ['城关镇', '城南庄镇', '龙泉关镇', '王林口乡', '天生桥镇', '平阳镇', '阜平镇', '夏庄乡'];
const INDUSTRIES = [
  '建筑业', '房地产业', '建筑装饰业', '市政工程', '物业管理', '工程监理',
  '勘察设计', '燃气经营', '园林绿化', '建材销售', '工程检测', '房屋中介',
];
const TAGS = ['施工总承包', '专业承包', '劳务分包', '三级资质', '二级资质', '在建项目', '保障性住房'];

/** Small fast PRNG (mulberry32). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const TARGET_HEADER = KINDS.targets.columns.map((c) => c.header);

/** One target row (cells in TARGET_HEADER order) for index i. */
export function targetRow(i: number, rnd: () => number): string[] {
  const individual = rnd() < 0.2;
  const uscc = makeUscc(i, individual ? { kind: 'individual', region: '130624' } : { region: '130624' });
  const r = rnd();
  const risk = r < 0.6 ? 'A' : r < 0.85 ? 'B' : r < 0.95 ? 'C' : 'D';
  const town = TOWNS[Math.floor(rnd() * TOWNS.length)]!;
  const industry = INDUSTRIES[Math.floor(rnd() * INDUSTRIES.length)]!;
  const tags = rnd() < 0.5 ? [TAGS[Math.floor(rnd() * TAGS.length)]!] : [];
  return [
    uscc,
    individual ? `阜平县${town}示例经营部${i}` : `阜平县示例${industry}有限公司${i}`,
    individual ? '个体工商户' : '企业',
    town,
    industry,
    tags.join('、'),
    risk,
    rnd() < 0.05 ? '是' : '否',
    '正常',
    `联系人${i % 997}`,
    `138${String(i).padStart(8, '0')}`,
    '',
    `河北省保定市阜平县${town}示例路 ${i % 500} 号`,
  ];
}

function csvLine(cells: string[]): string {
  return cells.map((s) => (/[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s)).join(',');
}

/** A CSV (UTF-8 with BOM, CRLF) of n valid targets; `first` shifts the targets' numbers (distinct USCCs per file). */
export function targetsCsv(n: number, seed = 2026, mutate?: (i: number, row: string[]) => void, first = 0): Buffer {
  const rnd = prng(seed);
  const lines: string[] = [csvLine(TARGET_HEADER)];
  for (let i = 0; i < n; i++) {
    const row = targetRow(first + i, rnd);
    mutate?.(i, row);
    lines.push(csvLine(row));
  }
  return Buffer.from('\ufeff' + lines.join('\r\n') + '\r\n', 'utf8');
}

/** Rows to CSV with a given header (tests build files with mistakes this way). */
export function csvOf(header: string[], rows: string[][], bom = true): Buffer {
  const text = [header, ...rows].map(csvLine).join('\r\n') + '\r\n';
  return Buffer.from((bom ? '\ufeff' : '') + text, 'utf8');
}
