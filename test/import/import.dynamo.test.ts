/**
 * Bulk import against DynamoDB Local with the table from the synthesized template: a file with
 * mistakes writes nothing, a repeated import changes nothing, a changed row is one update.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import ExcelJS from 'exceljs';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { startTestStack, type TestStack } from '../helpers/local-aws.js';
import { ddb, tableName } from '../../shared/store/db.js';
import { readPool, upsertTargets } from '../../shared/store/registry.js';
import { makeUscc, validateUscc } from '../../shared/domain/uscc.js';
import { KINDS } from '../../shared/import/columns.js';
import { parseImport } from '../../shared/import/parse.js';
import { renderErrorReport, runImport, type ImportOutcome } from '../../shared/import/run.js';
import { templateCsv } from '../../shared/import/templates.js';
import { TARGET_HEADER, csvOf, targetsCsv } from './generate.js';

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(async () => {
  await stack?.stop();
});

type Row = Record<string, unknown>;

/** Every item of the table, sorted: the strongest "nothing changed" check there is. */
async function scanTable(): Promise<Row[]> {
  const out: Row[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const r = await ddb().send(new ScanCommand({ TableName: tableName(), ConsistentRead: true, ...(start ? { ExclusiveStartKey: start } : {}) }));
    out.push(...((r.Items ?? []) as Row[]));
    start = r.LastEvaluatedKey;
  } while (start);
  const key = (i: Row): string => `${String(i.pk)}\u0000${String(i.sk)}`;
  return out.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

const POOL_ATTRS = ['uscc', 'name', 'kind', 'jurisdiction', 'industry', 'tags', 'riskClass', 'isKey', 'status', 'contact', 'hash'];
async function pool(dept: string): Promise<Row[]> {
  return (await readPool<Row>(dept, POOL_ATTRS)).sort((a, b) => String(a.uscc).localeCompare(String(b.uscc)));
}

function ok(r: ImportOutcome): Extract<ImportOutcome, { ok: true }> {
  if (!r.ok) throw new Error(`import rejected: ${renderErrorReport(r.errors, 'text')}`);
  return r;
}

describe('targets', () => {
  const DEPT = 'zjj';
  const N = 200;
  const good = targetsCsv(N, 11);

  it('a good import creates every target; the same import again reports all unchanged and changes no item', async () => {
    const first = ok(await runImport({ dept: DEPT, kind: 'targets', format: 'csv', body: good, filename: 'targets.csv' }));
    expect(first).toMatchObject({ created: N, updated: 0, unchanged: 0, total: N });
    expect(first.summary).toBe(`导入完成（检查对象名录库）：共 ${N} 条，新增 ${N} 条，更新 0 条，未变化 0 条。`);
    expect(await pool(DEPT)).toHaveLength(N);

    const before = await scanTable();
    const again = ok(await runImport({ dept: DEPT, kind: 'targets', format: 'csv', body: good }));
    expect(again).toMatchObject({ created: 0, updated: 0, unchanged: N, total: N });
    expect(await scanTable()).toEqual(before);
  });

  it('the same data as XLSX is also all unchanged', async () => {
    const rows = (await parseImport('targets', good, { dept: DEPT })) as { ok: true; records: unknown[] };
    expect(rows.ok).toBe(true);
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('对象');
    const text = good.toString('utf8').slice(1).trimEnd().split('\r\n');
    for (const line of text) ws.addRow(line.split(','));
    const body = Buffer.from((await wb.xlsx.writeBuffer()) as ArrayBuffer);
    const before = await scanTable();
    const r = ok(await runImport({ dept: DEPT, kind: 'targets', format: 'xlsx', body }));
    expect(r).toMatchObject({ created: 0, updated: 0, unchanged: N });
    expect(await scanTable()).toEqual(before);
  });

  it('a modified row reports exactly one update and changes exactly that item', async () => {
    let changedUscc = '';
    const modified = targetsCsv(N, 11, (i, row) => {
      if (i === 123) {
        row[TARGET_HEADER.indexOf('信用风险分类')] = row[TARGET_HEADER.indexOf('信用风险分类')] === 'D' ? 'C' : 'D';
        changedUscc = row[0]!;
      }
    });
    const before = await scanTable();
    const r = ok(await runImport({ dept: DEPT, kind: 'targets', format: 'csv', body: modified }));
    expect(r).toMatchObject({ created: 0, updated: 1, unchanged: N - 1, total: N });
    const after = await scanTable();
    expect(after).toHaveLength(before.length);
    const diff = after.filter((item, i) => JSON.stringify(item) !== JSON.stringify(before[i]));
    expect(diff.map((d) => d.uscc)).toEqual([changedUscc]);
  });

  it('a file with mistakes yields the full Chinese report and leaves the table unchanged', async () => {
    // Header without 行业 (required); otherwise a mix of changed, new and broken rows, so a
    // partial write would show.
    const header = TARGET_HEADER.filter((h) => h !== '行业');
    const keep = (row: string[]): string[] => row.filter((_, i) => TARGET_HEADER[i] !== '行业');
    const lines = targetsCsv(6, 11).toString('utf8').slice(1).trimEnd().split('\r\n').slice(1).map((l) => keep(l.split(',')));
    const risk = header.indexOf('信用风险分类');
    lines[0]![risk] = lines[0]![risk] === 'A' ? 'B' : 'A'; // a valid change to an existing target
    const fresh = makeUscc(900_001, { region: '130624' });
    lines.push([fresh, ...lines[1]!.slice(1)]); // a valid new target (row 8)
    const bad = lines[2]![0]!.slice(0, 17) + (lines[2]![0]!.endsWith('0') ? '1' : '0');
    lines[2]![0] = bad; // row 4: bad check digit
    lines[3]![risk] = 'E'; // row 5: unknown risk class
    lines.push([...lines[4]!]); // row 9: duplicate of row 6
    const body = csvOf(header, lines);

    const beforeTable = await scanTable();
    const beforePool = await pool(DEPT);
    const r = await runImport({ dept: DEPT, kind: 'targets', format: 'csv', body, filename: '对象-有错误.csv' });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    const checkReason = (validateUscc(bad) as { reason: string }).reason;
    expect(r.errors).toEqual([
      { row: 1, column: '行业', value: '', reason: '缺少必填列“行业”：所属行业' },
      { row: 4, column: '统一社会信用代码', value: bad, reason: checkReason },
      { row: 5, column: '信用风险分类', value: 'E', reason: '信用风险分类“E”无效，应为 A、B、C、D 之一' },
      {
        row: 9,
        column: '统一社会信用代码',
        value: lines[4]![0],
        reason: `统一社会信用代码“${lines[4]![0]}”重复：第 6 行和第 9 行相同，同一文件中每个统一社会信用代码只能出现一次`,
      },
    ]);
    expect(checkReason).toMatch(/^第 18 位校验码错误：应为“.”，实际为“.”$/);
    expect(r.summary).toBe('导入被拒绝：共 4 处错误，未写入任何数据。');
    expect(renderErrorReport(r.errors, 'csv').split('\r\n').slice(0, 3)).toEqual([
      '\ufeff行号,列,值,原因',
      '1,行业,,缺少必填列“行业”：所属行业',
      `4,统一社会信用代码,${bad},${checkReason}`,
    ]);
    expect(await pool(DEPT)).toEqual(beforePool);
    expect(await scanTable()).toEqual(beforeTable);
  });

  it('an import interrupted mid-write is completed by re-running the same file', async () => {
    const dept = 'resume';
    const body = targetsCsv(120, 5);
    const parsed = await parseImport('targets', body, { dept });
    if (!parsed.ok) throw new Error('fixture must be valid');
    // The first 70 records reached the table before the process died.
    await upsertTargets(dept, parsed.records.slice(0, 70));
    const r = ok(await runImport({ dept, kind: 'targets', format: 'csv', body }));
    expect(r).toMatchObject({ created: 50, updated: 0, unchanged: 70, total: 120 });
    expect(await pool(dept)).toHaveLength(120);
  });
});

describe('inspectors, items and experts', () => {
  const DEPT = 'zjj2';

  it('templates import; re-import is all unchanged; mistakes write nothing', async () => {
    for (const kind of ['inspectors', 'items', 'experts'] as const) {
      const body = Buffer.from(templateCsv(kind), 'utf8');
      const first = ok(await runImport({ dept: DEPT, kind, format: 'csv', body }));
      expect(first.created).toBe(first.total);
      const before = await scanTable();
      const again = ok(await runImport({ dept: DEPT, kind, format: 'csv', body }));
      expect(again).toMatchObject({ created: 0, updated: 0, unchanged: first.total });
      expect(await scanTable()).toEqual(before);
    }

    const H = KINDS.inspectors.columns.map((c) => c.header).filter((h) => h !== '电子邮箱');
    const row = (id: string, expiry: string): string[] =>
      H.map((h) => ({ 人员编号: id, 姓名: '钱八', 科室: '市场股', 辖区: '阜平镇', 执法证号: 'Z1', 执法证有效期: expiry })[h] ?? '');
    const before = await scanTable();
    const r = await runImport({ dept: DEPT, kind: 'inspectors', body: csvOf(H, [row('ZJ-001', '2027-01-01'), row('ZJ-009', '2027-13-01'), row('ZJ-001', '2027-01-01')]) });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors).toEqual([
      { row: 1, column: '电子邮箱', value: '', reason: '缺少必填列“电子邮箱”：接收抽查任务通知的邮箱' },
      { row: 3, column: '执法证有效期', value: '2027-13-01', reason: '“2027-13-01”不是有效日期（2027 年 13 月没有 1 日）' },
      { row: 4, column: '人员编号', value: 'ZJ-001', reason: '人员编号“ZJ-001”重复：第 2 行和第 4 行相同，同一文件中每个人员编号只能出现一次' },
    ]);
    expect(await scanTable()).toEqual(before);
  });
});
