/**
 * Public randomness beacons of suiji-draw-v2 (docs/DRAW.md §11): fixed in the freeze record,
 * known only later, checked offline.
 *
 *  - drand quicknet: unchained BLS on BLS12-381, signatures on G1 (48 bytes), public key on G2;
 *    message = SHA-256(round as 8-byte big-endian), randomness = SHA-256(signature).
 *  - suiji-local-test: the same scheme under a key generated on this machine (local platform,
 *    demo, tests). NOT drand: whoever holds the key could sign early; the provider only refuses
 *    to sign a round before its time on the platform's clock.
 *  - index-close: 上证指数 and 深证成指 closing values, entered by two different people.
 */
import { createHash } from 'node:crypto';
import { bls12_381 } from '@noble/curves/bls12-381.js';
import { DrawInputError } from '../errors.js';
import { HEX64 } from '../pool.js';

const DST = 'BLS_SIG_BLS12381G1_XMD:SHA-256_SSWU_RO_NUL_';
const sigs = bls12_381.shortSignatures;

/** The League of Entropy's quicknet chain (https://api.drand.sh/<chainHash>/info). */
export const QUICKNET = {
  source: 'drand-quicknet',
  chainHash: '52db9ba70e0cc0f6eaf7803dd07447a1f5477735fd3f661792ba94600c84e971',
  publicKey:
    '83cf0f2896adee7eb8b5f01fcad3912212c437e0073e911fb90022d3e760183c8c4b450b6a0a6c3ac6a5776a2d1064510d1fec758c921cc22b0e17e63aaf4bcb5ed66304de9cf809bd274ca73bab4af5a6e9c76a4bc09e76eae8991ef5ece45a',
  genesis: 1692803367,
  period: 3,
} as const;

/** Witness registration must close at least this long before the beacon round is published. */
export const BEACON_MARGIN_S = 60;

export type BlsSource = 'drand-quicknet' | 'suiji-local-test';
export interface BlsBeaconSpec {
  source: BlsSource;
  chainHash: string;
  publicKey: string;
  /** Unix seconds of round 1. */
  genesis: number;
  /** Seconds between rounds. */
  period: number;
  round: number;
}
export interface IndexBeaconSpec {
  source: 'index-close';
  /** The trading day (YYYY-MM-DD) whose closing values are used. */
  date: string;
}
export type BeaconSpec = BlsBeaconSpec | IndexBeaconSpec;

export interface BlsBeaconProof {
  source: BlsSource;
  round: number;
  /** 96 hex characters (a compressed G1 point). */
  signature: string;
  /** SHA-256(signature), 64 hex. */
  randomness: string;
}
export const INDICES = [
  { name: '上证指数', code: '000001.SH' },
  { name: '深证成指', code: '399001.SZ' },
] as const;
export interface IndexBeaconProof {
  source: 'index-close';
  date: string;
  /** The closing values, as two decimals, in INDICES order. */
  values: { name: string; code: string; close: string }[];
  /** The two different people who entered the values. */
  enteredBy: string[];
  randomness: string;
}
export type BeaconProof = BlsBeaconProof | IndexBeaconProof;

const sha256 = (b: Uint8Array | string) => createHash('sha256').update(b).digest();

/** Unix seconds at which `round` is published. */
export function roundTime(spec: { genesis: number; period: number }, round: number): number {
  return spec.genesis + (round - 1) * spec.period;
}

/** The first round published at or after `unixSeconds`. */
export function roundAt(spec: { genesis: number; period: number }, unixSeconds: number): number {
  if (unixSeconds <= spec.genesis) return 1;
  return Math.ceil((unixSeconds - spec.genesis) / spec.period) + 1;
}

/** Time after which the beacon's value can exist (index closes: 15:00 Beijing time of the day). */
export function beaconTime(spec: BeaconSpec): number {
  if (spec.source === 'index-close') return Date.parse(`${spec.date}T15:00:00+08:00`) / 1000;
  return roundTime(spec, spec.round);
}

/** The beacon spec for the first round published ≥ BEACON_MARGIN_S after `closeBy` (ISO time). */
export function quicknetRoundAfter(closeBy: string): BlsBeaconSpec {
  const t = Math.ceil(Date.parse(closeBy) / 1000) + BEACON_MARGIN_S;
  return { ...QUICKNET, round: roundAt(QUICKNET, t) };
}

/** Results of pairing checks already done, by public key, round and signature. */
const verified = new Map<string, boolean>();

const roundMessage = (round: number) => {
  const b = Buffer.alloc(8);
  b.writeBigUInt64BE(BigInt(round));
  return sha256(b);
};

type G2Point = ReturnType<typeof bls12_381.G2.Point.fromHex>;

/**
 * Chain public keys parsed and negated once per process: each new G2 point is checked to be in
 * the subgroup (a scalar multiplication with a fresh precomputation, ~0.2 s) and noble's verify
 * negates the key into a new point at every call; the init warm-up parses quicknet's key, so
 * RunDraw's check after the beacon does not pay it.
 */
const negatedKeys = new Map<string, G2Point>();
function publicKeyPoint(hex: string): G2Point {
  let p = negatedKeys.get(hex);
  if (!p) {
    p = bls12_381.G2.Point.fromHex(hex).negate();
    p.assertValidity();
    if (negatedKeys.size > 16) negatedKeys.clear();
    negatedKeys.set(hex, p);
  }
  return p;
}

/** noble's shortSignatures.verify with the negated key given: e(H(m), −P) · e(S, G) = 1. */
function verifyShort(signature: ReturnType<typeof sigs.Signature.fromHex>, hm: ReturnType<typeof sigs.hash>, negKey: G2Point): boolean {
  const exp = bls12_381.pairingBatch([
    { g1: hm, g2: negKey },
    { g1: signature, g2: bls12_381.G2.Point.BASE },
  ]);
  return bls12_381.fields.Fp12.eql(exp, bls12_381.fields.Fp12.ONE);
}

/**
 * Checks a proof against the spec fixed in the freeze record; returns the error in words, or
 * undefined when it verifies.
 */
export function checkBeacon(spec: BeaconSpec, proof: BeaconProof): string | undefined {
  if (spec.source !== proof.source) return `信标来源不一致：冻结记录为 ${spec.source}，取值为 ${proof.source}`;
  if (spec.source === 'index-close' || proof.source === 'index-close') return checkIndexProof(spec as IndexBeaconSpec, proof as IndexBeaconProof);
  if (proof.round !== spec.round) return `信标轮次不一致：冻结记录固定第 ${spec.round} 轮，取值为第 ${proof.round} 轮`;
  if (!/^[0-9a-f]{96}$/.test(proof.signature)) return `信标第 ${proof.round} 轮的签名应为 96 位小写十六进制（BLS12-381 G1 压缩点）`;
  if (spec.source === 'drand-quicknet' && (spec.publicKey !== QUICKNET.publicKey || spec.chainHash !== QUICKNET.chainHash || spec.genesis !== QUICKNET.genesis || spec.period !== QUICKNET.period)) {
    return '冻结记录中的 drand quicknet 链参数（公钥、链哈希、起始时间或周期）与 quicknet 不符';
  }
  const rnd = sha256(Buffer.from(proof.signature, 'hex')).toString('hex');
  if (proof.randomness !== rnd) return `信标第 ${proof.round} 轮的随机值应为签名的 SHA-256（${rnd}），记录为 ${proof.randomness}`;
  const key = `${spec.publicKey}:${proof.round}:${proof.signature}`;
  let ok = verified.get(key);
  if (ok === undefined) {
    try {
      const sig = sigs.Signature.fromHex(proof.signature);
      ok = verifyShort(sig, sigs.hash(roundMessage(proof.round), DST), publicKeyPoint(spec.publicKey));
    } catch {
      ok = false;
    }
    // a pairing check costs ~0.1 s; a verifier re-checking the same round need not repeat it
    if (verified.size > 1000) verified.clear();
    verified.set(key, ok);
  }
  if (!ok) return `信标 ${spec.source} 第 ${proof.round} 轮的 BLS 签名验证失败（签名与该链公钥不符）`;
  return undefined;
}

function indexValueText(values: readonly { name: string; close: string }[]): string {
  return values.map((v) => `${v.name}=${v.close}`).join('\n');
}

function checkIndexProof(spec: IndexBeaconSpec, proof: IndexBeaconProof): string | undefined {
  if (proof.date !== spec.date) return `指数收盘信标的交易日不一致：冻结记录为 ${spec.date}，取值为 ${proof.date}`;
  if (proof.values.length !== INDICES.length || proof.values.some((v, i) => v.name !== INDICES[i]!.name || v.code !== INDICES[i]!.code)) {
    return '指数收盘信标应依次包含上证指数（000001.SH）和深证成指（399001.SZ）';
  }
  for (const v of proof.values) if (!/^\d{1,6}\.\d{2}$/.test(v.close)) return `${v.name}收盘点位「${v.close}」应保留两位小数`;
  if (proof.enteredBy.length !== 2 || proof.enteredBy[0] === proof.enteredBy[1]) return '指数收盘点位应由两名不同人员分别录入';
  const rnd = sha256(Buffer.from(indexValueText(proof.values), 'utf8')).toString('hex');
  if (proof.randomness !== rnd) return `指数收盘信标的随机值应为 ${rnd}，记录为 ${proof.randomness}`;
  return undefined;
}

/**
 * The index-close proof from two people's entries: both must agree exactly, or nothing is
 * recorded (DrawInputError naming the index).
 */
export function indexCloseProof(
  spec: IndexBeaconSpec,
  first: { by: string; closes: readonly string[] },
  second: { by: string; closes: readonly string[] },
): IndexBeaconProof {
  if (!first.by || first.by === second.by) throw new DrawInputError('指数收盘点位应由两名不同人员分别录入');
  const values = INDICES.map((ix, i) => {
    const a = first.closes[i]?.trim() ?? '', b = second.closes[i]?.trim() ?? '';
    if (!/^\d{1,6}\.\d{2}$/.test(a)) throw new DrawInputError(`${ix.name}收盘点位「${a}」应保留两位小数（${first.by} 录入）`);
    if (a !== b) throw new DrawInputError(`${ix.name}收盘点位两次录入不一致：${first.by} 录入 ${a}，${second.by} 录入 ${b}`);
    return { name: ix.name, code: ix.code, close: a };
  });
  return { source: 'index-close', date: spec.date, values, enteredBy: [first.by, second.by], randomness: sha256(Buffer.from(indexValueText(values), 'utf8')).toString('hex') };
}

/** 64-hex randomness of a proof, after checkBeacon. */
export function beaconRandomness(proof: BeaconProof): string {
  if (!HEX64.test(proof.randomness)) throw new DrawInputError('信标随机值应为 64 位小写十六进制');
  return proof.randomness;
}

// ------------------------------------------------------------------ local test chain

/**
 * A BLS beacon chain keyed on this machine — for the local platform, demos and tests only; its
 * records say `suiji-local-test` and it is never drand. Rounds are signed on demand, and never
 * before their publication time on the given clock (so a local ceremony cannot compute its seed
 * early either — but the key holder could; that is why production uses quicknet).
 */
export class LocalTestChain {
  readonly publicKey: string;
  readonly chainHash: string;
  constructor(
    private readonly secretKey: Uint8Array,
    readonly genesis: number,
    readonly period = 3,
  ) {
    this.publicKey = Buffer.from(sigs.getPublicKey(secretKey).toBytes(true)).toString('hex');
    this.chainHash = sha256(`suiji-local-test\n${this.publicKey}\n${genesis}\n${period}`).toString('hex');
  }

  /** A fresh key (32 bytes, keep it in the platform's data directory). */
  static newSecretKey(): Uint8Array {
    return sigs.keygen().secretKey;
  }

  spec(round: number): BlsBeaconSpec {
    return { source: 'suiji-local-test', chainHash: this.chainHash, publicKey: this.publicKey, genesis: this.genesis, period: this.period, round };
  }

  /** The first round published ≥ BEACON_MARGIN_S after `closeBy`. */
  specAfter(closeBy: string): BlsBeaconSpec {
    return this.spec(roundAt(this, Math.ceil(Date.parse(closeBy) / 1000) + BEACON_MARGIN_S));
  }

  /** The round's proof; throws before the round's publication time. */
  proof(round: number, now: Date): BlsBeaconProof {
    const at = roundTime(this, round);
    if (now.getTime() / 1000 < at) {
      throw new DrawInputError(`本地测试信标第 ${round} 轮尚未发布（发布时间 ${new Date(at * 1000).toISOString()}）`);
    }
    const sig = sigs.sign(sigs.hash(roundMessage(round), DST), this.secretKey);
    const signature = Buffer.from(sig.toBytes(true)).toString('hex');
    return { source: 'suiji-local-test', round, signature, randomness: sha256(Buffer.from(signature, 'hex')).toString('hex') };
  }
}
