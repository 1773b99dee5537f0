/**
 * Asynchronous import runs (`DEPT#<dept>` / `IMPORT#<id>`): one item per uploaded file, holding
 * the run's state, its write cursor and its outcome. shared/import/job.ts drives it; every change
 * of state is a conditional update, so two invocations of the same run (an asynchronous Lambda
 * event is delivered at least once) never both write.
 */
import { K } from './keys.js';
import { getItem, isConditionFailure, putItem, queryUpTo, updateItem, type Item } from './base.js';

/**
 *  uploading  created, waiting for the file (presigned upload) and the client's start
 *  queued     started: the import function was invoked and has not claimed the run yet
 *  running    an invocation holds the lease: validating the whole file, then writing
 *  done       every row written (created/updated/unchanged counts)
 *  rejected   validation found problems: nothing was written; `errors` holds the report
 *  failed     the file could not be read, changed after validation, or the run kept failing
 */
export type ImportRunStatus = 'uploading' | 'queued' | 'running' | 'done' | 'rejected' | 'failed';

/** One problem of a rejected file (the same shape as shared/import/parse.ts's ImportIssue). */
export interface RunIssue {
  row: number;
  column: string;
  value: string;
  reason: string;
}

export interface RunCounts {
  created: number;
  updated: number;
  unchanged: number;
}

export interface ImportRun extends RunCounts {
  id: string;
  dept: string;
  kind: string;
  filename: string;
  /** The uploaded file's key in the blob store (imports/…). */
  blobKey: string;
  status: ImportRunStatus;
  createdBy: string;
  createdAt: string;
  updatedAt: string;
  /** Until when the presigned upload is accepted. */
  uploadExpiresAt: string;
  /** SHA-256 of the validated file: a later invocation writes only from the same bytes. */
  sha256?: string;
  /** Records in the file (after validation). */
  total?: number;
  /** Records (in file order) whose writes are done: the next invocation starts here. */
  cursor: number;
  /**
   * The chunk being written: its start and its counts, recorded before its first write, so an
   * invocation that resumes it reports what the chunk changed rather than "unchanged" for rows
   * the interrupted invocation had already written.
   */
  pending?: RunCounts & { cursor: number };
  /** Invocations that claimed the run (1 for an uninterrupted run). */
  attempt: number;
  /** The claiming invocation works until then; after it another invocation may take over. */
  leaseUntil?: string;
  /** Rejected: the first problems (all of them are in the report blob), and how many there are. */
  errors?: RunIssue[];
  errorCount?: number;
  warnings?: RunIssue[];
  /** Rejected: the complete report (JSON array of issues) in the blob store. */
  reportKey?: string;
  /** Chinese one-line outcome (done, rejected, failed). */
  summary?: string;
  parseMs?: number;
  writeMs?: number;
  finishedAt?: string;
}

type RunItem = Item & ImportRun & { entity: 'import'; ttl: number };

/** Run records expire with the uploaded file (infra/data-stack.ts: imports/ kept 180 days). */
const KEEP_DAYS = 180;

const strip = (i: RunItem): ImportRun => {
  const { pk: _pk, sk: _sk, entity: _e, ttl: _t, ...run } = i;
  return run;
};

export async function createImportRun(run: ImportRun): Promise<void> {
  const ttl = Math.floor(Date.parse(run.createdAt) / 1000) + KEEP_DAYS * 86_400;
  await putItem({ ...K.importRecord(run.dept, run.id), entity: 'import', ttl, ...run } satisfies RunItem, { expr: 'attribute_not_exists(pk)' });
}

export async function getImportRun(dept: string, id: string): Promise<ImportRun | undefined> {
  const i = await getItem<RunItem>(K.importRecord(dept, id), true);
  return i ? strip(i) : undefined;
}

/** The department's runs, newest first. */
export async function listImportRuns(dept: string, limit = 20): Promise<ImportRun[]> {
  const r = await queryUpTo<RunItem>({ pk: K.department(dept).pk, skPrefix: 'IMPORT#', forward: false }, 200);
  return r.items
    .map(strip)
    .sort((a, b) => b.createdAt.localeCompare(a.createdAt))
    .slice(0, limit);
}

/** Conditional update of a run; false when the condition failed (someone else moved it on). */
async function move(dept: string, id: string, set: Partial<ImportRun>, condition: string, values: Record<string, unknown>, remove: string[] = []): Promise<ImportRun | undefined> {
  try {
    const i = await updateItem<RunItem>(K.importRecord(dept, id), {
      set: set as Record<string, unknown>,
      ...(remove.length ? { remove } : {}),
      condition: `attribute_exists(pk) AND ${condition}`,
      // DynamoDB refuses a placeholder the expressions do not use.
      names: Object.fromEntries(Object.entries({ '#status': 'status', '#attempt': 'attempt', '#lease': 'leaseUntil' }).filter(([k]) => condition.includes(k))),
      values,
    });
    return strip(i);
  } catch (e) {
    if (isConditionFailure(e)) return undefined;
    throw e;
  }
}

/** uploading → queued (the client's start); undefined when the run is not waiting for it. */
export function queueImportRun(dept: string, id: string, at: string): Promise<ImportRun | undefined> {
  return move(dept, id, { status: 'queued', updatedAt: at }, '#status = :uploading', { ':uploading': 'uploading' });
}

/**
 * Claim the run for one invocation until `leaseUntil`: a queued run, or a running one whose last
 * invocation's lease has passed (it timed out or crashed). Undefined when another invocation holds
 * it or the run is finished.
 */
export function claimImportRun(dept: string, id: string, at: string, leaseUntil: string, attempt: number): Promise<ImportRun | undefined> {
  return move(
    dept,
    id,
    { status: 'running', updatedAt: at, leaseUntil, attempt: attempt + 1 },
    '#attempt = :attempt AND (#status = :queued OR (#status = :running AND #lease < :at))',
    { ':queued': 'queued', ':running': 'running', ':at': at, ':attempt': attempt },
  );
}

/** Changes by the invocation that holds the claim `attempt`; false when it lost the claim. */
export async function updateClaimedRun(dept: string, id: string, attempt: number, set: Partial<ImportRun>, remove: (keyof ImportRun)[] = []): Promise<ImportRun | undefined> {
  return move(dept, id, set, '#status = :running AND #attempt = :attempt', { ':running': 'running', ':attempt': attempt }, remove);
}
