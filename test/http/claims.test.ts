/**
 * Claims → Principal: Cognito's and the built-in sign-in's claim names by default; an OIDC
 * issuer's own claims and role values when the stack maps them (AUTH_CLAIM_*, AUTH_ROLE_VALUES).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { principalFromClaims } from '../../shared/http/core.js';
import { claimMapping } from '../../shared/auth/claims.js';

const KEYS = ['AUTH_CLAIM_ROLE', 'AUTH_CLAIM_DEPARTMENT', 'AUTH_CLAIM_INSPECTOR_ID', 'AUTH_ROLE_VALUES'];
afterEach(() => {
  for (const k of KEYS) delete process.env[k];
});

describe('principal from JWT claims', () => {
  it('reads Cognito-style claims, as API Gateway passes a list claim ("[a b]")', () => {
    expect(principalFromClaims({ sub: 's1', email: 'a@x.cn', 'cognito:groups': '[inspector]', 'custom:department': 'd1', 'custom:inspectorId': 'I-1' })).toEqual({
      sub: 's1',
      email: 'a@x.cn',
      name: 'a@x.cn',
      role: 'inspector',
      department: 'd1',
      inspectorId: 'I-1',
    });
    // no role or no department: nobody
    expect(principalFromClaims({ sub: 's1', 'cognito:groups': '[admins]', 'custom:department': 'd1' })).toBeUndefined();
    expect(principalFromClaims({ sub: 's1', 'cognito:groups': ['leader'] })).toBeUndefined();
  });

  it("maps an OIDC issuer's claims and role values", () => {
    Object.assign(process.env, {
      AUTH_CLAIM_ROLE: 'roles',
      AUTH_CLAIM_DEPARTMENT: 'org_code',
      AUTH_CLAIM_INSPECTOR_ID: 'zfzh',
      AUTH_ROLE_VALUES: 'coordinator=双随机联络员,leader=分管领导,inspector=执法人员',
    });
    const p = principalFromClaims({ sub: 'u9', name: '张三', roles: '[普通用户 执法人员]', org_code: '130921-ZJJ', zfzh: '13000012345' });
    expect(p).toEqual({ sub: 'u9', email: '', name: '张三', role: 'inspector', department: '130921-ZJJ', inspectorId: '13000012345' });
    // Cognito's names mean nothing now, and unknown role values map to no role.
    expect(principalFromClaims({ sub: 'u9', 'cognito:groups': '[coordinator]', 'custom:department': 'd1' })).toBeUndefined();
    expect(principalFromClaims({ sub: 'u9', roles: ['coordinator'], org_code: 'd1' })).toBeUndefined();
    // Several roles: the strongest (coordinator before leader before inspector).
    expect(principalFromClaims({ sub: 'u9', roles: ['执法人员', '双随机联络员'], org_code: 'd1' })?.role).toBe('coordinator');
  });

  it('refuses a malformed role mapping, naming it', () => {
    expect(() => claimMapping({ AUTH_ROLE_VALUES: 'admin=管理员' })).toThrow(/AUTH_ROLE_VALUES: "admin=管理员"/);
  });
});
