/**
 * Bulk import (CSV/XLSX with Chinese headers), all-or-nothing: a file with any bad row writes
 * nothing and gets the full row-by-row report; a repeated file changes nothing.
 *
 * Two ways in: the synchronous POST for files API Gateway carries (up to 10 MB: a few tens of
 * thousands of rows), kept for scripts; and the large import — a presigned upload, then an
 * asynchronous run polled for its status (shared/import/job.ts) — which the console and the CLI
 * use for every file.
 */
import { z } from 'zod';
import { isImportKind, KIND_LABELS } from '../../../shared/import/columns.js';
import { renderErrorReport, runImport } from '../../../shared/import/run.js';
import { createUpload, importRunReport, importRunStatus, reportCsv, startImport } from '../../../shared/import/job.js';
import { templateCsv, templateXlsx } from '../../../shared/import/templates.js';
import { parseJson, requirePrincipal, type Request, type RouteHandler } from '../../../shared/http/core.js';
import { invalid } from '../../../shared/domain/errors.js';

const UploadBody = z.object({
  filename: z.string().trim().min(1).max(255),
  size: z.number().int().nonnegative().optional(),
});

/** The import function's name (infra/functions.ts: the API invokes ImportRun). */
const importFunction = (): string => {
  const name = process.env.IMPORT_RUN_FUNCTION;
  if (!name) throw new Error('IMPORT_RUN_FUNCTION is not set');
  return name;
};

const REPLACEMENT = Buffer.from('\uFFFD', 'utf8');

function kindOf(req: Request) {
  const kind = req.params.kind ?? '';
  if (!isImportKind(kind)) throw invalid(`不支持的导入类型「${kind}」，应为 targets、inspectors、items、experts 之一`);
  return kind;
}

export const importRoutes: Record<string, RouteHandler> = {
  'POST /departments/{dept}/imports/{kind}': async (req) => {
    const kind = kindOf(req);
    if (!req.body.length) throw invalid('请上传 CSV 或 XLSX 文件');
    const type = req.headers['content-type'] ?? '';
    // A file is bytes: sent as text (text/csv), API Gateway hands the body over as a UTF-8
    // string, and a GBK or UTF-16 file arrives with its characters already replaced by U+FFFD.
    if (!req.event.isBase64Encoded && /^text\//i.test(type) && req.body.includes(REPLACEMENT)) {
      throw invalid('文件以文本方式上传，其中非 UTF-8 的内容（如 GBK 编码）在传输中已损坏：请以二进制方式（Content-Type: application/octet-stream）上传文件');
    }
    const format = type.includes('spreadsheetml') ? 'xlsx' : type.includes('csv') ? 'csv' : undefined;
    // A write interrupted after validation is an ImportWriteError (503 ImportInterrupted).
    const r = await runImport({ dept: req.params.dept!, kind, body: req.body, ...(format ? { format } : {}), ...(req.query.filename ? { filename: req.query.filename } : {}) });
    if (!r.ok) {
      if (req.query.report === 'csv') {
        return { status: 422, binary: { data: Buffer.from(renderErrorReport(r.errors, 'csv')), contentType: 'text/csv; charset=utf-8', filename: `导入错误报告-${KIND_LABELS[kind]}.csv` } };
      }
      return { status: 422, json: { error: 'ImportRejected', message: r.summary, errors: r.errors, warnings: r.warnings, report: renderErrorReport(r.errors, 'text') } };
    }
    return { json: r };
  },

  'POST /departments/{dept}/imports/{kind}/uploads': async (req) => {
    const kind = kindOf(req);
    const b = parseJson(req, UploadBody);
    const r = await createUpload({ dept: req.params.dept!, kind, filename: b.filename, ...(b.size !== undefined ? { size: b.size } : {}), by: requirePrincipal(req).email });
    return { status: 201, json: r };
  },

  'POST /departments/{dept}/imports/{kind}/uploads/{importId}/start': async (req) => {
    const kind = kindOf(req);
    return { status: 202, json: await startImport(req.params.dept!, kind, req.params.importId!, importFunction()) };
  },

  'GET /departments/{dept}/imports/{kind}/uploads/{importId}': async (req) => {
    const kind = kindOf(req);
    if (req.query.report === 'csv') {
      const r = await importRunReport(req.params.dept!, kind, req.params.importId!);
      return { binary: { data: reportCsv(r.errors), contentType: 'text/csv; charset=utf-8', filename: r.filename } };
    }
    return { json: await importRunStatus(req.params.dept!, kind, req.params.importId!), headers: { 'cache-control': 'no-store' } };
  },

  'GET /departments/{dept}/imports/{kind}/template': async (req) => {
    const kind = kindOf(req);
    if (req.query.format === 'csv') {
      return { binary: { data: Buffer.from(templateCsv(kind)), contentType: 'text/csv; charset=utf-8', filename: `${KIND_LABELS[kind]}导入模板.csv` } };
    }
    return {
      binary: { data: await templateXlsx(kind), contentType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', filename: `${KIND_LABELS[kind]}导入模板.xlsx` },
    };
  },
};
