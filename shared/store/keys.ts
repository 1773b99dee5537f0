/**
 * Key builders for every entity in the single table. docs/ARCHITECTURE.md lists the access
 * pattern each key or index serves; change both together.
 */
import { createHash } from 'node:crypto';
import { POOL_SHARDS } from './table.js';

export const pad = (n: number, w = 4): string => String(n).padStart(w, '0');

/** Stable shard of a target in its department pool (spreads a large pool over POOL_SHARDS keys). */
export function poolShard(uscc: string): number {
  return createHash('sha1').update(uscc).digest().readUInt16BE(0) % POOL_SHARDS;
}

export const K = {
  // department and its registries (small per department: one item collection)
  department: (d: string) => ({ pk: `DEPT#${d}`, sk: 'META' }),
  departmentsIndex: () => 'DEPTS',
  profile: (d: string) => ({ pk: `DEPT#${d}`, sk: 'PROFILE' }),
  tag: (d: string, kind: string, tag: string) => ({ pk: `DEPT#${d}`, sk: `TAG#${kind}#${tag}` }),
  item: (d: string, id: string) => ({ pk: `DEPT#${d}`, sk: `ITEM#${id}` }),
  inspector: (d: string, id: string) => ({ pk: `DEPT#${d}`, sk: `INSP#${id}` }),
  expert: (d: string, id: string) => ({ pk: `DEPT#${d}`, sk: `EXPERT#${id}` }),
  emailLookup: (email: string) => `EMAIL#${email.toLowerCase()}`,
  importRecord: (d: string, id: string) => ({ pk: `DEPT#${d}`, sk: `IMPORT#${id}` }),
  /** Active enterprises at the end of a year: the base of the annual coverage KPI. */
  enterpriseBase: (d: string, year: number) => ({ pk: `DEPT#${d}`, sk: `BASE#${year}` }),

  // targets: one item per partition key, listed through the sharded pool index (gsi1)
  target: (d: string, uscc: string) => ({ pk: `TGT#${d}#${uscc}`, sk: 'TGT' }),
  poolPk: (d: string, shard: number) => `POOL#${d}#${pad(shard, 2)}`,
  poolSk: (jurisdiction: string, uscc: string) => `${jurisdiction}#${uscc}`,

  // plans: META holds the current pointer; V#nnnn every version (history)
  plan: (planId: string) => ({ pk: `PLAN#${planId}`, sk: 'META' }),
  planVersion: (planId: string, v: number) => ({ pk: `PLAN#${planId}`, sk: `V#${pad(v)}` }),
  plansOfDept: (d: string) => `DEPT#${d}#PLANS`,
  /** Where a task id is declared (task id → plan), written when a plan version is stored. */
  taskDecl: (taskId: string) => ({ pk: `TASKDECL#${taskId}`, sk: 'DECL' }),

  // task runtime: everything of one task lives in its item collection
  task: (t: string) => ({ pk: `TASK#${t}`, sk: 'META' }),
  tasksOfDept: (d: string) => `DEPT#${d}#TASKS`,
  /** A partner department's entry of a cross-department task (its reports count the task too). */
  partnerTask: (t: string, d: string) => ({ pk: `TASK#${t}`, sk: `PARTNER#${d}` }),
  partnerTasksOfDept: (d: string) => `DEPT#${d}#PARTNER-TASKS`,
  /** A late launch's request and decision (before the task record exists). */
  lateLaunch: (t: string) => ({ pk: `TASK#${t}`, sk: 'LATE' }),
  token: (t: string, stage: string) => ({ pk: `TASK#${t}`, sk: `TOKEN#${stage}` }),
  progress: (t: string, uscc: string) => ({ pk: `TASK#${t}`, sk: `TGT#${uscc}` }),
  progressPrefix: 'TGT#',
  seat: (t: string, inspectorId: string, uscc: string) => ({ pk: `TASK#${t}`, sk: `SEAT#${inspectorId}#${uscc}` }),
  seatsOfInspector: (who: { department: string; id: string }) => `INSPECTOR#${who.department}#${who.id}`,
  /** Seats written before members were qualified by department. */
  legacySeatsOfInspector: (inspectorId: string) => `INSPECTOR#${inspectorId}`,
  /** Which department an inspector id belongs to (ids are unique across departments). */
  inspectorId: (id: string) => ({ pk: `INSPID#${id}`, sk: 'INSPID' }),
  followUp: (t: string, uscc: string, fid: string) => ({ pk: `TASK#${t}`, sk: `FU#${uscc}#${fid}` }),
  deadline: (t: string, kind: string, ref: string) => ({ pk: `TASK#${t}`, sk: `DL#${kind}#${ref}` }),
  /** Due index: open deadlines filed under the day the daily job next looks at them. */
  duePk: (date: string) => `DUE#${date}`,
  dueSk: (kind: string, t: string, ref: string) => `${kind}#${t}#${ref}`,
  draw: (t: string, n: number) => ({ pk: `TASK#${t}`, sk: `DRAW#${pad(n, 3)}` }),
  ceremony: (t: string, round: number) => ({ pk: `TASK#${t}`, sk: `CEREMONY#${pad(round, 3)}` }),
  audit: (t: string, at: string, id: string) => ({ pk: `TASK#${t}`, sk: `AUDIT#${at}#${id}` }),

  // a department's chain of v2 draw rounds (docs/DRAW.md §17): the head and one entry per round
  chainHead: (d: string) => ({ pk: `CHAIN#${d}`, sk: 'HEAD' }),
  chainRound: (d: string, n: number) => ({ pk: `CHAIN#${d}`, sk: `ROUND#${pad(n, 6)}` }),
  chainRoundPrefix: 'ROUND#',

  // publication (一公开)
  published: (t: string, uscc: string) => ({ pk: `PUB#${t}`, sk: `R#${uscc}` }),
  publishedOfDept: (d: string) => `DEPT#${d}#PUB`,
  /** A joint task's published result in a partner department's index (the record itself is `published`). */
  publishedForPartner: (t: string, d: string, uscc: string) => ({ pk: `PUB#${t}`, sk: `D#${d}#${uscc}` }),

  // e-mail links, mail log, idempotency
  link: (id: string) => ({ pk: `LINK#${id}`, sk: 'LINK' }),
  linkKey: (key: string) => ({ pk: `LINKKEY#${key}`, sk: 'LINKKEY' }),
  mailLog: (key: string) => ({ pk: `MAIL#${key}`, sk: 'MAIL' }),
  idempotency: (key: string) => ({ pk: `IDEM#${key}`, sk: 'IDEM' }),
  /** A scheduled job's own state (e.g. the deadline job's last completed day). */
  jobState: (job: string) => ({ pk: `JOB#${job}`, sk: 'STATE' }),
  /** A mail owed because of a stored state (the confirmation of a result version), until sent. */
  outbox: (t: string, uscc: string, version: number) => ({ pk: `TASK#${t}`, sk: `OUTBOX#${uscc}#v${pad(version, 4)}` }),
  /** The owed mails by the time they became owed (in the sparse due index, beside DUE#<date>). */
  outboxIndex: () => 'OUTBOX',
} as const;
