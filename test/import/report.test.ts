import { describe, expect, it } from 'vitest';
import { makeUscc } from '../../shared/domain/uscc.js';
import { parseCsv } from '../../shared/import/csv.js';
import type { ImportIssue } from '../../shared/import/parse.js';
import { rejectionSummary, renderErrorReport, runImport } from '../../shared/import/run.js';
import { TARGET_HEADER, csvOf } from './generate.js';

const issues: ImportIssue[] = [
  { row: 1, column: '信用风险分类', value: '', reason: '缺少必填列“信用风险分类”' },
  { row: 3, column: '名称', value: '甲,乙"丙"', reason: '示例原因' },
  { row: 4, column: '联系电话', value: '=HYPERLINK("http://x")', reason: '公式' },
  { row: 0, column: '', value: '', reason: '文件为空' },
];

describe('renderErrorReport', () => {
  it('csv: UTF-8 BOM, columns 行号,列,值,原因, values escaped, formulas neutralised', () => {
    const out = renderErrorReport(issues, 'csv');
    expect(out.startsWith('\ufeff行号,列,值,原因\r\n')).toBe(true);
    expect(parseCsv(out)).toEqual([
      ['行号', '列', '值', '原因'],
      ['1', '信用风险分类', '', '缺少必填列“信用风险分类”'],
      ['3', '名称', '甲,乙"丙"', '示例原因'],
      ['4', '联系电话', `'=HYPERLINK("http://x")`, '公式'],
      ['', '', '', '文件为空'],
    ]);
  });

  it('text: one line per problem', () => {
    expect(renderErrorReport(issues, 'text').split('\n')).toEqual([
      '第 1 行【信用风险分类】：缺少必填列“信用风险分类”',
      '第 3 行【名称】“甲,乙"丙"”：示例原因',
      '第 4 行【联系电话】“=HYPERLINK("http://x")”：公式',
      '文件：文件为空',
    ]);
  });

  it('summary line', () => {
    expect(rejectionSummary(4)).toBe('导入被拒绝：共 4 处错误，未写入任何数据。');
  });
});

describe('runImport refuses before touching storage', () => {
  it('a bad file returns the report without any table configured', async () => {
    const saved = process.env.TABLE_NAME;
    delete process.env.TABLE_NAME; // any storage access would throw "missing environment variable"
    try {
      const good = makeUscc(5);
      const row = (u: string, risk: string) => TARGET_HEADER.map((h) => ({ 统一社会信用代码: u, 名称: '甲', 主体类型: '企业', 辖区: '镇', 行业: '业', 信用风险分类: risk })[h] ?? '');
      const r = await runImport({ dept: 'd1', kind: 'targets', format: 'csv', body: csvOf(TARGET_HEADER, [row(good, 'A'), row(makeUscc(6), 'Z')]) });
      expect(r.ok).toBe(false);
      if (r.ok) return;
      expect(r.errors).toEqual([{ row: 3, column: '信用风险分类', value: 'Z', reason: '信用风险分类“Z”无效，应为 A、B、C、D 之一' }]);
      expect(r.summary).toBe('导入被拒绝：共 1 处错误，未写入任何数据。');
      expect(r.total).toBe(2);
      expect(r.writeMs).toBe(0);
    } finally {
      if (saved !== undefined) process.env.TABLE_NAME = saved;
    }
  });
});
