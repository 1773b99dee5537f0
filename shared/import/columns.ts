/**
 * Import columns: for each registry kind, the Chinese column headers a spreadsheet uses, which
 * columns are required, and how a cell becomes a field of the zod schema. The department never
 * comes from the file: it is the one in the URL (runImport's `dept`).
 *
 * A cell parser only converts (Chinese label → code, list splitting, date formats, 是/否); the
 * zod schema in domain/schemas.ts stays the single authority on what a valid record is. Where a
 * conversion is impossible (unknown label, impossible date) the parser reports a reason a user
 * can act on, in Chinese.
 */
import { normalizeUscc, validateUscc } from '../domain/uscc.js';
import { CHECK_METHODS, TARGET_KIND_LABELS } from '../domain/schemas.js';

export const IMPORT_KINDS = ['targets', 'inspectors', 'items', 'experts'] as const;
export type ImportKind = (typeof IMPORT_KINDS)[number];

export const KIND_LABELS: Record<ImportKind, string> = {
  targets: '检查对象名录库',
  inspectors: '执法检查人员名录库',
  items: '抽查事项清单',
  experts: '专家库',
};

export function isImportKind(s: string): s is ImportKind {
  return (IMPORT_KINDS as readonly string[]).includes(s);
}

/** A cell as read from CSV (always a string) or XLSX (typed). Empty cells never reach a parser. */
export type Cell = string | number | boolean | Date;
export type CellResult = { ok: true; value: unknown } | { ok: false; reason: string };
export type CellParser = (cell: Cell) => CellResult;

export interface ColumnSpec {
  /** Canonical Chinese header (what templates use). */
  header: string;
  /** Other headers accepted for this column (compared after normalizeHeader). */
  aliases?: readonly string[];
  /** Dotted path of the field in the record, e.g. "contact.person". */
  field: string;
  /** Required column: the file must have it and every row must fill it. */
  required: boolean;
  /** Value used when the column is absent or the cell is empty (optional columns only). */
  default?: unknown;
  parse: CellParser;
  /** Shown in the template (cell note and the 填写说明 sheet). */
  note: string;
  /** Allowed values, for template drop-downs. */
  allowed?: readonly string[];
  /** Column width in the XLSX template (characters). */
  width?: number;
}

export interface KindSpec {
  kind: ImportKind;
  columns: readonly ColumnSpec[];
  /** Field that identifies a record within a department (upsert key); duplicates are errors. */
  keyField: string;
  /** Normalized key of a record, for duplicate detection. */
  keyOf: (record: Record<string, unknown>) => string | undefined;
}

// ---------------------------------------------------------------- helpers

const ok = (value: unknown): CellResult => ({ ok: true, value });
const fail = (reason: string): CellResult => ({ ok: false, reason });

/** Excel's 1900 date system: serial 25569 is 1970-01-01. */
const EXCEL_EPOCH_OFFSET = 25_569;
const MS_PER_DAY = 86_400_000;

/** Text of a cell as the user sees it (for error reports and string fields). */
export function cellText(cell: Cell): string {
  if (cell instanceof Date) return Number.isNaN(cell.getTime()) ? '' : cell.toISOString().slice(0, 10);
  if (typeof cell === 'boolean') return cell ? 'TRUE' : 'FALSE';
  if (typeof cell === 'number') return String(cell);
  return cell;
}

/** Full-width → half-width and no whitespace: for codes, labels and flags (not for names). */
export function normalizeToken(s: string): string {
  return s.normalize('NFKC').replace(/[\s\u200b-\u200d\ufeff]+/g, '');
}

/**
 * Header comparison key: NFKC (full-width letters, spaces and brackets become half-width), no
 * whitespace, no required-marker asterisks, no trailing note in brackets ("信用风险分类（A-D）"),
 * no trailing colon.
 */
export function normalizeHeader(h: string): string {
  let s = normalizeToken(h);
  s = s.replace(/^\*+|\*+$/g, '');
  s = s.replace(/[:：]+$/, '');
  s = s.replace(/\([^()]*\)$/, '');
  s = s.replace(/^\*+|\*+$/g, '');
  return s;
}

const str: CellParser = (cell) => {
  if (typeof cell === 'number' && !Number.isSafeInteger(cell) && Math.abs(cell) >= 1e15) {
    return fail('数字位数过多，Excel 已丢失精度；请把该列设置为“文本”格式后重新填写');
  }
  return ok(cellText(cell).trim());
};

/** Splits 、 ; , ；， | and line breaks; trims; drops empties and duplicates (keeps order). */
export function splitList(text: string): string[] {
  const out: string[] = [];
  for (const part of text.split(/[、;,；，|\r\n]+/)) {
    const t = part.trim();
    if (t && !out.includes(t)) out.push(t);
  }
  return out;
}

const list: CellParser = (cell) => ok(splitList(cellText(cell)));

function enumOf(label: string, map: Record<string, string>, shown: readonly string[]): CellParser {
  const index = new Map<string, string>();
  for (const [k, v] of Object.entries(map)) index.set(normalizeToken(k).toUpperCase(), v);
  return (cell) => {
    // Fast path: the label exactly as the template writes it.
    const exact = typeof cell === 'string' ? map[cell] : undefined;
    if (exact !== undefined && Object.hasOwn(map, cell as string)) return ok(exact);
    const v = index.get(normalizeToken(cellText(cell)).toUpperCase());
    return v === undefined ? fail(`${label}“${cellText(cell).trim()}”无效，应为 ${shown.join('、')} 之一`) : ok(v);
  };
}

const YES = new Set(['是', 'Y', 'YES', 'TRUE', '1', '√', '✓']);
const NO = new Set(['否', 'N', 'NO', 'FALSE', '0', '×', '✗']);
function yesNo(label: string): CellParser {
  return (cell) => {
    if (typeof cell === 'boolean') return ok(cell);
    if (cell === '是') return ok(true);
    if (cell === '否') return ok(false);
    const t = normalizeToken(cellText(cell)).toUpperCase();
    if (YES.has(t)) return ok(true);
    if (NO.has(t)) return ok(false);
    return fail(`${label}“${cellText(cell).trim()}”无效，应为“是”或“否”`);
  };
}

function isoOf(y: number, m: number, d: number): string | undefined {
  const dt = new Date(Date.UTC(y, m - 1, d));
  if (dt.getUTCFullYear() !== y || dt.getUTCMonth() !== m - 1 || dt.getUTCDate() !== d) return undefined;
  return dt.toISOString().slice(0, 10);
}

const DATE_FORMATS = '日期格式应为 YYYY-MM-DD 或 YYYY/M/D（如 2026-03-31、2026/3/31）';

/** YYYY-MM-DD, YYYY/M/D, YYYY.M.D, YYYY年M月D日, an Excel date cell or an Excel serial number. */
export const date: CellParser = (cell) => {
  if (cell instanceof Date) {
    if (Number.isNaN(cell.getTime())) return fail('不是有效日期');
    // exceljs returns date cells at UTC midnight of the calendar day shown.
    return ok(cell.toISOString().slice(0, 10));
  }
  if (typeof cell === 'number') {
    // An Excel date cell that lost its date format shows as its serial number.
    if (Number.isInteger(cell) && cell >= 1 && cell <= 2_958_465) {
      return ok(new Date((cell - EXCEL_EPOCH_OFFSET) * MS_PER_DAY).toISOString().slice(0, 10));
    }
    return fail(DATE_FORMATS);
  }
  const t = normalizeToken(cellText(cell));
  const m = /^(\d{4})(?:[-/.](\d{1,2})[-/.](\d{1,2})|年(\d{1,2})月(\d{1,2})日?)$/.exec(t);
  if (!m) return fail(DATE_FORMATS);
  const y = Number(m[1]);
  const mo = Number(m[2] ?? m[4]);
  const d = Number(m[3] ?? m[5]);
  const iso = isoOf(y, mo, d);
  return iso ? ok(iso) : fail(`“${cellText(cell).trim()}”不是有效日期（${y} 年 ${mo} 月没有 ${d} 日）`);
};

const uscc: CellParser = (cell) => {
  if (typeof cell === 'number') {
    return fail('单元格是数字，Excel 已丢失精度；请把该列设置为“文本”格式后重新填写统一社会信用代码');
  }
  // Normalized here (full-width, spaces, lower case) so duplicates are found on the stored form;
  // the schema validates the check digits and reports the precise reason.
  return ok(normalizeUscc(cellText(cell)));
};

const usccList: CellParser = (cell) => {
  const codes = splitList(cellText(cell)).map(normalizeUscc);
  for (const c of codes) {
    const r = validateUscc(c);
    if (!r.ok) return fail(`“${c}”不是有效的统一社会信用代码：${r.reason}`);
  }
  return ok(codes);
};

const email: CellParser = (cell) => ok(normalizeToken(cellText(cell)).toLowerCase());

const riskClass: CellParser = (cell) => {
  if (cell === 'A' || cell === 'B' || cell === 'C' || cell === 'D') return ok(cell);
  const t = normalizeToken(cellText(cell)).toUpperCase().replace(/[类级]$/, '');
  return /^[A-D]$/.test(t) ? ok(t) : fail(`信用风险分类“${cellText(cell).trim()}”无效，应为 A、B、C、D 之一`);
};

const methods: CellParser = (cell) => {
  const allowed: readonly string[] = CHECK_METHODS;
  const out: string[] = [];
  for (const m of splitList(cellText(cell))) {
    const n = normalizeToken(m);
    if (!allowed.includes(n)) return fail(`检查方式“${m}”无效，应为 ${allowed.join('、')} 之一（多个用“、”分隔）`);
    if (!out.includes(n)) out.push(n);
  }
  return ok(out);
};

const SEP_NOTE = '多个值用“、”“;”或“,”分隔';

// ---------------------------------------------------------------- targets (检查对象名录库)

const TARGET_KINDS = Object.values(TARGET_KIND_LABELS);
const STATUS_LABELS = ['正常', '停业', '注销'] as const;

const targetColumns: ColumnSpec[] = [
  {
    header: '统一社会信用代码',
    aliases: ['社会信用代码', '信用代码', 'USCC'],
    field: 'uscc',
    required: true,
    parse: uscc,
    note: '18 位，按 GB 32100-2015 校验；请把该列设为“文本”格式',
    width: 22,
  },
  {
    header: '名称',
    aliases: ['企业名称', '主体名称', '单位名称', '对象名称'],
    field: 'name',
    required: true,
    parse: str,
    note: '检查对象名称',
    width: 28,
  },
  {
    header: '主体类型',
    aliases: ['对象类型', '市场主体类型'],
    field: 'kind',
    required: true,
    parse: enumOf('主体类型', { ...Object.fromEntries(Object.entries(TARGET_KIND_LABELS).map(([kind, name]) => [name, kind])), 个体: 'individual' }, TARGET_KINDS),
    note: `${TARGET_KINDS.join('、')} 之一`,
    allowed: TARGET_KINDS,
    width: 12,
  },
  { header: '辖区', aliases: ['所属辖区', '所在辖区', '乡镇'], field: 'jurisdiction', required: true, parse: str, note: '所属辖区（乡镇、街道）', width: 12 },
  { header: '行业', aliases: ['所属行业', '行业类别'], field: 'industry', required: true, parse: str, note: '所属行业', width: 14 },
  { header: '标签', aliases: ['分类标注', '自定义标签'], field: 'tags', required: false, default: [], parse: list, note: `自定义标签，${SEP_NOTE}`, width: 18 },
  {
    header: '信用风险分类',
    aliases: ['信用风险等级', '风险分类', '风险等级', '信用风险分级'],
    field: 'riskClass',
    required: true,
    parse: riskClass,
    note: 'A、B、C、D 之一（A 风险最低，D 最高）',
    allowed: ['A', 'B', 'C', 'D'],
    width: 12,
  },
  {
    header: '重点企业',
    aliases: ['是否重点企业', '重点'],
    field: 'isKey',
    required: false,
    default: false,
    parse: yesNo('重点企业'),
    note: '“是”或“否”，不填为“否”',
    allowed: ['是', '否'],
    width: 10,
  },
  {
    header: '状态',
    aliases: ['经营状态', '登记状态'],
    field: 'status',
    required: false,
    default: 'active',
    parse: enumOf('状态', { 正常: 'active', 存续: 'active', 在业: 'active', 停业: 'inactive', 注销: 'deregistered' }, STATUS_LABELS),
    note: `${STATUS_LABELS.join('、')} 之一，不填为“正常”`,
    allowed: STATUS_LABELS,
    width: 8,
  },
  { header: '联系人', aliases: ['负责人', '法定代表人'], field: 'contact.person', required: false, parse: str, note: '选填', width: 10 },
  { header: '联系电话', aliases: ['电话', '手机'], field: 'contact.phone', required: false, parse: str, note: '选填', width: 14 },
  { header: '电子邮箱', aliases: ['邮箱', 'Email', 'E-mail'], field: 'contact.email', required: false, parse: email, note: '选填', width: 20 },
  { header: '地址', aliases: ['住所', '经营场所', '住所(经营场所)'], field: 'contact.address', required: false, parse: str, note: '选填', width: 30 },
];

// ---------------------------------------------------------------- inspectors (执法检查人员名录库)

/** E-mail, phone and on-duty columns, common to the two registries of people (inspectors, experts). */
function personContactColumns(emailNote: string, activeAliases: string[]): ColumnSpec[] {
  return [
    { header: '电子邮箱', aliases: ['邮箱', 'Email', 'E-mail'], field: 'email', required: true, parse: email, note: emailNote, width: 24 },
    { header: '电话', aliases: ['联系电话', '手机'], field: 'phone', required: false, parse: str, note: '选填', width: 14 },
    {
      header: '在岗',
      aliases: activeAliases,
      field: 'active',
      required: false,
      default: true,
      parse: yesNo('在岗'),
      note: '“是”或“否”，不填为“是”',
      allowed: ['是', '否'],
      width: 8,
    },
  ];
}

const inspectorColumns: ColumnSpec[] = [
  {
    header: '人员编号',
    aliases: ['编号', '工号', '人员ID'],
    field: 'id',
    required: true,
    parse: str,
    note: '全系统唯一（不能与其他部门的人员编号相同）；字母、数字、点、下划线、连字符',
    width: 12,
  },
  { header: '姓名', field: 'name', required: true, parse: str, note: '执法人员姓名', width: 10 },
  { header: '科室', aliases: ['所在科室', '股室', '所属科室'], field: 'section', required: true, parse: str, note: '所在科室（股室）', width: 14 },
  { header: '辖区', aliases: ['负责辖区', '所属辖区'], field: 'jurisdictions', required: true, parse: list, note: `可检查的辖区，${SEP_NOTE}`, width: 18 },
  { header: '专业领域', aliases: ['专业', '业务专长'], field: 'specialties', required: false, default: [], parse: list, note: `${SEP_NOTE}`, width: 18 },
  { header: '执法证号', aliases: ['执法证件号', '执法证编号', '证件号'], field: 'certificateNo', required: true, parse: str, note: '行政执法证件号', width: 16 },
  {
    header: '执法证有效期',
    aliases: ['执法证有效期至', '有效期至', '证件有效期'],
    field: 'certificateExpiry',
    required: true,
    parse: date,
    note: '有效期截止日期，YYYY-MM-DD 或 YYYY/M/D',
    width: 14,
  },
  ...personContactColumns('接收抽查任务通知的邮箱', ['是否在岗', '在岗状态']),
  {
    header: '回避对象',
    aliases: ['回避企业', '需回避对象'],
    field: 'conflicts',
    required: false,
    default: [],
    parse: usccList,
    note: `需要回避的检查对象的统一社会信用代码，${SEP_NOTE}`,
    width: 24,
  },
  { header: '标签', aliases: ['分类标注'], field: 'tags', required: false, default: [], parse: list, note: `${SEP_NOTE}`, width: 14 },
];

// ---------------------------------------------------------------- items (抽查事项清单)

const ITEM_CATEGORY_LABELS = ['一般检查事项', '重点检查事项'] as const;
const METHOD_LABELS = ['书面检查', '实地核查', '网络监测', '委托专业机构'] as const;

const itemColumns: ColumnSpec[] = [
  { header: '事项编号', aliases: ['编号', '抽查事项编号'], field: 'id', required: true, parse: str, note: '全系统唯一（不能与其他部门的人员编号相同）；字母、数字、点、下划线、连字符', width: 12 },
  { header: '事项名称', aliases: ['抽查事项', '抽查事项名称', '检查事项'], field: 'name', required: true, parse: str, note: '抽查事项名称', width: 28 },
  { header: '抽查依据', aliases: ['检查依据', '法律依据'], field: 'legalBasis', required: true, parse: str, note: '法律、法规、规章依据', width: 36 },
  { header: '抽查主体', aliases: ['检查主体', '实施主体'], field: 'subjectDepartment', required: true, parse: str, note: '实施抽查的部门', width: 18 },
  { header: '抽查内容', aliases: ['检查内容'], field: 'content', required: true, parse: str, note: '检查的具体内容', width: 36 },
  {
    header: '检查方式',
    aliases: ['抽查方式'],
    field: 'methods',
    required: true,
    parse: methods,
    note: `${METHOD_LABELS.join('、')}，可多选，${SEP_NOTE}`,
    width: 18,
  },
  {
    header: '事项类别',
    aliases: ['检查事项类别'],
    field: 'category',
    required: true,
    parse: enumOf('事项类别', { 一般检查事项: 'general', 一般: 'general', 重点检查事项: 'key', 重点: 'key' }, ITEM_CATEGORY_LABELS),
    note: `${ITEM_CATEGORY_LABELS.join('、')} 之一`,
    allowed: ITEM_CATEGORY_LABELS,
    width: 14,
  },
  {
    header: '事项分类',
    aliases: ['业务分类', '事项所属分类'],
    field: 'itemCategory',
    required: true,
    parse: str,
    note: '业务分类（同一部门同一分类的事项适用同一检查间隔），如“建筑市场”',
    width: 14,
  },
  { header: '科室', aliases: ['牵头科室', '责任科室', '股室'], field: 'section', required: false, parse: str, note: '选填：负责的科室', width: 12 },
  { header: '所需专业', aliases: ['专业领域', '所需专业领域'], field: 'specialties', required: false, default: [], parse: list, note: `检查人员需具备的专业，${SEP_NOTE}`, width: 16 },
  { header: '工作指引', aliases: ['检查指引', '抽查工作指引'], field: 'guide', required: false, parse: str, note: '选填：检查工作指引', width: 30 },
];

// ---------------------------------------------------------------- experts (专家库)

const expertColumns: ColumnSpec[] = [
  { header: '专家编号', aliases: ['编号'], field: 'id', required: true, parse: str, note: '全系统唯一（不能与其他部门的人员编号相同）；字母、数字、点、下划线、连字符', width: 12 },
  { header: '姓名', field: 'name', required: true, parse: str, note: '专家姓名', width: 10 },
  { header: '所在单位', aliases: ['单位', '工作单位'], field: 'organisation', required: true, parse: str, note: '所在单位', width: 24 },
  { header: '专业领域', aliases: ['专业', '专长'], field: 'specialties', required: true, parse: list, note: `至少一个，${SEP_NOTE}`, width: 20 },
  ...personContactColumns('接收通知的邮箱', ['是否在岗', '可用']),
];

const idKey = (r: Record<string, unknown>): string | undefined => (typeof r.id === 'string' && r.id ? r.id : undefined);

export const KINDS: Record<ImportKind, KindSpec> = {
  targets: {
    kind: 'targets',
    columns: targetColumns,
    keyField: 'uscc',
    keyOf: (r) => (typeof r.uscc === 'string' && r.uscc ? r.uscc : undefined),
  },
  inspectors: { kind: 'inspectors', columns: inspectorColumns, keyField: 'id', keyOf: idKey },
  items: { kind: 'items', columns: itemColumns, keyField: 'id', keyOf: idKey },
  experts: { kind: 'experts', columns: expertColumns, keyField: 'id', keyOf: idKey },
};

/** Column of a header as written in a file (after normalization and aliases), or undefined. */
export function columnIndex(kind: ImportKind): Map<string, ColumnSpec> {
  const m = new Map<string, ColumnSpec>();
  for (const c of KINDS[kind].columns) {
    for (const h of [c.header, ...(c.aliases ?? [])]) m.set(normalizeHeader(h).toUpperCase(), c);
  }
  return m;
}
