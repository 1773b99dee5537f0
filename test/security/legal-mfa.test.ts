/**
 * Acts with legal weight (routes marked `legal`: approving, publishing, closing the ceremony) need
 * a sign-in with a second factor. The Cognito pool and the built-in sign-in require MFA of every
 * user; a customer's OIDC issuer (aws-cn, signIn=oidc) says in its `amr` claim (RFC 8176) how the
 * user signed in, and the dispatcher refuses a legal act without a second factor there — before
 * anything else about the request is looked at. Other routes stay open to a password-only sign-in.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { dispatch, principalFromClaims, type ApiEvent } from '../../shared/http/core.js';
import { ROUTES } from '../../shared/http/routes.js';

afterEach(() => {
  delete process.env.AUTH_CLAIM_MFA;
});

const LEADER = { sub: 'u2', email: 'l@example.gov.cn', 'cognito:groups': 'leader', 'custom:department': 'd1' };

function event(routeKey: string, claims: Record<string, unknown>, pathParameters: Record<string, string> = {}): ApiEvent {
  return {
    routeKey,
    rawPath: '/',
    headers: {},
    isBase64Encoded: false,
    pathParameters,
    requestContext: { http: { sourceIp: '127.0.0.1' }, authorizer: { jwt: { claims } } },
  } as unknown as ApiEvent;
}

const answer = async (e: ApiEvent, handlers: Parameters<typeof dispatch>[1]) => {
  const r = (await dispatch(e, handlers)) as { statusCode: number; body: string };
  return { status: r.statusCode, json: JSON.parse(r.body) as { message?: string } };
};

describe('a second factor for acts with legal weight', () => {
  it('reads the methods claim only where the stack names one', () => {
    expect(principalFromClaims({ ...LEADER, amr: ['pwd'] })?.mfa).toBeUndefined();
    process.env.AUTH_CLAIM_MFA = 'amr';
    expect(principalFromClaims({ ...LEADER, amr: ['pwd'] })?.mfa).toBe(false);
    expect(principalFromClaims(LEADER)?.mfa).toBe(false);
    expect(principalFromClaims({ ...LEADER, amr: ['pwd', 'otp'] })?.mfa).toBe(true);
    expect(principalFromClaims({ ...LEADER, amr: '[mfa]' })?.mfa).toBe(true); // as API Gateway passes a list claim
  });

  it('refuses every legal route to a password-only sign-in, before its handler or any lookup', async () => {
    process.env.AUTH_CLAIM_MFA = 'amr';
    const legal = ROUTES.filter((r) => r.legal);
    expect(legal.length).toBeGreaterThanOrEqual(5);
    for (const r of legal) {
      const role = r.allow?.leader ? 'leader' : 'coordinator';
      const claims = { ...LEADER, 'cognito:groups': role, amr: ['pwd'] };
      const res = await answer(event(`${r.method} ${r.path}`, claims, { planId: 'p1', taskId: 't1' }), {
        [`${r.method} ${r.path}`]: async () => ({ json: { reached: true } }),
      });
      expect(res.status, `${r.method} ${r.path}`).toBe(403);
      expect(res.json.message).toContain('多因素认证（MFA）');
    }
  });

  it('leaves other routes to a password-only sign-in', async () => {
    process.env.AUTH_CLAIM_MFA = 'amr';
    const res = await answer(event('GET /me', { ...LEADER, amr: ['pwd'] }), { 'GET /me': async () => ({ json: { reached: true } }) });
    expect(res).toEqual({ status: 200, json: { reached: true } });
  });
});
