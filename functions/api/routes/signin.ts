/**
 * Sign-in routes: the public sign-in configuration every client reads first (which sign-in the
 * stack provides), and the built-in sign-in (shared/auth/builtin.ts): its OIDC discovery
 * document and JWKS (what API Gateway's JWT authorizer fetches), the sign-in itself, and the
 * coordinators' account management. Without AUTH_MODE=builtin the built-in routes answer 404.
 */
import { z } from 'zod';
import { parseJson, requirePrincipal, type Request, type RouteHandler } from '../../../shared/http/core.js';
import { notFound } from '../../../shared/domain/errors.js';
import { config } from '../../../shared/config.js';
import * as builtin from '../../../shared/auth/builtin.js';
import { publicJwk } from '../../../shared/auth/signer.js';

export type SignInConfig =
  | { mode: 'local' }
  | { mode: 'cognito'; domain: string; clientId: string }
  | { mode: 'oidc'; issuer: string; clientId: string }
  | { mode: 'builtin'; issuer: string; sessionMinutes: number };

/** Which sign-in this deployment provides (AUTH_MODE, else Cognito where configured, else local dev sign-in). */
export function signInConfig(): SignInConfig {
  const mode = process.env.AUTH_MODE;
  if (mode === 'builtin') return { mode, issuer: builtin.issuer(), sessionMinutes: builtin.SESSION_MINUTES };
  if (mode === 'oidc') return { mode, issuer: process.env.AUTH_ISSUER ?? '', clientId: process.env.AUTH_CLIENT_ID ?? '' };
  // The local platform runs the template's environment (placeholder Cognito values) but signs in with dev tokens.
  const domain = process.env.CONSOLE_AUTH_DOMAIN;
  const clientId = process.env.CONSOLE_CLIENT_ID;
  if (!config().local && domain && clientId) return { mode: 'cognito', domain, clientId };
  return { mode: 'local' };
}

function requireBuiltin(): void {
  if (!builtin.builtinEnabled()) throw notFound('内置登录（本部署未启用）');
}

const SignInBody = z.object({
  email: z.string().trim().min(3).max(254),
  password: z.string().min(1).max(256),
  totp: z.string().trim().max(16),
  newPassword: z.string().max(256).optional(),
});

const NewUserBody = z.object({
  email: z.email().max(254),
  name: z.string().trim().min(1).max(64),
  role: z.enum(['coordinator', 'leader', 'inspector']),
  inspectorId: z.string().trim().min(1).max(64).optional(),
});

const ResetBody = z.object({ password: z.boolean().optional(), totp: z.boolean().optional() });

const emailParam = (req: Request): string => req.params.email!.trim().toLowerCase();
const cached = { 'cache-control': 'public, max-age=300' };

export const signInRoutes: Record<string, RouteHandler> = {
  'GET /auth/config': async () => ({ json: signInConfig(), headers: { 'cache-control': 'no-cache' } }),

  'GET /auth/.well-known/openid-configuration': async () => {
    requireBuiltin();
    const iss = builtin.issuer();
    return {
      json: {
        issuer: iss,
        jwks_uri: `${iss}/jwks.json`,
        id_token_signing_alg_values_supported: ['RS256'],
        response_types_supported: ['id_token'],
        subject_types_supported: ['public'],
        claims_supported: ['sub', 'email', 'name', 'cognito:groups', 'custom:department', 'custom:inspectorId'],
      },
      headers: cached,
    };
  },
  'GET /auth/jwks.json': async () => {
    requireBuiltin();
    return { json: { keys: [await publicJwk()] }, headers: cached };
  },
  'POST /auth/sign-in': async (req) => {
    requireBuiltin();
    const b = parseJson(req, SignInBody);
    return { json: await builtin.signIn({ ...b, ...(b.newPassword ? { newPassword: b.newPassword } : {}), sourceIp: req.sourceIp }) };
  },

  // --- accounts, by the department's coordinators
  'GET /departments/{dept}/users': async (req) => {
    requireBuiltin();
    return { json: await builtin.listUsers(req.params.dept!) };
  },
  'POST /departments/{dept}/users': async (req) => {
    requireBuiltin();
    const b = parseJson(req, NewUserBody);
    const created = await builtin.createUser({ ...b, ...(b.inspectorId ? { inspectorId: b.inspectorId } : {}), department: req.params.dept! }, requirePrincipal(req).email);
    return { status: 201, json: created };
  },
  'POST /departments/{dept}/users/{email}/reset': async (req) => {
    requireBuiltin();
    // no body (or {}): both; {"password": true} or {"totp": true}: only that one
    const b = req.body.length ? parseJson(req, ResetBody) : {};
    const parts = b.password === undefined && b.totp === undefined ? { password: true, totp: true } : { password: Boolean(b.password), totp: Boolean(b.totp) };
    return { json: await builtin.resetUser(emailParam(req), req.params.dept!, requirePrincipal(req).email, parts) };
  },
  'POST /departments/{dept}/users/{email}/unlock': async (req) => {
    requireBuiltin();
    return { json: await builtin.unlockUser(emailParam(req), req.params.dept!, requirePrincipal(req).email) };
  },
  'PUT /departments/{dept}/users/{email}/status': async (req) => {
    requireBuiltin();
    const b = parseJson(req, z.object({ disabled: z.boolean() }));
    return { json: await builtin.setDisabled(emailParam(req), req.params.dept!, b.disabled, requirePrincipal(req).email) };
  },
  'GET /departments/{dept}/users/{email}/audit': async (req) => {
    requireBuiltin();
    return { json: await builtin.signInAudit(emailParam(req), req.params.dept!) };
  },
};
