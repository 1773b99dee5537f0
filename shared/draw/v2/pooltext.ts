/**
 * The public pool lists of a v2 record (docs/DRAW.md §14): reading them fast, and poolDigest.
 * A million commitments through zod and one Buffer each took seconds; here each list is checked
 * and decoded in chunks (one join, one regular-expression test and one native hex decode per
 * 65,536 entries).
 */
import { createHash, randomUUID } from 'node:crypto';
import { ID_RE, STRATA, UNIT_RE } from '../pool.js';

export type PoolLists = Record<(typeof STRATA)[number], string[]>;

const HEX_RUN = /^[0-9a-f]*$/;
const HEX64 = /^[0-9a-f]{64}$/;

/**
 * Checks the shape of inputs.pool (five arrays of 64-hex strings) and decodes it: the
 * commitments as words (8 per entry, public order, shared memory), the stratum bounds and
 * SHA-256 of the raw bytes (poolDigest). The error names the first bad entry as the record
 * schema would.
 */
export function decodePoolLists(pool: unknown): { ok: true; commitments: Int32Array; bounds: number[]; digest: string } | { ok: false; error: string } {
  const bad = (path: string, why: string) => ({ ok: false as const, error: `记录格式错误：字段 inputs.pool${path}：${why}` });
  if (!pool || typeof pool !== 'object' || Array.isArray(pool)) return bad('', '应为对象');
  const extra = Object.keys(pool).find((k) => !(STRATA as readonly string[]).includes(k));
  if (extra !== undefined) return bad('', `含有未知字段「${extra}」`);
  const lists = STRATA.map((s) => (pool as Record<string, unknown>)[s]);
  for (let s = 0; s < 5; s++) if (!Array.isArray(lists[s])) return bad(`.${STRATA[s]}`, '应为数组');
  const n = lists.reduce((a: number, l) => a + (l as unknown[]).length, 0);
  const commitments = new Int32Array(new SharedArrayBuffer(n * 32));
  const bytes = new Uint8Array(commitments.buffer);
  const h = createHash('sha256');
  const bounds = [0];
  const CH = 65_536;
  let at = 0;
  for (let s = 0; s < 5; s++) {
    const l = lists[s] as unknown[];
    for (let i = 0; i < l.length; i += CH) {
      const chunk = l.slice(i, i + CH);
      const text = allHex64(chunk) ? (chunk as string[]).join('') : undefined;
      if (text === undefined || !HEX_RUN.test(text)) {
        const j = chunk.findIndex((x) => typeof x !== 'string' || !HEX64.test(x));
        return bad(`.${STRATA[s]}[${i + j}]`, '应为 64 位小写十六进制');
      }
      const raw = Buffer.from(text, 'hex');
      h.update(raw);
      bytes.set(raw, at * 32);
      // big-endian bytes → words
      Buffer.from(commitments.buffer, at * 32, raw.length).swap32();
      at += chunk.length;
    }
    bounds.push(at);
  }
  return { ok: true, commitments, bounds, digest: h.digest('hex') };
}

function allHex64(chunk: unknown[]): boolean {
  for (let j = 0; j < chunk.length; j++) {
    const x = chunk[j];
    if (typeof x !== 'string' || x.length !== 64) return false;
  }
  return true;
}

/** Position (within its stratum) of the first entry not above its predecessor, or -1 per stratum. */
export function firstUnsorted(c: Int32Array, a: number, b: number): number {
  for (let j = a + 1; j < b; j++) {
    let cmp = 0;
    for (let w = 0; w < 8 && cmp === 0; w++) {
      const x = c[(j - 1) * 8 + w]! >>> 0, y = c[j * 8 + w]! >>> 0;
      cmp = x < y ? -1 : x > y ? 1 : 0;
    }
    if (cmp >= 0) return j - a;
  }
  return -1;
}

/**
 * Parses the public eligibility text (insp and area lines, canonical form only) into the
 * structure matching needs. Throws an Error naming the line.
 */
export function parsePublicEligibility(lines: readonly string[]): { inspectorIds: string[]; inspectorUnits: string[]; areaNames: string[]; areaMembers: Uint32Array[] } {
  const E = (i: number, why: string) => new Error(`inputs.eligibility 第 ${i + 1} 行${why}`);
  const inspectorIds: string[] = [], inspectorUnits: string[] = [], areaNames: string[] = [], areaMembers: Uint32Array[] = [];
  const index = new Map<string, number>();
  const listed = new Set<string>();
  let i = 0;
  for (; i < lines.length && lines[i]!.startsWith('insp,'); i++) {
    const m = /^insp,([^,]*),(.*)$/.exec(lines[i]!);
    if (!m || !ID_RE.test(m[1]!) || !UNIT_RE.test(m[2]!)) throw E(i, '格式应为 insp,<化名>,<单位>');
    if (inspectorIds.length && !(inspectorIds[inspectorIds.length - 1]! < m[1]!)) throw E(i, '应按化名升序且不重复');
    index.set(m[1]!, inspectorIds.length);
    inspectorIds.push(m[1]!);
    inspectorUnits.push(m[2]!);
  }
  for (; i < lines.length; i++) {
    const m = /^area,(\d+),([^,]*),(.+)$/.exec(lines[i]!);
    if (!m || Number(m[1]) !== areaNames.length || String(areaNames.length) !== m[1]) throw E(i, `格式应为 area,${areaNames.length},<化名;…>,<辖区名称>`);
    const ids = m[2] ? m[2].split(';') : [];
    if (!ids.length) throw E(i, '辖区没有检查人员');
    ids.forEach((id, k) => {
      if (!index.has(id)) throw E(i, `含有未列出的检查人员「${id}」`);
      if (k && !(ids[k - 1]! < id)) throw E(i, '的检查人员应按化名升序且不重复');
      listed.add(id);
    });
    const name = m[3]!;
    if (areaNames.length && Buffer.compare(Buffer.from(areaNames[areaNames.length - 1]!, 'utf8'), Buffer.from(name, 'utf8')) >= 0) throw E(i, '辖区应按名称（UTF-8 字节）升序且不重复');
    areaNames.push(name);
    areaMembers.push(Uint32Array.from(ids, (id) => index.get(id)!));
  }
  for (const id of inspectorIds) if (!listed.has(id)) throw new Error(`inputs.eligibility 中的检查人员「${id}」不在任何辖区名单中`);
  return { inspectorIds, inspectorUnits, areaNames, areaMembers };
}

// ------------------------------------------------------------------ writing the lists

/**
 * The public pool lists of a drawn record, kept as the words they are made of until someone
 * reads them: a million 64-character strings cost ~100 MB of heap and most of the ceremony's
 * time in garbage collection, and the record file is written straight from the words
 * (`serializeRecordV2`). Reading `inputs.pool` turns them into ordinary arrays (once).
 */
interface PoolWords {
  /** Commitments in public order, 8 words each. */
  sorted: Int32Array;
  /** Start of each stratum (6 entries). */
  bounds: readonly number[];
}
const lazyPools = new WeakMap<object, PoolWords>();

/** Defines `inputs.pool` as the lists of `words`, materialized on first read. */
export function attachPoolLists(inputs: { pool: PoolLists }, words: PoolWords): void {
  lazyPools.set(inputs, words);
  Object.defineProperty(inputs, 'pool', {
    enumerable: true,
    configurable: true,
    get(): PoolLists {
      const pool = poolListsOf(words);
      lazyPools.delete(inputs);
      Object.defineProperty(inputs, 'pool', { value: pool, enumerable: true, configurable: true, writable: true });
      return pool;
    },
    set(v: PoolLists) {
      lazyPools.delete(inputs);
      Object.defineProperty(inputs, 'pool', { value: v, enumerable: true, configurable: true, writable: true });
    },
  });
}

/** The words behind `inputs.pool` if it has not been read (or replaced) yet. */
export const lazyPoolWords = (inputs: object): PoolWords | undefined => lazyPools.get(inputs);

/** The lists as hex strings (slices of one native hex conversion per stratum). */
export function poolListsOf({ sorted, bounds }: PoolWords): PoolLists {
  const out = {} as PoolLists;
  STRATA.forEach((s, k) => {
    const a = bounds[k]!, b = bounds[k + 1]!;
    const hex = bigEndianBytes(sorted, a * 8, b * 8).toString('hex');
    const list = new Array<string>(b - a);
    for (let j = 0; j < list.length; j++) list[j] = hex.slice(j * 64, j * 64 + 64);
    out[s] = list;
  });
  return out;
}

/** Words [from, to) as big-endian bytes (a copy). */
function bigEndianBytes(words: Int32Array, from: number, to: number): Buffer {
  const buf = Buffer.allocUnsafe((to - from) * 4);
  buf.set(new Uint8Array(words.buffer, words.byteOffset + from * 4, (to - from) * 4));
  return buf.swap32();
}

const HEX_DIGITS = Buffer.from('0123456789abcdef', 'latin1');
/**
 * The entries [a, b) of `sorted` as JSON.stringify(…, null, 2) writes an array of strings at
 * depth 3 between its brackets: `\n        "<hex>",` … `\n        "<hex>"\n      ` (ASCII bytes).
 * `more`: a piece of a longer list — its last entry ends with the comma, not with the list's end.
 * `into`: written there (a view of it returned) instead of a new buffer.
 */
export function poolListBytes(sorted: Int32Array, a: number, b: number, more = false, into?: Buffer): Buffer {
  const LINE = 10 + 64 + 2; // "\n", 8 spaces, quote, hex, quote, ","
  const len = poolListLength(a, b, more);
  const out = into ? into.subarray(0, len) : Buffer.allocUnsafe(len);
  hexLines(sorted, a, b, out, LINE);
  if (more) out[len - 1] = 44;
  else out.write('\n      ', len - 7, 'latin1');
  return out;
}

/** The length of poolListBytes(…, a, b, more): known without making the bytes. */
export function poolListLength(a: number, b: number, more = false): number {
  return more ? (b - a) * 76 : (b - a) * 76 - 1 + 7;
}

function hexLines(sorted: Int32Array, a: number, b: number, out: Uint8Array, LINE: number): void {
  const d = HEX_DIGITS;
  for (let j = a, p = 0; j < b; j++) {
    out[p] = 10;
    for (let s = 1; s <= 8; s++) out[p + s] = 32;
    out[p + 9] = 34;
    let q = p + 10;
    for (let w = j * 8, e = w + 8; w < e; w++) {
      const x = sorted[w]!;
      out[q] = d[(x >>> 28) & 15]!;
      out[q + 1] = d[(x >>> 24) & 15]!;
      out[q + 2] = d[(x >>> 20) & 15]!;
      out[q + 3] = d[(x >>> 16) & 15]!;
      out[q + 4] = d[(x >>> 12) & 15]!;
      out[q + 5] = d[(x >>> 8) & 15]!;
      out[q + 6] = d[(x >>> 4) & 15]!;
      out[q + 7] = d[x & 15]!;
      q += 8;
    }
    out[q] = 34;
    if (j + 1 < b) out[q + 1] = 44;
    p += LINE;
  }
}

// ------------------------------------------------------------------ reading a record file

const POOL_HEAD = Buffer.from('\n    "pool": {', 'latin1');

/**
 * A record file's JSON value. For a v2 record written as `serializeRecordV2` writes it, the
 * million entries of `inputs.pool` are decoded straight from the file's bytes into words (as
 * `attachPoolLists` leaves them: the verifier reads the words, anyone reading `inputs.pool` gets
 * the arrays) and only the rest of the file goes through JSON.parse. Any other layout, and any
 * file that is not valid JSON, goes through JSON.parse whole (the same value, or its error).
 *
 * Why this is the same value: a raw newline never occurs inside a JSON string, so the canonical
 * pool object found after one is a whole JSON value, checked byte by byte here; it is replaced by
 * a string no file can contain in advance (a random nonce), and the rest must parse with that
 * string exactly at `inputs.pool` — so the file parses, and `inputs.pool` is that object.
 */
export function parseRecordFile(bytes: Buffer): unknown {
  const fast = poolRegion(bytes);
  if (fast) {
    const nonce = `\u0000pool-${randomUUID()}`;
    try {
      const value = JSON.parse(bytes.toString('utf8', 0, fast.start) + JSON.stringify(nonce) + bytes.toString('utf8', fast.end)) as { inputs?: { pool?: unknown } } | null;
      if (value?.inputs?.pool === nonce) {
        attachPoolLists(value.inputs as { pool: PoolLists }, fast);
        return value;
      }
    } catch {
      /* not valid JSON: JSON.parse below says why */
    }
  }
  return JSON.parse(bytes.toString('utf8'));
}

/** The canonical pool object after "\n    \"pool\": " (start, end: its bytes) decoded, or undefined. */
function poolRegion(t: Buffer): (PoolWords & { start: number; end: number }) | undefined {
  // the pool comes last but for the eligibility lines (a duplicate elsewhere fails the nonce check)
  const head = t.lastIndexOf(POOL_HEAD);
  if (head < 0) return undefined;
  const start = head + POOL_HEAD.length - 1; // the "{"
  let p = start + 1;
  const expect = (s: string): boolean => {
    for (let j = 0; j < s.length; j++) if (t[p + j] !== s.charCodeAt(j)) return false;
    p += s.length;
    return true;
  };
  // count first (entries are 76 bytes apart), then decode into one array
  const spans: [number, number][] = [];
  let n = 0;
  for (let s = 0; s < 5; s++) {
    if (!expect(`\n      "${STRATA[s]}": [`)) return undefined;
    const from = p;
    if (t[p] === 0x5d) {
      spans.push([from, 0]);
    } else {
      let m = 0;
      while (t[p + 75] === 0x2c) (p += 76), m++;
      p += 75;
      m++;
      if (!expect('\n      ')) return undefined;
      spans.push([from, m]);
      n += m;
    }
    if (!expect(s < 4 ? '],' : ']')) return undefined;
  }
  if (!expect('\n    }')) return undefined;
  const end = p;
  const sorted = new Int32Array(new SharedArrayBuffer(n * 32));
  const bounds = [0];
  let at = 0;
  for (const [from, m] of spans) {
    if (m && !hexEntries(t, from, m, sorted, at)) return undefined;
    at += m;
    bounds.push(at);
  }
  return { sorted, bounds, start, end };
}

const HEX_VAL = new Int8Array(256).fill(-1);
for (let d = 0; d < 16; d++) HEX_VAL[HEX_DIGITS[d]!] = d;

/** m entries `\n        "<64 lowercase hex>",` from byte p (the last without the comma) into out at entry `at`. */
function hexEntries(t: Uint8Array, p: number, m: number, out: Int32Array, at: number): boolean {
  for (let j = 0; j < m; j++, p += 76) {
    if (t[p] !== 10 || t[p + 9] !== 34 || t[p + 74] !== 34 || (j + 1 < m && t[p + 75] !== 44)) return false;
    for (let s = 1; s <= 8; s++) if (t[p + s] !== 32) return false;
    let bad = 0;
    for (let w = 0, q = p + 10, o = (at + j) * 8; w < 8; w++, q += 8) {
      const a = HEX_VAL[t[q]!]!, b = HEX_VAL[t[q + 1]!]!, c = HEX_VAL[t[q + 2]!]!, d = HEX_VAL[t[q + 3]!]!;
      const e = HEX_VAL[t[q + 4]!]!, f = HEX_VAL[t[q + 5]!]!, g = HEX_VAL[t[q + 6]!]!, h = HEX_VAL[t[q + 7]!]!;
      bad |= a | b | c | d | e | f | g | h;
      out[o + w] = (a << 28) | (b << 24) | (c << 20) | (d << 16) | (e << 12) | (f << 8) | (g << 4) | h;
    }
    if (bad < 0) return false;
  }
  return true;
}
