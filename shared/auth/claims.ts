/**
 * Which JWT claims carry a signed-in user's role, department and inspector id. Cognito's and
 * the built-in sign-in's tokens use `cognito:groups`, `custom:department` and
 * `custom:inspectorId`; a customer's OIDC issuer (aws-cn, signIn=oidc) names its own, set by the
 * stack in the API's environment (docs/DEPLOY.md, "claims mapping"):
 *
 *   AUTH_CLAIM_ROLE          claim with the role (a string, or a list of groups/roles)
 *   AUTH_CLAIM_DEPARTMENT    claim with the department id Suiji knows (e.g. an organisation code)
 *   AUTH_CLAIM_INSPECTOR_ID  claim with the inspector id (inspectors only)
 *   AUTH_ROLE_VALUES         `coordinator=<value>,leader=<value>,inspector=<value>` when the
 *                            issuer's role values are not Suiji's role names
 *   AUTH_CLAIM_MFA           claim listing how the user authenticated (RFC 8176 `amr`): acts with
 *                            legal weight (routes marked `legal`) need a second factor in it. Unset
 *                            where the issuer requires MFA for every sign-in (the Cognito pool,
 *                            the built-in sign-in).
 */
export type SuijiRole = 'coordinator' | 'leader' | 'inspector';

export interface ClaimMapping {
  role: string;
  department: string;
  inspectorId: string;
  /** Issuer's value → Suiji role. */
  roleValues: Map<string, SuijiRole>;
  /** Claim with the authentication methods, when the issuer does not require MFA for every sign-in. */
  mfa?: string;
}

/** RFC 8176 methods that are, or include, a second factor (a password or PIN alone is not). */
const SECOND_FACTORS = new Set(['mfa', 'otp', 'hwk', 'swk', 'sms', 'tel', 'sc', 'face', 'fpt', 'iris', 'retina', 'vbm']);

/** Whether the authentication methods of a token (`amr`) include a second factor. */
export const hasSecondFactor = (methods: readonly string[]): boolean => methods.some((m) => SECOND_FACTORS.has(m));

const ROLES: readonly SuijiRole[] = ['coordinator', 'leader', 'inspector'];

export function claimMapping(env: NodeJS.ProcessEnv = process.env): ClaimMapping {
  const roleValues = new Map<string, SuijiRole>();
  for (const pair of (env.AUTH_ROLE_VALUES ?? '').split(',').map((p) => p.trim()).filter(Boolean)) {
    const eq = pair.indexOf('=');
    const role = pair.slice(0, eq).trim() as SuijiRole;
    if (eq < 1 || !ROLES.includes(role)) throw new Error(`AUTH_ROLE_VALUES: "${pair}" is not <coordinator|leader|inspector>=<value>`);
    roleValues.set(pair.slice(eq + 1).trim(), role);
  }
  if (!roleValues.size) for (const r of ROLES) roleValues.set(r, r);
  return {
    role: env.AUTH_CLAIM_ROLE || 'cognito:groups',
    department: env.AUTH_CLAIM_DEPARTMENT || 'custom:department',
    inspectorId: env.AUTH_CLAIM_INSPECTOR_ID || 'custom:inspectorId',
    roleValues,
    ...(env.AUTH_CLAIM_MFA ? { mfa: env.AUTH_CLAIM_MFA } : {}),
  };
}

/**
 * A claim's values: API Gateway's JWT authorizer hands list claims to the function as the text
 * `[a b]`; a list or a single string arrive as such from the local server.
 */
export function claimValues(v: unknown): string[] {
  if (Array.isArray(v)) return v.map(String);
  if (typeof v === 'string') return v.replace(/^\[|\]$/g, '').split(/[ ,]+/).filter(Boolean);
  return [];
}

/** The first of the user's values that maps to a Suiji role (in the order coordinator, leader, inspector). */
export function roleFrom(values: readonly string[], m: ClaimMapping): SuijiRole | undefined {
  const mapped = new Set(values.map((v) => m.roleValues.get(v)).filter((r): r is SuijiRole => Boolean(r)));
  return ROLES.find((r) => mapped.has(r));
}
