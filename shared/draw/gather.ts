/**
 * The drawn entries' openings gathered from the frozen columns (10M rows at a province's scale,
 * read at random): their salts and their frozen commitments, in the selection's order. Run on
 * the helper thread (parallel.ts) while the calling thread copies the selected pool; the check
 * itself (draw.ts checkOpenings) stays on the calling thread.
 */
export interface OpeningGather {
  /** The frozen salts (16 bytes per candidate) and commitments in public order (8 words each). */
  salts: Uint8Array;
  sorted: Int32Array;
  /** Entry r's candidate and public position; the entries in ascending candidate / position. */
  cand: Uint32Array;
  byCand: Uint32Array;
  positions: Uint32Array;
  rows: Uint32Array;
  /** Out (shared memory): entry r's salt at 16·r, its frozen commitment at 8·r. */
  s16: Uint8Array;
  expect: Int32Array;
}

export function gatherOpenings(g: OpeningGather): void {
  const { salts, sorted, cand, byCand, positions, rows, s16, expect } = g;
  const m = cand.length;
  // salts in ascending candidate index, commitments in ascending public position: in sequence
  for (let q = 0; q < m; q++) {
    const r = byCand[q]!;
    for (let k = 0, a = cand[r]! * 16, b = r * 16; k < 16; k++) s16[b + k] = salts[a + k]!;
  }
  for (let q = 0; q < m; q++) {
    const r = rows[q]!;
    for (let w = 0, j = positions[r]! * 8, e = r * 8; w < 8; w++) expect[e + w] = sorted[j + w]!;
  }
}
