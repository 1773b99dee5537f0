/**
 * 一单两库 + 专家库 routes: departments, tag library, items, targets, inspectors, experts.
 */
import { z } from 'zod';
import {
  Expert,
  InspectionItem,
  Inspector,
  RiskClass,
  Target,
  TagKind,
  parseOrThrow,
} from '../../../shared/domain/schemas.js';
import * as reg from '../../../shared/store/registry.js';
import { parseJson, requirePrincipal, type RouteHandler } from '../../../shared/http/core.js';
import { invalid, notFound } from '../../../shared/domain/errors.js';
import { normalizeUscc } from '../../../shared/domain/uscc.js';
import { getProfile, setProfileOverrides } from '../../../shared/services/profile.js';

/** Parse a body and force the department and id from the URL (the URL is authoritative). */
function bodyWith<S extends z.ZodType>(req: Parameters<RouteHandler>[0], schema: S, fromUrl: Record<string, unknown>): z.infer<S> {
  const raw = parseJson(req, z.record(z.string(), z.unknown()));
  return parseOrThrow(schema, { ...raw, ...fromUrl });
}

const limitOf = (q: Record<string, string>, max = 500): number => {
  const n = q.limit ? Number(q.limit) : 50;
  if (!Number.isInteger(n) || n < 1 || n > max) throw invalid(`limit 应为 1 到 ${max} 之间的整数`);
  return n;
};

export const registryRoutes: Record<string, RouteHandler> = {
  'GET /me': async (req) => ({ json: requirePrincipal(req) }),

  'GET /departments': async () => ({
    json: (await reg.listDepartments()).map(({ id, name, presetId, sections }) => ({ id, name, presetId, sections })),
  }),

  'GET /departments/{dept}/profile': async (req) => ({ json: await getProfile(req.params.dept!) }),
  'PUT /departments/{dept}/profile': async (req) => {
    const overrides = parseJson(req, z.record(z.string(), z.unknown()));
    return { json: await setProfileOverrides(req.params.dept!, overrides, requirePrincipal(req).email) };
  },

  'GET /departments/{dept}/tags': async (req) => ({ json: await reg.listTags(req.params.dept!) }),
  'PUT /departments/{dept}/tags/{tagKind}/{tag}': async (req) => {
    const kind = parseOrThrow(TagKind, req.params.tagKind);
    await reg.putTag(req.params.dept!, kind, req.params.tag!);
    return { status: 204 };
  },
  'DELETE /departments/{dept}/tags/{tagKind}/{tag}': async (req) => {
    await reg.deleteTag(req.params.dept!, req.params.tagKind!, req.params.tag!);
    return { status: 204 };
  },

  // items
  'GET /departments/{dept}/items': async (req) => ({ json: await reg.listInspectionItems(req.params.dept!) }),
  'PUT /departments/{dept}/items/{itemId}': async (req) => {
    const item = bodyWith(req, InspectionItem, { department: req.params.dept, id: req.params.itemId });
    await reg.putInspectionItem(item);
    return { json: item };
  },
  'DELETE /departments/{dept}/items/{itemId}': async (req) => {
    await reg.deleteInspectionItem(req.params.dept!, req.params.itemId!);
    return { status: 204 };
  },

  // targets
  'GET /departments/{dept}/targets': async (req) => {
    const q = req.query;
    const filter: reg.TargetFilter = {};
    if (q.risk) filter.riskClass = parseOrThrow(RiskClass, q.risk.toUpperCase());
    if (q.jurisdiction) filter.jurisdiction = q.jurisdiction;
    if (q.industry) filter.industry = q.industry;
    if (q.key) filter.isKey = q.key === 'true' || q.key === '1' || q.key === '是';
    if (q.status) filter.status = q.status;
    if (q.name?.trim()) filter.name = q.name.trim();
    const page = await reg.listTargets(req.params.dept!, filter, limitOf(q), q.cursor || undefined);
    return { json: page };
  },
  'GET /departments/{dept}/targets/{uscc}': async (req) => {
    const t = await reg.getTarget(req.params.dept!, normalizeUscc(req.params.uscc!));
    if (!t) throw notFound('检查对象');
    return { json: t };
  },
  'PUT /departments/{dept}/targets/{uscc}': async (req) => {
    const t = bodyWith(req, Target, { department: req.params.dept, uscc: req.params.uscc });
    await reg.putTarget(t);
    return { json: t };
  },
  'DELETE /departments/{dept}/targets/{uscc}': async (req) => {
    await reg.deleteTarget(req.params.dept!, normalizeUscc(req.params.uscc!));
    return { status: 204 };
  },

  // inspectors
  'GET /departments/{dept}/inspectors': async (req) => ({ json: await reg.listInspectors(req.params.dept!) }),
  'PUT /departments/{dept}/inspectors/{inspectorId}': async (req) => {
    const i = bodyWith(req, Inspector, { department: req.params.dept, id: req.params.inspectorId });
    await reg.putInspector(i);
    return { json: i };
  },
  'DELETE /departments/{dept}/inspectors/{inspectorId}': async (req) => {
    await reg.deleteInspector(req.params.dept!, req.params.inspectorId!);
    return { status: 204 };
  },

  // experts
  'GET /departments/{dept}/experts': async (req) => ({ json: await reg.listExperts(req.params.dept!) }),
  'PUT /departments/{dept}/experts/{expertId}': async (req) => {
    const e = bodyWith(req, Expert, { department: req.params.dept, id: req.params.expertId });
    await reg.putExpert(e);
    return { json: e };
  },
  'DELETE /departments/{dept}/experts/{expertId}': async (req) => {
    await reg.deleteExpert(req.params.dept!, req.params.expertId!);
    return { status: 204 };
  },
};
