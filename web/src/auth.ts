/**
 * Sign-in, as the deployment provides it (/console/config.json, the same as GET /auth/config):
 *  - local: pick one of the registered staff (the same dev tokens as `suiji login`);
 *  - cognito (global): Cognito managed login, authorization code with PKCE (the pool's MFA);
 *  - oidc (China regions): the customer's OIDC issuer (e.g. 政务服务统一身份认证), authorization
 *    code with PKCE against the endpoints of its discovery document;
 *  - builtin (China regions): account, password and TOTP code on this page (POST /auth/sign-in).
 * The ID token (or the built-in sign-in's token) is the API's bearer token, kept in this tab's
 * sessionStorage only.
 */
import { ref } from 'vue';

export type Role = 'coordinator' | 'leader' | 'inspector';
export interface Principal {
  sub: string;
  email: string;
  name: string;
  role: Role;
  department: string;
  inspectorId?: string;
}
export interface Session {
  token: string;
  principal: Principal;
}
export type AuthConfig =
  | { auth: 'local' }
  | { auth: 'cognito'; domain: string; clientId: string }
  | { auth: 'oidc'; issuer: string; clientId: string }
  | { auth: 'builtin'; issuer: string; sessionMinutes: number };

const KEY = 'suiji.session';
const PKCE_KEY = 'suiji.pkce';

function restore(): Session | undefined {
  try {
    const s = JSON.parse(sessionStorage.getItem(KEY) ?? 'null') as Session | null;
    if (!s) return undefined;
    const exp = expiryOf(s.token);
    return exp && exp < Date.now() ? undefined : s;
  } catch {
    return undefined;
  }
}

function expiryOf(token: string): number | undefined {
  try {
    const payload = JSON.parse(atob(token.split('.')[1]!.replace(/-/g, '+').replace(/_/g, '/'))) as { exp?: number };
    return payload.exp ? payload.exp * 1000 : undefined;
  } catch {
    return undefined;
  }
}

export const session = ref<Session | undefined>(restore());
export const signOutReason = ref<string>('');

export function setSession(s: Session): void {
  session.value = s;
  sessionStorage.setItem(KEY, JSON.stringify(s));
  signOutReason.value = '';
}

export function signOut(reason = ''): void {
  session.value = undefined;
  sessionStorage.removeItem(KEY);
  signOutReason.value = reason;
}

let config: Promise<AuthConfig> | undefined;
export function authConfig(): Promise<AuthConfig> {
  config ??= fetch('/console/config.json')
    .then((r) => (r.ok ? (r.json() as Promise<AuthConfig>) : ({ auth: 'local' } as AuthConfig)))
    .catch(() => ({ auth: 'local' }) as AuthConfig);
  return config;
}

export const ROLE_NAMES: Record<Role, string> = { coordinator: '协调员', leader: '分管领导', inspector: '检查人员' };

// ------------------------------------------------------------------ local dev sign-in

export interface StaffMember {
  email: string;
  name: string;
  role: Role;
  department: string;
  departmentName: string;
  title?: string;
}

export async function devStaff(): Promise<StaffMember[]> {
  const r = await fetch('/auth/dev-staff');
  if (!r.ok) throw new Error('无法读取工作人员名单');
  return (await r.json()) as StaffMember[];
}

export async function devSignIn(email: string): Promise<Session> {
  const r = await fetch('/auth/dev-login', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email }) });
  const body = (await r.json()) as { token?: string; principal?: Principal; message?: string };
  if (!r.ok || !body.token || !body.principal) throw new Error(body.message ?? '登录失败');
  const s = { token: body.token, principal: body.principal };
  setSession(s);
  return s;
}

// ------------------------------------------------------------------ built-in sign-in (password + TOTP)

export class SignInError extends Error {
  constructor(
    message: string,
    readonly reason: string,
  ) {
    super(message);
  }
}

/** POST /auth/sign-in; a refusal is a SignInError with the API's reason (PasswordChangeRequired, AccountLocked, …). */
export async function builtinSignIn(email: string, password: string, totp: string, newPassword?: string): Promise<Session> {
  const r = await fetch('/auth/sign-in', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password, totp, ...(newPassword ? { newPassword } : {}) }),
  });
  const body = (await r.json()) as { token?: string; principal?: Principal; message?: string; error?: string };
  if (!r.ok || !body.token || !body.principal) throw new SignInError(body.message ?? '登录失败', body.error ?? 'Unknown');
  const s = { token: body.token, principal: body.principal };
  setSession(s);
  return s;
}

// ------------------------------------------------------------------ Cognito and OIDC (authorization code + PKCE)

type CodeFlow = Extract<AuthConfig, { auth: 'cognito' }> | Extract<AuthConfig, { auth: 'oidc' }>;

/** Authorization and token endpoints: Cognito's managed login, or the issuer's discovery document. */
async function endpointsOf(cfg: CodeFlow): Promise<{ authorize: string; token: string; logout?: string }> {
  if (cfg.auth === 'cognito') return { authorize: `https://${cfg.domain}/oauth2/authorize`, token: `https://${cfg.domain}/oauth2/token`, logout: `https://${cfg.domain}/logout` };
  const r = await fetch(`${cfg.issuer}/.well-known/openid-configuration`);
  if (!r.ok) throw new Error('无法读取统一身份认证的配置，请稍后重试');
  const d = (await r.json()) as { authorization_endpoint: string; token_endpoint: string; end_session_endpoint?: string };
  return { authorize: d.authorization_endpoint, token: d.token_endpoint, ...(d.end_session_endpoint ? { logout: d.end_session_endpoint } : {}) };
}

const b64url = (bytes: Uint8Array): string => btoa(String.fromCharCode(...bytes)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
const redirectUri = (): string => `${location.origin}/console`;

export async function cognitoSignIn(cfg: CodeFlow, returnTo: string): Promise<void> {
  const endpoints = await endpointsOf(cfg);
  const verifier = b64url(crypto.getRandomValues(new Uint8Array(32)));
  const state = b64url(crypto.getRandomValues(new Uint8Array(16)));
  const challenge = b64url(new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier))));
  sessionStorage.setItem(PKCE_KEY, JSON.stringify({ verifier, state, returnTo }));
  const q = new URLSearchParams({
    response_type: 'code',
    client_id: cfg.clientId,
    redirect_uri: redirectUri(),
    scope: 'openid email profile',
    code_challenge_method: 'S256',
    code_challenge: challenge,
    state,
    lang: 'zh-CN',
  });
  location.assign(`${endpoints.authorize}?${q}`);
}

/** Back from the managed login with ?code=…&state=…: exchange the code for tokens. */
export async function completeCognitoSignIn(cfg: CodeFlow): Promise<string | undefined> {
  const q = new URLSearchParams(location.search);
  const code = q.get('code');
  if (!code) return undefined;
  const saved = JSON.parse(sessionStorage.getItem(PKCE_KEY) ?? 'null') as { verifier: string; state: string; returnTo: string } | null;
  sessionStorage.removeItem(PKCE_KEY);
  history.replaceState(null, '', '/console');
  if (!saved || saved.state !== q.get('state')) throw new Error('登录状态校验失败，请重新登录');
  const r = await fetch((await endpointsOf(cfg)).token, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'authorization_code', client_id: cfg.clientId, code, redirect_uri: redirectUri(), code_verifier: saved.verifier }),
  });
  if (!r.ok) throw new Error('登录失败，请重新登录');
  const tokens = (await r.json()) as { id_token: string };
  const me = await fetch('/me', { headers: { authorization: `Bearer ${tokens.id_token}` } });
  if (!me.ok) throw new Error('该账号尚未分配角色或部门，请联系管理员');
  setSession({ token: tokens.id_token, principal: (await me.json()) as Principal });
  return saved.returnTo;
}

export function cognitoSignOutUrl(cfg: Extract<AuthConfig, { auth: 'cognito' }>): string {
  return `https://${cfg.domain}/logout?${new URLSearchParams({ client_id: cfg.clientId, logout_uri: redirectUri() })}`;
}
