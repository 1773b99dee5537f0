import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import ExcelJS from 'exceljs';
import { IMPORT_KINDS, KINDS } from '../../shared/import/columns.js';
import { parseImport } from '../../shared/import/parse.js';
import { templateCsv, templateXlsx } from '../../shared/import/templates.js';

const file = (kind: string): Buffer =>
  readFileSync(fileURLToPath(new URL(`../../shared/import/templates/${kind}.csv`, import.meta.url)));

describe.each(IMPORT_KINDS)('%s template', (kind) => {
  it('the shipped CSV is what templateCsv generates (UTF-8 with BOM)', () => {
    const shipped = file(kind);
    expect([...shipped.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    // If this fails, regenerate: write templateCsv(kind) to shared/import/templates/<kind>.csv.
    expect(shipped.toString('utf8')).toBe(templateCsv(kind));
  });

  it('CSV: every column, example rows that import without errors or warnings', async () => {
    const r = await parseImport(kind, file(kind), { dept: 'd1' });
    expect(r.ok ? r.warnings : r.errors).toEqual([]);
    expect(r.ok && r.records.length).toBeGreaterThan(0);
    const header = file(kind).toString('utf8').slice(1).split('\r\n')[0]!.split(',');
    expect(header).toEqual(KINDS[kind].columns.map((c) => c.header));
  });

  it('XLSX: imports as is; header notes list required/optional and allowed values; drop-downs', async () => {
    const body = await templateXlsx(kind);
    const r = await parseImport(kind, body, { dept: 'd1' });
    expect(r.ok ? r.warnings : r.errors).toEqual([]);
    const csv = await parseImport(kind, file(kind), { dept: 'd1' });
    expect(r.ok && csv.ok && r.records).toEqual(csv.ok && csv.records);

    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(body as unknown as Parameters<typeof wb.xlsx.load>[0]);
    const ws = wb.worksheets[0]!;
    expect(wb.worksheets.map((w) => w.name)[1]).toBe('填写说明');
    KINDS[kind].columns.forEach((c, i) => {
      const cell = ws.getRow(1).getCell(i + 1);
      expect(cell.value).toBe(c.header);
      const note = typeof cell.note === 'string' ? cell.note : (cell.note?.texts ?? []).map((t) => t.text).join('');
      expect(note.startsWith(c.required ? '必填' : '选填')).toBe(true);
      if (c.allowed) {
        expect(note).toContain(`可选值：${c.allowed.join('、')}`);
        expect(ws.getRow(100).getCell(i + 1).dataValidation).toMatchObject({ type: 'list', formulae: [`"${c.allowed.join(',')}"`] });
      }
    });
  });
});
