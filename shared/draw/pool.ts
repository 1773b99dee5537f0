/**
 * The frozen pool: candidates (USCC + stratum), the inspectors (pseudonymous id + unit), the areas
 * (jurisdictions with their eligible inspectors) and each candidate's area and exclusions.
 * Compiled into sorted typed arrays for the hot loops; the canonical text lines behind
 * `poolDigest` and `eligibilityDigest` are emitted from (and parsed back into) the same structure.
 *
 *   pool text        <uscc>,<stratum>\n                 sorted by USCC
 *   eligibility text insp,<id>,<unit>\n                 sorted by id
 *                    area,<k>,<id>;<id>;…,<name>\n      k = 0,1,… ; sorted by name (UTF-8 bytes)
 *                    cand,<k>,<excluded id>;…\n         one per candidate, in pool (USCC) order
 */
import { createHash } from 'node:crypto';
import { DrawInputError } from './errors.js';
import { sortRecords, type DigestSortHelper, type SortHelper } from './sort.js';

export const STRATA = ['key', 'A', 'B', 'C', 'D'] as const;
export type Stratum = (typeof STRATA)[number];
const STRATUM_INDEX: Readonly<Record<string, number>> = { key: 0, A: 1, B: 2, C: 3, D: 4 };

/** GB 32100 code alphabet (no I, O, S, V, Z), in ASCII order. */
export const USCC_ALPHABET = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const CODE = new Int8Array(128).fill(-1);
for (let i = 0; i < USCC_ALPHABET.length; i++) CODE[USCC_ALPHABET.charCodeAt(i)] = i;

/** Inspector, task and witness ids: ASCII, no separators. */
export const ID_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
/** Units (department ids, or section names for an internal joint task): no separators, no line break. */
export const UNIT_RE = /^[^,;\r\n]{1,64}$/;
/** Digests, commitments and system secrets: 64 lower-case hex digits. */
export const HEX64 = /^[0-9a-f]{64}$/;
/** Instants in records (ISO 8601, with a zone). */
export const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

export interface PoolInspector {
  /** Pseudonymous id used in the published record and in the score hash. */
  id: string;
  /** Department id (or, for an internal joint task, the section) the inspector represents. */
  unit: string;
}
export interface PoolArea {
  /** Jurisdiction name, e.g. 城关镇. Must not contain a line break. */
  name: string;
  /** Inspectors eligible for targets of this jurisdiction before per-target exclusions. */
  inspectors: readonly string[];
}
export interface PoolCandidate {
  uscc: string;
  stratum: Stratum;
  /** Area (jurisdiction) name. */
  area: string;
  /** Inspectors of the area excluded for this target (declared conflict, previous team). */
  excluded?: readonly string[];
}
export interface DrawPool {
  inspectors: readonly PoolInspector[];
  areas: readonly PoolArea[];
  /** As objects, or already packed while the pool was read (no million objects to walk). */
  candidates: readonly PoolCandidate[] | PackedCandidates;
}

export interface CompiledPool {
  n: number;
  /** Digests of the canonical texts, when computed while compiling. */
  poolDigest?: string;
  eligibilityDigest?: string;
  /** USCC bytes (ASCII), 18 per candidate, sorted; everything per-candidate is in this order. */
  usccBytes: Uint8Array;
  strata: Uint8Array;
  area: Uint32Array;
  /** CSR of excluded inspector indices: exclIdx[exclOff[i]..exclOff[i+1]), ascending. */
  exclOff: Uint32Array;
  exclIdx: Uint32Array;
  /** Sorted by id; an inspector's index orders like its id. */
  inspectorIds: string[];
  inspectorUnits: string[];
  /** Sorted by UTF-8 bytes of the name. */
  areaNames: string[];
  /** Inspector indices, ascending. */
  areaMembers: Uint32Array[];
  /** Candidates per stratum, in STRATA order. */
  strataCounts: number[];
}

/**
 * The candidates with exclusions (few), ascending: one scan of the n offsets, in a function of its
 * own over locals (feasibility and the v2 freeze's pseudonyms and commitment tails use it; written
 * inline with property loads, such a scan took 15–56 ms at 2,880,414 candidates, this one 5–12:
 * docs/DRAW.md §19, "The freeze, third round").
 */
export function withExclusions(exclOff: Uint32Array, n: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < n; i++) if (exclOff[i] !== exclOff[i + 1]) out.push(i);
  return out;
}

/** USCC of candidate i. */
export function usccAt(p: CompiledPool, i: number): string {
  return Buffer.from(p.usccBytes.buffer, p.usccBytes.byteOffset + i * 18, 18).toString('latin1');
}

const utf8Compare = (a: string, b: string) => Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
const validName = (s: string) => s.length > 0 && !/[\r\n]/.test(s);

// ------------------------------------------------------------------ compile from input

/**
 * Candidates packed as they are read, one 5-word record each:
 *   [k0, k1, k2, area << 4 | excluded << 3 | stratum, input index]
 * k0..k2 pack the USCC (6 symbols × 5 bits each; symbol values in ASCII order, so numeric order
 * of (k0, k1, k2) = string order). The draw Lambda packs each page of the pool read as it
 * arrives, so the freeze starts from typed arrays and never walks a million JS objects (that
 * walk is mostly cache misses: the objects and their USCC strings are scattered over the heap).
 */
export class PackedCandidates {
  /** Records, 5 words each; capacity may exceed 5·length. */
  rec: Uint32Array;
  length = 0;
  /** Area names in first-use order; the record holds the index into this list. */
  readonly areaNames: string[] = [];
  private readonly areaIndex = new Map<string, number>();
  /** Exclusion lists by input index (sparse); bit 3 of the record's meta word flags them. */
  readonly excluded = new Map<number, readonly string[]>();
  /** Set once compiled: the sort reuses the record buffer, so a pack can be compiled once. */
  consumed = false;

  constructor(capacity = 1024) {
    this.rec = sharedWords(Math.max(1, capacity) * 5);
  }

  static from(candidates: readonly PoolCandidate[]): PackedCandidates {
    const p = new PackedCandidates(candidates.length);
    for (const c of candidates) p.add(c.uscc, c.stratum, c.area, c.excluded);
    return p;
  }

  /** An independent copy (a pack is consumed by compiling it). */
  clone(): PackedCandidates {
    if (this.consumed) throw new Error('PackedCandidates already compiled');
    const c = new PackedCandidates(1);
    c.rec = sharedWords(this.length * 5);
    c.rec.set(this.rec.subarray(0, this.length * 5));
    c.length = this.length;
    c.areaNames.push(...this.areaNames);
    this.areaNames.forEach((name, k) => c.areaIndex.set(name, k));
    for (const [i, ex] of this.excluded) c.excluded.set(i, ex);
    return c;
  }

  add(u: string, stratum: Stratum, areaName: string, excluded?: readonly string[]): void {
    if (typeof u !== 'string' || u.length !== 18) throw new DrawInputError(`统一社会信用代码「${String(u)}」应为 18 位`);
    let a = 0, b = 0, d = 0;
    for (let j = 0; j < 18; j++) {
      const ch = u.charCodeAt(j);
      const v = ch < 128 ? CODE[ch]! : -1;
      if (v < 0) throw new DrawInputError(`统一社会信用代码「${u}」包含无效字符「${u[j]}」`);
      if (j < 6) a = (a << 5) | v;
      else if (j < 12) b = (b << 5) | v;
      else d = (d << 5) | v;
    }
    const s = STRATUM_INDEX[stratum];
    if (s === undefined) throw new DrawInputError(`检查对象 ${u} 的分层「${String(stratum)}」无效（应为 key、A、B、C、D）`);
    let ai = this.areaIndex.get(areaName);
    if (ai === undefined) {
      if (typeof areaName !== 'string' || !validName(areaName)) throw new DrawInputError(`检查对象 ${u} 的辖区名称不能为空且不能包含换行`);
      ai = this.areaNames.length;
      this.areaIndex.set(areaName, ai);
      this.areaNames.push(areaName);
    }
    const i = this.length;
    if ((i + 1) * 5 > this.rec.length) {
      const grown = sharedWords(this.rec.length * 2);
      grown.set(this.rec);
      this.rec = grown;
    }
    const o = i * 5;
    const rec = this.rec;
    rec[o] = a;
    rec[o + 1] = b;
    rec[o + 2] = d;
    const ex = excluded !== undefined && excluded.length > 0;
    rec[o + 3] = (ai << 4) | (ex ? 8 : 0) | s;
    rec[o + 4] = i;
    if (ex) this.excluded.set(i, excluded);
    this.length = i + 1;
  }
}

/**
 * Record buffers are shared memory, so the helper thread of `parallel.ts` can read the sorted
 * records and write the USCC bytes without copies.
 */
const sharedWords = (n: number) => new Uint32Array(new SharedArrayBuffer(n * 4));

/** Work the freeze can hand to a second thread (see `createParallelHasher`). */
export interface FreezeHelper extends SortHelper, DigestSortHelper {
  /**
   * Runs poolTextDigest(rec, n, usccBytes, hash) on the helper thread while `own` runs here;
   * returns the digest ('' without `hash`). rec and usccBytes must be backed by SharedArrayBuffers.
   */
  poolText(rec: Uint32Array, n: number, usccBytes: Uint8Array, own: () => void, hash?: boolean): string | undefined;
  /**
   * Fills `buf` (backed by a SharedArrayBuffer) with crypto.randomFillSync on the helper thread
   * while `own` runs here; false if the helper did not (the caller then fills it itself).
   */
  fillRandom?(buf: Uint8Array, own: () => void): boolean;
  /**
   * Until called again: after its part of each job, while the calling thread is still busy with
   * its own, the helper touches the next pages of `buf` (fresh memory: its first touch costs a
   * page fault) — undefined: no more. Each page is touched by an atomic compare-exchange of 0
   * with 0: a page written already keeps its contents.
   */
  touchWhileIdle?(buf: Int32Array | undefined): void;
}

/**
 * Decodes the sorted records into USCC bytes and returns the SHA-256 of the pool text
 * ("<uscc>,<stratum>\n" per candidate), or '' if `hash` is false (v2 has no pool text). Runs
 * on the helper thread when there is one.
 */
export function poolTextDigest(rec: Uint32Array, n: number, usccBytes: Uint8Array, hash = true): string {
  // two symbols (10 bits) → their two ASCII bytes as a little-endian 16-bit value, so a word's
  // six symbols are written with one 32-bit and one 16-bit store
  const pair = new Uint16Array(1024);
  for (let v = 0; v < 1024; v++) pair[v] = (USCC_ALPHABET.charCodeAt(v >>> 5) || 0) | ((USCC_ALPHABET.charCodeAt(v & 31) || 0) << 8);
  /**
   * Records [r0, r1) into usccBytes and into text (from 0); returns the text length. Captures
   * nothing and calls nothing: the hash is fed between chunks (see candidatePass for why).
   */
  const chunk = (rec: Uint32Array, r0: number, r1: number, pair: Uint16Array, uv: DataView, tv: DataView, text: Uint8Array): number => {
    let pp = 0;
    for (let r = r0; r < r1; r++) {
      const o = r * 5;
      const q = r * 18;
      for (let w = 0; w < 3; w++) {
        const k = rec[o + w]!;
        const x = pair[k >>> 20]! | (pair[(k >>> 10) & 1023]! << 16);
        const y = pair[k & 1023]!;
        uv.setInt32(q + w * 6, x, true);
        uv.setUint16(q + w * 6 + 4, y, true);
        tv.setInt32(pp + w * 6, x, true);
        tv.setUint16(pp + w * 6 + 4, y, true);
      }
      const st = rec[o + 3]! & 7;
      // ",key\n" or ",<A-D>\n"; bytes written past the line are overwritten by the next one
      if (st === 0) {
        tv.setUint32(pp + 18, 0x79656b2c, true);
        text[pp + 22] = 0x0a;
        pp += 23;
      } else {
        tv.setUint32(pp + 18, 0x0a002c | ((0x40 + st) << 8), true);
        pp += 21;
      }
    }
    return pp;
  };
  const h = createHash('sha256');
  const CHUNK = 1 << 15;
  const text = new Uint8Array(CHUNK * 23 + 8);
  const tv = new DataView(text.buffer);
  const uv = new DataView(usccBytes.buffer, usccBytes.byteOffset, usccBytes.byteLength);
  for (let r = 0; r < n; r += CHUNK) {
    const len = chunk(rec, r, Math.min(n, r + CHUNK), pair, uv, tv, text);
    if (hash) h.update(text.subarray(0, len));
  }
  return hash ? h.digest('hex') : '';
}

/** The USCC packed in (k0, k1, k2). */
function unpackUscc(a: number, b: number, d: number): string {
  let out = '';
  for (const k of [a, b, d]) for (let j = 5; j >= 0; j--) out += USCC_ALPHABET[(k >>> (j * 5)) & 31];
  return out;
}

/** From this many candidates on, the pool text is hashed on the helper thread when there is one. */
const HELPER_FROM = 100_000;

/**
 * Validates and compiles the pool. `texts: false` (suiji-draw-v2, which publishes neither v1's
 * pool text nor its cand lines) skips the two digests: they come back as ''.
 */
export function compilePool(pool: DrawPool, helper?: FreezeHelper, opts: { texts?: boolean } = {}): CompiledPool & { poolDigest: string; eligibilityDigest: string; free?: Uint32Array } {
  const texts = opts.texts !== false;
  const packed = pool.candidates instanceof PackedCandidates ? pool.candidates : PackedCandidates.from(pool.candidates);
  const n = packed.length;

  const areaByName = new Map<string, PoolArea>();
  for (const a of pool.areas) {
    if (typeof a.name !== 'string' || !validName(a.name)) throw new DrawInputError(`辖区名称不能为空且不能包含换行：「${String(a.name)}」`);
    if (areaByName.has(a.name)) throw new DrawInputError(`辖区「${a.name}」重复`);
    areaByName.set(a.name, a);
  }
  const inspectorUnit = new Map<string, string>();
  for (const ins of pool.inspectors) {
    if (!ID_RE.test(ins.id)) throw new DrawInputError(`检查人员编号「${ins.id}」格式不正确（只能包含字母、数字、点、下划线和连字符，最长 64 个字符）`);
    if (!UNIT_RE.test(ins.unit)) throw new DrawInputError(`检查人员「${ins.id}」的所属单位编号「${ins.unit}」格式不正确`);
    if (inspectorUnit.has(ins.id)) throw new DrawInputError(`检查人员编号「${ins.id}」重复`);
    inspectorUnit.set(ins.id, ins.unit);
  }
  const usedAreaNames = packed.areaNames;
  const usedAreaIndex = new Map(usedAreaNames.map((name, k) => [name, k]));
  for (let k = 0; k < usedAreaNames.length; k++) {
    if (areaByName.has(usedAreaNames[k]!)) continue;
    // name a candidate of the area (the first one packed)
    let o = 0;
    while ((packed.rec[o + 3]! >>> 4) !== k) o += 5;
    const u = unpackUscc(packed.rec[o]!, packed.rec[o + 1]!, packed.rec[o + 2]!);
    throw new DrawInputError(`检查对象 ${u} 的辖区「${usedAreaNames[k]}」没有对应的检查人员范围`);
  }
  let rec: Uint32Array = packed.rec;
  const recInput = rec;
  const rawExcl = packed.excluded;
  if (packed.consumed) throw new Error('PackedCandidates can be compiled once');
  packed.consumed = true;

  // canonical areas (sorted by name) and inspectors (those in some used area, sorted by id)
  const areaNames = [...usedAreaNames].sort(utf8Compare);
  const finalAreaOf = new Uint32Array(usedAreaNames.length);
  areaNames.forEach((name, k) => (finalAreaOf[usedAreaIndex.get(name)!] = k));
  const memberIds = new Set<string>();
  for (const name of areaNames) {
    for (const id of areaByName.get(name)!.inspectors) {
      if (!inspectorUnit.has(id)) throw new DrawInputError(`辖区「${name}」的检查人员「${id}」不在检查人员名单中`);
      memberIds.add(id);
    }
  }
  const inspectorIds = [...memberIds].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0));
  const inspectorIndex = new Map(inspectorIds.map((id, i) => [id, i]));
  const inspectorUnits = inspectorIds.map((id) => inspectorUnit.get(id)!);
  const areaMembers = areaNames.map((name) => {
    const set = new Set(areaByName.get(name)!.inspectors.map((id) => inspectorIndex.get(id)!));
    return Uint32Array.from([...set].sort((x, y) => x - y));
  });

  // sort into one of two buffers; the other one then holds usccBytes and strata (19 of its 20
  // bytes per record), which keeps the freeze's fresh external memory low (fewer full GCs)
  const scratch = sharedWords(n * 5);
  const split = helper !== undefined && n >= HELPER_FROM && rec.buffer instanceof SharedArrayBuffer;
  rec = sortRecords(rec, n, scratch, split ? helper : undefined);
  const spare = rec === scratch ? recInput : scratch;

  // Sequential passes in USCC order: the pool text (poolTextDigest, which also decodes the USCC
  // bytes; on the helper thread when there is one) and, here, the eligibility text, areas,
  // strata and exclusions.
  const eh = createHash('sha256');
  eh.update(headerLines(inspectorIds, inspectorUnits, areaNames, areaMembers).join(''), 'utf8');
  const usccBytes = new Uint8Array(spare.buffer, 0, n * 18);
  const strata = new Uint8Array(spare.buffer, n * 18, n);
  const area = new Uint32Array(n);
  const exclOff = new Uint32Array(n + 1);
  const excl: number[] = [];
  const strataCounts = [0, 0, 0, 0, 0];
  const tables = { finalAreaOf, areaMembers, inspectorIndex, inspectorIds, rawExcl };
  const columns = { strata, area, exclOff, excl, strataCounts };
  const candidates = (): void => (texts ? candidatePass(rec, n, tables, columns, eh) : candidateColumns(rec, n, tables, columns));
  const poolDigest =
    (split ? helper.poolText(rec, n, usccBytes, candidates, texts) : (candidates(), undefined)) ?? poolTextDigest(rec, n, usccBytes, texts);
  return {
    n,
    poolDigest,
    eligibilityDigest: texts ? eh.digest('hex') : '',
    // v2: the sorted records' buffer (20 bytes per candidate, touched already) is free now — the
    // freeze reuses it for the salts and the commitment tails (fresh memory costs page faults)
    ...(texts || !(rec.buffer instanceof SharedArrayBuffer) ? {} : { free: rec }),
    usccBytes,
    strata,
    area,
    exclOff,
    exclIdx: Uint32Array.from(excl),
    inspectorIds,
    inspectorUnits,
    areaNames,
    areaMembers,
    strataCounts,
  };
}

interface CandidateTables {
  finalAreaOf: Uint32Array;
  areaMembers: readonly Uint32Array[];
  inspectorIndex: ReadonlyMap<string, number>;
  inspectorIds: readonly string[];
  rawExcl: ReadonlyMap<number, readonly string[]>;
}
interface CandidateColumns {
  strata: Uint8Array;
  area: Uint32Array;
  exclOff: Uint32Array;
  excl: number[];
  strataCounts: number[];
}

/**
 * One pass over the sorted records: strata, areas and exclusion lists (CSR) per candidate, and
 * the "cand,<k>,<excluded ids>\n" lines fed to `eh`, a buffer at a time.
 *
 * Why the split into candidateLines: the loop must not call a method of an object that lives
 * only for this draw (the hash). V8 holds type feedback weakly; once a garbage collection has
 * taken the last such object, the optimized loop deoptimizes at that call, and re-optimizing a
 * million-iteration loop costs tens of milliseconds, on the very first (and in a Lambda function
 * the only) draw of the process.
 */
function candidatePass(rec: Uint32Array, n: number, by: CandidateTables, out: CandidateColumns, eh: { update(b: Uint8Array): unknown }): void {
  if (by.areaMembers.length > 100_000) throw new DrawInputError(`辖区过多（${by.areaMembers.length} 个），上限为 100000`);
  // each area's line "cand,<k>,\n" as three little-endian words (k < 100000: at most 12 bytes)
  const lineLen = new Uint8Array(by.areaMembers.length);
  const lineWords = new Int32Array(by.areaMembers.length * 3);
  by.areaMembers.forEach((_, k) => {
    const b = Buffer.from(`cand,${k},\n`, 'latin1');
    lineLen[k] = b.copy(Buffer.from(lineWords.buffer, k * 12, 12));
  });
  // room for the longest line: every member of an area excluded (ids ≤ 64 bytes and a ";")
  const longest = 16 + 65 * by.areaMembers.reduce((x, m) => Math.max(x, m.length), 0);
  const buf = new Uint8Array(Math.max(1 << 20, 4 * longest));
  const at = new Uint32Array(2); // next record, bytes in buf
  const counts = new Uint32Array(5);
  while (at[0]! < n) {
    candidateLines(rec, n, by, out, lineWords, lineLen, buf, buf.length - longest, at, counts);
    eh.update(buf.subarray(0, at[1]));
  }
  counts.forEach((c, st) => (out.strataCounts[st] = c));
}

/** candidatePass without the cand lines (v2): duplicates, strata, areas and exclusions only. */
function candidateColumns(rec: Uint32Array, n: number, by: CandidateTables, out: CandidateColumns): void {
  if (by.areaMembers.length > 100_000) throw new DrawInputError(`辖区过多（${by.areaMembers.length} 个），上限为 100000`);
  const { finalAreaOf } = by;
  const { strata, area, exclOff, excl } = out;
  // exclusionList writes the ids too: room for every member of an area (ids ≤ 64 bytes and a ";")
  const ids = new Uint8Array(16 + 65 * by.areaMembers.reduce((x, m) => Math.max(x, m.length), 0));
  const counts = new Uint32Array(5);
  for (let r = 0; r < n; r++) {
    const ak = candidateColumn(rec, r, finalAreaOf, strata, area, counts);
    if (rec[r * 5 + 3]! & 8) exclusionList(rec[r * 5 + 4]!, ak, by, excl, ids, 0);
    exclOff[r + 1] = excl.length;
  }
  counts.forEach((c, st) => (out.strataCounts[st] = c));
}

/** Sorted record r's stratum and final area into the columns (a repeated USCC refused); returns the area. */
function candidateColumn(rec: Uint32Array, r: number, finalAreaOf: Uint32Array, strata: Uint8Array, area: Uint32Array, counts: Uint32Array): number {
  const o = r * 5;
  const a = rec[o]!, b = rec[o + 1]!, d = rec[o + 2]!;
  if (r > 0 && a === rec[o - 5] && b === rec[o - 4] && d === rec[o - 3]) {
    throw new DrawInputError(`检查对象的统一社会信用代码重复：${unpackUscc(a, b, d)}`);
  }
  const meta = rec[o + 3]!;
  const st = meta & 7;
  strata[r] = st;
  counts[st]!++;
  const ak = finalAreaOf[meta >>> 4]!;
  area[r] = ak;
  return ak;
}

/** Candidates from at[0] on, until the buffer is filled past `limit`; see candidatePass. */
function candidateLines(
  rec: Uint32Array,
  n: number,
  by: CandidateTables,
  out: CandidateColumns,
  lineWords: Int32Array,
  lineLen: Uint8Array,
  buf: Uint8Array,
  limit: number,
  at: Uint32Array,
  counts: Uint32Array,
): void {
  const { finalAreaOf } = by;
  const { strata, area, exclOff, excl } = out;
  // lines are stored as words with DataView, whatever the alignment; bytes past a line are
  // overwritten by the next one
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  let r = at[0]!;
  let ep = 0;
  for (; r < n && ep <= limit; r++) {
    const o = r * 5;
    const ak = candidateColumn(rec, r, finalAreaOf, strata, area, counts);
    const meta = rec[o + 3]!;
    const w = ak * 3;
    view.setInt32(ep, lineWords[w]!, true);
    view.setInt32(ep + 4, lineWords[w + 1]!, true);
    view.setInt32(ep + 8, lineWords[w + 2]!, true);
    if (meta & 8) {
      // the line up to its "\n", the excluded ids, then the "\n"
      ep = exclusionList(rec[o + 4]!, ak, by, excl, buf, ep + lineLen[ak]! - 1);
      buf[ep++] = NL;
    } else ep += lineLen[ak]!;
    exclOff[r + 1] = excl.length;
  }
  at[0] = r;
  at[1] = ep;
}

/**
 * Appends a candidate's exclusions (those in its area's list, ascending, once) to `excl` and their
 * ids, ";"-separated, to buf at ep; returns the new ep. Kept out of the candidate loop (few have any).
 */
function exclusionList(input: number, ak: number, by: CandidateTables, excl: number[], buf: Uint8Array, ep: number): number {
  const ex = by.rawExcl.get(input);
  if (!ex) return ep;
  const members = by.areaMembers[ak]!;
  const first = excl.length;
  for (const id of ex) {
    const ix = by.inspectorIndex.get(id);
    // exclusions outside the area's list are irrelevant and dropped (canonical form)
    if (ix === undefined || !binaryHas(members, ix)) continue;
    // insert in ascending order, once (lists are short)
    let j = excl.length;
    while (j > first && excl[j - 1]! > ix) j--;
    if (j > first && excl[j - 1] === ix) continue;
    excl.splice(j, 0, ix);
  }
  for (let j = first; j < excl.length; j++) {
    const id = by.inspectorIds[excl[j]!]!;
    if (j > first) buf[ep++] = SEMI;
    for (let c = 0; c < id.length; c++) buf[ep++] = id.charCodeAt(c);
  }
  return ep;
}

/** The insp and area lines (each with its "\n"). */
function headerLines(ids: readonly string[], units: readonly string[], names: readonly string[], members: readonly Uint32Array[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < ids.length; i++) out.push(`insp,${ids[i]},${units[i]}\n`);
  for (let k = 0; k < names.length; k++) out.push(`area,${k},${Array.from(members[k]!, (ix) => ids[ix]!).join(';')},${names[k]}\n`);
  return out;
}

function binaryHas(sorted: Uint32Array, x: number): boolean {
  let lo = 0, hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    const v = sorted[mid]!;
    if (v === x) return true;
    if (v < x) lo = mid + 1;
    else hi = mid;
  }
  return false;
}

// ------------------------------------------------------------------ digests

const COMMA = 0x2c, NL = 0x0a, SEMI = 0x3b;

/** SHA-256 of lines, each followed by "\n" (what a verifier computes from the record). */
export function digestLines(lines: readonly string[]): string {
  const h = createHash('sha256');
  const CHUNK = 8192;
  for (let i = 0; i < lines.length; i += CHUNK) h.update(lines.slice(i, i + CHUNK).join('\n') + '\n', 'utf8');
  return h.digest('hex');
}

// ------------------------------------------------------------------ lines

/** All USCCs as one latin1 string (substrings of it are cheap slices). */
const allUsccs = (p: CompiledPool) => Buffer.from(p.usccBytes.buffer, p.usccBytes.byteOffset, p.n * 18).toString('latin1');

export function poolLines(p: CompiledPool): string[] {
  const all = allUsccs(p);
  const suffix = STRATA.map((s) => `,${s}`);
  const out = new Array<string>(p.n);
  for (let i = 0; i < p.n; i++) out[i] = all.slice(i * 18, i * 18 + 18) + suffix[p.strata[i]!];
  return out;
}

export function eligibilityLines(p: CompiledPool): string[] {
  const out = headerLines(p.inspectorIds, p.inspectorUnits, p.areaNames, p.areaMembers).map((l) => l.slice(0, -1));
  const plain = p.areaNames.map((_, k) => `cand,${k},`);
  for (let i = 0; i < p.n; i++) {
    const e0 = p.exclOff[i]!, e1 = p.exclOff[i + 1]!;
    if (e0 === e1) out.push(plain[p.area[i]!]!);
    else out.push(plain[p.area[i]!]! + Array.from(p.exclIdx.subarray(e0, e1), (ix) => p.inspectorIds[ix]!).join(';'));
  }
  return out;
}

// ------------------------------------------------------------------ parse lines back

/** Parses the record's frozen input lines strictly (canonical form only). */
export function parsePoolLines(poolText: readonly string[], eligText: readonly string[]): CompiledPool {
  const n = poolText.length;
  const P = (i: number, why: string) => new DrawInputError(`inputs.pool 第 ${i + 1} 行${why}`);
  const E = (i: number, why: string) => new DrawInputError(`inputs.eligibility 第 ${i + 1} 行${why}`);

  const usccs = new Array<string>(n);
  const usccBytes = new Uint8Array(n * 18);
  const strata = new Uint8Array(n);
  const strataCounts = [0, 0, 0, 0, 0];
  let prev = '';
  for (let i = 0; i < n; i++) {
    const line = poolText[i]!;
    if (line.length < 20 || line.charCodeAt(18) !== COMMA) throw P(i, `格式错误（应为 <统一社会信用代码>,<分层>）：「${line}」`);
    const u = line.slice(0, 18);
    for (let j = 0; j < 18; j++) {
      const ch = u.charCodeAt(j);
      if (ch >= 128 || CODE[ch]! < 0) throw P(i, `的统一社会信用代码包含无效字符：「${line}」`);
      usccBytes[i * 18 + j] = ch;
    }
    const s = STRATUM_INDEX[line.slice(19)];
    if (s === undefined) throw P(i, `的分层无效（应为 key、A、B、C、D）：「${line}」`);
    if (i > 0 && !(prev < u)) throw P(i, `未按统一社会信用代码严格升序排列：「${line}」`);
    prev = u;
    usccs[i] = u;
    strata[i] = s;
    strataCounts[s]!++;
  }

  let li = 0;
  const inspectorIds: string[] = [];
  const inspectorUnits: string[] = [];
  const inspectorIndex = new Map<string, number>();
  while (li < eligText.length && eligText[li]!.startsWith('insp,')) {
    const parts = eligText[li]!.split(',');
    if (parts.length !== 3 || !ID_RE.test(parts[1]!) || !UNIT_RE.test(parts[2]!)) throw E(li, `格式错误（应为 insp,<编号>,<单位>）：「${eligText[li]}」`);
    const id = parts[1]!;
    if (inspectorIds.length && !(inspectorIds[inspectorIds.length - 1]! < id)) throw E(li, `检查人员未按编号严格升序排列：「${id}」`);
    inspectorIndex.set(id, inspectorIds.length);
    inspectorIds.push(id);
    inspectorUnits.push(parts[2]!);
    li++;
  }
  const areaNames: string[] = [];
  const areaMembers: Uint32Array[] = [];
  const used = new Uint8Array(inspectorIds.length);
  while (li < eligText.length && eligText[li]!.startsWith('area,')) {
    const line = eligText[li]!;
    const c1 = line.indexOf(',', 5);
    const c2 = c1 < 0 ? -1 : line.indexOf(',', c1 + 1);
    if (c2 < 0) throw E(li, `格式错误（应为 area,<序号>,<检查人员编号;…>,<辖区名称>）：「${line}」`);
    if (line.slice(5, c1) !== String(areaNames.length)) throw E(li, `辖区序号应为 ${areaNames.length}：「${line}」`);
    const name = line.slice(c2 + 1);
    if (!validName(name)) throw E(li, `辖区名称为空：「${line}」`);
    if (areaNames.length && utf8Compare(areaNames[areaNames.length - 1]!, name) >= 0) throw E(li, `辖区未按名称严格升序排列：「${name}」`);
    const idsText = line.slice(c1 + 1, c2);
    const members: number[] = [];
    if (idsText) {
      for (const id of idsText.split(';')) {
        const ix = inspectorIndex.get(id);
        if (ix === undefined) throw E(li, `的检查人员「${id}」未在 insp 行中列出`);
        if (members.length && members[members.length - 1]! >= ix) throw E(li, `的检查人员未按编号严格升序排列：「${id}」`);
        members.push(ix);
        used[ix] = 1;
      }
    }
    areaNames.push(name);
    areaMembers.push(Uint32Array.from(members));
    li++;
  }
  const unused = used.indexOf(0);
  if (unused >= 0) throw new DrawInputError(`inputs.eligibility 中的检查人员「${inspectorIds[unused]}」不属于任何辖区`);
  if (eligText.length - li !== n) throw new DrawInputError(`inputs.eligibility 的 cand 行数应为 ${n}（与 inputs.pool 行数相同），实际为 ${eligText.length - li}`);

  const area = new Uint32Array(n);
  const exclOff = new Uint32Array(n + 1);
  const excl: number[] = [];
  const areaUsed = new Uint8Array(areaNames.length);
  const areaIndexText = new Map(areaNames.map((_, k) => [String(k), k]));
  for (let i = 0; i < n; i++, li++) {
    const line = eligText[li]!;
    const c2 = line.startsWith('cand,') ? line.indexOf(',', 5) : -1;
    if (c2 < 0) throw E(li, `格式错误（应为 cand,<辖区序号>,<排除的检查人员编号;…>，对应 inputs.pool 第 ${i + 1} 行 ${usccs[i]}）：「${line}」`);
    const k = areaIndexText.get(line.slice(5, c2));
    if (k === undefined) throw E(li, `的辖区序号无效：「${line}」`);
    area[i] = k;
    areaUsed[k] = 1;
    const exText = line.slice(c2 + 1);
    if (exText) {
      const members = areaMembers[k]!;
      let last = -1;
      for (const id of exText.split(';')) {
        const ix = inspectorIndex.get(id);
        if (ix === undefined || !binaryHas(members, ix)) throw E(li, `排除的检查人员「${id}」不在该辖区的检查人员名单中`);
        if (ix <= last) throw E(li, `排除的检查人员未按编号严格升序排列：「${id}」`);
        last = ix;
        excl.push(ix);
      }
    }
    exclOff[i + 1] = excl.length;
  }
  const unusedArea = areaUsed.indexOf(0);
  if (unusedArea >= 0) throw new DrawInputError(`inputs.eligibility 中的辖区「${areaNames[unusedArea]}」没有任何检查对象`);
  return {
    n,
    usccBytes,
    strata,
    area,
    exclOff,
    exclIdx: Uint32Array.from(excl),
    inspectorIds,
    inspectorUnits,
    areaNames,
    areaMembers,
    strataCounts,
  };
}
