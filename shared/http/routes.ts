/**
 * Every HTTP route of Suiji, who may call it and why. The API Lambda routes from this list, the
 * CDK app creates exactly these API Gateway routes from it, and the dispatcher authorizes every
 * signed-in request from its `allow` column in ONE place (`shared/http/access.ts`): this table IS
 * the allow matrix of docs/SECURITY.md (generated from it; a test keeps the two equal, and
 * test/security/access.test.ts walks every route through every kind of caller).
 *
 * auth:
 *   'jwt'    Cognito user pool JWT (the pool requires MFA; locally: a dev sign-in token with the
 *            same claims). `allow` names, per role, how the caller must relate to what the path
 *            names; a role not listed is refused. A signed-in inspector must still be registered
 *            and active in his department (a sign-in outlives a deactivation otherwise).
 *   'link'   no JWT: the caller holds a short opaque e-mail link id, resolved server-side to one
 *            inspector (department, id) or leader and re-checked on every use; single-use where it
 *            acts (GET only shows a page; POST acts). No act with legal weight is ever a link.
 *   'public' no JWT: published information (一公开) anyone may read.
 *   'local'  only on the local platform (never deployed): dev sign-in and the raw-MIME inbound
 *            endpoint that stands in for SES receipt rules.
 *
 * Adding a route: add its row here with `auth` and, for 'jwt', `allow` — per role the weakest
 * relation that suffices (see `Relation`; a relation the path cannot express, e.g. "team" on a
 * path without {taskId} and {uscc}, is refused by a test), and `legal: true` when it approves,
 * publishes or closes something on record. Do not re-check role or department in the handler or
 * the use case: `access.ts` has done it before the handler runs (a missing resource still answers
 * 404 from the handler). Then run `npm run docs:matrix` (rewrites the table in docs/SECURITY.md)
 * and give the route a probe in test/security/access.test.ts if its path has a new parameter.
 */
export type Role = 'coordinator' | 'inspector' | 'leader' | 'public';
export type StaffRole = Exclude<Role, 'public'>;
export type AuthMode = 'jwt' | 'link' | 'public' | 'local';
export type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';

/**
 * How a caller must relate to what the route names:
 *   anyone      any signed-in staff member of the role (what he reads is his own, e.g. /me)
 *   department  `{dept}` is the caller's department
 *   plan        the annual plan `{planId}` is the caller's department's
 *   task        the task `{taskId}` is the caller's department's (the department that runs it;
 *               before launch, the department whose published plan declares it)
 *   partner     the caller's department takes part in the task `{taskId}`: the department that
 *               runs it, a joint department, or one whose inspectors the task draws
 *   team        the caller is on the team of `{uscc}` in `{taskId}`, as (department, id)
 */
export type Relation = 'anyone' | 'department' | 'plan' | 'task' | 'partner' | 'team';
export type Allow = Readonly<Partial<Record<StaffRole, Relation>>>;

export interface RouteSpec {
  readonly method: Method;
  readonly path: string;
  readonly auth: AuthMode;
  /** jwt routes: who may call it (a jwt route without `allow` is refused to everyone). */
  readonly allow?: Allow;
  /**
   * An act with legal weight (approval, publication, closing the ceremony): only ever a jwt
   * route — a signed-in session, MFA in AWS —, never an e-mail link.
   */
  readonly legal?: true;
  readonly summary: string;
}

const all = (r: Relation): Allow => ({ coordinator: r, leader: r, inspector: r });
const C = (r: Relation): Allow => ({ coordinator: r });
const CL = (r: Relation): Allow => ({ coordinator: r, leader: r });
const L = (r: Relation): Allow => ({ leader: r });
/** Coordinators of the running department, inspectors on the target's team (谁检查、谁录入). */
const CT: Allow = { coordinator: 'task', inspector: 'team' };

export const ROUTES: readonly RouteSpec[] = [
  // --- identity
  { method: 'POST', path: '/auth/dev-login', auth: 'local', summary: 'Local sign-in: issues a token with the same claims as Cognito' },
  { method: 'GET', path: '/auth/dev-staff', auth: 'local', summary: 'Local sign-in page: the registered staff to pick from' },
  { method: 'GET', path: '/auth/config', auth: 'public', summary: 'Which sign-in this deployment provides (cognito, oidc, builtin, local): read by the console and the CLI' },
  { method: 'GET', path: '/auth/.well-known/openid-configuration', auth: 'public', summary: 'Built-in sign-in: OIDC discovery document (the JWT authorizer reads it)' },
  { method: 'GET', path: '/auth/jwks.json', auth: 'public', summary: 'Built-in sign-in: the public signing key (JWKS)' },
  { method: 'POST', path: '/auth/sign-in', auth: 'public', summary: 'Built-in sign-in: password + TOTP → token (lockout after failures, every attempt audited)' },
  { method: 'GET', path: '/departments/{dept}/users', auth: 'jwt', allow: C('department'), summary: 'Built-in sign-in: accounts of the department' },
  { method: 'POST', path: '/departments/{dept}/users', auth: 'jwt', allow: C('department'), summary: 'Built-in sign-in: create an account (temporary password and TOTP secret, shown once)' },
  { method: 'POST', path: '/departments/{dept}/users/{email}/reset', auth: 'jwt', allow: C('department'), summary: 'Built-in sign-in: new temporary password and/or TOTP secret (shown once); unlocks' },
  { method: 'POST', path: '/departments/{dept}/users/{email}/unlock', auth: 'jwt', allow: C('department'), summary: 'Built-in sign-in: unlock an account locked by failed sign-ins (password and TOTP kept)' },
  { method: 'PUT', path: '/departments/{dept}/users/{email}/status', auth: 'jwt', allow: C('department'), summary: 'Built-in sign-in: disable or enable an account' },
  { method: 'GET', path: '/departments/{dept}/users/{email}/audit', auth: 'jwt', allow: C('department'), summary: 'Built-in sign-in: the account’s sign-in audit, newest first' },
  { method: 'GET', path: '/me', auth: 'jwt', allow: all('anyone'), summary: 'Who am I (role, department)' },
  { method: 'GET', path: '/me/assignments', auth: 'jwt', allow: { inspector: 'anyone' }, summary: "An inspector's own targets across tasks, with entry deadlines" },

  // --- department set-up: profile and tag library
  { method: 'GET', path: '/departments', auth: 'jwt', allow: all('anyone'), summary: 'List departments' },
  { method: 'GET', path: '/departments/{dept}/profile', auth: 'jwt', allow: all('department'), summary: 'Department policy profile' },
  { method: 'PUT', path: '/departments/{dept}/profile', auth: 'jwt', allow: C('department'), summary: 'Replace the policy profile (validated)' },
  { method: 'GET', path: '/departments/{dept}/tags', auth: 'jwt', allow: all('department'), summary: 'Tag library' },
  { method: 'PUT', path: '/departments/{dept}/tags/{tagKind}/{tag}', auth: 'jwt', allow: C('department'), summary: 'Add a tag to the library' },
  { method: 'DELETE', path: '/departments/{dept}/tags/{tagKind}/{tag}', auth: 'jwt', allow: C('department'), summary: 'Remove a tag from the library' },

  // --- 一单两库 + 专家库
  { method: 'GET', path: '/departments/{dept}/items', auth: 'jwt', allow: all('department'), summary: 'Inspection item list' },
  { method: 'PUT', path: '/departments/{dept}/items/{itemId}', auth: 'jwt', allow: C('department'), summary: 'Create or replace an inspection item' },
  { method: 'DELETE', path: '/departments/{dept}/items/{itemId}', auth: 'jwt', allow: C('department'), summary: 'Delete an inspection item' },
  { method: 'GET', path: '/departments/{dept}/targets', auth: 'jwt', allow: all('department'), summary: 'List targets (filters: risk, jurisdiction, industry, key, status, name contains)' },
  { method: 'GET', path: '/departments/{dept}/targets/{uscc}', auth: 'jwt', allow: all('department'), summary: 'One target' },
  { method: 'PUT', path: '/departments/{dept}/targets/{uscc}', auth: 'jwt', allow: C('department'), summary: 'Create or replace a target' },
  { method: 'DELETE', path: '/departments/{dept}/targets/{uscc}', auth: 'jwt', allow: C('department'), summary: 'Delete a target' },
  { method: 'GET', path: '/departments/{dept}/inspectors', auth: 'jwt', allow: all('department'), summary: 'List inspectors' },
  { method: 'PUT', path: '/departments/{dept}/inspectors/{inspectorId}', auth: 'jwt', allow: C('department'), summary: 'Create or replace an inspector' },
  { method: 'DELETE', path: '/departments/{dept}/inspectors/{inspectorId}', auth: 'jwt', allow: C('department'), summary: 'Delete an inspector' },
  { method: 'GET', path: '/departments/{dept}/experts', auth: 'jwt', allow: all('department'), summary: 'List experts' },
  { method: 'PUT', path: '/departments/{dept}/experts/{expertId}', auth: 'jwt', allow: C('department'), summary: 'Create or replace an expert' },
  { method: 'DELETE', path: '/departments/{dept}/experts/{expertId}', auth: 'jwt', allow: C('department'), summary: 'Delete an expert' },
  { method: 'POST', path: '/departments/{dept}/imports/{kind}', auth: 'jwt', allow: C('department'), summary: 'Bulk import (CSV/XLSX), all-or-nothing' },
  { method: 'GET', path: '/departments/{dept}/imports/{kind}/template', auth: 'jwt', allow: C('department'), summary: 'Download the import template' },
  { method: 'POST', path: '/departments/{dept}/imports/{kind}/uploads', auth: 'jwt', allow: C('department'), summary: 'Large import: a run and a presigned upload URL for the file (then PUT the file and start the run)' },
  { method: 'POST', path: '/departments/{dept}/imports/{kind}/uploads/{importId}/start', auth: 'jwt', allow: C('department'), summary: 'Start the uploaded import run (asynchronous; repeating it continues a stalled run)' },
  { method: 'GET', path: '/departments/{dept}/imports/{kind}/uploads/{importId}', auth: 'jwt', allow: C('department'), summary: 'Status of an import run, with the Chinese error report of a rejected file (?report=csv: all of it)' },

  // --- annual plans
  { method: 'GET', path: '/departments/{dept}/plans', auth: 'jwt', allow: all('department'), summary: 'Annual plans of a department' },
  { method: 'POST', path: '/departments/{dept}/plans', auth: 'jwt', allow: C('department'), summary: 'Create a draft annual plan' },
  { method: 'GET', path: '/plans/{planId}', auth: 'jwt', allow: all('plan'), summary: 'Plan with all versions' },
  { method: 'PUT', path: '/plans/{planId}/draft', auth: 'jwt', allow: C('plan'), summary: 'Replace the draft (before first publication)' },
  { method: 'POST', path: '/plans/{planId}/adjustments', auth: 'jwt', allow: C('plan'), summary: 'Propose an adjustment with a reason' },
  { method: 'POST', path: '/plans/{planId}/submit', auth: 'jwt', allow: C('plan'), summary: "Submit the draft for the leader's approval" },
  { method: 'POST', path: '/plans/{planId}/reject', auth: 'jwt', allow: L('plan'), legal: true, summary: 'Send the unpublished version back with a reason' },
  { method: 'POST', path: '/plans/{planId}/approve', auth: 'jwt', allow: L('plan'), legal: true, summary: 'Approve the pending version' },
  { method: 'POST', path: '/plans/{planId}/publish', auth: 'jwt', allow: C('plan'), legal: true, summary: 'Publish the approved version (announcement)' },

  // --- task lifecycle
  { method: 'POST', path: '/tasks/{taskId}/launch', auth: 'jwt', allow: C('task'), summary: 'Start the lifecycle execution (idempotent); refused after the draw date or window without new dates, and for a failed task (409 saying what to do)' },
  { method: 'POST', path: '/tasks/{taskId}/late-launch', auth: 'jwt', allow: C('task'), summary: 'Request a late launch of a task whose draw date or window has passed: reason and new dates (needs a leader)' },
  { method: 'POST', path: '/tasks/{taskId}/late-launch/approval', auth: 'jwt', allow: L('task'), legal: true, summary: 'Leader approves or refuses (with a reason) the requested late launch' },
  { method: 'GET', path: '/tasks/{taskId}/status', auth: 'jwt', allow: all('partner'), summary: 'Stage, counts per status, overdue, history' },
  { method: 'POST', path: '/tasks/{taskId}/approval', auth: 'jwt', allow: L('task'), legal: true, summary: "Leader decides the task plan form, a requested re-draw (subject 'redraw') or the resume of a failed task (subject 'resume', with a reason)" },
  { method: 'POST', path: '/tasks/{taskId}/ceremony/witnesses', auth: 'jwt', allow: C('task'), summary: 'Add one witness or several (named, with role and the commitment computed on their own device), before or after the freeze until registration closes' },
  { method: 'DELETE', path: '/tasks/{taskId}/ceremony/witnesses/{witnessId}', auth: 'jwt', allow: C('task'), summary: 'Remove a witness registered by mistake, while registration is open (audited)' },
  { method: 'POST', path: '/tasks/{taskId}/ceremony/freeze', auth: 'jwt', allow: C('task'), legal: true, summary: 'Freeze the pool now (v2: freeze record with system commitment and beacon round published), witness registration still open' },
  { method: 'POST', path: '/tasks/{taskId}/ceremony/close', auth: 'jwt', allow: C('task'), legal: true, summary: "Close witness registration (at least the profile's witnesses): before the freeze, the pool freezes and registration closes right after; after it, the close record is published" },
  { method: 'POST', path: '/tasks/{taskId}/ceremony/reveal', auth: 'jwt', allow: CL('task'), legal: true, summary: 'Record a witness reveal; a value that does not match the commitment is refused (400) and kept on record, and can be retried' },
  { method: 'POST', path: '/tasks/{taskId}/ceremony/index-closes', auth: 'jwt', allow: CL('task'), legal: true, summary: "Enter the closes of 上证指数 and 深证成指 on the trading day the freeze fixed (index-close beacon): two different people's entries must agree (a disagreeing one is refused with both values, kept on record)" },
  { method: 'GET', path: '/tasks/{taskId}/draw/checkcode', auth: 'jwt', allow: CL('task'), summary: "An enterprise's check code (核验码) for the public self-check, given by the department on request (?uscc=, ?round=)" },
  { method: 'GET', path: '/tasks/{taskId}/draw/inputs', auth: 'jwt', allow: CL('task'), summary: "Supervisor's full inputs of a v2 round (internal openings with salts, pseudonym mapping): re-derives the whole pool" },
  { method: 'POST', path: '/tasks/{taskId}/ceremony/abort', auth: 'jwt', allow: CL('task'), legal: true, summary: 'Abort the open ceremony (before the draw), on record; the task fails and can be resumed' },
  { method: 'POST', path: '/tasks/{taskId}/resume', auth: 'jwt', allow: C('task'), summary: "Request that a failed task resume with a new ceremony round (reason; needs a leader's approval)" },
  { method: 'POST', path: '/tasks/{taskId}/redraw', auth: 'jwt', allow: C('task'), summary: 'Request a re-draw (reason; needs leader approval)' },
  { method: 'GET', path: '/tasks/{taskId}/draw', auth: 'jwt', allow: all('partner'), summary: 'The draw record' },
  { method: 'GET', path: '/tasks/{taskId}/targets', auth: 'jwt', allow: all('partner'), summary: 'Drawn targets with progress (filter: status, comma-separated)' },
  { method: 'POST', path: '/tasks/{taskId}/targets/{uscc}/checked', auth: 'jwt', allow: CT, summary: 'Record the on-site check date' },
  { method: 'PUT', path: '/tasks/{taskId}/targets/{uscc}/result', auth: 'jwt', allow: { inspector: 'team' }, summary: 'Enter or correct the result (team members only)' },
  { method: 'POST', path: '/tasks/{taskId}/targets/{uscc}/review', auth: 'jwt', allow: C('task'), summary: 'Review a result where the profile asks for it' },
  { method: 'POST', path: '/tasks/{taskId}/publish', auth: 'jwt', allow: C('task'), legal: true, summary: 'Publish every valid result not yet published' },
  { method: 'POST', path: '/tasks/{taskId}/targets/{uscc}/followups', auth: 'jwt', allow: CT, summary: 'Open a follow-up disposal' },
  { method: 'GET', path: '/tasks/{taskId}/followups', auth: 'jwt', allow: all('partner'), summary: 'Follow-up disposals of a task (filters: uscc, status open|closed)' },
  { method: 'POST', path: '/tasks/{taskId}/targets/{uscc}/followups/{followupId}/close', auth: 'jwt', allow: CT, summary: 'Close a follow-up with its outcome' },

  // --- readable views for people (console, CLI)
  { method: 'GET', path: '/departments/{dept}/tasks', auth: 'jwt', allow: all('department'), summary: "Tasks of the department's published plans with stage, counts, overdue and next action" },
  { method: 'GET', path: '/tasks/{taskId}/summary', auth: 'jwt', allow: all('partner'), summary: 'Readable task summary: plan form, stage timeline, ceremony, draw, overdue with names, follow-ups' },
  { method: 'GET', path: '/tasks/{taskId}/audit', auth: 'jwt', allow: CL('partner'), summary: 'Audit trail of a task' },
  { method: 'GET', path: '/departments/{dept}/reports/kpis', auth: 'jwt', allow: CL('department'), summary: 'KPIs of a month or quarter (?year&month|quarter) with target and status, and the monthly trend' },
  { method: 'GET', path: '/departments/{dept}/reports/xlsx', auth: 'jwt', allow: CL('department'), summary: "Monthly or quarterly report workbook in the department's preset layout" },

  // --- e-mail links (GET shows, POST acts)
  { method: 'GET', path: '/l/{linkId}', auth: 'link', summary: 'Confirmation page or form behind an e-mail link' },
  { method: 'POST', path: '/l/{linkId}', auth: 'link', summary: 'Act on an e-mail link (single use where it acts)' },

  // --- 一公开
  { method: 'GET', path: '/public', auth: 'public', summary: 'Index of published plans and results' },
  { method: 'GET', path: '/public/plans/{planId}', auth: 'public', summary: 'Published plan announcement (HTML; .json for JSON)' },
  { method: 'GET', path: '/public/tasks/{taskId}', auth: 'public', summary: 'Task announcement with its draw record' },
  { method: 'GET', path: '/public/tasks/{taskId}/draw', auth: 'public', summary: 'Downloadable draw record (JSON)' },
  { method: 'POST', path: '/public/tasks/{taskId}/reveal', auth: 'public', summary: "A witness's reveal from their own device (the secret must match the witness's published commitment; a mismatch is refused and kept on record)" },
  { method: 'GET', path: '/public/tasks/{taskId}/selfcheck', auth: 'public', summary: "Enterprise self-check: USCC + check code → in the round's pool, in which stratum, drawn or not" },
  { method: 'GET', path: '/public/departments/{dept}/chain', auth: 'public', summary: "The department's chain of draw rounds (round, task, status, freezeDigest, prev) with links to every record" },
  { method: 'GET', path: '/public/results/{taskId}/{uscc}', auth: 'public', summary: 'Published result (HTML; .json for JSON)' },

  // --- the web console (工作台): a static single page and its hashed assets; it signs in itself
  { method: 'GET', path: '/console', auth: 'public', summary: 'The web console (single page; signs in with Cognito, or the dev sign-in locally)' },
  { method: 'GET', path: '/console/{proxy+}', auth: 'public', summary: 'Static assets of the web console (immutable, hashed names)' },

  // --- local stand-ins for AWS-only entry points
  { method: 'POST', path: '/local/inbound-mail', auth: 'local', summary: 'Raw MIME message as SES inbound would deliver it' },
  { method: 'PUT', path: '/local/blobs/{key+}', auth: 'local', summary: 'Presigned upload into the blob folder, as S3 takes a presigned PUT' },
];
