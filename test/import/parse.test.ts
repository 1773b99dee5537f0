import { gbk } from '../helpers/gbk.js';
import { describe, expect, it } from 'vitest';
import ExcelJS from 'exceljs';
import { makeUscc, validateUscc } from '../../shared/domain/uscc.js';
import { KINDS, columnIndex, IMPORT_KINDS, normalizeHeader } from '../../shared/import/columns.js';
import { parseImport, type ImportIssue, type ParseResult } from '../../shared/import/parse.js';
import type { ImportKind } from '../../shared/import/columns.js';
import { TARGET_HEADER, csvOf, targetsCsv } from './generate.js';

const DEPT = 'fuping-zjj';
const parse = <K extends ImportKind>(kind: K, body: Buffer, extra: { maxBytes?: number; maxRows?: number; filename?: string } = {}) =>
  parseImport(kind, body, { dept: DEPT, ...extra });

function errorsOf(r: ParseResult): ImportIssue[] {
  if (r.ok) throw new Error(`expected errors, got ${r.records.length} records`);
  return r.errors;
}

const U1 = makeUscc(101);
const U2 = makeUscc(102, { kind: 'individual' });
const U3 = makeUscc(103);
/** Same code with a wrong final check character. */
const withBadCheck = (u: string): string => u.slice(0, 17) + (u[17] === '0' ? '1' : '0');

const targetRow = (uscc: string, over: Partial<Record<string, string>> = {}): string[] => {
  const base: Record<string, string> = {
    统一社会信用代码: uscc,
    名称: `示例公司${uscc.slice(-4)}`,
    主体类型: '企业',
    辖区: '阜平镇',
    行业: '建筑业',
    标签: '',
    信用风险分类: 'B',
    重点企业: '否',
    状态: '正常',
    联系人: '',
    联系电话: '',
    电子邮箱: '',
    地址: '',
    ...over,
  };
  return TARGET_HEADER.map((h) => base[h] ?? '');
};

describe('targets CSV: good file', () => {
  it('maps every column to the schema and takes the department from the caller', async () => {
    const body = csvOf(
      [...TARGET_HEADER, '部门'],
      [
        [...targetRow(U1, { 标签: '施工总承包、三级资质;在建项目,施工总承包', 重点企业: '是', 联系人: '张三', 地址: '示例路 1 号' }), 'other-dept'],
        [...targetRow(U2, { 主体类型: '个体工商户', 信用风险分类: 'd', 状态: '停业' }), ''],
        [...targetRow(U3, { 主体类型: '非市场主体', 状态: '注销', 信用风险分类: 'Ａ' }), ''],
      ],
    );
    const r = await parse('targets', body);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.records).toHaveLength(3);
    const [a, b, c] = r.records;
    expect(a).toMatchObject({
      uscc: U1,
      department: DEPT,
      kind: 'enterprise',
      tags: ['施工总承包', '三级资质', '在建项目'],
      riskClass: 'B',
      isKey: true,
      status: 'active',
      contact: { person: '张三', address: '示例路 1 号' },
    });
    expect(a!.contact).not.toHaveProperty('phone');
    expect(b).toMatchObject({ kind: 'individual', riskClass: 'D', status: 'inactive', isKey: false, tags: [] });
    expect(c).toMatchObject({ kind: 'non-market', riskClass: 'A', status: 'deregistered' });
    // 部门 is not an import column: warned about, never used.
    expect(r.warnings).toEqual([{ row: 1, column: '部门', value: '', reason: '未识别的列“部门”（第 N 列），已忽略' }]);
  });

  it('defaults optional columns that are absent (重点企业 否, 状态 正常)', async () => {
    const header = ['统一社会信用代码', '名称', '主体类型', '辖区', '行业', '信用风险分类'];
    const r = await parse('targets', csvOf(header, [[U1, '甲公司', '企业', '阜平镇', '建筑业', 'C']]));
    expect(r.ok && r.records[0]).toMatchObject({ isKey: false, status: 'active', tags: [], riskClass: 'C' });
  });

  it('normalizes a USCC written in lower case, full width or with spaces', async () => {
    const fullWidth = [...U1.toLowerCase()].map((ch) => String.fromCharCode(ch.charCodeAt(0) + 0xfee0)).join('');
    const r = await parse('targets', csvOf(TARGET_HEADER, [targetRow(` ${fullWidth}　`)]));
    expect(r.ok && r.records[0]!.uscc).toBe(U1);
  });
});

describe('targets CSV: every mistake is reported with row, column, value and reason', () => {
  it('bad USCC check digit: the precise reason from validateUscc', async () => {
    const bad = withBadCheck(U2);
    const r = await parse('targets', csvOf(TARGET_HEADER, [targetRow(U1), targetRow(bad)]));
    const reason = (validateUscc(bad) as { reason: string }).reason;
    expect(reason).toBe(`第 18 位校验码错误：应为“${U2[17]}”，实际为“${bad[17]}”`);
    expect(errorsOf(r)).toEqual([{ row: 3, column: '统一社会信用代码', value: bad, reason }]);
  });

  it('a USCC with a forbidden letter or the wrong length', async () => {
    const r = await parse('targets', csvOf(TARGET_HEADER, [targetRow(U1.slice(0, 10) + 'O' + U1.slice(11)), targetRow(U1.slice(0, 17))]));
    expect(errorsOf(r)).toEqual([
      { row: 2, column: '统一社会信用代码', value: U1.slice(0, 10) + 'O' + U1.slice(11), reason: '第 11 位字符“O”不合法：统一社会信用代码不使用字母 I、O、S、V、Z' },
      { row: 3, column: '统一社会信用代码', value: U1.slice(0, 17), reason: '统一社会信用代码应为 18 位，实际为 17 位' },
    ]);
  });

  it('unknown risk class, kind, status and flag', async () => {
    const r = await parse(
      'targets',
      csvOf(TARGET_HEADER, [targetRow(U1, { 信用风险分类: 'E' }), targetRow(U2, { 主体类型: '公司', 状态: '吊销', 重点企业: '也许' })]),
    );
    expect(errorsOf(r)).toEqual([
      { row: 2, column: '信用风险分类', value: 'E', reason: '信用风险分类“E”无效，应为 A、B、C、D 之一' },
      { row: 3, column: '主体类型', value: '公司', reason: '主体类型“公司”无效，应为 企业、个体工商户、非市场主体 之一' },
      { row: 3, column: '重点企业', value: '也许', reason: '重点企业“也许”无效，应为“是”或“否”' },
      { row: 3, column: '状态', value: '吊销', reason: '状态“吊销”无效，应为 正常、停业、注销 之一' },
    ]);
  });

  it('duplicate USCC within the file names both rows, even when written differently', async () => {
    const r = await parse('targets', csvOf(TARGET_HEADER, [targetRow(U1), targetRow(U2), targetRow(U3), targetRow(U1.toLowerCase())]));
    expect(errorsOf(r)).toEqual([
      {
        row: 5,
        column: '统一社会信用代码',
        value: U1,
        reason: `统一社会信用代码“${U1}”重复：第 2 行和第 5 行相同，同一文件中每个统一社会信用代码只能出现一次`,
      },
    ]);
  });

  it('missing required column: one error for the file, none per row', async () => {
    const header = TARGET_HEADER.filter((h) => h !== '信用风险分类');
    const rows = [targetRow(U1), targetRow(U2), targetRow(U3)].map((r) => r.filter((_, i) => TARGET_HEADER[i] !== '信用风险分类'));
    const errors = errorsOf(await parse('targets', csvOf(header, rows)));
    expect(errors).toEqual([
      { row: 1, column: '信用风险分类', value: '', reason: '缺少必填列“信用风险分类”：A、B、C、D 之一（A 风险最低，D 最高）' },
    ]);
  });

  it('an empty required cell', async () => {
    const errors = errorsOf(await parse('targets', csvOf(TARGET_HEADER, [targetRow(U1, { 名称: '  ', 辖区: '' })])));
    expect(errors).toEqual([
      { row: 2, column: '名称', value: '', reason: '名称为必填项，不能为空' },
      { row: 2, column: '辖区', value: '', reason: '辖区为必填项，不能为空' },
    ]);
  });

  it('collects all errors of all rows, in row order, and blank rows keep row numbers', async () => {
    const body = csvOf(TARGET_HEADER, [
      targetRow(withBadCheck(U1)),
      TARGET_HEADER.map(() => ''),
      targetRow(U2, { 信用风险分类: 'X' }),
      targetRow(U3),
      targetRow(U3),
    ]);
    const errors = errorsOf(await parse('targets', body));
    expect(errors.map((e) => [e.row, e.column])).toEqual([
      [2, '统一社会信用代码'],
      [4, '信用风险分类'],
      [6, '统一社会信用代码'],
    ]);
  });

  it('more values than header columns (an unquoted comma) is an error for that row', async () => {
    const text = `\ufeff${TARGET_HEADER.join(',')}\r\n${targetRow(U1, { 名称: '甲公司' }).join(',')}\r\n${targetRow(U2, { 地址: '示例路 2 号' }).join(',').replace('示例公司', '示例,公司')}\r\n`;
    const errors = errorsOf(await parse('targets', Buffer.from(text)));
    expect(errors).toEqual([
      { row: 3, column: '', value: '', reason: '该行有 1 个值位于表头之外（第 M 列之后），可能是某个值中含有未加引号的逗号' },
    ]);
  });

  it('an unclosed quote is a file error at the row where it starts', async () => {
    const text = `${TARGET_HEADER.join(',')}\n${targetRow(U1).join(',')}\n"${targetRow(U2).join(',')}\n${targetRow(U3).join(',')}\n`;
    const errors = errorsOf(await parse('targets', Buffer.from(text)));
    expect(errors).toEqual([
      { row: 3, column: '', value: '', reason: 'CSV 格式错误：引号没有闭合：从该行开始的某个值以英文双引号开头，但没有结尾的双引号' },
    ]);
  });
});

describe('file-level problems', () => {
  it('empty file: no bytes, only a BOM, only blank lines', async () => {
    for (const body of [Buffer.alloc(0), Buffer.from('\ufeff'), Buffer.from('\r\n\r\n ,,\r\n')]) {
      expect(errorsOf(await parse('targets', body)).map((e) => e.reason)).toEqual(['文件为空']);
    }
  });

  it('header without data rows', async () => {
    expect(errorsOf(await parse('targets', csvOf(TARGET_HEADER, [])))).toEqual([
      { row: 0, column: '', value: '', reason: '文件没有数据行：第 1 行是表头，请从第 2 行开始填写' },
    ]);
  });

  it('a file of another kind: no recognisable header', async () => {
    const errors = errorsOf(await parse('targets', csvOf(['甲', '乙'], [['1', '2']])));
    expect(errors).toEqual([
      {
        row: 1,
        column: '',
        value: '',
        reason: '第 1 行没有可识别的表头：检查对象名录库的导入文件应包含列 统一社会信用代码、名称、主体类型、辖区、行业、信用风险分类（可下载导入模板）',
      },
    ]);
  });

  it('file too large (bytes) and too many rows', async () => {
    const body = targetsCsv(50);
    expect(errorsOf(await parse('targets', body, { maxBytes: 1024 }))[0]!.reason).toMatch(/^文件过大：\d+\.\d MB，单次最多 0\.0 MB/);
    expect(errorsOf(await parse('targets', body, { maxRows: 49 }))).toEqual([
      { row: 0, column: '', value: '', reason: '文件过大：共 50 行数据，单次最多导入 49 行，请拆分为多个文件' },
    ]);
    expect((await parse('targets', body, { maxRows: 50 })).ok).toBe(true);
  });

  it('Excel 97–2003 .xls and a corrupt .xlsx are refused with a hint', async () => {
    const xls = Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, 0, 0, 0]);
    expect(errorsOf(await parse('targets', xls))[0]!.reason).toContain('.xls');
    const broken = Buffer.concat([Buffer.from('PK\x03\x04'), Buffer.alloc(64, 7)]);
    expect(errorsOf(await parse('targets', broken))[0]!.reason).toContain('无法读取 XLSX 文件');
  });

  it('duplicate header: the same column twice', async () => {
    const errors = errorsOf(await parse('targets', csvOf([...TARGET_HEADER, '企业名称'], [[...targetRow(U1), 'x']])));
    expect(errors).toEqual([
      { row: 1, column: '名称', value: '企业名称', reason: '列“名称”重复：第 B 列和第 N 列都是该列，请删除其中一列' },
    ]);
  });
});

describe('headers', () => {
  it('accepts spaces, full-width characters, required markers, bracketed notes and aliases', async () => {
    const header = [' 统一社会信用代码 ', '　企业名称　', '主体类型*', '*辖区', '行 业', '信用风险分类（A-D）', '是否重点企业', 'ＵＳＣＣ备注'];
    const r = await parse('targets', csvOf(header, [[U1, '甲公司', '企业', '阜平镇', '建筑业', 'A', '是', 'x']]));
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.records[0]).toMatchObject({ uscc: U1, name: '甲公司', jurisdiction: '阜平镇', industry: '建筑业', riskClass: 'A', isKey: true });
    expect(r.warnings.map((w) => w.column)).toEqual(['ＵＳＣＣ备注']);
  });

  it('no two columns of a kind share a header or alias', () => {
    for (const kind of IMPORT_KINDS) {
      const seen = new Map<string, string>();
      for (const c of KINDS[kind].columns) {
        for (const h of [c.header, ...(c.aliases ?? [])]) {
          const k = normalizeHeader(h).toUpperCase();
          expect(seen.get(k) ?? c.field, `${kind}: ${h}`).toBe(c.field);
          seen.set(k, c.field);
        }
      }
      expect(columnIndex(kind).size).toBe(seen.size);
    }
  });
});

describe('encodings and delimiters', () => {

  it('decodes a GBK CSV as saved by Excel on Chinese Windows', async () => {
    const text = `${TARGET_HEADER.join(',')}\r\n${targetRow(U1, { 名称: '阜平县示例建筑工程有限公司', 标签: '施工总承包、在建项目' }).join(',')}\r\n`;
    const body = gbk(text);
    // Sanity: 统一 in GBK is CD B3 D2 BB, which is not valid UTF-8.
    expect([...body.subarray(0, 4)]).toEqual([0xcd, 0xb3, 0xd2, 0xbb]);
    const r = await parse('targets', body);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.encoding).toBe('gb18030');
    expect(r.records[0]).toMatchObject({ name: '阜平县示例建筑工程有限公司', tags: ['施工总承包', '在建项目'], jurisdiction: '阜平镇' });
  });

  it('UTF-8 without BOM, UTF-16LE with BOM and tab-separated text', async () => {
    const rows = [TARGET_HEADER, targetRow(U1, { 名称: '乙公司' })];
    const plain = Buffer.from(rows.map((r) => r.join(',')).join('\n'));
    const tsv = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(rows.map((r) => r.join('\t')).join('\r\n'), 'utf16le')]);
    for (const body of [plain, tsv]) {
      const r = await parse('targets', body);
      expect(r.ok && r.records[0]!.name).toBe('乙公司');
    }
  });
});

describe('inspectors, items, experts', () => {
  const IH = KINDS.inspectors.columns.map((c) => c.header);
  const inspector = (over: Record<string, string>): string[] => {
    const base: Record<string, string> = {
      人员编号: 'ZJ-001',
      姓名: '王五',
      科室: '建筑市场监管股',
      辖区: '阜平镇、城南庄镇',
      专业领域: '建筑市场',
      执法证号: '13060012345',
      执法证有效期: '2028-12-31',
      电子邮箱: 'WangWu＠Example.gov.cn',
      电话: '',
      在岗: '',
      回避对象: '',
      标签: '',
      ...over,
    };
    return IH.map((h) => base[h] ?? '');
  };

  it('dates in YYYY-MM-DD, YYYY/M/D and YYYY年M月D日; e-mail normalized; 在岗 defaults to 是', async () => {
    const r = await parse(
      'inspectors',
      csvOf(IH, [
        inspector({}),
        inspector({ 人员编号: 'ZJ-002', 执法证有效期: '2027/6/3', 回避对象: `${U1}；${U2.toLowerCase()}` }),
        inspector({ 人员编号: 'ZJ-003', 执法证有效期: '2026年2月28日', 在岗: '否' }),
      ]),
    );
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.records.map((i) => i.certificateExpiry)).toEqual(['2028-12-31', '2027-06-03', '2026-02-28']);
    expect(r.records[0]).toMatchObject({ email: 'wangwu@example.gov.cn', active: true, jurisdictions: ['阜平镇', '城南庄镇'], department: DEPT });
    expect(r.records[1]!.conflicts).toEqual([U1, U2]);
    expect(r.records[2]!.active).toBe(false);
  });

  it('bad dates, bad e-mail, bad id, bad conflict USCC and duplicate id', async () => {
    const bad = withBadCheck(U3);
    const errors = errorsOf(
      await parse(
        'inspectors',
        csvOf(IH, [
          inspector({ 执法证有效期: '2026-02-30' }),
          inspector({ 人员编号: 'ZJ-002', 执法证有效期: '31/12/2026', 电子邮箱: 'not-an-email' }),
          inspector({ 人员编号: '张 三', 回避对象: `${U1}、${bad}` }),
          inspector({ 人员编号: 'ZJ-002' }),
        ]),
      ),
    );
    expect(errors).toEqual([
      { row: 2, column: '执法证有效期', value: '2026-02-30', reason: '“2026-02-30”不是有效日期（2026 年 2 月没有 30 日）' },
      { row: 3, column: '执法证有效期', value: '31/12/2026', reason: '日期格式应为 YYYY-MM-DD 或 YYYY/M/D（如 2026-03-31、2026/3/31）' },
      { row: 3, column: '电子邮箱', value: 'not-an-email', reason: '电子邮箱格式不正确' },
      {
        row: 4,
        column: '回避对象',
        value: `${U1}、${bad}`,
        reason: `“${bad}”不是有效的统一社会信用代码：${(validateUscc(bad) as { reason: string }).reason}`,
      },
      { row: 4, column: '人员编号', value: '张 三', reason: '只能包含字母、数字、点、下划线和连字符' },
      { row: 5, column: '人员编号', value: 'ZJ-002', reason: '人员编号“ZJ-002”重复：第 3 行和第 5 行相同，同一文件中每个人员编号只能出现一次' },
    ]);
  });

  it('items: several check methods, category labels, unknown method', async () => {
    const H = KINDS.items.columns.map((c) => c.header);
    const row = (id: string, methods: string, cat: string): string[] =>
      H.map((h) => ({ 事项编号: id, 事项名称: '资质核查', 抽查依据: '《建筑业企业资质管理规定》', 抽查主体: '住建局', 抽查内容: '资质条件', 检查方式: methods, 事项类别: cat, 事项分类: '建筑市场' })[h] ?? '');
    const good = await parse('items', csvOf(H, [row('JZ-01', '书面检查、实地核查', '重点检查事项'), row('JZ-02', '网络监测', '一般检查事项')]));
    expect(good.ok && good.records.map((i) => [i.methods, i.category, i.itemCategory])).toEqual([
      [['书面检查', '实地核查'], 'key', '建筑市场'],
      [['网络监测'], 'general', '建筑市场'],
    ]);
    const bad = errorsOf(await parse('items', csvOf(H, [row('JZ-01', '书面检查、电话抽查', '特别事项')])));
    expect(bad).toEqual([
      { row: 2, column: '检查方式', value: '书面检查、电话抽查', reason: '检查方式“电话抽查”无效，应为 书面检查、实地核查、网络监测、委托专业机构 之一（多个用“、”分隔）' },
      { row: 2, column: '事项类别', value: '特别事项', reason: '事项类别“特别事项”无效，应为 一般检查事项、重点检查事项 之一' },
    ]);
  });

  it('experts: specialties required, list separators', async () => {
    const H = KINDS.experts.columns.map((c) => c.header);
    const r = await parse('experts', csvOf(H, [['EXP-1', '孙七', '设计院', '结构;岩土 , 造价', 'a@b.cn', '', '']]));
    expect(r.ok && r.records[0]).toMatchObject({ specialties: ['结构', '岩土', '造价'], active: true, department: DEPT });
    const e = errorsOf(await parse('experts', csvOf(H, [['EXP-1', '孙七', '设计院', '、', 'a@b.cn', '', '']])));
    expect(e).toEqual([{ row: 2, column: '专业领域', value: '、', reason: '至少一个专业领域' }]);
  });
});

describe('XLSX', () => {
  async function workbook(build: (ws: ExcelJS.Worksheet) => void): Promise<Buffer> {
    const wb = new ExcelJS.Workbook();
    build(wb.addWorksheet('人员'));
    wb.addWorksheet('其他').addRow(['这张表不会被读取']);
    return Buffer.from((await wb.xlsx.writeBuffer()) as ArrayBuffer);
  }

  it('round trip: typed cells (date, serial number, rich text, hyperlink, formula, boolean) and row numbers', async () => {
    const body = await workbook((ws) => {
      ws.addRow(['人员编号', '姓名', ' 科室 ', '辖区', '执法证号', '执法证有效期', '电子邮箱', '在岗', '回避对象']);
      ws.addRow(['A1', '王五', '市场股', '阜平镇、城南庄镇', '1306001', new Date(Date.UTC(2028, 11, 31)), 'wangwu@example.gov.cn', true, U1]);
      // row 3 left blank on purpose
      ws.getRow(4).values = [
        'A2',
        { richText: [{ text: '赵' }, { text: '六', font: { bold: true } }] },
        '市场股',
        '阜平镇',
        1306002,
        46023, // Excel serial of 2026-01-01
        { text: 'zhaoliu@example.gov.cn', hyperlink: 'mailto:zhaoliu@example.gov.cn' },
        { formula: 'IF(1=1,"否","是")', result: '否' },
        '',
      ];
    });
    const r = await parse('inspectors', body);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.format).toBe('xlsx');
    expect(r.records).toEqual([
      expect.objectContaining({ id: 'A1', certificateExpiry: '2028-12-31', active: true, conflicts: [U1], jurisdictions: ['阜平镇', '城南庄镇'] }),
      expect.objectContaining({ id: 'A2', name: '赵六', certificateNo: '1306002', certificateExpiry: '2026-01-01', email: 'zhaoliu@example.gov.cn', active: false }),
    ]);
  });

  it('errors carry the worksheet row number, and a USCC stored as a number is explained', async () => {
    const body = await workbook((ws) => {
      ws.addRow(TARGET_HEADER);
      ws.addRow(targetRow(U1));
      ws.getRow(5).values = targetRow(U2, { 信用风险分类: 'E' });
      const r6 = targetRow(U3);
      ws.getRow(6).values = [911306241234567890, ...r6.slice(1)];
    });
    const errors = errorsOf(await parse('targets', body));
    expect(errors).toEqual([
      { row: 5, column: '信用风险分类', value: 'E', reason: '信用风险分类“E”无效，应为 A、B、C、D 之一' },
      {
        row: 6,
        column: '统一社会信用代码',
        value: String(911306241234567890),
        reason: '单元格是数字，Excel 已丢失精度；请把该列设置为“文本”格式后重新填写统一社会信用代码',
      },
    ]);
  });

  it('a declared CSV that is really an XLSX is read as XLSX', async () => {
    const body = await workbook((ws) => {
      ws.addRow(TARGET_HEADER);
      ws.addRow(targetRow(U1));
    });
    const r = await parseImport('targets', body, { dept: DEPT, format: 'csv', filename: 'targets.csv' });
    expect(r.ok && r.format).toBe('xlsx');
  });
});

describe('speed', () => {
  it('reads and validates 10,000 rows in well under the bound', async () => {
    const body = targetsCsv(10_000);
    const t = performance.now();
    const r = await parse('targets', body);
    const ms = performance.now() - t;
    expect(r.ok && r.records.length).toBe(10_000);
    // Generous bound for a loaded 2-core CI box; the benchmark reports the real figure.
    expect(ms).toBeLessThan(8_000);
  });
});
