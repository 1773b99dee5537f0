/**
 * Step 2, the seed: commitments, reveal checking and seed derivation.
 *
 *  witness commitment = SHA-256(UTF-8 bytes of the secret exactly as typed), lowercase hex
 *  system commitment  = SHA-256(the 32 raw random bytes), lowercase hex; revealed as 64 hex chars
 *  seed = SHA-256("suiji-draw-v1\n" + taskId + "\n" + poolDigest + "\n" + eligibilityDigest + "\n"
 *                 + witness secrets in witness-id order, then the system hex, joined by "\n"
 *                 + "\n" + beacon value (empty string when no beacon round is fixed))
 */
import { randomBytes } from 'node:crypto';
import { sha256Hex } from './sha256.js';
import { DrawInputError, MissingRevealError, RevealMismatchError } from './errors.js';
import { HEX64 } from './pool.js';

export const ALGORITHM = 'suiji-draw-v1';

/** A witness secret: non-empty, no line break (reveals are joined by "\n"). */
export function checkSecretText(secret: string): string | undefined {
  if (typeof secret !== 'string' || secret.length === 0) return '密钥不能为空';
  if (/[\r\n]/.test(secret)) return '密钥不能包含换行';
  return undefined;
}

/** Commitment a witness publishes before the freeze: SHA-256 of the UTF-8 secret. */
export function commitSecret(secret: string): string {
  const bad = checkSecretText(secret);
  if (bad) throw new DrawInputError(bad);
  return sha256Hex(Buffer.from(secret, 'utf8'));
}

/** SHA-256 of the 32 bytes written as 64 lowercase hex characters. */
export function commitSystemBytes(hex: string): string {
  if (!HEX64.test(hex)) throw new DrawInputError('系统随机数应为 64 位小写十六进制');
  return sha256Hex(Buffer.from(hex, 'hex'));
}

/** The system's 32 random bytes (keep `hex` secret until the ceremony) and their commitment. */
export function newSystemSecret(): { hex: string; commitment: string } {
  const hex = randomBytes(32).toString('hex');
  return { hex, commitment: commitSystemBytes(hex) };
}

export interface WitnessCommitment {
  id: string;
  commitment: string;
}
export interface Reveals {
  witnesses: readonly { id: string; secret: string }[];
  /** The system's bytes, 64 lowercase hex. */
  system: string;
  /** Beacon value of the round fixed in the freeze record (required iff one was fixed). */
  beacon?: string | null;
}

export interface RevealCheckInput {
  witnesses: readonly WitnessCommitment[];
  systemCommitment: string;
  beacon: { source: string; round: number } | null;
}

/**
 * Witness reveals against their commitments (v1 and v2): an unknown or repeated id is refused, the
 * first reveal (in registration order) that is malformed or does not match throws
 * RevealMismatchError; returns the ids still missing and the secrets in registration order.
 */
export function checkWitnessReveals(
  registered: readonly { id: string; commitment: string; name?: string; role?: string }[],
  reveals: readonly { id: string; secret: string }[],
  opts: { registry: string; named?: boolean; mismatchSuffix?: string },
): { missing: string[]; ordered: { id: string; secret: string }[] } {
  const byId = new Map<string, string>();
  for (const r of reveals) {
    if (!registered.some((w) => w.id === r.id)) throw new DrawInputError(`见证人「${r.id}」未在${opts.registry}中登记`);
    if (byId.has(r.id)) throw new DrawInputError(`见证人「${r.id}」的揭示值重复提交`);
    byId.set(r.id, r.secret);
  }
  const missing: string[] = [];
  const ordered: { id: string; secret: string }[] = [];
  for (const w of registered) {
    const secret = byId.get(w.id);
    if (secret === undefined || secret === '') {
      missing.push(w.id);
      continue;
    }
    const bad = checkSecretText(secret);
    if (bad) throw new RevealMismatchError(w.id, `见证人「${w.id}」的揭示值无效：${bad}`);
    const got = sha256Hex(Buffer.from(secret, 'utf8'));
    if (got !== w.commitment) {
      const who = opts.named ? `见证人「${w.id}」（${w.name}，${w.role}）` : `见证人「${w.id}」`;
      throw new RevealMismatchError(w.id, `${who}的揭示值与其承诺不一致（SHA-256 为 ${got}，承诺为 ${w.commitment}）${opts.mismatchSuffix ?? ''}`);
    }
    ordered.push({ id: w.id, secret });
  }
  return { missing, ordered };
}

/**
 * Throws RevealMismatchError naming the first witness (in witness-id order, system last) whose
 * reveal does not match the commitment, then MissingRevealError listing every missing reveal.
 * Returns the reveals in canonical order.
 */
export function checkReveals(freeze: RevealCheckInput, reveals: Reveals): { witnesses: { id: string; secret: string }[]; system: string; beacon: string | null } {
  const { missing, ordered } = checkWitnessReveals(freeze.witnesses, reveals.witnesses, { registry: '冻结记录', mismatchSuffix: '，抽取仪式停止' });
  const sys = reveals.system;
  if (!sys) missing.push('system');
  else {
    if (!HEX64.test(sys)) throw new RevealMismatchError('system', '系统随机数的揭示值应为 64 位小写十六进制，抽取仪式停止');
    const got = sha256Hex(Buffer.from(sys, 'hex'));
    if (got !== freeze.systemCommitment) {
      throw new RevealMismatchError('system', `系统随机数的揭示值与其承诺不一致（SHA-256 为 ${got}，承诺为 ${freeze.systemCommitment}），抽取仪式停止`);
    }
  }
  let beacon: string | null = null;
  if (freeze.beacon) {
    const v = reveals.beacon;
    if (!v) missing.push('beacon');
    else if (/[\r\n]/.test(v)) throw new DrawInputError('公共随机信标取值不能包含换行');
    else beacon = v;
  } else if (reveals.beacon) {
    throw new DrawInputError('冻结记录未指定公共随机信标轮次，不能提供信标取值');
  }
  if (missing.length) throw new MissingRevealError(missing);
  return { witnesses: ordered, system: sys, beacon };
}

/** The seed of a frozen round from its checked reveals (the draw and the verifier both call this). */
export function seedOfRound(f: { taskId: string; poolDigest: string; eligibilityDigest: string }, r: ReturnType<typeof checkReveals>): string {
  return deriveSeed({
    taskId: f.taskId,
    poolDigest: f.poolDigest,
    eligibilityDigest: f.eligibilityDigest,
    witnessSecrets: r.witnesses.map((w) => w.secret),
    system: r.system,
    beacon: r.beacon,
  });
}

export function deriveSeed(input: {
  taskId: string;
  poolDigest: string;
  eligibilityDigest: string;
  /** Secrets in witness-id order. */
  witnessSecrets: readonly string[];
  system: string;
  beacon: string | null;
}): string {
  const reveals = [...input.witnessSecrets, input.system].join('\n');
  const text = `${ALGORITHM}\n${input.taskId}\n${input.poolDigest}\n${input.eligibilityDigest}\n${reveals}\n${input.beacon ?? ''}`;
  return sha256Hex(Buffer.from(text, 'utf8'));
}
