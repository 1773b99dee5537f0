/**
 * All-or-nothing bulk import into the registries.
 *
 * Why every row is validated before the first write: DynamoDB cannot write 100,000 items in one
 * transaction (TransactWriteItems takes at most 100), so "nothing is written if anything is wrong"
 * cannot come from a rollback. It comes from order: the whole file is parsed and validated in
 * memory first (parse.ts), and the registry is only touched once there is not a single error.
 * A rejected file therefore leaves the table exactly as it was, and the user gets the complete
 * row-by-row report in one go.
 *
 * What happens if the process dies (or DynamoDB keeps throttling) in the middle of the writes:
 * the batches already written stay written. Each write is a full put of one record that passed
 * validation, so the table holds old and new versions of valid records, never a broken one.
 * Re-running the same file completes the import: the upsert compares content hashes, so rows that
 * already reached the table count as `unchanged` and only the missing ones are written. The same
 * property makes a repeated import of an unchanged file a no-op.
 */
import { inspectorIdsTaken, inspectorIdTakenMessage, upsertRegistry, type UpsertSummary } from '../store/registry.js';
import { KINDS, KIND_LABELS, type ImportKind } from './columns.js';
import { parseImport, type ImportFormat, type ImportIssue, type RecordOf } from './parse.js';
import { DomainError } from '../domain/errors.js';

export interface ImportRequest {
  /** Department from the URL; the file cannot choose it. */
  dept: string;
  kind: ImportKind;
  /** Declared format; the content decides when it is unambiguous (an XLSX is a zip). */
  format?: ImportFormat;
  body: Buffer;
  filename?: string;
  maxBytes?: number;
  maxRows?: number;
}

export interface ImportTimings {
  /** Reading and validating the file. */
  parseMs: number;
  /** Reading stored hashes and writing changed rows. */
  writeMs: number;
}

export type ImportOutcome =
  | ({
      ok: true;
      kind: ImportKind;
      /** Records in the file. */
      total: number;
      /** Wall time of the whole import, ms. */
      ms: number;
      warnings: ImportIssue[];
      summary: string;
    } & UpsertSummary &
      ImportTimings)
  | ({
      ok: false;
      kind: ImportKind;
      /** Data rows in the file (0 if it could not be read). */
      total: number;
      ms: number;
      errors: ImportIssue[];
      warnings: ImportIssue[];
      summary: string;
    } & ImportTimings);

/** Thrown when writing fails after validation passed; re-importing the same file completes it. */
export class ImportWriteError extends DomainError {
  constructor(cause: unknown) {
    super('unavailable', '写入过程中断，部分记录可能已写入。请重新导入同一文件：已写入的记录会被识别为未变化，其余记录会补齐。', {
      reason: 'ImportInterrupted',
      cause,
    });
    this.name = 'ImportWriteError';
  }
}

export type Rejection = Extract<ImportOutcome, { ok: false }>;

/** A file that passed every check: its records (in file order) with their spreadsheet rows. */
export interface Validated {
  ok: true;
  kind: ImportKind;
  records: RecordOf[ImportKind][];
  recordRows: number[];
  warnings: ImportIssue[];
  parseMs: number;
}

/**
 * Every check of an import, no write: the file's rows (parse.ts) and, for inspectors, ids another
 * department uses. Both the synchronous import and the asynchronous import run (job.ts) call it.
 */
export async function validateImport(req: ImportRequest): Promise<Validated | Rejection> {
  const t0 = performance.now();
  const parsed = await parseImport(req.kind, req.body, {
    dept: req.dept,
    ...(req.format ? { format: req.format } : {}),
    ...(req.filename ? { filename: req.filename } : {}),
    ...(req.maxBytes ? { maxBytes: req.maxBytes } : {}),
    ...(req.maxRows ? { maxRows: req.maxRows } : {}),
  });
  const reject = (errors: ImportIssue[], warnings: ImportIssue[], rows: number): Rejection => {
    const parseMs = Math.round(performance.now() - t0);
    return { ok: false, kind: req.kind, total: rows, errors, warnings, summary: rejectionSummary(errors.length), parseMs, writeMs: 0, ms: parseMs };
  };
  if (!parsed.ok) return reject(parsed.errors, parsed.warnings, parsed.rows);
  // An inspector id another department uses is a row error like any other (identity.ts).
  if (req.kind === 'inspectors') {
    const rowOf = new Map(parsed.records.map((r, k) => [(r as RecordOf['inspectors']).id, parsed.recordRows[k]!]));
    const taken = await inspectorIdsTaken(req.dept, [...rowOf.keys()]);
    if (taken.length) {
      const errors = taken
        .map((t) => ({ row: rowOf.get(t.id)!, column: KINDS.inspectors.columns.find((c) => c.field === 'id')!.header, value: t.id, reason: inspectorIdTakenMessage(t) }))
        .sort((a, b) => a.row - b.row);
      return reject(errors, parsed.warnings, parsed.rows);
    }
  }
  return { ok: true, kind: req.kind, records: parsed.records, recordRows: parsed.recordRows, warnings: parsed.warnings, parseMs: Math.round(performance.now() - t0) };
}

/** The synchronous import (POST /departments/{dept}/imports/{kind}): validate everything, then write. */
export async function runImport(req: ImportRequest): Promise<ImportOutcome> {
  const t0 = performance.now();
  const v = await validateImport(req);
  if (!v.ok) return v;
  const t1 = performance.now();
  // No write happens above this line.
  let result: UpsertSummary;
  try {
    result = await upsertRegistry(req.kind, req.dept, v.records);
  } catch (e) {
    throw new ImportWriteError(e);
  }
  const t2 = performance.now();
  const total = v.records.length;
  return {
    ok: true,
    kind: req.kind,
    total,
    ...result,
    warnings: v.warnings,
    summary: successSummary(req.kind, total, result, v.warnings.length),
    parseMs: v.parseMs,
    writeMs: Math.round(t2 - t1),
    ms: Math.round(t2 - t0),
  };
}

export function rejectionSummary(errorCount: number): string {
  return `导入被拒绝：共 ${errorCount} 处错误，未写入任何数据。`;
}

export function successSummary(kind: ImportKind, total: number, r: UpsertSummary, warnings = 0): string {
  const tail = warnings ? `另有 ${warnings} 条提示（如未识别的列），请查看。` : '';
  return `导入完成（${KIND_LABELS[kind]}）：共 ${total} 条，新增 ${r.created} 条，更新 ${r.updated} 条，未变化 ${r.unchanged} 条。${tail}`;
}

function csvField(s: string): string {
  // Leading = + - @ would make Excel evaluate the cell as a formula (CSV injection): prefix a quote.
  const safe = /^[=+\-@\t\r]/.test(s) ? `'${s}` : s;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

const rowLabel = (row: number): string => (row > 0 ? String(row) : '');

/**
 * The report a user fixes the file from. 'csv': UTF-8 with BOM (Excel opens it without garbling
 * Chinese), columns 行号, 列, 值, 原因, CRLF line ends. 'text': one line per problem.
 */
export function renderErrorReport(errors: readonly ImportIssue[], format: 'csv' | 'text'): string {
  if (format === 'csv') {
    const lines = ['行号,列,值,原因'];
    for (const e of errors) lines.push([rowLabel(e.row), e.column, e.value, e.reason].map(csvField).join(','));
    return '\ufeff' + lines.join('\r\n') + '\r\n';
  }
  return errors
    .map((e) => {
      const where = e.row > 0 ? `第 ${e.row} 行` : '文件';
      const col = e.column ? `【${e.column}】` : '';
      const val = e.value ? `“${e.value}”` : '';
      return `${where}${col}${val}：${e.reason}`;
    })
    .join('\n');
}
