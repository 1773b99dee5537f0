/**
 * Local dev sign-in. In AWS, Cognito issues ID tokens and API Gateway's JWT authorizer puts
 * their claims on the event; locally this module issues HS256 tokens with the *same claims*
 * and the local server verifies them and places the claims exactly where API Gateway does.
 */
import { SignJWT, jwtVerify } from 'jose';
import { randomBytes } from 'node:crypto';
import type { Principal } from '../http/core.js';

export type Claims = Record<string, string | string[]>;

let secret: Uint8Array = randomBytes(32);

/** The local platform keeps its secret under .local/ so tokens survive a restart. */
export function setDevSecret(s: Uint8Array): void {
  secret = s;
}

export function claimsOf(p: Principal): Claims {
  return {
    sub: p.sub,
    email: p.email,
    name: p.name,
    'cognito:groups': [p.role],
    'custom:department': p.department,
    ...(p.inspectorId ? { 'custom:inspectorId': p.inspectorId } : {}),
  };
}

export async function issueDevToken(p: Principal, ttlSeconds = 12 * 3600): Promise<string> {
  return new SignJWT(claimsOf(p))
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuer('suiji-local')
    .setAudience('suiji')
    .setIssuedAt()
    .setExpirationTime(`${ttlSeconds}s`)
    .sign(secret);
}

export async function verifyDevToken(token: string): Promise<Claims | undefined> {
  try {
    const { payload } = await jwtVerify(token, secret, { issuer: 'suiji-local', audience: 'suiji' });
    return payload as unknown as Claims;
  } catch {
    return undefined;
  }
}
