/**
 * The allow matrix, enforced: every route of ROUTES through every row of callers, against the
 * local platform with the sample district's cross-department joint task drawn (issue 12:
 * "a table-driven test that walks every route through every row").
 *
 * A row is a caller and the relations he has to the resources the probes name (department
 * fp-zjj, its plan, the joint task fp-zjj-2026-06 run by fp-zjj with fp-scjg and fp-yjj, and a
 * target T whose team has an fp-zjj and an fp-scjg member). A route allows a row when the route's
 * `allow` names the row's role with a relation the row has. Allowed calls must pass authorization
 * (any answer but 401/403, and never a 5xx); the probes are built so that passing it changes
 * nothing (malformed bodies, ids that do not exist). Refused calls must answer 401 (no sign-in)
 * or 403 with a Chinese message — and change nothing either. E-mail link routes are walked too:
 * anyone reaches them, and a link id nobody issued answers 410 (test/security/links.test.ts has
 * the holders of real links). Only the local platform's stand-ins (`auth: 'local'`) are left out.
 *
 * Defects this held before the matrix: a deactivated inspector's sign-in kept reading the
 * department's registries and tasks; an inspector of a joint department on the team could not
 * record the check date or the follow-ups of his own target (the route asked for the running
 * department); a joint department's coordinator read the task's audit trail only through some
 * routes and not others.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Platform } from '../../shared/dev/local/platform.js';
import { ROUTES, type Relation, type RouteSpec, type StaffRole } from '../../shared/http/routes.js';
import { withMatrix } from '../../shared/http/matrix.js';
import { ManualClock, resetClock, setClock } from '../../shared/clock.js';
import { makeUscc } from '../../shared/domain/uscc.js';
import { getProgress, getTask } from '../../shared/store/tasks.js';
import { REPO_ROOT } from '../../shared/dev/local/lambdas.js';
import { SAMPLE_PLAN_ID } from '../../shared/dev/sample/district.js';
import type { ApiClient } from '../helpers/api.js';
import { drawnJointTask, jointResult, JOINT_TASK, type JointSetting } from './fixture.js';

const clock = new ManualClock('2026-05-12T01:00:00Z');
const RELATIONS: Relation[] = ['anyone', 'department', 'plan', 'task', 'partner', 'team'];
/** The path parameters a relation needs to name its resource. */
const NEEDS: Record<Relation, string[]> = { anyone: [], department: ['dept'], plan: ['planId'], task: ['taskId'], partner: ['taskId'], team: ['taskId', 'uscc'] };

interface Row {
  name: string;
  role?: StaffRole;
  email?: string;
  /** Relations the caller has to the probed resources. */
  has: Relation[];
}

describe('the route table', () => {
  it('every signed-in route allows somebody, with relations its path can name; legal acts are signed-in only', () => {
    for (const r of ROUTES) {
      const key = `${r.method} ${r.path}`;
      if (r.auth !== 'jwt') {
        expect(r.allow, key).toBeUndefined();
        continue;
      }
      expect(Object.keys(r.allow ?? {}).length, key).toBeGreaterThan(0);
      for (const rel of Object.values(r.allow ?? {})) {
        expect(RELATIONS, key).toContain(rel);
        for (const p of NEEDS[rel]) expect(r.path, `${key}: '${rel}' needs {${p}}`).toContain(`{${p}}`);
      }
    }
    for (const r of ROUTES.filter((x) => x.legal)) expect(r.auth, `${r.method} ${r.path}`).toBe('jwt');
    // approving, publishing and closing the ceremony are among them
    const legal = ROUTES.filter((r) => r.legal).map((r) => `${r.method} ${r.path}`);
    expect(legal).toEqual(expect.arrayContaining(['POST /tasks/{taskId}/approval', 'POST /plans/{planId}/approve', 'POST /plans/{planId}/publish', 'POST /tasks/{taskId}/publish', 'POST /tasks/{taskId}/ceremony/reveal']));
  });

  it('docs/SECURITY.md shows the matrix of ROUTES (npm run docs:matrix rewrites it)', () => {
    const doc = readFileSync(join(REPO_ROOT, 'docs/SECURITY.md'), 'utf8');
    expect(withMatrix(doc) === doc, 'docs/SECURITY.md differs from shared/http/routes.ts: run npm run docs:matrix').toBe(true);
  });
});

describe('on the local platform', () => {
  let platform: Platform;
  let api: ApiClient;
  let s: JointSetting;
  let T: JointSetting['targets'][number];
  const rows: Row[] = [];
  const NOWHERE_USCC = makeUscc(987_654, { kind: 'enterprise', region: '130624' });

  beforeAll(async () => {
    setClock(clock);
    s = await drawnJointTask();
    ({ platform, api } = s);
    T = s.targets.find((t) => t.teamDepartments.includes('fp-zjj') && t.teamDepartments.includes('fp-scjg'))!;
    expect(T, 'a target with fp-zjj and fp-scjg members').toBeDefined();
    const member = (dept: string) => s.inspectors.get(dept)!.find((i) => i.id === T.team[T.teamDepartments.indexOf(dept)])!;
    const onAnyTeam = new Set(s.targets.flatMap((t) => t.team));
    const outsider = s.inspectors.get('fp-zjj')!.find((i) => i.active && !onAnyTeam.has(i.id))!;
    const lapsedMember = s.inspectors.get('fp-zjj')!.find((i) => i.active && !T.team.includes(i.id) && onAnyTeam.has(i.id))!;
    const other = s.inspectors.get('fp-sthjj')!.find((i) => i.active)!;
    const own: Relation[] = ['anyone', 'department', 'plan', 'task', 'partner'];
    rows.push(
      { name: '未登录', has: [] },
      { name: 'fp-zjj 协调员（任务所属部门）', role: 'coordinator', email: 'zjj.coordinator@example.gov.cn', has: own },
      { name: 'fp-scjg 协调员（联合部门）', role: 'coordinator', email: 'scjg.coordinator@example.gov.cn', has: ['anyone', 'partner'] },
      { name: 'fp-sthjj 协调员（无关部门）', role: 'coordinator', email: 'sthjj.coordinator@example.gov.cn', has: ['anyone'] },
      { name: 'fp-zjj 分管领导', role: 'leader', email: 'zjj.leader@example.gov.cn', has: own },
      { name: 'fp-scjg 分管领导（联合部门）', role: 'leader', email: 'scjg.leader@example.gov.cn', has: ['anyone', 'partner'] },
      { name: 'fp-sthjj 分管领导（无关部门）', role: 'leader', email: 'sthjj.leader@example.gov.cn', has: ['anyone'] },
      { name: 'fp-zjj 检查人员，T 的检查组成员', role: 'inspector', email: member('fp-zjj').email, has: [...own, 'team'] },
      { name: 'fp-scjg 检查人员，T 的检查组成员（联合部门）', role: 'inspector', email: member('fp-scjg').email, has: ['anyone', 'partner', 'team'] },
      { name: 'fp-zjj 检查人员，不在任何检查组', role: 'inspector', email: outsider.email, has: own },
      { name: 'fp-sthjj 检查人员（无关部门）', role: 'inspector', email: other.email, has: ['anyone'] },
      { name: 'fp-zjj 检查人员，登录后被停用', role: 'inspector', email: lapsedMember.email, has: [] },
    );
    // Signed in while active, then deactivated: the sign-in must not outlive the registry.
    const lapsed = await api.as(lapsedMember.email);
    expect((await lapsed('GET', '/me')).status).toBe(200);
    const { id: _i, department: _d, ...body } = lapsedMember;
    expect((await s.coord('PUT', `/departments/fp-zjj/inspectors/${lapsedMember.id}`, { ...body, active: false })).status).toBe(200);
    clock.set('2026-05-20T02:00:00Z');
  }, 240_000);

  afterAll(async () => {
    resetClock();
    await platform?.stop();
  });

  /** The probe of a route: a path naming the setting's resources, and a body that cannot pass validation. */
  function probe(r: RouteSpec): { path: string; body?: string; headers?: Record<string, string> } {
    const registry = r.path.startsWith('/departments/');
    const values: Record<string, string> = {
      dept: 'fp-zjj',
      planId: SAMPLE_PLAN_ID,
      taskId: JOINT_TASK,
      uscc: registry ? NOWHERE_USCC : T.uscc,
      itemId: 'probe-item',
      inspectorId: 'probe-inspector',
      expertId: 'probe-expert',
      tagKind: 'probe-kind',
      tag: 'probe-tag',
      kind: 'targets',
      followupId: 'probe-followup',
      linkId: 'probe-link-id-000000',
      'proxy+': 'index.html',
    };
    const path = r.path.replace(/\{([^}]+)\}/g, (_, k: string) => encodeURIComponent(values[k] ?? `probe-${k}`));
    if (r.method === 'GET' || r.method === 'DELETE') return { path };
    if (r.path.endsWith('/imports/{kind}')) return { path, body: '' };
    return { path, body: '{', headers: { 'content-type': 'application/json' } };
  }

  const allows = (r: RouteSpec, row: Row): boolean => {
    // public pages and e-mail links answer anyone (a link id is the credential: an unknown one is 410)
    if (r.auth === 'public' || r.auth === 'link') return true;
    const rel = row.role ? r.allow?.[row.role] : undefined;
    return rel !== undefined && row.has.includes(rel);
  };

  it('walks every route through every row', async () => {
    const before = { task: await getTask(JOINT_TASK, true), t: await getProgress(JOINT_TASK, T.uscc) };
    const wrong: string[] = [];
    let calls = 0;
    for (const row of rows) {
      const call = row.email ? await api.as(row.email) : undefined;
      for (const r of ROUTES.filter((x) => x.auth !== 'local')) {
        const p = probe(r);
        const res = call ? await call(r.method, p.path, p.body, p.headers) : await api.call(r.method, p.path, p.body, p.headers ?? {});
        calls++;
        const allowed = allows(r, row);
        const refused = res.status === 401 || res.status === 403;
        const line = `${row.name} × ${r.method} ${r.path}: ${res.status} ${res.text.slice(0, 120)}`;
        if (res.status >= 500) wrong.push(`5xx ${line}`);
        else if (r.auth === 'link' && res.status !== 410) wrong.push(`a link nobody issued, not 410: ${line}`);
        else if (allowed && refused) wrong.push(`refused, should be allowed: ${line}`);
        else if (!allowed && !refused) wrong.push(`allowed, should be refused: ${line}`);
        else if (!allowed && res.status !== (row.role ? 403 : 401)) wrong.push(`wrong refusal: ${line}`);
        else if (!allowed && row.role && !/[\u4e00-\u9fff]/.test(String(res.json?.message ?? ''))) wrong.push(`refusal without a Chinese message: ${line}`);
      }
    }
    expect(wrong).toEqual([]);
    expect(calls).toBe(rows.length * ROUTES.filter((x) => x.auth !== 'local').length);
    // nothing changed on the way
    const after = { task: await getTask(JOINT_TASK, true), t: await getProgress(JOINT_TASK, T.uscc) };
    expect(after.t).toEqual(before.t);
    expect({ ...after.task, updatedAt: undefined }).toEqual({ ...before.task, updatedAt: undefined });
  }, 600_000);

  it('follow-ups: a team member of the joint department acts on them, an inspector of the running department not on the team does not', async () => {
    const zjj = s.inspectors.get('fp-zjj')!;
    const scjgMember = await api.as(s.inspectors.get('fp-scjg')!.find((i) => i.id === T.team[T.teamDepartments.indexOf('fp-scjg')])!.email);
    const member = await api.as(zjj.find((i) => i.id === T.team[T.teamDepartments.indexOf('fp-zjj')])!.email);
    const onAnyTeam = new Set(s.targets.flatMap((t) => t.team));
    const outsider = await api.as(zjj.find((i) => i.active && !onAnyTeam.has(i.id))!.email);
    expect((await scjgMember('POST', `/tasks/${JOINT_TASK}/targets/${T.uscc}/checked`, { checkDate: '2026-05-19' })).status).toBe(200);
    expect((await member('PUT', `/tasks/${JOINT_TASK}/targets/${T.uscc}/result`, jointResult(T.team, ['A']))).status).toBe(201);
    const published = await s.coord('POST', `/tasks/${JOINT_TASK}/publish`, { usccs: [T.uscc] });
    expect(published.json.published, JSON.stringify(published.json)).toEqual([T.uscc]);
    expect((await getProgress(JOINT_TASK, T.uscc))?.status).toBe('followup_open');
    const code = (await s.coord('GET', '/departments/fp-zjj/profile')).json.followUpDispositions[0].code as string;
    const body = { disposition: code, responsibleUnit: '城市建设管理股' };

    expect((await outsider('POST', `/tasks/${JOINT_TASK}/targets/${T.uscc}/followups`, body)).status).toBe(403);
    const fu = await scjgMember('POST', `/tasks/${JOINT_TASK}/targets/${T.uscc}/followups`, body);
    expect(fu.status, fu.text).toBe(201);
    const close = `/tasks/${JOINT_TASK}/targets/${T.uscc}/followups/${fu.json.id}/close`;
    expect((await outsider('POST', close, { outcome: '已责令改正' })).status).toBe(403);
    expect((await getProgress(JOINT_TASK, T.uscc))?.status).toBe('followup_open');
    const closed = await member('POST', close, { outcome: '已责令改正并复查合格' });
    expect(closed.status, closed.text).toBe(200);
    expect(closed.json.targetClosed).toBe(true);
  }, 60_000);
});
