/**
 * Every Lambda of Suiji in one table: its entry file, size, and exactly what it may touch.
 * The app stack creates one function per row and derives its IAM policy from the row, so a
 * grant is visible here and nowhere else. The local platform maps a function's logical id to
 * `entry` through the `suiji:entry` template metadata.
 */

import { DRAW_FUNCTION_ENV } from '../shared/draw/memory.js';

/** Key prefixes in the blob bucket (shared/blobs.ts keys). */
export const BLOB_PREFIX = {
  /** Frozen candidate pools and draw records: draws/<taskId>/<round>/{frozen,record}.json */
  draws: 'draws/',
  /** Uploaded import files kept for the record. */
  imports: 'imports/',
  /** Raw inbound mail written by the SES receipt rule. */
  inbound: 'inbound/',
} as const;
export type BlobPrefix = keyof typeof BLOB_PREFIX;

/**
 * What a function may do with the lifecycle state machine:
 *  start    states:StartExecution (launch a task)
 *  respond  states:SendTaskSuccess / SendTaskFailure (resume a human step)
 *  observe  states:DescribeExecution / GetExecutionHistory (task status)
 *  list     states:ListExecutions (the running executions, for the recovery job)
 */
export type LifecycleAccess = 'start' | 'respond' | 'observe' | 'list';

export interface FunctionSpec {
  /** Construct id (and logical id prefix) of the function. */
  readonly id: string;
  /** Handler file, relative to the repository root; it exports `handler`. */
  readonly entry: string;
  readonly memoryMb: number;
  readonly timeoutSeconds: number;
  readonly description: string;
  /** Table access. Nobody gets dynamodb:Scan: every access pattern is a key or index query. */
  readonly table: 'read' | 'readwrite';
  readonly blobs?: { readonly read?: readonly BlobPrefix[]; readonly write?: readonly BlobPrefix[] };
  readonly lifecycle?: readonly LifecycleAccess[];
  /** Sends mail: through SES (identity and configuration set only), or in aws-cn over SMTP (reads the SMTP secret). */
  readonly mail?: boolean;
  /**
   * Invoked asynchronously (Scheduler, S3, SNS): failed events go to the dead-letter queue
   * after Lambda's own retries.
   */
  readonly async?: boolean;
  /**
   * Deployed only in these partitions (infra/deployment.ts); default both. SES events and
   * SES-received mail exist only in the global partition; the IMAP poll replaces them in aws-cn.
   */
  readonly partitions?: readonly ('global' | 'china')[];
  /**
   * Functions of this table it invokes asynchronously (lambda:InvokeFunction on exactly those);
   * each one's name is in the environment as <ID>_FUNCTION, e.g. IMPORT_RUN_FUNCTION.
   */
  readonly invokes?: readonly string[];
  /** Environment variables of this function only. */
  readonly environment?: Readonly<Record<string, string>>;
}

/** The environment variable that names a function another one invokes: ImportRun → IMPORT_RUN_FUNCTION. */
export const functionEnvName = (id: string): string => `${id.replace(/([a-z])([A-Z])/g, '$1_$2').toUpperCase()}_FUNCTION`;

export const FUNCTIONS = [
  {
    id: 'Api',
    entry: 'functions/api/handler.ts',
    // Imports of 100,000-row files parse and validate in memory within API Gateway's 30 s.
    memoryMb: 2048,
    timeoutSeconds: 29,
    description: 'HTTP API: registries, plans, task lifecycle actions, e-mail links, public pages',
    table: 'readwrite',
    // imports: presigned uploads (signed with this role) and the small synchronous import
    blobs: { read: ['draws', 'imports'], write: ['imports'] },
    lifecycle: ['start', 'respond', 'observe'],
    mail: true,
    // ImportRun: large imports; JobRecover: a stored result's confirmation mail, after the answer
    invokes: ['ImportRun', 'JobRecover'],
  },
  {
    id: 'ImportRun',
    entry: 'functions/imports/run.ts',
    // A 100,000-row file (15–20 MB) is parsed and validated in memory (a few hundred MB), then
    // written; 3,008 MB gives two vCPUs. An invocation that times out is retried by Lambda and
    // continues at the run's cursor (shared/import/job.ts).
    memoryMb: 3008,
    timeoutSeconds: 900,
    description: 'Large imports: validates an uploaded file completely, then writes it in checkpointed chunks',
    table: 'readwrite',
    blobs: { read: ['imports'], write: ['imports'] },
    async: true,
  },
  {
    id: 'LifecycleValidate',
    entry: 'functions/lifecycle/validate.ts',
    memoryMb: 512,
    timeoutSeconds: 60,
    description: 'Lifecycle ValidatePlan: the task is in a published plan and passes the profile',
    table: 'readwrite',
  },
  {
    id: 'LifecycleCallback',
    entry: 'functions/lifecycle/callback.ts',
    // Entering the results stage mails every team member and marks every drawn target notified:
    // thousands of messages (SES rate-limited) and one write per target for a large task.
    memoryMb: 1024,
    timeoutSeconds: 900,
    description: 'Lifecycle human steps: stores the task token, notifies, resumes if already done',
    table: 'readwrite',
    lifecycle: ['respond'],
    mail: true,
  },
  {
    id: 'LifecycleFreeze',
    entry: 'functions/lifecycle/freeze.ts',
    // Reads and fingerprints a candidate pool of up to 10^6 targets; 3,008 MB gives two vCPUs
    // (the draw runs a helper thread on the second).
    memoryMb: 3008,
    timeoutSeconds: 900,
    description: 'Lifecycle FreezePool: freezes and fingerprints the candidate pool before the seed exists',
    // the heap kept and prefaulted at init: fresh memory costs a page fault at its first touch
    environment: DRAW_FUNCTION_ENV,
    table: 'readwrite',
    blobs: { read: ['draws'], write: ['draws'] },
  },
  {
    id: 'LifecycleDraw',
    entry: 'functions/lifecycle/draw.ts',
    memoryMb: 3008,
    timeoutSeconds: 900,
    description: 'Lifecycle RunDraw: deterministic selection and inspector matching from the revealed seed',
    environment: DRAW_FUNCTION_ENV,
    table: 'readwrite',
    blobs: { read: ['draws'], write: ['draws'] },
  },
  {
    id: 'LifecycleClose',
    entry: 'functions/lifecycle/close.ts',
    memoryMb: 1024,
    timeoutSeconds: 300,
    description: 'Lifecycle CloseTask and RecordFailure: task summary, or the failure reason on the task',
    table: 'readwrite',
    mail: true,
  },
  {
    id: 'JobDeadlines',
    entry: 'functions/jobs/deadlines.ts',
    memoryMb: 1024,
    timeoutSeconds: 900,
    description: 'Daily job: reminders and escalations for due dates (due index), one digest per person',
    table: 'readwrite',
    mail: true,
    async: true,
  },
  {
    id: 'JobReports',
    entry: 'functions/jobs/reports.ts',
    memoryMb: 1024,
    timeoutSeconds: 900,
    description: 'Daily job: monthly and quarterly reminders and leadership summaries per department profile',
    table: 'readwrite',
    mail: true,
    async: true,
  },
  {
    id: 'JobRecover',
    entry: 'functions/jobs/recover.ts',
    // Every minute; usually nothing is owed and nothing stalled (one index query, one list call).
    memoryMb: 512,
    timeoutSeconds: 300,
    description: 'Every minute: owed confirmation mails sent, satisfied lifecycle steps resumed, from stored state; invoked by the API for one confirmation',
    table: 'readwrite',
    lifecycle: ['respond', 'list'],
    mail: true,
    async: true,
  },
  {
    id: 'MailInbound',
    entry: 'functions/mail/inbound.ts',
    memoryMb: 1024,
    timeoutSeconds: 120,
    description: 'Inbound mail: results by reply from the addressed inspector, answered with a confirmation',
    table: 'readwrite',
    blobs: { read: ['inbound'] },
    // Entering the last result by reply completes the results stage (resumeIfDone).
    lifecycle: ['respond'],
    mail: true,
    async: true,
    partitions: ['global'],
  },
  {
    id: 'MailImapPoll',
    entry: 'functions/mail/imap-poll.ts',
    // At most MAIL_IMAP_MAX_PER_POLL (200) messages per poll, each authenticated (DNS look-ups)
    // and answered by SMTP: well within 5 minutes; the next poll takes what is left.
    memoryMb: 1024,
    timeoutSeconds: 300,
    description: 'Reply mailbox over IMAP (aws-cn): results by reply and bounces (DSN), like SES-received mail',
    table: 'readwrite',
    lifecycle: ['respond'],
    mail: true,
    async: true,
    partitions: ['china'],
  },
  {
    id: 'MailEvents',
    entry: 'functions/mail/events.ts',
    memoryMb: 256,
    timeoutSeconds: 60,
    description: 'SES bounce/complaint/delay/reject events: suppress the address, tell the coordinator',
    table: 'readwrite',
    mail: true,
    async: true,
    partitions: ['global'],
  },
] as const satisfies readonly FunctionSpec[];

export type FunctionId = (typeof FUNCTIONS)[number]['id'];

/** The functions deployed in a partition. */
export function functionsFor(partition: 'global' | 'china'): readonly FunctionSpec[] {
  return (FUNCTIONS as readonly FunctionSpec[]).filter((f) => !f.partitions || f.partitions.includes(partition));
}
