/**
 * POST /auth/dev-login {"email": "..."}: the local stand-in for Cognito sign-in. The role and
 * department come from the registries (department staff lists, inspector pool), exactly the
 * claims the Cognito groups and `custom:department` attribute carry in AWS.
 */
import { z } from 'zod';
import { listDepartments, findInspectorsByEmail, listInspectors } from '../../store/registry.js';
import { issueDevToken } from '../devauth.js';
import type { Principal } from '../../http/core.js';
import type { LocalRouteHandler } from './server.js';

export async function principalForEmail(email: string): Promise<Principal | undefined> {
  const e = email.trim().toLowerCase();
  for (const d of await listDepartments()) {
    const c = d.coordinators.find((p) => p.email === e);
    if (c) return { sub: `coordinator:${e}`, email: e, name: c.name, role: 'coordinator', department: d.id };
    const l = d.leaders.find((p) => p.email === e);
    if (l) return { sub: `leader:${e}`, email: e, name: l.name, role: 'leader', department: d.id };
  }
  const [insp] = await findInspectorsByEmail(e);
  if (insp) {
    return { sub: `inspector:${insp.id}`, email: e, name: insp.name, role: 'inspector', department: insp.department, inspectorId: insp.id };
  }
  return undefined;
}

export const devLogin: LocalRouteHandler = async ({ body }) => {
  const parsed = z.object({ email: z.string() }).safeParse(JSON.parse(body.toString('utf8') || '{}'));
  if (!parsed.success) return { status: 400, json: { error: 'BadRequest', message: '请提供 email' } };
  const p = await principalForEmail(parsed.data.email);
  if (!p) return { status: 404, json: { error: 'NotFound', message: `没有登记该邮箱的工作人员：${parsed.data.email}` } };
  return { status: 200, json: { token: await issueDevToken(p), principal: p } };
};

/**
 * GET /auth/dev-staff: the registered staff to pick from on the console's local sign-in page
 * (coordinators and leaders of every department, and each department's active inspectors).
 */
export const devStaff: LocalRouteHandler = async () => {
  const out: { email: string; name: string; role: string; department: string; departmentName: string; title?: string }[] = [];
  for (const d of await listDepartments()) {
    for (const c of d.coordinators) out.push({ email: c.email, name: c.name, role: 'coordinator', department: d.id, departmentName: d.name, ...(c.title ? { title: c.title } : {}) });
    for (const l of d.leaders) out.push({ email: l.email, name: l.name, role: 'leader', department: d.id, departmentName: d.name, ...(l.title ? { title: l.title } : {}) });
    for (const i of await listInspectors(d.id)) {
      if (i.active) out.push({ email: i.email, name: i.name, role: 'inspector', department: d.id, departmentName: d.name, ...(i.section ? { title: i.section } : {}) });
    }
  }
  return { status: 200, json: out };
};
