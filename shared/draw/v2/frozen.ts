/**
 * The internal frozen state of a v2 round as text (docs/DRAW.md §16, "Internal state"): the
 * freeze record and its digests, the public eligibility lines, the internal openings and the
 * pseudonym mapping — the supervisor's inputs (`/draw/inputs`), and the JSON state of rounds
 * frozen before the binary state (state.ts) FreezePool now stores. `rebuildFrozenV2` recomputes
 * every commitment from the openings and refuses state whose pool or freeze digest differs from
 * the published ones.
 */
import { STRATA, type CompiledPool } from '../pool.js';
import { createHasher, type BatchHasher } from '../simd.js';
import { commitAll, publicPool } from './commit.js';
import { publicEligibilityLines, type FrozenDrawV2 } from './draw.js';
import { parsePublicEligibility } from './pooltext.js';
import { digestsOf, type FreezeRecordV2 } from './record.js';

export interface FrozenStateV2 {
  freeze: FreezeRecordV2;
  freezeDigest: string;
  freezeDigestSm3: string;
  /** Public eligibility lines (pseudonyms). */
  eligibility: string[];
  /** Internal openings, USCC order: "<uscc>,<stratum>,<k>,<excl>,<salt hex>". */
  openings: string[];
  /** Pseudonym → registry inspector id. */
  pseudonyms: Record<string, string>;
}

export function frozenStateOf(f: FrozenDrawV2): FrozenStateV2 {
  return {
    freeze: f.freeze,
    freezeDigest: f.freezeDigest,
    freezeDigestSm3: f.freezeDigestSm3,
    eligibility: publicEligibilityLines(f.pool),
    openings: openingLines(f),
    pseudonyms: Object.fromEntries(f.pseudonyms),
  };
}

/** Lines per chunk when writing or reading the openings (one join or split per chunk). */
const CHUNK = 65_536;
const COMMA = 0x2c, NL = 0x0a, SEMI = 0x3b;
const HEX_DIGITS = Buffer.from('0123456789abcdef', 'latin1');
const HEX_VALUE = new Int8Array(256).fill(-1);
for (let d = 0; d < 16; d++) HEX_VALUE[HEX_DIGITS[d]!] = d;
const STRATUM_BYTES = STRATA.map((s) => Buffer.from(s, 'latin1'));

/**
 * Internal openings (USCC order): "<candidate text>,<salt hex>" — the supervisor's input. Written
 * as bytes a chunk at a time and split into lines (one string per candidate, no per-line
 * buffers or templates).
 */
export function openingLines(f: { pool: Pick<CompiledPool, 'n' | 'usccBytes' | 'strata' | 'area' | 'exclOff' | 'exclIdx' | 'inspectorIds' | 'areaNames'>; salts: Uint8Array }): string[] {
  const p = f.pool;
  const out = new Array<string>(p.n);
  // ",<k>," per area
  const areaText = p.areaNames.map((_, k) => Buffer.from(`,${k},`, 'latin1'));
  const longestArea = areaText.reduce((m, b) => Math.max(m, b.length), 0);
  let buf = Buffer.allocUnsafe(CHUNK * (18 + 4 + longestArea + 1 + 32 + 1));
  for (let i0 = 0; i0 < p.n; i0 += CHUNK) {
    const i1 = Math.min(p.n, i0 + CHUNK);
    let need = 0;
    for (let i = i0; i < i1; i++) if (p.exclOff[i] !== p.exclOff[i + 1]) need += 65 * (p.exclOff[i + 1]! - p.exclOff[i]!);
    if (need) buf = Buffer.allocUnsafe(buf.length + need);
    const len = openingBytes(p, f.salts, i0, i1, areaText, buf);
    const lines = buf.toString('latin1', 0, len - 1).split('\n');
    for (let j = 0; j < lines.length; j++) out[i0 + j] = lines[j]!;
  }
  return out;
}

/** The internal opening of candidate i alone. */
export function openingLine(p: Pick<CompiledPool, 'usccBytes' | 'strata' | 'area' | 'exclOff' | 'exclIdx' | 'inspectorIds'>, salts: Uint8Array, i: number): string {
  const areaText = [Buffer.from(`,${p.area[i]},`, 'latin1')];
  const buf = Buffer.allocUnsafe(18 + 4 + areaText[0]!.length + 65 * (p.exclOff[i + 1]! - p.exclOff[i]!) + 1 + 32 + 1);
  const len = openingBytes({ ...p, area: Uint32Array.of(0), exclOff: Uint32Array.of(0, p.exclOff[i + 1]! - p.exclOff[i]!), exclIdx: p.exclIdx.subarray(p.exclOff[i]!), usccBytes: p.usccBytes.subarray(i * 18), strata: p.strata.subarray(i) }, salts.subarray(i * 16), 0, 1, areaText, buf);
  return buf.toString('latin1', 0, len - 1);
}

function openingBytes(p: Pick<CompiledPool, 'usccBytes' | 'strata' | 'area' | 'exclOff' | 'exclIdx' | 'inspectorIds'>, salts: Uint8Array, i0: number, i1: number, areaText: readonly Buffer[], buf: Buffer): number {
  let q = 0;
  for (let i = i0; i < i1; i++) {
    for (let j = 0, u = i * 18; j < 18; j++) buf[q++] = p.usccBytes[u + j]!;
    buf[q++] = COMMA;
    const st = STRATUM_BYTES[p.strata[i]!]!;
    for (let j = 0; j < st.length; j++) buf[q++] = st[j]!;
    const at = areaText[p.area[i]!]!;
    for (let j = 0; j < at.length; j++) buf[q++] = at[j]!;
    for (let x = p.exclOff[i]!; x < p.exclOff[i + 1]!; x++) {
      if (x > p.exclOff[i]!) buf[q++] = SEMI;
      q += buf.write(p.inspectorIds[p.exclIdx[x]!]!, q, 'latin1');
    }
    buf[q++] = COMMA;
    for (let j = i * 16, e = j + 16; j < e; j++) {
      buf[q++] = HEX_DIGITS[salts[j]! >>> 4]!;
      buf[q++] = HEX_DIGITS[salts[j]! & 15]!;
    }
    buf[q++] = NL;
  }
  return q;
}

/**
 * Rebuilds the frozen draw from the internal openings, recomputing every commitment: the pool
 * digest must come out as frozen (the stored inputs were not changed in between).
 */
export function rebuildFrozenV2(b: FrozenStateV2, hasher: BatchHasher = createHasher()): FrozenDrawV2 {
  const base = parsePublicEligibility(b.eligibility);
  const n = b.openings.length;
  // shared memory: the helper thread reads them in place
  const usccBytes = new Uint8Array(new SharedArrayBuffer(n * 18));
  const salts = new Uint8Array(new SharedArrayBuffer(n * 16));
  const cols: OpeningColumns = { usccBytes, salts, strata: new Uint8Array(n), area: new Uint32Array(n), exclOff: new Uint32Array(n + 1), excl: [], strataCounts: new Uint32Array(5) };
  const index = new Map(base.inspectorIds.map((id, k) => [id, k]));
  const areas = base.areaNames.length;
  for (let i0 = 0; i0 < n; i0 += CHUNK) {
    const chunk = b.openings.slice(i0, i0 + CHUNK);
    const bad = parseOpenings(Buffer.from(chunk.join('\n'), 'latin1'), i0, cols, areas, index);
    if (bad >= 0) throw new Error(`frozen inputs of ${b.freeze.taskId}: opening ${bad + 1} is malformed: ${JSON.stringify(b.openings[bad])}`);
  }
  const pool: CompiledPool = {
    n, usccBytes, strata: cols.strata, area: cols.area, exclOff: cols.exclOff, exclIdx: Uint32Array.from(cols.excl), ...base, strataCounts: Array.from(cols.strataCounts),
  };
  const pub = publicPool(pool, commitAll(pool, salts, hasher));
  if (pub.poolDigest !== b.freeze.poolDigest) throw new Error(`frozen inputs of ${b.freeze.taskId} do not match poolDigest ${b.freeze.poolDigest}`);
  const d = digestsOf(b.freeze);
  if (d.sha256 !== b.freezeDigest) throw new Error(`frozen record of ${b.freeze.taskId} does not match freezeDigest`);
  return { freeze: b.freeze, freezeDigest: b.freezeDigest, freezeDigestSm3: b.freezeDigestSm3, pool, salts, order: pub.order, bounds: pub.bounds, sorted: pub.sorted, pseudonyms: new Map(Object.entries(b.pseudonyms)) };
}

interface OpeningColumns {
  usccBytes: Uint8Array;
  salts: Uint8Array;
  strata: Uint8Array;
  area: Uint32Array;
  exclOff: Uint32Array;
  excl: number[];
  strataCounts: Uint32Array;
}

/**
 * Parses "\n"-joined opening lines (candidates i0, i0 + 1, …) into the columns; returns the
 * index of the first malformed line, or -1. Whatever it accepts is checked again by the pool
 * digest (every commitment is recomputed from these columns).
 */
function parseOpenings(t: Buffer, i0: number, c: OpeningColumns, areas: number, index: ReadonlyMap<string, number>): number {
  let i = i0, p = 0;
  const end = t.length;
  while (p < end) {
    if (p + 18 >= end) return i;
    for (let j = 0; j < 18; j++) c.usccBytes[i * 18 + j] = t[p + j]!;
    p += 18;
    if (t[p++] !== COMMA) return i;
    let st: number;
    const ch = t[p]!;
    if (ch === 0x6b && t[p + 1] === 0x65 && t[p + 2] === 0x79) (st = 0), (p += 3);
    else if (ch >= 0x41 && ch <= 0x44) (st = ch - 0x40), (p += 1);
    else return i;
    if (t[p++] !== COMMA) return i;
    let k = 0, digits = 0;
    for (; p < end && t[p]! >= 0x30 && t[p]! <= 0x39 && digits < 7; p++, digits++) k = k * 10 + t[p]! - 0x30;
    if (!digits || k >= areas || t[p++] !== COMMA) return i;
    if (t[p] !== COMMA) {
      // exclusions (few candidates have any): ids ";"-joined
      const e = t.indexOf(COMMA, p);
      if (e < 0) return i;
      for (const id of t.toString('latin1', p, e).split(';')) {
        const x = index.get(id);
        if (x === undefined) return i;
        c.excl.push(x);
      }
      p = e;
    }
    p++;
    if (p + 32 > end || (p + 32 < end && t[p + 32] !== NL)) return i;
    for (let j = 0, s = i * 16; j < 16; j++, p += 2) {
      const hi = HEX_VALUE[t[p]!]!, lo = HEX_VALUE[t[p + 1]!]!;
      if ((hi | lo) < 0) return i;
      c.salts[s + j] = (hi << 4) | lo;
    }
    p++;
    c.strata[i] = st;
    c.strataCounts[st]!++;
    c.area[i] = k;
    c.exclOff[i + 1] = c.excl.length;
    i++;
  }
  return -1;
}
