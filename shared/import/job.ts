/**
 * Large imports: the file goes straight to the blob store through a presigned upload, and an
 * asynchronous run of the import function validates and writes it (docs/ARCHITECTURE.md,
 * "Large imports"). A 100,000-row file (15–20 MB) is more than API Gateway (10 MB) or a
 * synchronous Lambda payload (6 MB) carries.
 *
 *   client                       API (functions/api/routes/imports.ts)      import function (functions/imports/run.ts)
 *   POST …/uploads {filename} →  run record `uploading`, presigned PUT URL
 *   PUT <url> (the file)      →  S3 (locally: the blob folder)
 *   POST …/uploads/{id}/start →  `queued`, invokes the import function asynchronously →  claims the run, validates
 *                                                                                         EVERY row, then writes in
 *                                                                                         chunks with a cursor
 *   GET  …/uploads/{id}       ←  status, counts, the Chinese error report (first rows; ?report=csv all)
 *
 * All or nothing, for any size: nothing is written until the whole file has passed every check
 * (a bad row at row 99,999 writes nothing). Once it has, the run records the file's SHA-256 and
 * writes records in file order, CHUNK at a time; after each chunk the cursor moves on
 * (conditional on the claim). An invocation that dies — Lambda's timeout, a crash — leaves the
 * run `running` with a lease that ends with the invocation's deadline: Lambda's retry of the
 * asynchronous event, or the client's start repeated on a stalled run, claims it and continues
 * at the cursor from the same bytes. Writes are full puts compared by content hash, so a chunk
 * redone after an interruption writes only the rows the interrupted invocation had not written:
 * every row is written once.
 */
import { createHash, randomUUID } from 'node:crypto';
import { basename } from 'node:path';
import { now } from '../clock.js';
import { blobSize, getBlob, presignUpload, putBlob, type PresignedUpload } from '../blobs.js';
import { invokeAsync } from '../lambda/invoke.js';
import { conflict, invalid, notFound } from '../domain/errors.js';
import {
  claimImportRun,
  createImportRun,
  getImportRun,
  queueImportRun,
  updateClaimedRun,
  type ImportRun,
  type RunCounts,
} from '../store/imports.js';
import { applyUpsert, planUpsert, registryHashes, type UpsertPlan } from '../store/registry.js';
import { KIND_LABELS, type ImportKind } from './columns.js';
import { DEFAULT_MAX_BYTES, type ImportIssue } from './parse.js';
import { rejectionSummary, renderErrorReport, successSummary, validateImport } from './run.js';

/** How long a presigned upload URL is valid. */
export const UPLOAD_SECONDS = 15 * 60;
/** Records written between two checkpoints of the cursor. */
export const CHUNK = 5_000;
/** Problems kept on the run record (the rest are in the report blob); 200 × ~300 bytes stays far below DynamoDB's 400 KB item. */
export const ERRORS_KEPT = 200;
/** Invocations a run may take (each up to the function's 15 minutes) before it is given up. */
export const MAX_ATTEMPTS = 6;

const uploadKey = (dept: string, id: string): string => `imports/${dept}/${id}/upload`;
const reportKey = (dept: string, id: string): string => `imports/${dept}/${id}/errors.json`;

export interface NewUpload {
  dept: string;
  kind: ImportKind;
  filename: string;
  /** Declared size in bytes, checked before any upload. */
  size?: number;
  by: string;
}

export async function createUpload(u: NewUpload): Promise<{ run: ImportRunView; upload: PresignedUpload }> {
  if (u.size !== undefined && u.size > DEFAULT_MAX_BYTES) {
    throw invalid(`文件过大：${mb(u.size)} MB，单次最多 ${mb(DEFAULT_MAX_BYTES)} MB，请拆分为多个文件`);
  }
  const filename = basename(u.filename.replace(/\\/g, '/')).slice(0, 200) || 'upload';
  if (!/\.(csv|txt|xlsx)$/i.test(filename)) throw invalid(`文件“${filename}”不是 CSV 或 XLSX 文件：请上传 .csv 或 .xlsx 文件`);
  const at = now();
  const id = randomUUID();
  const upload = await presignUpload(uploadKey(u.dept, id), UPLOAD_SECONDS, at);
  const run: ImportRun = {
    id,
    dept: u.dept,
    kind: u.kind,
    filename,
    blobKey: uploadKey(u.dept, id),
    status: 'uploading',
    createdBy: u.by,
    createdAt: at.toISOString(),
    updatedAt: at.toISOString(),
    uploadExpiresAt: upload.expiresAt,
    cursor: 0,
    created: 0,
    updated: 0,
    unchanged: 0,
    attempt: 0,
  };
  await createImportRun(run);
  return { run: viewOf(run), upload };
}

/** What the client sees of a run: its state, counts, and for a rejected file the first problems. */
export interface ImportRunView {
  id: string;
  kind: string;
  filename: string;
  status: ImportRun['status'];
  /** Running, but the last invocation's lease has passed: starting it again continues it. */
  stalled: boolean;
  total?: number;
  /** Records written or found unchanged so far. */
  done: number;
  created: number;
  updated: number;
  unchanged: number;
  errors?: ImportIssue[];
  errorCount?: number;
  warnings?: ImportIssue[];
  /** Rejected: the first problems as text lines (the whole report: ?report=csv). */
  report?: string;
  summary?: string;
  /** Reading and validating the file; writing (ms). */
  parseMs?: number;
  writeMs?: number;
  createdAt: string;
  updatedAt: string;
  finishedAt?: string;
}

export function viewOf(run: ImportRun, at: Date = now()): ImportRunView {
  return {
    id: run.id,
    kind: run.kind,
    filename: run.filename,
    status: run.status,
    stalled: run.status === 'running' && !!run.leaseUntil && run.leaseUntil < at.toISOString(),
    ...(run.total !== undefined ? { total: run.total } : {}),
    done: run.cursor,
    created: run.created,
    updated: run.updated,
    unchanged: run.unchanged,
    ...(run.errors ? { errors: run.errors, errorCount: run.errorCount ?? run.errors.length, report: renderErrorReport(run.errors, 'text') } : {}),
    ...(run.warnings?.length ? { warnings: run.warnings } : {}),
    ...(run.summary ? { summary: run.summary } : {}),
    ...(run.parseMs !== undefined ? { parseMs: run.parseMs } : {}),
    ...(run.writeMs !== undefined ? { writeMs: run.writeMs } : {}),
    createdAt: run.createdAt,
    updatedAt: run.updatedAt,
    ...(run.finishedAt ? { finishedAt: run.finishedAt } : {}),
  };
}

async function runOf(dept: string, kind: ImportKind, id: string): Promise<ImportRun> {
  const run = /^[0-9a-f-]{36}$/.test(id) ? await getImportRun(dept, id) : undefined;
  if (!run || run.kind !== kind) throw notFound(`导入任务 ${id}`);
  return run;
}

export async function importRunStatus(dept: string, kind: ImportKind, id: string): Promise<ImportRunView> {
  return viewOf(await runOf(dept, kind, id));
}

/** The complete error report of a rejected run (every problem, not only the first ERRORS_KEPT). */
export async function importRunReport(dept: string, kind: ImportKind, id: string): Promise<{ errors: ImportIssue[]; filename: string }> {
  const run = await runOf(dept, kind, id);
  if (run.status !== 'rejected' || !run.reportKey) throw conflict('该导入没有错误报告：只有被拒绝的导入才有');
  const blob = await getBlob(run.reportKey);
  const errors = blob ? (JSON.parse(blob.toString('utf8')) as ImportIssue[]) : (run.errors ?? []);
  return { errors, filename: `导入错误报告-${KIND_LABELS[kind]}.csv` };
}

/**
 * The client's start, after its upload: the run is queued and the import function invoked
 * asynchronously. Repeating it is harmless — a queued run or a stalled one (its invocation died
 * and Lambda's retries are used up) is invoked again and continues where it was; a finished run
 * is returned as it is.
 */
export async function startImport(dept: string, kind: ImportKind, id: string, functionName: string): Promise<ImportRunView> {
  let run = await runOf(dept, kind, id);
  const at = now();
  if (run.status === 'uploading') {
    const size = await blobSize(run.blobKey);
    if (size === undefined) {
      if (run.uploadExpiresAt < at.toISOString()) throw conflict('上传链接已过期且未收到文件：请重新选择文件导入');
      throw invalid('尚未收到上传的文件：请先将文件上传到返回的地址，再开始导入');
    }
    run = (await queueImportRun(dept, id, at.toISOString())) ?? (await runOf(dept, kind, id));
  }
  const view = viewOf(run, at);
  if (run.status === 'queued' || view.stalled) await invokeAsync(functionName, { dept, id } satisfies ImportRunEvent);
  return view;
}

export interface ImportRunEvent {
  dept: string;
  id: string;
}

export interface RunOptions {
  /** Time left in this invocation (Lambda's context); the lease ends with it. */
  remainingMs?: () => number;
  /**
   * Writes a chunk's plan. Default: applyUpsert. Tests wrap it to count the rows written and to
   * stop an invocation in the middle of a chunk, as a timeout would.
   */
  write?: (plan: UpsertPlan, index: Map<string, string | undefined>) => Promise<void>;
}

export type RunResult = 'done' | 'rejected' | 'failed' | 'busy' | 'missing';

/**
 * One invocation of the import function for a run: claim it, validate the whole file, write from
 * the cursor. Returns what became of the run ('busy': another invocation holds it or it is
 * finished). An error thrown here (DynamoDB, S3) leaves the claim to expire: Lambda retries the
 * event and the retry continues at the cursor.
 */
export async function executeImportRun(ev: ImportRunEvent, opts: RunOptions = {}): Promise<RunResult> {
  const found = await getImportRun(ev.dept, ev.id);
  if (!found) return 'missing';
  const started = now();
  const leaseUntil = new Date(started.getTime() + (opts.remainingMs?.() ?? 15 * 60_000)).toISOString();
  const run = await claimImportRun(ev.dept, ev.id, started.toISOString(), leaseUntil, found.attempt);
  if (!run) return 'busy';
  const { dept, id, attempt } = run;
  const kind = run.kind as ImportKind;
  const set = async (fields: Partial<ImportRun>, remove: (keyof ImportRun)[] = []): Promise<ImportRun> => {
    const r = await updateClaimedRun(dept, id, attempt, { ...fields, updatedAt: now().toISOString() }, remove);
    // Another invocation took the run over (this one outlived its lease): stop, it continues.
    if (!r) throw new ImportRunTakenOver(id);
    return r;
  };
  const finish = async (status: 'done' | 'rejected' | 'failed', fields: Partial<ImportRun>): Promise<RunResult> => {
    await set({ ...fields, status, finishedAt: now().toISOString() }, ['leaseUntil', 'pending']);
    return status;
  };
  if (attempt > MAX_ATTEMPTS) {
    return finish('failed', { summary: `导入多次中断（${MAX_ATTEMPTS} 次），已停止：已写入 ${run.cursor} 条有效记录。请重新导入同一文件，已写入的记录会被识别为未变化。` });
  }

  // --- validate: the whole file, before any write
  const size = await blobSize(run.blobKey);
  if (size === undefined) return finish('failed', { summary: '未找到上传的文件：上传可能未完成或已过期，请重新导入。' });
  if (size > DEFAULT_MAX_BYTES) {
    return reject(finish, dept, id, [{ row: 0, column: '', value: '', reason: `文件过大：${mb(size)} MB，单次最多 ${mb(DEFAULT_MAX_BYTES)} MB，请拆分为多个文件` }], [], 0);
  }
  const body = (await getBlob(run.blobKey))!;
  const sha256 = createHash('sha256').update(body).digest('hex');
  if (run.sha256 && run.sha256 !== sha256) {
    // The presigned URL was used again after the start: never write from other bytes than those validated.
    return finish('failed', { summary: `上传的文件在导入过程中被替换，已停止：已写入 ${run.cursor} 条有效记录。请重新导入。` });
  }
  const v = await validateImport({ dept, kind, body, filename: run.filename });
  if (!v.ok) return reject(finish, dept, id, v.errors, v.warnings, v.total, v.parseMs);
  const total = v.records.length;
  if (!run.sha256) await set({ sha256, total, parseMs: v.parseMs, ...(v.warnings.length ? { warnings: v.warnings.slice(0, 50) } : {}) });

  // --- write: chunk by chunk from the cursor, each chunk's counts recorded before its first write
  const t0 = performance.now();
  const index = await registryHashes(kind, dept);
  const write = opts.write ?? applyUpsert;
  let cursor = run.cursor;
  const counts: RunCounts = { created: run.created, updated: run.updated, unchanged: run.unchanged };
  while (cursor < total) {
    const end = Math.min(cursor + CHUNK, total);
    const plan = await planUpsert(kind, dept, v.records.slice(cursor, end), index);
    // A chunk an earlier invocation began: what it planned is what the chunk changes.
    const chunk: RunCounts = run.pending?.cursor === cursor ? run.pending : { created: plan.created, updated: plan.updated, unchanged: plan.unchanged };
    if (run.pending?.cursor !== cursor) await set({ pending: { cursor, ...chunk } });
    await write(plan, index);
    counts.created += chunk.created;
    counts.updated += chunk.updated;
    counts.unchanged += chunk.unchanged;
    cursor = end;
    await set({ cursor, ...counts }, ['pending']);
  }
  return finish('done', {
    writeMs: (run.writeMs ?? 0) + Math.round(performance.now() - t0),
    summary: successSummary(kind, total, counts, v.warnings.length),
  });
}

async function reject(
  finish: (s: 'rejected', f: Partial<ImportRun>) => Promise<RunResult>,
  dept: string,
  id: string,
  errors: ImportIssue[],
  warnings: ImportIssue[],
  total: number,
  parseMs = 0,
): Promise<RunResult> {
  await putBlob(reportKey(dept, id), JSON.stringify(errors), 'application/json');
  return finish('rejected', {
    total,
    parseMs,
    errors: errors.slice(0, ERRORS_KEPT),
    errorCount: errors.length,
    warnings: warnings.slice(0, 50),
    reportKey: reportKey(dept, id),
    summary: rejectionSummary(errors.length),
  });
}

/** This invocation lost its claim (it outlived its lease and another took over). */
export class ImportRunTakenOver extends Error {
  constructor(id: string) {
    super(`import run ${id} was taken over by another invocation`);
    this.name = 'ImportRunTakenOver';
  }
}

const mb = (n: number): string => (n / 1024 / 1024).toFixed(1);

/** Text of a rejected run's complete report as CSV (UTF-8 with BOM, opens in Excel). */
export const reportCsv = (errors: ImportIssue[]): Buffer => Buffer.from(renderErrorReport(errors, 'csv'));
