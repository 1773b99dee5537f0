/**
 * Every HTTP route of Suiji, who may call it and why. The API Lambda routes from this list and
 * the CDK app creates exactly these API Gateway routes from it, so the two cannot drift apart.
 *
 * auth:
 *   'jwt'    Cognito user pool JWT (locally: a dev sign-in token with the same claims);
 *            `roles` lists the groups allowed. Department-scoped routes also check that the
 *            caller's department matches `{dept}` (coordinators cannot touch another department).
 *   'link'   no JWT: the caller holds a short opaque e-mail link id, resolved server-side,
 *            single-use where it acts (GET only shows a page; POST acts).
 *   'public' no JWT: published information (一公开) anyone may read.
 *   'local'  only on the local platform (never deployed): dev sign-in and the raw-MIME inbound
 *            endpoint that stands in for SES receipt rules.
 */
export type Role = 'coordinator' | 'inspector' | 'leader' | 'public';
export type AuthMode = 'jwt' | 'link' | 'public' | 'local';
export type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';

export interface RouteSpec {
  readonly method: Method;
  readonly path: string;
  readonly auth: AuthMode;
  readonly roles?: readonly Role[];
  readonly summary: string;
}

const C: Role[] = ['coordinator'];
const CL: Role[] = ['coordinator', 'leader'];
const CIL: Role[] = ['coordinator', 'inspector', 'leader'];
const L: Role[] = ['leader'];
const CI: Role[] = ['coordinator', 'inspector'];

export const ROUTES: readonly RouteSpec[] = [
  // --- identity
  { method: 'POST', path: '/auth/dev-login', auth: 'local', summary: 'Local sign-in: issues a token with the same claims as Cognito' },
  { method: 'GET', path: '/auth/dev-staff', auth: 'local', summary: 'Local sign-in page: the registered staff to pick from' },
  { method: 'GET', path: '/me', auth: 'jwt', roles: CIL, summary: 'Who am I (role, department)' },
  { method: 'GET', path: '/me/assignments', auth: 'jwt', roles: ['inspector'], summary: "An inspector's own targets across tasks, with entry deadlines" },

  // --- department set-up: profile and tag library
  { method: 'GET', path: '/departments', auth: 'jwt', roles: CIL, summary: 'List departments' },
  { method: 'GET', path: '/departments/{dept}/profile', auth: 'jwt', roles: CIL, summary: 'Department policy profile' },
  { method: 'PUT', path: '/departments/{dept}/profile', auth: 'jwt', roles: C, summary: 'Replace the policy profile (validated)' },
  { method: 'GET', path: '/departments/{dept}/tags', auth: 'jwt', roles: CIL, summary: 'Tag library' },
  { method: 'PUT', path: '/departments/{dept}/tags/{tagKind}/{tag}', auth: 'jwt', roles: C, summary: 'Add a tag to the library' },
  { method: 'DELETE', path: '/departments/{dept}/tags/{tagKind}/{tag}', auth: 'jwt', roles: C, summary: 'Remove a tag from the library' },

  // --- 一单两库 + 专家库
  { method: 'GET', path: '/departments/{dept}/items', auth: 'jwt', roles: CIL, summary: 'Inspection item list' },
  { method: 'PUT', path: '/departments/{dept}/items/{itemId}', auth: 'jwt', roles: C, summary: 'Create or replace an inspection item' },
  { method: 'DELETE', path: '/departments/{dept}/items/{itemId}', auth: 'jwt', roles: C, summary: 'Delete an inspection item' },
  { method: 'GET', path: '/departments/{dept}/targets', auth: 'jwt', roles: CIL, summary: 'List targets (filters: risk, jurisdiction, industry, key, status)' },
  { method: 'GET', path: '/departments/{dept}/targets/{uscc}', auth: 'jwt', roles: CIL, summary: 'One target' },
  { method: 'PUT', path: '/departments/{dept}/targets/{uscc}', auth: 'jwt', roles: C, summary: 'Create or replace a target' },
  { method: 'DELETE', path: '/departments/{dept}/targets/{uscc}', auth: 'jwt', roles: C, summary: 'Delete a target' },
  { method: 'GET', path: '/departments/{dept}/inspectors', auth: 'jwt', roles: CIL, summary: 'List inspectors' },
  { method: 'PUT', path: '/departments/{dept}/inspectors/{inspectorId}', auth: 'jwt', roles: C, summary: 'Create or replace an inspector' },
  { method: 'DELETE', path: '/departments/{dept}/inspectors/{inspectorId}', auth: 'jwt', roles: C, summary: 'Delete an inspector' },
  { method: 'GET', path: '/departments/{dept}/experts', auth: 'jwt', roles: CIL, summary: 'List experts' },
  { method: 'PUT', path: '/departments/{dept}/experts/{expertId}', auth: 'jwt', roles: C, summary: 'Create or replace an expert' },
  { method: 'DELETE', path: '/departments/{dept}/experts/{expertId}', auth: 'jwt', roles: C, summary: 'Delete an expert' },
  { method: 'POST', path: '/departments/{dept}/imports/{kind}', auth: 'jwt', roles: C, summary: 'Bulk import (CSV/XLSX), all-or-nothing' },
  { method: 'GET', path: '/departments/{dept}/imports/{kind}/template', auth: 'jwt', roles: C, summary: 'Download the import template' },

  // --- annual plans
  { method: 'GET', path: '/departments/{dept}/plans', auth: 'jwt', roles: CIL, summary: 'Annual plans of a department' },
  { method: 'POST', path: '/departments/{dept}/plans', auth: 'jwt', roles: C, summary: 'Create a draft annual plan' },
  { method: 'GET', path: '/plans/{planId}', auth: 'jwt', roles: CIL, summary: 'Plan with all versions' },
  { method: 'PUT', path: '/plans/{planId}/draft', auth: 'jwt', roles: C, summary: 'Replace the draft (before first publication)' },
  { method: 'POST', path: '/plans/{planId}/adjustments', auth: 'jwt', roles: C, summary: 'Propose an adjustment with a reason' },
  { method: 'POST', path: '/plans/{planId}/approve', auth: 'jwt', roles: L, summary: 'Approve the pending version' },
  { method: 'POST', path: '/plans/{planId}/publish', auth: 'jwt', roles: C, summary: 'Publish the approved version (announcement)' },

  // --- task lifecycle
  { method: 'POST', path: '/tasks/{taskId}/launch', auth: 'jwt', roles: C, summary: 'Start the lifecycle execution (idempotent)' },
  { method: 'GET', path: '/tasks/{taskId}/status', auth: 'jwt', roles: CIL, summary: 'Stage, counts per status, overdue, history' },
  { method: 'POST', path: '/tasks/{taskId}/approval', auth: 'jwt', roles: L, summary: 'Leader approves or rejects the task plan form' },
  { method: 'POST', path: '/tasks/{taskId}/ceremony/witnesses', auth: 'jwt', roles: C, summary: 'Register witnesses and their commitments (before the freeze)' },
  { method: 'POST', path: '/tasks/{taskId}/ceremony/reveal', auth: 'jwt', roles: CL, summary: 'Record a witness reveal' },
  { method: 'POST', path: '/tasks/{taskId}/ceremony/abort', auth: 'jwt', roles: CL, summary: 'Abort the ceremony, on record' },
  { method: 'POST', path: '/tasks/{taskId}/redraw', auth: 'jwt', roles: C, summary: 'Request a re-draw (reason; needs leader approval)' },
  { method: 'GET', path: '/tasks/{taskId}/draw', auth: 'jwt', roles: CIL, summary: 'The draw record' },
  { method: 'GET', path: '/tasks/{taskId}/targets', auth: 'jwt', roles: CIL, summary: 'Drawn targets with progress' },
  { method: 'POST', path: '/tasks/{taskId}/targets/{uscc}/checked', auth: 'jwt', roles: CI, summary: 'Record the on-site check date' },
  { method: 'PUT', path: '/tasks/{taskId}/targets/{uscc}/result', auth: 'jwt', roles: ['inspector'], summary: 'Enter or correct the result (team members only)' },
  { method: 'POST', path: '/tasks/{taskId}/targets/{uscc}/review', auth: 'jwt', roles: C, summary: 'Review a result where the profile asks for it' },
  { method: 'POST', path: '/tasks/{taskId}/publish', auth: 'jwt', roles: C, summary: 'Publish every valid result not yet published' },
  { method: 'POST', path: '/tasks/{taskId}/targets/{uscc}/followups', auth: 'jwt', roles: CI, summary: 'Open a follow-up disposal' },
  { method: 'POST', path: '/tasks/{taskId}/targets/{uscc}/followups/{followupId}/close', auth: 'jwt', roles: CI, summary: 'Close a follow-up with its outcome' },

  // --- readable views for people (console, CLI)
  { method: 'GET', path: '/departments/{dept}/tasks', auth: 'jwt', roles: CIL, summary: "Tasks of the department's published plans with stage, counts, overdue and next action" },
  { method: 'GET', path: '/tasks/{taskId}/summary', auth: 'jwt', roles: CIL, summary: 'Readable task summary: plan form, stage timeline, ceremony, draw, overdue with names, follow-ups' },
  { method: 'GET', path: '/tasks/{taskId}/audit', auth: 'jwt', roles: CL, summary: 'Audit trail of a task' },
  { method: 'GET', path: '/departments/{dept}/reports/kpis', auth: 'jwt', roles: CL, summary: 'KPIs of a month or quarter (?year&month|quarter) with target and status, and the monthly trend' },
  { method: 'GET', path: '/departments/{dept}/reports/xlsx', auth: 'jwt', roles: CL, summary: "Monthly or quarterly report workbook in the department's preset layout" },

  // --- e-mail links (GET shows, POST acts)
  { method: 'GET', path: '/l/{linkId}', auth: 'link', summary: 'Confirmation page or form behind an e-mail link' },
  { method: 'POST', path: '/l/{linkId}', auth: 'link', summary: 'Act on an e-mail link (single use where it acts)' },

  // --- 一公开
  { method: 'GET', path: '/public', auth: 'public', summary: 'Index of published plans and results' },
  { method: 'GET', path: '/public/plans/{planId}', auth: 'public', summary: 'Published plan announcement (HTML; .json for JSON)' },
  { method: 'GET', path: '/public/tasks/{taskId}', auth: 'public', summary: 'Task announcement with its draw record' },
  { method: 'GET', path: '/public/tasks/{taskId}/draw', auth: 'public', summary: 'Downloadable draw record (JSON)' },
  { method: 'GET', path: '/public/results/{taskId}/{uscc}', auth: 'public', summary: 'Published result (HTML; .json for JSON)' },

  // --- the web console (工作台): a static single page and its hashed assets; it signs in itself
  { method: 'GET', path: '/console', auth: 'public', summary: 'The web console (single page; signs in with Cognito, or the dev sign-in locally)' },
  { method: 'GET', path: '/console/{proxy+}', auth: 'public', summary: 'Static assets of the web console (immutable, hashed names)' },

  // --- local stand-ins for AWS-only entry points
  { method: 'POST', path: '/local/inbound-mail', auth: 'local', summary: 'Raw MIME message as SES inbound would deliver it' },
];
