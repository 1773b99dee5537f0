/**
 * The public pool lists of a v2 record (docs/DRAW.md §14): reading them fast, and poolDigest.
 * A million commitments through zod and one Buffer each took seconds; here each list is checked
 * and decoded in chunks (one join, one regular-expression test and one native hex decode per
 * 65,536 entries).
 */
import { createHash } from 'node:crypto';
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
