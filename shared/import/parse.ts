/**
 * Parse and validate an import file. Pure: bytes in, records or a complete error report out.
 *
 * Every row is validated and every problem is collected (never stop at the first), so one round
 * trip gives the user the whole list to fix. Row numbers are the ones a spreadsheet shows: the
 * header is row 1, the first data row is row 2, and blank rows still count.
 */
import ExcelJS from 'exceljs';
import type { z } from 'zod';
import { Expert, InspectionItem, Inspector, Target } from '../domain/schemas.js';
import { LIMITS } from '../domain/limits.js';
import {
  KINDS,
  KIND_LABELS,
  cellText,
  columnIndex,
  normalizeHeader,
  type Cell,
  type ColumnSpec,
  type ImportKind,
} from './columns.js';
import { CsvSyntaxError, parseCsv } from './csv.js';

export interface ImportIssue {
  /** Spreadsheet row number (header = 1); 0 for a problem with the file as a whole. */
  row: number;
  /** Chinese column header ('' when the problem is not about one column). */
  column: string;
  /** The cell as written ('' when not about one cell). */
  value: string;
  /** What is wrong and how to fix it, in Chinese. */
  reason: string;
}

export type ImportFormat = 'csv' | 'xlsx';

export interface RecordOf {
  targets: Target;
  inspectors: Inspector;
  items: InspectionItem;
  experts: Expert;
}

export type ParseResult<K extends ImportKind = ImportKind> =
  | { ok: true; kind: K; records: RecordOf[K][]; /** Spreadsheet row of each record. */ recordRows: number[]; warnings: ImportIssue[]; rows: number; format?: ImportFormat; encoding?: string }
  | { ok: false; kind: K; errors: ImportIssue[]; warnings: ImportIssue[]; rows: number; format?: ImportFormat; encoding?: string };

export interface ParseOptions {
  /** Department from the URL; set on every record (a file cannot choose its department). */
  dept: string;
  /** Largest accepted file in bytes (default 64 MiB). */
  maxBytes?: number;
  /** Most data rows accepted in one file (default 200,000). */
  maxRows?: number;
}

export const DEFAULT_MAX_BYTES = 64 * 1024 * 1024;
export const DEFAULT_MAX_ROWS = LIMITS.importRows;

const SCHEMAS: { [K in ImportKind]: z.ZodType<RecordOf[K]> } = {
  targets: Target,
  inspectors: Inspector,
  items: InspectionItem,
  experts: Expert,
};

/** A sheet before validation: header cells (row 1) and data rows with their row numbers. */
export interface RawSheet {
  header: (Cell | undefined)[];
  rows: { row: number; cells: (Cell | undefined)[] }[];
  encoding?: string;
}

type Read = { ok: true; sheet: RawSheet } | { ok: false; error: ImportIssue };

const fileError = (reason: string, row = 0): ImportIssue => ({ row, column: '', value: '', reason });

// ---------------------------------------------------------------- format and encoding

/** XLSX is a zip (PK\x03\x04); Excel 97–2003 .xls is an OLE compound file. */
export function sniffFormat(body: Uint8Array, filename?: string): ImportFormat | 'xls' | undefined {
  if (body.length >= 4 && body[0] === 0x50 && body[1] === 0x4b && body[2] === 0x03 && body[3] === 0x04) return 'xlsx';
  if (body.length >= 4 && body[0] === 0xd0 && body[1] === 0xcf && body[2] === 0x11 && body[3] === 0xe0) return 'xls';
  const ext = filename?.toLowerCase().match(/\.([a-z0-9]+)$/)?.[1];
  if (ext === 'xlsx') return 'xlsx';
  if (ext === 'xls') return 'xls';
  if (ext === 'csv' || ext === 'txt') return 'csv';
  return undefined;
}

/**
 * Decode CSV bytes: UTF-8 (with or without BOM), UTF-16 with BOM (Excel's "Unicode text"), or
 * GB18030/GBK (what Excel on Chinese Windows writes for "CSV (逗号分隔)"). A file that is valid
 * UTF-8 is taken as UTF-8: GBK text is almost never valid UTF-8, while the reverse guess would
 * silently garble every UTF-8 file.
 */
export function decodeText(body: Uint8Array): { text: string; encoding: string } | { error: string } {
  if (body.length >= 3 && body[0] === 0xef && body[1] === 0xbb && body[2] === 0xbf) {
    return { text: new TextDecoder('utf-8').decode(body.subarray(3)), encoding: 'utf-8' };
  }
  if (body.length >= 2 && body[0] === 0xff && body[1] === 0xfe) {
    return { text: new TextDecoder('utf-16le').decode(body.subarray(2)), encoding: 'utf-16le' };
  }
  if (body.length >= 2 && body[0] === 0xfe && body[1] === 0xff) {
    return { text: new TextDecoder('utf-16be').decode(body.subarray(2)), encoding: 'utf-16be' };
  }
  try {
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(body), encoding: 'utf-8' };
  } catch {
    /* not UTF-8: try GB18030 (a superset of GBK and GB2312) */
  }
  try {
    return { text: new TextDecoder('gb18030', { fatal: true }).decode(body), encoding: 'gb18030' };
  } catch {
    return { error: '无法识别文件编码：请在 Excel 中“另存为”CSV UTF-8（逗号分隔）或 .xlsx 后重新导入' };
  }
}

/** The delimiter used by the header line: comma unless tabs or semicolons clearly dominate. */
function detectDelimiter(text: string): string {
  const end = text.indexOf('\n');
  const line = end < 0 ? text : text.slice(0, end);
  let commas = 0;
  let tabs = 0;
  let semis = 0;
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line.charCodeAt(i);
    if (c === 34) quoted = !quoted;
    else if (quoted) continue;
    else if (c === 44) commas++;
    else if (c === 9) tabs++;
    else if (c === 59) semis++;
  }
  if (tabs > commas && tabs >= semis) return '\t';
  if (semis > commas && semis > tabs) return ';';
  return ',';
}

const CSV_ERRORS: Record<CsvSyntaxError['code'], string> = {
  'unclosed-quote': '引号没有闭合：从该行开始的某个值以英文双引号开头，但没有结尾的双引号',
  'text-after-quote': '引号使用不正确：结尾的英文双引号后面还有字符（值中的双引号应写成两个双引号 ""）',
};

// ---------------------------------------------------------------- readers

export function readCsv(body: Uint8Array): Read {
  const decoded = decodeText(body);
  if ('error' in decoded) return { ok: false, error: fileError(decoded.error) };
  const text = decoded.text;
  if (text.trim() === '') return { ok: false, error: fileError('文件为空') };
  let records: string[][];
  try {
    records = parseCsv(text, detectDelimiter(text));
  } catch (e) {
    if (!(e instanceof CsvSyntaxError)) throw e;
    return { ok: false, error: fileError(`CSV 格式错误：${CSV_ERRORS[e.code]}`, e.row) };
  }
  // One record per spreadsheet row (blank rows included), so index + 1 is the row number.
  const header = records[0] ?? [];
  const rows: RawSheet['rows'] = [];
  for (let i = 1; i < records.length; i++) rows.push({ row: i + 1, cells: records[i]! });
  return { ok: true, sheet: { header, rows, encoding: decoded.encoding } };
}

type XCell = ExcelJS.CellValue;

function fromExcel(v: XCell): Cell | undefined {
  if (v === null || v === undefined) return undefined;
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' || v instanceof Date) return v;
  if ('richText' in v) return v.richText.map((r) => r.text).join('');
  if ('hyperlink' in v) {
    const t = (v as ExcelJS.CellHyperlinkValue).text as unknown;
    // A hyperlink cell's text can itself be rich text.
    if (t && typeof t === 'object' && 'richText' in (t as object)) return fromExcel(t as XCell);
    return typeof t === 'string' ? t : String(t ?? '');
  }
  if ('formula' in v || 'sharedFormula' in v) return fromExcel((v as ExcelJS.CellFormulaValue).result as XCell);
  if ('error' in v) return String(v.error);
  return undefined;
}

export async function readXlsx(body: Uint8Array): Promise<Read> {
  const wb = new ExcelJS.Workbook();
  try {
    const buf = Buffer.isBuffer(body) ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
    // exceljs declares its own Buffer type; a Node Buffer is what it reads.
    await wb.xlsx.load(buf as unknown as Parameters<typeof wb.xlsx.load>[0]);
  } catch {
    return { ok: false, error: fileError('无法读取 XLSX 文件：文件已损坏，或不是 Excel 2007 及以上版本的 .xlsx 文件') };
  }
  const ws = wb.worksheets[0];
  if (!ws) return { ok: false, error: fileError('文件为空：工作簿中没有工作表') };
  let header: (Cell | undefined)[] = [];
  const rows: RawSheet['rows'] = [];
  ws.eachRow({ includeEmpty: false }, (row, n) => {
    const values = row.values as XCell[];
    // row.values is 1-based (index 0 unused) and sparse.
    const cells: (Cell | undefined)[] = new Array(Math.max(values.length - 1, 0));
    for (let i = 1; i < values.length; i++) cells[i - 1] = fromExcel(values[i]);
    if (n === 1) header = cells;
    else rows.push({ row: n, cells });
  });
  return { ok: true, sheet: { header, rows } };
}

// ---------------------------------------------------------------- validation

const isBlank = (c: Cell | undefined): boolean => c === undefined || (typeof c === 'string' && c.trim() === '');

const MAX_SHOWN = 200;
const shown = (c: Cell | undefined): string => {
  if (c === undefined) return '';
  const t = cellText(c);
  return t.length > MAX_SHOWN ? `${t.slice(0, MAX_SHOWN)}…` : t;
};

/** Excel column letters for a 0-based index (0 → A, 26 → AA). */
export function columnLetter(i: number): string {
  let s = '';
  for (let n = i + 1; n > 0; n = Math.floor((n - 1) / 26)) s = String.fromCharCode(65 + ((n - 1) % 26)) + s;
  return s;
}

function setPath(record: Record<string, unknown>, path: string, value: unknown): void {
  const dot = path.indexOf('.');
  if (dot < 0) {
    record[path] = value;
    return;
  }
  const head = path.slice(0, dot);
  const inner = (record[head] ??= {}) as Record<string, unknown>;
  inner[path.slice(dot + 1)] = value;
}

/** Field path of a zod issue as a column field: string segments up to the first index. */
function issueField(path: readonly PropertyKey[]): string {
  const parts: string[] = [];
  for (const p of path) {
    if (typeof p !== 'string') break;
    parts.push(p);
  }
  return parts.join('.');
}

/** Validate a read sheet. Exposed for tests and for callers that read rows themselves. */
export function validateSheet<K extends ImportKind>(kind: K, sheet: RawSheet, opts: ParseOptions): ParseResult<K> {
  const spec = KINDS[kind];
  const errors: ImportIssue[] = [];
  const warnings: ImportIssue[] = [];
  const maxRows = opts.maxRows ?? DEFAULT_MAX_ROWS;
  const dataRows = sheet.rows.filter((r) => !r.cells.every(isBlank));
  const base = { kind, rows: dataRows.length, ...(sheet.encoding ? { encoding: sheet.encoding } : {}) };

  if (sheet.header.every(isBlank)) {
    if (dataRows.length === 0) return { ok: false, ...base, errors: [fileError('文件为空')], warnings };
    return { ok: false, ...base, errors: [fileError('第 1 行应为表头，但它是空行', 1)], warnings };
  }
  if (dataRows.length > maxRows) {
    return {
      ok: false,
      ...base,
      errors: [fileError(`文件过大：共 ${dataRows.length} 行数据，单次最多导入 ${maxRows} 行，请拆分为多个文件`)],
      warnings,
    };
  }

  // Header → columns.
  const byHeader = columnIndex(kind);
  const mapped: { index: number; col: ColumnSpec }[] = [];
  const seen = new Map<ColumnSpec, number>();
  for (let i = 0; i < sheet.header.length; i++) {
    const h = sheet.header[i];
    if (isBlank(h)) continue;
    const text = cellText(h!).trim();
    const col = byHeader.get(normalizeHeader(text).toUpperCase());
    if (!col) {
      warnings.push({ row: 1, column: text, value: '', reason: `未识别的列“${text}”（第 ${columnLetter(i)} 列），已忽略` });
      continue;
    }
    const prev = seen.get(col);
    if (prev !== undefined) {
      errors.push({
        row: 1,
        column: col.header,
        value: text,
        reason: `列“${col.header}”重复：第 ${columnLetter(prev)} 列和第 ${columnLetter(i)} 列都是该列，请删除其中一列`,
      });
      continue;
    }
    seen.set(col, i);
    mapped.push({ index: i, col });
  }
  const missing = spec.columns.filter((c) => c.required && !seen.has(c));
  if (mapped.length === 0) {
    errors.push(
      fileError(
        `第 1 行没有可识别的表头：${KIND_LABELS[kind]}的导入文件应包含列 ${spec.columns
          .filter((c) => c.required)
          .map((c) => c.header)
          .join('、')}（可下载导入模板）`,
        1,
      ),
    );
    return { ok: false, ...base, errors, warnings };
  }
  for (const c of missing) {
    errors.push({ row: 1, column: c.header, value: '', reason: `缺少必填列“${c.header}”：${c.note}` });
  }
  if (dataRows.length === 0) {
    errors.push(fileError('文件没有数据行：第 1 行是表头，请从第 2 行开始填写'));
    return { ok: false, ...base, errors, warnings };
  }

  const headerWidth = sheet.header.length;
  const absentDefaults = spec.columns.filter((c) => !seen.has(c) && c.default !== undefined);
  const missingFields = new Set(missing.map((c) => c.field));
  const byField = new Map(spec.columns.map((c) => [c.field, c]));
  const keyCol = byField.get(spec.keyField)!;
  const firstRowOfKey = new Map<string, number>();
  const schema = SCHEMAS[kind];
  const records: RecordOf[K][] = [];
  const recordRows: number[] = [];

  for (const { row, cells } of dataRows) {
    if (cells.length > headerWidth) {
      let extra = 0;
      for (let i = headerWidth; i < cells.length; i++) if (!isBlank(cells[i])) extra++;
      if (extra > 0) {
        errors.push({
          row,
          column: '',
          value: '',
          reason: `该行有 ${extra} 个值位于表头之外（第 ${columnLetter(headerWidth - 1)} 列之后），可能是某个值中含有未加引号的逗号`,
        });
        continue;
      }
    }
    const record: Record<string, unknown> = { department: opts.dept };
    const failed = new Set<string>();
    const rowStart = errors.length;
    for (const { index, col } of mapped) {
      const cell = cells[index];
      if (isBlank(cell)) {
        if (col.required) {
          errors.push({ row, column: col.header, value: '', reason: `${col.header}为必填项，不能为空` });
          failed.add(col.field);
        } else if (col.default !== undefined) setPath(record, col.field, col.default);
        continue;
      }
      const r = col.parse(cell!);
      if (r.ok) setPath(record, col.field, r.value);
      else {
        errors.push({ row, column: col.header, value: shown(cell), reason: r.reason });
        failed.add(col.field);
      }
    }
    for (const c of absentDefaults) setPath(record, c.field, c.default);

    const key = failed.has(spec.keyField) ? undefined : spec.keyOf(record);
    if (key !== undefined) {
      const first = firstRowOfKey.get(key);
      if (first === undefined) firstRowOfKey.set(key, row);
      else {
        errors.push({
          row,
          column: keyCol.header,
          value: key,
          reason: `${keyCol.header}“${key}”重复：第 ${first} 行和第 ${row} 行相同，同一文件中每个${keyCol.header}只能出现一次`,
        });
      }
    }

    const parsed = schema.safeParse(record);
    if (parsed.success) {
      if (errors.length === rowStart) {
        records.push(parsed.data);
        recordRows.push(row);
      }
      continue;
    }
    const reported = new Set<string>();
    for (const issue of parsed.error.issues) {
      const field = issueField(issue.path);
      if (failed.has(field) || missingFields.has(field)) continue;
      const col = byField.get(field);
      const dedupe = `${field}\u0000${issue.message}`;
      if (reported.has(dedupe)) continue;
      reported.add(dedupe);
      const at = col ? mapped.find((m) => m.col === col) : undefined;
      errors.push({
        row,
        column: col?.header ?? field,
        value: at ? shown(cells[at.index]) : '',
        reason: issue.message,
      });
    }
  }

  if (errors.length) return { ok: false, ...base, errors, warnings };
  return { ok: true, ...base, records, recordRows, warnings };
}

/**
 * Parse an upload: detect the format (content wins over the declared one: a zip is XLSX),
 * read the rows, validate all of them.
 */
export async function parseImport<K extends ImportKind>(
  kind: K,
  body: Uint8Array,
  opts: ParseOptions & { format?: ImportFormat; filename?: string },
): Promise<ParseResult<K>> {
  const maxBytes = opts.maxBytes ?? DEFAULT_MAX_BYTES;
  const fail = (e: ImportIssue, format?: ImportFormat): ParseResult<K> => ({
    ok: false,
    kind,
    errors: [e],
    warnings: [],
    rows: 0,
    ...(format ? { format } : {}),
  });
  if (body.length === 0) return fail(fileError('文件为空'));
  if (body.length > maxBytes) {
    const mb = (n: number): string => (n / 1024 / 1024).toFixed(1);
    return fail(fileError(`文件过大：${mb(body.length)} MB，单次最多 ${mb(maxBytes)} MB，请拆分为多个文件`));
  }
  const sniffed = sniffFormat(body, opts.filename);
  if (sniffed === 'xls') {
    return fail(fileError('不支持 Excel 97–2003 的 .xls 文件：请在 Excel 中“另存为” .xlsx 或 CSV UTF-8 后重新导入'));
  }
  const format: ImportFormat = sniffed === 'xlsx' ? 'xlsx' : (opts.format ?? sniffed ?? 'csv');
  const read = format === 'xlsx' ? await readXlsx(body) : readCsv(body);
  if (!read.ok) return fail(read.error, format);
  const result = validateSheet(kind, read.sheet, opts);
  return { ...result, format };
}
