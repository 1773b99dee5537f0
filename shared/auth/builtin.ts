/**
 * The built-in sign-in (aws-cn without the customer's OIDC issuer; the local platform's China
 * mode), built for 等保 2.0 level 3 (GB/T 22239-2019 8.1.4.1 身份鉴别):
 *
 *  - identification: one account per person, by e-mail address, created by a coordinator of the
 *    department (never self-service); role and department are set by the coordinator;
 *  - two factors: a password (scrypt, node:crypto; ≥ 12 characters of three kinds, changed on
 *    first use and after PASSWORD_MAX_AGE_DAYS) and a TOTP code (RFC 6238, `otpauth`; a code
 *    is accepted once);
 *  - failed sign-ins: LOCK_AFTER_FAILURES in a row lock the account for LOCK_MINUTES (a
 *    coordinator's reset unlocks it); the answer never says which factor was wrong;
 *  - session expiry: tokens last SESSION_MINUTES, then the user signs in again;
 *  - audit: every attempt (who, outcome, source address, when) is stored with the account and
 *    logged; POST /auth/sign-in is the only place tokens are issued.
 *
 * Tokens carry the same claims as Cognito's (`cognito:groups`, `custom:department`, …) and are
 * signed by shared/auth/signer.ts, so the JWT authorizer and shared/http/core.ts treat them alike.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { randomBytes, randomInt, randomUUID, scrypt as scryptCb, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import * as OTPAuth from 'otpauth';
import { now } from '../clock.js';
import { DomainError, conflict, invalid, notFound } from '../domain/errors.js';
import { getItem, putItem, queryAll, queryPage, updateItem, type Item } from '../store/base.js';
import { TABLE } from '../store/table.js';
import { BUILTIN_AUDIENCE } from './constants.js';
import { signJwt } from './signer.js';
/** The signed-in user as shared/http/core.ts's Principal (not imported: auth sits below the HTTP layer). */
export interface Principal {
  sub: string;
  email: string;
  name: string;
  role: SignInRole;
  department: string;
  inspectorId?: string;
}

const logger = new Logger({ serviceName: 'suiji-signin' });

export const LOCK_AFTER_FAILURES = 5;
export const LOCK_MINUTES = 30;
export const SESSION_MINUTES = 60;
export const PASSWORD_MAX_AGE_DAYS = 90;
export const PASSWORD_MIN_LENGTH = 12;
/** Sign-in audit entries are kept a year (网络安全法: logs ≥ 6 months). */
const AUDIT_TTL_DAYS = 365;
const TOTP_PERIOD = 30;

export type SignInRole = 'coordinator' | 'leader' | 'inspector';

/** A sign-in account as stored (never returned as is: see `publicUser`). */
interface UserItem extends Item {
  email: string;
  name: string;
  role: SignInRole;
  department: string;
  inspectorId?: string;
  passwordHash: string;
  passwordSetAt: string;
  mustChangePassword: boolean;
  totpSecret: string;
  /** The last TOTP time step accepted: a code is never accepted twice. */
  totpLastStep?: number;
  failures: number;
  lockedUntil?: string;
  disabled?: boolean;
  createdAt: string;
  createdBy: string;
  gsi2pk: string;
  gsi2sk: string;
}

export interface SignInUser {
  email: string;
  name: string;
  role: SignInRole;
  department: string;
  inspectorId?: string;
  mustChangePassword: boolean;
  lockedUntil?: string;
  disabled: boolean;
  passwordSetAt: string;
  createdAt: string;
}

const key = (email: string) => ({ pk: `SIGNIN#${email.toLowerCase()}`, sk: 'USER' });
const usersOfDept = (d: string) => `DEPT#${d}#SIGNIN`;

function publicUser(u: UserItem): SignInUser {
  return {
    email: u.email,
    name: u.name,
    role: u.role,
    department: u.department,
    ...(u.inspectorId ? { inspectorId: u.inspectorId } : {}),
    mustChangePassword: u.mustChangePassword,
    ...(u.lockedUntil && u.lockedUntil > now().toISOString() ? { lockedUntil: u.lockedUntil } : {}),
    disabled: Boolean(u.disabled),
    passwordSetAt: u.passwordSetAt,
    createdAt: u.createdAt,
  };
}

// ------------------------------------------------------------------ passwords (scrypt)

const SCRYPT = { N: 2 ** 15, r: 8, p: 1 } as const;

function scrypt(password: string, salt: Buffer, keylen: number, opts: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => scryptCb(password.normalize('NFC'), salt, keylen, opts, (e, k) => (e ? reject(e) : resolve(k))));
}

/** `scrypt$<log2 N>$<r>$<p>$<salt>$<hash>` (base64url): the parameters travel with the hash. */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const hash = await scrypt(password, salt, 32, { ...SCRYPT, maxmem: 128 * SCRYPT.N * SCRYPT.r * 2 });
  return ['scrypt', Math.log2(SCRYPT.N), SCRYPT.r, SCRYPT.p, salt.toString('base64url'), hash.toString('base64url')].join('$');
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [kind, logN, r, p, salt, hash] = stored.split('$');
  if (kind !== 'scrypt' || !salt || !hash) return false;
  const N = 2 ** Number(logN);
  const expected = Buffer.from(hash, 'base64url');
  const got = await scrypt(password, Buffer.from(salt, 'base64url'), expected.length, { N, r: Number(r), p: Number(p), maxmem: 128 * N * Number(r) * 2 });
  return timingSafeEqual(got, expected);
}

/** The password rules, as a Chinese message naming what is missing; undefined when it passes. */
export function passwordProblem(password: string, email: string): string | undefined {
  if (password.length < PASSWORD_MIN_LENGTH) return `密码至少 ${PASSWORD_MIN_LENGTH} 位`;
  const kinds = [/[a-z]/, /[A-Z]/, /[0-9]/, /[^A-Za-z0-9]/].filter((re) => re.test(password)).length;
  if (kinds < 3) return '密码须包含大写字母、小写字母、数字、符号中的至少三类';
  const local = email.split('@')[0]!.toLowerCase();
  if (local.length >= 4 && password.toLowerCase().includes(local)) return '密码不得包含账号名';
  return undefined;
}

/** A temporary password that meets the rules (handed over once; changed at first sign-in). */
function temporaryPassword(): string {
  const sets = ['ABCDEFGHJKLMNPQRSTUVWXYZ', 'abcdefghijkmnpqrstuvwxyz', '23456789', '#%+=@'];
  const chars = sets.map((s) => s[randomInt(s.length)]!);
  const all = sets.join('');
  while (chars.length < 16) chars.push(all[randomInt(all.length)]!);
  for (let i = chars.length - 1; i > 0; i--) {
    const j = randomInt(i + 1);
    [chars[i], chars[j]] = [chars[j]!, chars[i]!];
  }
  return chars.join('');
}

// ------------------------------------------------------------------ TOTP (RFC 6238)

function totpFor(email: string, secret: string): OTPAuth.TOTP {
  return new OTPAuth.TOTP({ issuer: 'Suiji 随机', label: email, algorithm: 'SHA1', digits: 6, period: TOTP_PERIOD, secret: OTPAuth.Secret.fromBase32(secret) });
}

export interface TotpEnrollment {
  /** Base32 secret, for manual entry in an authenticator app. */
  secret: string;
  /** otpauth:// URI (as a QR code in the console). */
  uri: string;
}

function newTotp(email: string): TotpEnrollment {
  const secret = new OTPAuth.Secret({ size: 20 }).base32;
  return { secret, uri: totpFor(email, secret).toString() };
}

/** The current code of a secret (tests, and the local platform's first-run hint). */
export function totpCode(secret: string, at: number = now().getTime()): string {
  return OTPAuth.TOTP.generate({ secret: OTPAuth.Secret.fromBase32(secret), algorithm: 'SHA1', digits: 6, period: TOTP_PERIOD, timestamp: at });
}

/** The time step a code belongs to (±1 step of clock drift), or undefined. */
function totpStep(email: string, secret: string, code: string, at: number): number | undefined {
  if (!/^\d{6}$/.test(code)) return undefined;
  const delta = totpFor(email, secret).validate({ token: code, timestamp: at, window: 1 });
  return delta === null ? undefined : Math.floor(at / 1000 / TOTP_PERIOD) + delta;
}

// ------------------------------------------------------------------ accounts (coordinators)

export interface NewUser {
  email: string;
  name: string;
  role: SignInRole;
  department: string;
  inspectorId?: string;
}

export interface Credentials {
  user: SignInUser;
  /** Handed to the user once; they must change it at first sign-in. */
  temporaryPassword: string;
  totp: TotpEnrollment;
}

export async function createUser(u: NewUser, by: string): Promise<Credentials> {
  const email = u.email.trim().toLowerCase();
  if (u.role === 'inspector' && !u.inspectorId) throw invalid('检查人员账号须填写执法检查人员编号（inspectorId）');
  const password = temporaryPassword();
  const totp = newTotp(email);
  const at = now().toISOString();
  const item: UserItem = {
    ...key(email),
    email,
    name: u.name,
    role: u.role,
    department: u.department,
    ...(u.inspectorId ? { inspectorId: u.inspectorId } : {}),
    passwordHash: await hashPassword(password),
    passwordSetAt: at,
    mustChangePassword: true,
    totpSecret: totp.secret,
    failures: 0,
    createdAt: at,
    createdBy: by,
    gsi2pk: usersOfDept(u.department),
    gsi2sk: email,
  };
  try {
    await putItem(item, { expr: 'attribute_not_exists(pk)' });
  } catch (e) {
    if ((e as { name?: string }).name === 'ConditionalCheckFailedException') throw conflict(`账号 ${email} 已存在`);
    throw e;
  }
  await audit(email, 'account.created', { by, role: u.role, department: u.department });
  return { user: publicUser(item), temporaryPassword: password, totp };
}

async function userOf(email: string, department?: string): Promise<UserItem> {
  const u = await getItem<UserItem>(key(email.trim().toLowerCase()), true);
  if (!u || (department !== undefined && u.department !== department)) throw notFound(`账号 ${email}`);
  return u;
}

export async function listUsers(department: string): Promise<SignInUser[]> {
  return (await queryAll<UserItem>({ index: TABLE.indexes.lookup.name, pkName: TABLE.indexes.lookup.partitionKey, pk: usersOfDept(department) })).map(publicUser);
}

export interface ResetParts {
  /** A new temporary password (changed at the next sign-in). */
  password: boolean;
  /** A new TOTP secret (enrolled anew in the authenticator app). */
  totp: boolean;
}

/** What a reset hands over once: the new temporary password and/or the new TOTP enrollment. */
export interface ResetCredentials {
  user: SignInUser;
  temporaryPassword?: string;
  totp?: TotpEnrollment;
}

/**
 * A new temporary password and/or a new TOTP secret (both by default: a lost phone and a
 * forgotten password are handled alike); either unlocks the account.
 */
export async function resetUser(email: string, department: string, by: string, parts: ResetParts = { password: true, totp: true }): Promise<ResetCredentials> {
  if (!parts.password && !parts.totp) throw invalid('请选择要重置的内容：密码、动态口令或两者');
  const u = await userOf(email, department);
  const password = parts.password ? temporaryPassword() : undefined;
  const totp = parts.totp ? newTotp(u.email) : undefined;
  const updated = await updateItem<UserItem>(key(u.email), {
    set: {
      ...(password ? { passwordHash: await hashPassword(password), passwordSetAt: now().toISOString(), mustChangePassword: true } : {}),
      ...(totp ? { totpSecret: totp.secret } : {}),
      failures: 0,
    },
    remove: ['lockedUntil', ...(totp ? ['totpLastStep'] : [])],
  });
  await audit(u.email, 'account.reset', { by, password: parts.password, totp: parts.totp });
  return { user: publicUser(updated), ...(password ? { temporaryPassword: password } : {}), ...(totp ? { totp } : {}) };
}

/** Unlock an account locked by failed sign-ins, keeping its password and TOTP secret. */
export async function unlockUser(email: string, department: string, by: string): Promise<SignInUser> {
  const u = await userOf(email, department);
  const updated = await updateItem<UserItem>(key(u.email), { set: { failures: 0 }, remove: ['lockedUntil'] });
  await audit(u.email, 'account.unlocked', { by });
  return publicUser(updated);
}

export async function setDisabled(email: string, department: string, disabled: boolean, by: string): Promise<SignInUser> {
  const u = await userOf(email, department);
  const updated = await updateItem<UserItem>(key(u.email), { set: { disabled } });
  await audit(u.email, disabled ? 'account.disabled' : 'account.enabled', { by });
  return publicUser(updated);
}

// ------------------------------------------------------------------ sign-in

export interface SignInRequest {
  email: string;
  password: string;
  totp: string;
  /** Required when the password must change (first sign-in, reset, older than 90 days). */
  newPassword?: string;
  sourceIp: string;
}

export interface Session {
  token: string;
  principal: Principal;
  expiresAt: string;
}

const WRONG = '账号、密码或动态口令不正确';

/**
 * Checks password and TOTP, enforces lockout and password age, audits the attempt, and issues
 * a token. Every refusal is a DomainError with a reason clients may rely on:
 * InvalidCredentials, AccountLocked, AccountDisabled, PasswordChangeRequired, WeakPassword.
 */
export async function signIn(r: SignInRequest): Promise<Session> {
  const email = r.email.trim().toLowerCase();
  const at = now();
  const atIso = at.toISOString();
  const u = await getItem<UserItem>(key(email), true);
  const refuse = async (reason: string, message: string, code: 'unauthenticated' | 'forbidden' | 'invalid' = 'unauthenticated', details?: unknown): Promise<never> => {
    await audit(email, 'signin.refused', { reason, ip: r.sourceIp });
    throw new DomainError(code, message, { reason, ...(details !== undefined ? { details } : {}) });
  };
  if (!u) {
    // The same work and answer as for a wrong password: no telling which accounts exist.
    await verifyPassword(r.password, 'scrypt$15$8$1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA');
    return refuse('InvalidCredentials', WRONG);
  }
  if (u.disabled) return refuse('AccountDisabled', '账号已停用，请联系本部门管理员', 'forbidden');
  if (u.lockedUntil && u.lockedUntil > atIso) {
    return refuse('AccountLocked', `连续登录失败次数过多，账号已锁定至 ${lockedText(u.lockedUntil)}；可联系本部门管理员重置`, 'forbidden', { lockedUntil: u.lockedUntil });
  }
  const passwordOk = await verifyPassword(r.password, u.passwordHash);
  const step = totpStep(email, u.totpSecret, r.totp.trim(), at.getTime());
  const totpOk = step !== undefined && (u.totpLastStep === undefined || step > u.totpLastStep);
  if (!passwordOk || !totpOk) {
    const failures = (u.lockedUntil && u.lockedUntil <= atIso ? 0 : u.failures) + 1;
    const lock = failures >= LOCK_AFTER_FAILURES;
    const lockedUntil = new Date(at.getTime() + LOCK_MINUTES * 60_000).toISOString();
    await updateItem(key(email), { set: { failures: lock ? 0 : failures, ...(lock ? { lockedUntil } : {}) } });
    if (lock) return refuse('AccountLocked', `连续 ${LOCK_AFTER_FAILURES} 次登录失败，账号已锁定至 ${lockedText(lockedUntil)}；可联系本部门管理员重置`, 'forbidden', { lockedUntil });
    return refuse('InvalidCredentials', `${WRONG}（再失败 ${LOCK_AFTER_FAILURES - failures} 次将锁定 ${LOCK_MINUTES} 分钟）`);
  }
  const expired = at.getTime() - Date.parse(u.passwordSetAt) > PASSWORD_MAX_AGE_DAYS * 86_400_000;
  const set: Record<string, unknown> = { failures: 0, totpLastStep: step };
  if (u.mustChangePassword || expired) {
    if (!r.newPassword) {
      // The code is used up either way: the next attempt needs the next one.
      await updateItem(key(email), { set, remove: ['lockedUntil'] });
      return refuse('PasswordChangeRequired', u.mustChangePassword ? '首次登录或密码重置后须设置新密码' : `密码已使用超过 ${PASSWORD_MAX_AGE_DAYS} 天，须设置新密码`, 'forbidden');
    }
    const problem = passwordProblem(r.newPassword, email) ?? (r.newPassword === r.password ? '新密码不能与原密码相同' : undefined);
    if (problem) {
      await updateItem(key(email), { set, remove: ['lockedUntil'] });
      return refuse('WeakPassword', problem, 'invalid');
    }
    Object.assign(set, { passwordHash: await hashPassword(r.newPassword), passwordSetAt: atIso, mustChangePassword: false });
  }
  await updateItem(key(email), { set, remove: ['lockedUntil'] });
  const principal: Principal = {
    sub: `signin:${email}`,
    email,
    name: u.name,
    role: u.role,
    department: u.department,
    ...(u.inspectorId ? { inspectorId: u.inspectorId } : {}),
  };
  const iat = Math.floor(at.getTime() / 1000);
  const exp = iat + SESSION_MINUTES * 60;
  const token = await signJwt({
    iss: issuer(),
    aud: BUILTIN_AUDIENCE,
    sub: principal.sub,
    iat,
    nbf: iat,
    exp,
    jti: randomUUID(),
    email,
    name: u.name,
    // The claim names Cognito uses: shared/http/core.ts reads both the same way.
    'cognito:groups': [u.role],
    'custom:department': u.department,
    ...(u.inspectorId ? { 'custom:inspectorId': u.inspectorId } : {}),
  });
  await audit(email, 'signin.succeeded', { ip: r.sourceIp, ...(set.passwordHash ? { passwordChanged: true } : {}) });
  return { token, principal, expiresAt: new Date(exp * 1000).toISOString() };
}

const lockedText = (iso: string): string =>
  new Date(iso).toLocaleString('zh-CN', { timeZone: 'Asia/Shanghai', hour12: false, month: 'numeric', day: 'numeric', hour: '2-digit', minute: '2-digit' });

export function issuer(): string {
  const i = process.env.AUTH_ISSUER;
  if (!i) throw new Error('the built-in sign-in needs AUTH_ISSUER');
  return i;
}

export function builtinEnabled(): boolean {
  return process.env.AUTH_MODE === 'builtin';
}

// ------------------------------------------------------------------ audit

export interface SignInAuditEntry {
  at: string;
  what: string;
  data: Record<string, unknown>;
}

async function audit(email: string, what: string, data: Record<string, unknown>): Promise<void> {
  const at = now();
  logger.info('sign-in audit', { account: email, what, ...data });
  await putItem({
    pk: key(email).pk,
    sk: `AUDIT#${at.toISOString()}#${randomUUID().slice(0, 8)}`,
    at: at.toISOString(),
    what,
    data,
    ttl: Math.floor(at.getTime() / 1000) + AUDIT_TTL_DAYS * 86_400,
  });
}

/** The account's sign-in audit, newest first. */
export async function signInAudit(email: string, department: string, limit = 100): Promise<SignInAuditEntry[]> {
  const u = await userOf(email, department);
  const { items } = await queryPage<SignInAuditEntry & Item>({ pk: key(u.email).pk, skPrefix: 'AUDIT#', limit, forward: false, consistent: true });
  return items.map(({ at, what, data }) => ({ at, what, data }));
}
