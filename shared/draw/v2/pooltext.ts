/** poolDigest from the published hex lists: SHA-256 of the raw commitments, key first. */
import { createHash } from 'node:crypto';
import { ID_RE, UNIT_RE } from '../pool.js';

export function digestCommitmentsHex(lists: readonly (readonly string[])[]): string {
  const h = createHash('sha256');
  const CH = 65_536;
  for (const l of lists) for (let i = 0; i < l.length; i += CH) h.update(Buffer.from(l.slice(i, i + CH).join(''), 'hex'));
  return h.digest('hex');
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
