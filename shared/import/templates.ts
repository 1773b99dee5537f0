/**
 * Import templates, generated from the column definitions so they never drift from the parser:
 * `templateCsv(kind)` (UTF-8 with BOM so Excel opens it correctly) and `templateXlsx(kind)` (header
 * with a note per column listing required/optional and allowed values, drop-down lists for
 * enumerated columns, text format for code columns, and a 填写说明 sheet). The files in
 * templates/*.csv are the same CSV output, checked in for people who do not use the API
 * (test/import/templates.test.ts keeps them equal).
 */
import ExcelJS from 'exceljs';
import { makeUscc } from '../domain/uscc.js';
import { KINDS, KIND_LABELS, type ImportKind } from './columns.js';

const BOM = '\ufeff';

/** Example rows, by column header. USCCs are generated, so their check digits are valid. */
export function exampleRows(kind: ImportKind): Record<string, string>[] {
  const u1 = makeUscc(1, { region: '130624' });
  const u2 = makeUscc(2, { kind: 'individual', region: '130624' });
  const u3 = makeUscc(3, { region: '130624' });
  switch (kind) {
    case 'targets':
      return [
        {
          统一社会信用代码: u1,
          名称: '阜平县示例建筑工程有限公司',
          主体类型: '企业',
          辖区: '阜平镇',
          行业: '建筑业',
          标签: '施工总承包、三级资质',
          信用风险分类: 'B',
          重点企业: '是',
          状态: '正常',
          联系人: '张三',
          联系电话: '0312-7221234',
          电子邮箱: 'contact@example.com',
          地址: '河北省保定市阜平县阜平镇示例路 1 号',
        },
        {
          统一社会信用代码: u2,
          名称: '阜平县城南示例装修部',
          主体类型: '个体工商户',
          辖区: '城南庄镇',
          行业: '建筑装饰业',
          标签: '',
          信用风险分类: 'A',
          重点企业: '否',
          状态: '正常',
          联系人: '李四',
          联系电话: '13800000000',
          电子邮箱: '',
          地址: '河北省保定市阜平县城南庄镇示例街 8 号',
        },
      ];
    case 'inspectors':
      return [
        {
          人员编号: 'ZJ-001',
          姓名: '王五',
          科室: '建筑市场监管股',
          辖区: '阜平镇、城南庄镇',
          专业领域: '建筑市场、工程质量',
          执法证号: '13060012345',
          执法证有效期: '2028-12-31',
          电子邮箱: 'wangwu@example.gov.cn',
          电话: '13900000001',
          在岗: '是',
          回避对象: u3,
          标签: '',
        },
        {
          人员编号: 'ZJ-002',
          姓名: '赵六',
          科室: '安全监督站',
          辖区: '阜平镇',
          专业领域: '安全生产',
          执法证号: '13060012346',
          执法证有效期: '2027/6/30',
          电子邮箱: 'zhaoliu@example.gov.cn',
          电话: '',
          在岗: '是',
          回避对象: '',
          标签: '',
        },
      ];
    case 'items':
      return [
        {
          事项编号: 'JZ-01',
          事项名称: '建筑施工企业安全生产许可条件的检查',
          抽查依据: '《安全生产许可证条例》《建筑施工企业安全生产许可证管理规定》',
          抽查主体: '阜平县住房和城乡建设局',
          抽查内容: '安全生产许可证取得后是否持续满足安全生产条件',
          检查方式: '书面检查、实地核查',
          事项类别: '一般检查事项',
          事项分类: '建设工程安全',
          科室: '安全监督站',
          所需专业: '安全生产',
          工作指引: '查阅安全生产管理制度、人员持证情况，现场核查施工现场安全防护',
        },
        {
          事项编号: 'JZ-02',
          事项名称: '建筑业企业资质动态核查',
          抽查依据: '《建筑业企业资质管理规定》',
          抽查主体: '阜平县住房和城乡建设局',
          抽查内容: '企业资产、主要人员、技术装备是否符合资质标准',
          检查方式: '书面检查',
          事项类别: '重点检查事项',
          事项分类: '建筑市场',
          科室: '建筑市场监管股',
          所需专业: '建筑市场',
          工作指引: '',
        },
      ];
    case 'experts':
      return [
        {
          专家编号: 'EXP-001',
          姓名: '孙七',
          所在单位: '河北省示例建筑设计研究院',
          专业领域: '结构工程、工程质量',
          电子邮箱: 'sunqi@example.com',
          电话: '13700000002',
          在岗: '是',
        },
      ];
  }
}

function csvField(s: string): string {
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** CSV template: BOM, header row and example rows, CRLF line ends (as Excel writes them). */
export function templateCsv(kind: ImportKind): string {
  const cols = KINDS[kind].columns;
  const lines = [cols.map((c) => csvField(c.header)).join(',')];
  for (const r of exampleRows(kind)) lines.push(cols.map((c) => csvField(r[c.header] ?? '')).join(','));
  return BOM + lines.join('\r\n') + '\r\n';
}

/** Rows of the template that carry drop-downs and formats (an import can be longer). */
const FORMATTED_ROWS = 5000;

/** XLSX template: sheet 1 is the data sheet the importer reads; sheet 2 explains every column. */
export async function templateXlsx(kind: ImportKind): Promise<Buffer> {
  const spec = KINDS[kind];
  const wb = new ExcelJS.Workbook();
  wb.creator = 'Suiji';
  wb.created = new Date(Date.UTC(2026, 0, 1));
  wb.modified = wb.created;
  const ws = wb.addWorksheet(KIND_LABELS[kind], { views: [{ state: 'frozen', ySplit: 1 }] });
  ws.columns = spec.columns.map((c) => ({ header: c.header, key: c.field, width: c.width ?? 14 }));
  const header = ws.getRow(1);
  header.height = 22;
  spec.columns.forEach((c, i) => {
    const cell = header.getCell(i + 1);
    cell.font = { bold: true, color: { argb: c.required ? 'FFC00000' : 'FF000000' } };
    cell.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFF2F2F2' } };
    cell.alignment = { vertical: 'middle', horizontal: 'center' };
    const allowed = c.allowed ? `\n可选值：${c.allowed.join('、')}` : '';
    cell.note = `${c.required ? '必填' : '选填'}：${c.note}${allowed}`;
  });
  for (const r of exampleRows(kind)) ws.addRow(spec.columns.map((c) => r[c.header] ?? ''));

  // Code-like columns as text, so Excel neither rounds long digit strings nor drops leading zeros.
  const textFields = new Set(['uscc', 'id', 'certificateNo', 'phone', 'contact.phone', 'conflicts']);
  spec.columns.forEach((c, i) => {
    if (textFields.has(c.field)) ws.getColumn(i + 1).numFmt = '@';
  });
  // Drop-downs for enumerated columns. exceljs implements worksheet.dataValidations.add(range, …)
  // but does not declare it in its typings.
  const dv = (ws as unknown as { dataValidations: { add(range: string, v: ExcelJS.DataValidation): void } }).dataValidations;
  spec.columns.forEach((c, i) => {
    if (!c.allowed) return;
    const letter = ws.getColumn(i + 1).letter;
    dv.add(`${letter}2:${letter}${FORMATTED_ROWS}`, {
      type: 'list',
      allowBlank: !c.required,
      formulae: [`"${c.allowed.join(',')}"`],
      showErrorMessage: true,
      errorStyle: 'error',
      errorTitle: c.header,
      error: `请选择：${c.allowed.join('、')}`,
    });
  });

  const help = wb.addWorksheet('填写说明');
  help.columns = [
    { header: '列', key: 'header', width: 18 },
    { header: '是否必填', key: 'required', width: 10 },
    { header: '说明', key: 'note', width: 60 },
    { header: '可选值', key: 'allowed', width: 30 },
  ];
  help.getRow(1).font = { bold: true };
  for (const c of spec.columns) {
    help.addRow({ header: c.header, required: c.required ? '必填' : '选填', note: c.note, allowed: c.allowed?.join('、') ?? '' });
  }
  help.addRow({});
  for (const line of [
    '只读取第一个工作表；第 1 行为表头，从第 2 行开始每行一条记录。',
    '导入是“全有或全无”：任何一行有错误，整个文件都不写入，并返回逐行错误清单（行号、列、值、原因）。',
    '重复导入同一文件不会改变任何数据；以统一社会信用代码或编号为准，已有记录按文件内容更新。',
    '部门由导入地址决定，文件中无需填写。日期可写 2026-03-31 或 2026/3/31，也可使用 Excel 日期格式。',
  ]) {
    help.addRow({ header: line });
  }
  const out = await wb.xlsx.writeBuffer();
  return Buffer.from(out as ArrayBuffer);
}

export const CONTENT_TYPES = {
  csv: 'text/csv; charset=utf-8',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
} as const;

/** Download name of a template, e.g. 检查对象名录库导入模板.xlsx (use RFC 5987 filename*= in headers). */
export function templateFilename(kind: ImportKind, format: 'csv' | 'xlsx'): string {
  return `${KIND_LABELS[kind]}导入模板.${format}`;
}
