/**
 * Differences between the tasks of two plan versions, field by field, in words a clerk reads:
 * one row per changed field of a task, and one for a task added or removed.
 */
export interface DiffRow {
  task: string;
  field: string;
  a: string;
  b: string;
}

interface TaskLike {
  taskId: string;
  name: string;
  [k: string]: unknown;
}

const pct = (bp: unknown): string => (typeof bp === 'number' ? `${bp / 100}%` : '');
const FIELDS: [string, (t: TaskLike) => string][] = [
  ['任务名称', (t) => t.name],
  ['牵头科室', (t) => String(t.leadSection ?? '')],
  ['联合科室', (t) => ((t.jointSections as string[]) ?? []).join('、')],
  ['联合部门', (t) => ((t.jointDepartments as string[]) ?? []).join('、')],
  ['抽查类别', (t) => String(t.category ?? '')],
  ['抽查时间', (t) => { const w = t.window as { start: string; end: string } | undefined; return w ? `${w.start} 至 ${w.end}` : ''; }],
  ['抽取日期', (t) => String(t.drawDate ?? '')],
  ['抽查比例', (t) => { const r = (t.ratiosBp ?? {}) as Record<string, number>; return ['A', 'B', 'C', 'D'].map((k) => `${k} ${pct(r[k])}`).join('，'); }],
  ['重点企业比例', (t) => pct(t.keyRatioBp)],
  ['抽查事项', (t) => { const i = (t.items ?? {}) as { general?: string[]; key?: string[] }; return [...(i.general ?? []), ...(i.key ?? []).map((x) => `${x}（重点）`)].join('、'); }],
  ['对象范围', (t) => JSON.stringify(t.scope ?? {})],
  ['人员范围', (t) => JSON.stringify(t.inspectorScope ?? {})],
  ['抽查依据', (t) => String(t.legalBasis ?? '')],
];

export function planDiff(a: readonly TaskLike[], b: readonly TaskLike[]): DiffRow[] {
  const rows: DiffRow[] = [];
  const byId = new Map(a.map((t) => [t.taskId, t]));
  for (const t of b) {
    const old = byId.get(t.taskId);
    byId.delete(t.taskId);
    if (!old) {
      rows.push({ task: `${t.name}（${t.taskId}）`, field: '（新增任务）', a: '', b: t.name });
      continue;
    }
    for (const [label, get] of FIELDS) {
      const x = get(old);
      const y = get(t);
      if (x !== y) rows.push({ task: `${t.name}（${t.taskId}）`, field: label, a: x, b: y });
    }
  }
  for (const t of byId.values()) rows.push({ task: `${t.name}（${t.taskId}）`, field: '（删除任务）', a: t.name, b: '' });
  return rows;
}
