/**
 * Where a v2 round's public randomness comes from (docs/DRAW.md §11): fixed at the freeze,
 * fetched (or, on the local platform, signed) only once its round has been published.
 *
 *  - In AWS: drand quicknet, the first round ≥ 60 s after the planned close of registration,
 *    read from the drand HTTP relays (SUIJI_DRAND_URLS, comma-separated) and checked offline
 *    against the chain's key before use.
 *  - On the local platform (no network): `suiji-local-test`, a BLS chain under a key generated
 *    on first use and kept in the platform's blob folder. It is NOT drand — every record and page
 *    says so — and it refuses to sign a round before that round's time on the platform's clock,
 *    so the seed cannot be computed early by the software either.
 */
import { checkBeacon, LocalTestChain, quicknetRoundAfter, roundTime, type BeaconProof, type BeaconSpec, type BlsBeaconSpec, type IndexBeaconProof, type IndexBeaconSpec } from '../draw/v2/index.js';
import { DrawInputError } from '../draw/errors.js';
import { getBlob, putBlob } from '../blobs.js';
import { config } from '../config.js';
import { now } from '../clock.js';
import { addDays, chinaDate, isoWeekday, isWorkingDay, CalendarYearNotCovered, type IsoDate } from '../domain/calendar.js';
import type { DrawBeaconChoice } from '../domain/profiles.js';

const LOCAL_KEY = 'beacon/suiji-local-test.json';
/** Round 1 of the local test chain (any fixed past instant; period 3 s as quicknet). */
const LOCAL_GENESIS = 1_735_689_600; // 2025-01-01T00:00:00Z

/** By blob folder: tests start platforms on different data folders in one process. */
const local = new Map<string, Promise<LocalTestChain>>();

/** The local platform's test chain (key created on first use, then kept in the blob folder). */
export function localTestChain(): Promise<LocalTestChain> {
  const folder = config().blobBucket;
  let chain = local.get(folder);
  if (chain) return chain;
  chain = (async () => {
    const stored = await getBlob(LOCAL_KEY);
    if (stored) {
      const { secretKey, genesis } = JSON.parse(stored.toString('utf8')) as { secretKey: string; genesis: number };
      return new LocalTestChain(Buffer.from(secretKey, 'hex'), genesis);
    }
    const secretKey = LocalTestChain.newSecretKey();
    const chain = new LocalTestChain(secretKey, LOCAL_GENESIS);
    await putBlob(LOCAL_KEY, JSON.stringify({ note: 'suiji-local-test beacon key: local platform only, NOT drand', secretKey: Buffer.from(secretKey).toString('hex'), genesis: LOCAL_GENESIS, publicKey: chain.publicKey }), 'application/json');
    return chain;
  })().catch((e) => {
    local.delete(folder);
    throw e;
  });
  local.set(folder, chain);
  return chain;
}

/**
 * A trading day of the Shanghai and Shenzhen exchanges: a working day of the official calendar
 * that is not a weekend (the exchanges stay closed on the adjusted working weekends, 调休).
 */
export function isTradingDay(d: IsoDate): boolean {
  return isoWeekday(d) <= 5 && isWorkingDay(d);
}

/** The first trading day after `d` (a Beijing date). */
export function nextTradingDayAfter(d: IsoDate): IsoDate {
  let x = addDays(d, 1);
  for (let i = 0; i < 60 && !isTradingDay(x); i++) x = addDays(x, 1);
  return x;
}

/**
 * The beacons a freeze fixes, as the department profile chooses (`draw.beacon`): the BLS round
 * first published ≥ 60 s after `drawTime` (drand quicknet; locally the test chain), and/or the
 * index closes of the first trading day after the Beijing date of `drawTime`.
 */
export async function beaconSpecsFor(drawTime: string, choice: DrawBeaconChoice = 'drand-quicknet'): Promise<BeaconSpec[]> {
  const specs: BeaconSpec[] = [];
  if (choice !== 'index-close') specs.push(config().local ? (await localTestChain()).specAfter(drawTime) : quicknetRoundAfter(drawTime));
  if (choice !== 'drand-quicknet') {
    let date: IsoDate;
    try {
      date = nextTradingDayAfter(chinaDate(drawTime));
    } catch (e) {
      if (e instanceof CalendarYearNotCovered) throw new DrawInputError(`无法确定指数收盘信标的交易日：${e.message}`);
      throw e;
    }
    specs.push({ source: 'index-close', date });
  }
  return specs;
}

/**
 * What the ceremony stage hands the state machine for its Wait before RunDraw: the time the last
 * of the round's beacons can exist, as an ISO timestamp in whole seconds (Step Functions'
 * TimestampPath). None for a v1 round (no beacon: RunDraw runs at once).
 */
export function beaconWait(beacons: readonly BeaconSpec[] | undefined): { beaconAt?: string } {
  if (!beacons?.length) return {};
  const ms = Math.max(...beacons.map(beaconAt));
  return { beaconAt: new Date(Math.ceil(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z') };
}

/** The index-close beacon a freeze fixed, if any. */
export const indexSpecOf = (beacons: readonly BeaconSpec[]): IndexBeaconSpec | undefined => beacons.find((b): b is IndexBeaconSpec => b.source === 'index-close');

/** Unix milliseconds at which a beacon's value can exist. */
export function beaconAt(spec: BeaconSpec): number {
  if (spec.source === 'index-close') return Date.parse(`${spec.date}T15:00:00+08:00`);
  return roundTime(spec, spec.round) * 1000;
}

const drandUrls = (): string[] =>
  (process.env.SUIJI_DRAND_URLS ?? 'https://api.drand.sh,https://drand.cloudflare.com').split(',').map((s) => s.trim().replace(/\/$/, '')).filter(Boolean);

/** One BLS proof if it exists now (undefined before the round's time or when no relay answers). */
async function blsProof(spec: BlsBeaconSpec): Promise<BeaconProof | undefined> {
  if (now().getTime() < roundTime(spec, spec.round) * 1000) return undefined;
  if (spec.source === 'suiji-local-test') {
    const chain = await localTestChain();
    if (chain.publicKey !== spec.publicKey) throw new Error('本地测试信标的密钥与冻结记录中的公钥不符（数据目录中的密钥被更换）');
    return chain.proof(spec.round, now());
  }
  for (const base of drandUrls()) {
    try {
      const r = await fetch(`${base}/${spec.chainHash}/public/${spec.round}`, { signal: AbortSignal.timeout(5000) });
      if (!r.ok) continue;
      const j = (await r.json()) as { round: number; signature: string; randomness: string };
      const proof: BeaconProof = { source: 'drand-quicknet', round: j.round, signature: j.signature, randomness: j.randomness };
      if (!checkBeacon(spec, proof)) return proof;
    } catch {
      /* next relay */
    }
  }
  return undefined;
}

/**
 * The proofs of a freeze's beacons that exist now, in freeze order; `complete` when all do.
 * Index closes are entered by two people (the ceremony's agreed entries, `indexProof`), never fetched.
 */
export async function availableProofs(beacons: readonly BeaconSpec[], indexProof?: IndexBeaconProof): Promise<{ proofs: BeaconProof[]; complete: boolean }> {
  const proofs: BeaconProof[] = [];
  for (const b of beacons) {
    const p = b.source === 'index-close' ? (indexProof?.date === b.date ? indexProof : undefined) : await blsProof(b);
    if (!p) return { proofs, complete: false };
    proofs.push(p);
  }
  return { proofs, complete: true };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Waits (on the platform's clock, polling) until every beacon is published, up to `budgetMs`
 * of real time; returns the proofs, or undefined when the budget ran out.
 */
export async function awaitBeacons(beacons: readonly BeaconSpec[], budgetMs: number, indexProof?: IndexBeaconProof): Promise<BeaconProof[] | undefined> {
  const until = Date.now() + budgetMs;
  for (;;) {
    const r = await availableProofs(beacons, indexProof);
    if (r.complete) return r.proofs;
    if (Date.now() >= until) return undefined;
    await sleep(250);
  }
}
