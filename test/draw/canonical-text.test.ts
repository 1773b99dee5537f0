/**
 * The freeze hashes its canonical texts straight from packed records (word-sized stores, a buffer
 * at a time). Here the texts are written out line by line from the input, exactly as docs/DRAW.md
 * §2.1–2.2 states them, and their digests must match the freeze's.
 */
import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { compilePool, PackedCandidates, STRATA, USCC_ALPHABET, type PoolCandidate } from '../../shared/draw/pool.js';

const sha = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');
const byBytes = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b));

function randomPool(n: number, areaCount: number) {
  const inspectors = Array.from({ length: 150 }, (_, i) => ({ id: `i${(i * 7919) % 1000}.x_${i}`, unit: `dept-${i % 3}` }));
  // names of different UTF-8 lengths, so byte order differs from insertion order
  const areas = Array.from({ length: areaCount }, (_, k) => ({
    name: `${['城关镇', 'Z区', '王林口乡,北', 'a'][k % 4]}${k}`,
    inspectors: inspectors.filter((_, i) => i % areaCount === k || (i * 3) % areaCount === k).map((x) => x.id),
  }));
  const unused = { name: '无对象区', inspectors: [inspectors[0]!.id] };
  const seen = new Set<string>();
  const candidates: PoolCandidate[] = [];
  while (candidates.length < n) {
    const uscc = Array.from(randomBytes(18), (b) => USCC_ALPHABET[b % 31]).join('');
    if (seen.has(uscc)) continue;
    seen.add(uscc);
    const k = candidates.length;
    const area = areas[randomBytes(1)[0]! % areaCount]!;
    // exclusions: unordered, duplicated, some outside the area's list or unknown altogether
    const excluded = k % 7 === 0 ? [area.inspectors.at(-1)!, inspectors[k % 150]!.id, area.inspectors[0]!, area.inspectors.at(-1)!, 'nobody'] : undefined;
    candidates.push({ uscc, stratum: STRATA[k % 5]!, area: area.name, ...(excluded ? { excluded } : {}) });
  }
  return { inspectors, areas: [...areas, unused], candidates };
}

function expectedTexts(pool: ReturnType<typeof randomPool>) {
  const sorted = [...pool.candidates].sort((a, b) => (a.uscc < b.uscc ? -1 : 1));
  const poolText = sorted.map((c) => `${c.uscc},${c.stratum}\n`).join('');
  const used = pool.areas.filter((a) => pool.candidates.some((c) => c.area === a.name)).sort((a, b) => byBytes(a.name, b.name));
  const listed = [...new Set(used.flatMap((a) => a.inspectors))].sort();
  const unitOf = new Map(pool.inspectors.map((i) => [i.id, i.unit]));
  let elig = listed.map((id) => `insp,${id},${unitOf.get(id)}\n`).join('');
  elig += used.map((a, k) => `area,${k},${[...a.inspectors].sort().join(';')},${a.name}\n`).join('');
  for (const c of sorted) {
    const k = used.findIndex((a) => a.name === c.area);
    const ex = [...new Set(c.excluded ?? [])].filter((id) => used[k]!.inspectors.includes(id)).sort();
    elig += `cand,${k},${ex.join(';')}\n`;
  }
  return { poolText, elig };
}

describe('canonical texts (docs/DRAW.md §2)', () => {
  it.each([
    [3_000, 12], // area indices of one and two digits
    [40_000, 120], // three digits; several hash buffers; long exclusion lines
  ])('%i candidates in %i areas: poolDigest and eligibilityDigest equal the digests of the texts written line by line', (n, areaCount) => {
    const pool = randomPool(n, areaCount);
    const want = expectedTexts(pool);
    const got = compilePool({ ...pool, candidates: PackedCandidates.from(pool.candidates) });
    expect(got.poolDigest).toBe(sha(want.poolText));
    expect(got.eligibilityDigest).toBe(sha(want.elig));
    // and the decoded USCC bytes are the sorted codes
    expect(Buffer.from(got.usccBytes).toString('latin1')).toBe(want.poolText.replace(/,(key|A|B|C|D)\n/g, ''));
  });
});
