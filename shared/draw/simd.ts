/**
 * Batch SHA-256 compression. The draw finishes about a million hashes that share their first
 * block (the seed); the cost is one compression per candidate. `createHasher()` returns a
 * WebAssembly SIMD implementation that runs four compressions at once in i32x4 lanes, or the
 * scalar TS compression of `sha256.ts` where WebAssembly SIMD is unavailable. Both compute the
 * same function; the tests cross-check them against each other and against node:crypto.
 *
 * The wasm module is assembled here from the round function (no binary blob): ~25 lines of
 * encoder and the same round structure as `sha256.ts`, so it can be reviewed as code.
 */
import { IV, K, compress } from './sha256.js';
import type { OpeningGather } from './gather.js';

export interface BatchHasher {
  readonly kind: 'wasm-simd' | 'scalar';
  /**
   * First words of priority hashes. For i in [start, start+count): first[i] = word 0 of
   * compress(mid, block) where block is ":" + usccBytes[18i..18i+18) + 0x80, zero words, and word
   * 15 = 664 (the bit length of a 64-byte seed plus 19 bytes). The first word is enough to find
   * the few candidates near the selection threshold; their full digests come from compressMany.
   */
  priorities(mid: Int32Array, usccBytes: Uint8Array, start: number, count: number, first: Int32Array): void;
  /** Full priority digests of the candidates idx[k] (8 words each, in idx order). */
  priorityDigests(mid: Int32Array, usccBytes: Uint8Array, idx: Uint32Array, out: Int32Array): void;
  /** For i in [0, count): states[8i..8i+8) = compress(states[8i..8i+8), blocks[16i..16i+16)). */
  compressMany(states: Int32Array, blocks: Int32Array, count: number): void;
  /**
   * First words of single-block score hashes. For p in [0, count): first[p] = word 0 of
   * compress(mid, block) with block words 0..4 = head[5·pairHead[p] ..] and words 5..15 =
   * tail[11·pairTail[p] ..] (the target's ":" + uscc + ":" and the inspector's id + padding).
   * `alongside` runs on the calling thread while a helper thread hashes (first, without one).
   */
  pairFirstWords(mid: Int32Array, head: Int32Array, tail: Int32Array, pairHead: Uint32Array, pairTail: Uint32Array, count: number, first: Int32Array, alongside?: () => void): void;
  /**
   * suiji-draw-v2 commitments of one-block candidate texts (docs/DRAW.md §14). For i in
   * [start, start+count): out[8i..8i+8) = SHA-256 of the 64-byte block salts[16i..16i+16) ‖
   * usccBytes[18i..18i+18) ‖ …, whose words 8..15 are tails[8·tailOf[i]..] with the USCC's last two
   * bytes in the top half of word 8 (a tail holds the rest of the text, 0x80 and the bit length).
   */
  commitments(salts: Uint8Array, usccBytes: Uint8Array, tails: Int32Array, tailOf: Uint32Array, start: number, count: number, out: Int32Array): void;
  /**
   * First words of suiji-draw-v2 priorities: for k in [start, start+count), first[k] = word 0 of
   * SHA-256(seed ‖ ":" ‖ commitment c[8·idx[k]..8·idx[k]+8) as 32 bytes), mid = the seed's midstate.
   * idx null: the commitments in sequence (idx[k] = k), as the public pool holds them.
   */
  commitPriorities(mid: Int32Array, c: Int32Array, idx: Uint32Array | null, start: number, count: number, first: Int32Array): void;
  /**
   * The top 16 bits of the same first words, commitments in sequence: top[k] = first word of
   * c[8k..8k+8) >>> 16 for k in [start, start+count) (all the selection reads of them: half the
   * memory of the first words).
   */
  commitPriorityTops(mid: Int32Array, c: Int32Array, start: number, count: number, top: Uint16Array): void;
  /** The same priorities in full: out[8k..8k+8) for the commitments c[8·idx[k]..], k < idx.length. */
  commitPriorityDigests(mid: Int32Array, c: Int32Array, idx: Uint32Array, out: Int32Array): void;
  /**
   * gatherOpenings(g) on a helper thread while `own` runs here (`own` always runs); false if no
   * helper gathered (the caller then does). g's salts, sorted, s16 and expect must be shared memory.
   */
  gatherOpenings?(g: OpeningGather, own: () => void): boolean;
}

/** The constant words of a priority block: w5..w14 = 0, w15 = (64 + 19) * 8. */
const PRIORITY_TAIL: ReadonlyMap<number, number> = new Map([
  [5, 0], [6, 0], [7, 0], [8, 0], [9, 0], [10, 0], [11, 0], [12, 0], [13, 0], [14, 0], [15, 664],
]);

/** The constant words of a v2 priority block (":" ‖ 32 bytes, after the seed): w9..w14 = 0, w15 = 97 · 8. */
const COMMIT_PRIORITY_TAIL: ReadonlyMap<number, number> = new Map([
  [9, 0], [10, 0], [11, 0], [12, 0], [13, 0], [14, 0], [15, (64 + 1 + 32) * 8],
]);

/** Words 0..8 of a v2 priority block for the commitment c[o..o+8): ":" ‖ c ‖ 0x80. */
function commitPriorityWords(c: Int32Array, o: number, w: Int32Array, wo: number, stride: number): void {
  let prev = c[o]!;
  w[wo] = 0x3a000000 | (prev >>> 8);
  for (let j = 1; j < 8; j++) {
    const x = c[o + j]!;
    w[wo + j * stride] = (prev << 24) | (x >>> 8);
    prev = x;
  }
  w[wo + 8 * stride] = (prev << 24) | 0x800000;
}

/** The 16 words of a v2 commitment block (salt ‖ USCC ‖ tail) of candidate i, written at stride. */
function commitWords(salts: DataView, uscc: DataView, tails: Int32Array, t: number, i: number, w: Int32Array, wo: number, stride: number): void {
  const sp = i * 16, up = i * 18, to = t * 8;
  w[wo] = salts.getInt32(sp);
  w[wo + stride] = salts.getInt32(sp + 4);
  w[wo + 2 * stride] = salts.getInt32(sp + 8);
  w[wo + 3 * stride] = salts.getInt32(sp + 12);
  w[wo + 4 * stride] = uscc.getInt32(up);
  w[wo + 5 * stride] = uscc.getInt32(up + 4);
  w[wo + 6 * stride] = uscc.getInt32(up + 8);
  w[wo + 7 * stride] = uscc.getInt32(up + 12);
  w[wo + 8 * stride] = (uscc.getUint16(up + 16) << 16) | tails[to]!;
  for (let j = 1; j < 8; j++) w[wo + (8 + j) * stride] = tails[to + j]!;
}

const dataView = (b: Uint8Array) => new DataView(b.buffer, b.byteOffset, b.byteLength);

function priorityWords(bytes: Uint8Array, p: number, w: Int32Array, o: number): void {
  w[o] = 0x3a000000 | (bytes[p]! << 16) | (bytes[p + 1]! << 8) | bytes[p + 2]!;
  w[o + 1] = (bytes[p + 3]! << 24) | (bytes[p + 4]! << 16) | (bytes[p + 5]! << 8) | bytes[p + 6]!;
  w[o + 2] = (bytes[p + 7]! << 24) | (bytes[p + 8]! << 16) | (bytes[p + 9]! << 8) | bytes[p + 10]!;
  w[o + 3] = (bytes[p + 11]! << 24) | (bytes[p + 12]! << 16) | (bytes[p + 13]! << 8) | bytes[p + 14]!;
  w[o + 4] = (bytes[p + 15]! << 24) | (bytes[p + 16]! << 16) | (bytes[p + 17]! << 8) | 0x80;
}

// ------------------------------------------------------------------ scalar

export function scalarHasher(): BatchHasher {
  const block = new Int32Array(16);
  const out = new Int32Array(8);
  for (const [i, v] of PRIORITY_TAIL) block[i] = v;
  return {
    kind: 'scalar',
    priorities(mid, usccBytes, start, count, first) {
      for (let i = start; i < start + count; i++) {
        priorityWords(usccBytes, i * 18, block, 0);
        compress(mid, 0, block, 0, out, 0);
        first[i] = out[0]!;
      }
    },
    priorityDigests(mid, usccBytes, idx, dst) {
      for (let k = 0; k < idx.length; k++) {
        priorityWords(usccBytes, idx[k]! * 18, block, 0);
        compress(mid, 0, block, 0, dst, k * 8);
      }
    },
    compressMany(states, blocks, count) {
      for (let i = 0; i < count; i++) compress(states, i * 8, blocks, i * 16, states, i * 8);
    },
    pairFirstWords(mid, head, tail, pairHead, pairTail, count, first, alongside) {
      alongside?.();
      const blk = new Int32Array(16);
      for (let p = 0; p < count; p++) {
        const h = pairHead[p]! * 5, t = pairTail[p]! * 11;
        for (let j = 0; j < 5; j++) blk[j] = head[h + j]!;
        for (let j = 0; j < 11; j++) blk[5 + j] = tail[t + j]!;
        compress(mid, 0, blk, 0, out, 0);
        first[p] = out[0]!;
      }
    },
    commitments(salts, usccBytes, tails, tailOf, start, count, dst) {
      const blk = new Int32Array(16);
      const sv = dataView(salts), uv = dataView(usccBytes);
      for (let i = start; i < start + count; i++) {
        commitWords(sv, uv, tails, tailOf[i]!, i, blk, 0, 1);
        compress(IV, 0, blk, 0, dst, i * 8);
      }
    },
    commitPriorities(mid, c, idx, start, count, first) {
      const blk = new Int32Array(16);
      for (const [i, v] of COMMIT_PRIORITY_TAIL) blk[i] = v;
      for (let k = start; k < start + count; k++) {
        commitPriorityWords(c, (idx ? idx[k]! : k) * 8, blk, 0, 1);
        compress(mid, 0, blk, 0, out, 0);
        first[k] = out[0]!;
      }
    },
    commitPriorityTops(mid, c, start, count, top) {
      const blk = new Int32Array(16);
      for (const [i, v] of COMMIT_PRIORITY_TAIL) blk[i] = v;
      for (let k = start; k < start + count; k++) {
        commitPriorityWords(c, k * 8, blk, 0, 1);
        compress(mid, 0, blk, 0, out, 0);
        top[k] = out[0]! >>> 16;
      }
    },
    commitPriorityDigests(mid, c, idx, dst) {
      const blk = new Int32Array(16);
      for (const [i, v] of COMMIT_PRIORITY_TAIL) blk[i] = v;
      for (let k = 0; k < idx.length; k++) {
        commitPriorityWords(c, idx[k]! * 8, blk, 0, 1);
        compress(mid, 0, blk, 0, dst, k * 8);
      }
    },
  };
}

// ------------------------------------------------------------------ wasm encoder

const uleb = (n: number): number[] => {
  const o: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n) b |= 0x80;
    o.push(b);
  } while (n);
  return o;
};
const sleb = (n: number): number[] => {
  const o: number[] = [];
  n |= 0;
  for (;;) {
    const b = n & 0x7f;
    n >>= 7;
    if ((n === 0 && !(b & 0x40)) || (n === -1 && b & 0x40)) {
      o.push(b);
      return o;
    }
    o.push(b | 0x80);
  }
};

/**
 * Emits one kernel function body (a loop over groups of four lanes):
 *   priority  (in, out, groups): 5 message words per lane, constant tail, state = midstate at 0
 *   cprio     (in, out, groups): 9 message words per lane, constant tail, state = midstate at 0
 *                                (suiji-draw-v2 priorities over commitments)
 *   craw      (in, out, groups): cprio from the commitments' own words, 8 per lane contiguous
 *                                (lane-major, as the commitments array holds them): the kernel
 *                                gathers each word across the four lanes and shifts in the ":"
 *                                itself, so the glue copies with one TypedArray.set; it writes
 *                                only the first words, in lane order (one copy back as well)
 *   ctop      (in, out, groups): craw writing the first words' top 16 bits (out[4·group + lane], u16)
 *   pair      (in, out, groups): score blocks by index: in[k] = the lane's target (pairHead),
 *                                in[LANES + k] = its inspector (pairTail); words 0..4 from the
 *                                targets' heads at the address held at HEAD_BASE (+ 20 · target),
 *                                words 5..15 from the inspectors' tails at TAILS (+ 44 · inspector);
 *                                first words out, in lane order
 *   fixed     (in, out, groups): 16 message words per lane, state = midstate at 0
 *   generic   (in, state, groups): 16 message words per lane, per-lane state updated in place
 */
function kernel(mode: 'priority' | 'cprio' | 'craw' | 'ctop' | 'pair' | 'fixed' | 'generic'): number[] {
  const c: number[] = [];
  // locals: params 0..2 (i32); v128: W ring 3..18, a..h 19..26, state 27..34, t1 35, t2 36
  const P0 = 0, P1 = 1, GROUPS = 2, W = 3, A = 19, ST = 27, T1 = 35, T2 = 36;
  const get = (i: number) => c.push(0x20, ...uleb(i));
  const set = (i: number) => c.push(0x21, ...uleb(i));
  const simd = (op: number) => c.push(0xfd, ...uleb(op));
  const i32 = (n: number) => c.push(0x41, ...sleb(n));
  const vconst = (n: number) => {
    simd(12);
    for (let l = 0; l < 4; l++) c.push(n & 255, (n >>> 8) & 255, (n >>> 16) & 255, (n >>> 24) & 255);
  };
  const load = (ptrLocal: number, offset: number) => {
    get(ptrLocal);
    simd(0);
    c.push(4, ...uleb(offset));
  };
  const add = () => simd(174);
  const xor = () => simd(81);
  const or = () => simd(80);
  const bitselect = () => simd(82);
  const shr = (n: number) => (i32(n), simd(173));
  const shl = (n: number) => (i32(n), simd(171));
  const rotr = (x: number, n: number) => (get(x), shr(n), get(x), shl(32 - n), or());

  const known: (number | undefined)[] = new Array(64).fill(undefined);
  const raw = mode === 'craw' || mode === 'ctop';
  const tail = mode === 'priority' ? PRIORITY_TAIL : mode === 'cprio' || raw ? COMMIT_PRIORITY_TAIL : undefined;
  if (tail) for (const [i, v] of tail) known[i] = v;
  const s0 = (x: number) => (((x >>> 7) | (x << 25)) ^ ((x >>> 18) | (x << 14)) ^ (x >>> 3)) | 0;
  const s1 = (x: number) => (((x >>> 17) | (x << 15)) ^ ((x >>> 19) | (x << 13)) ^ (x >>> 10)) | 0;
  const wl = (i: number) => W + (i % 16);

  if (mode !== 'generic') for (let j = 0; j < 8; j++) (i32(0), simd(0), c.push(4, ...uleb(j * 16)), set(ST + j));
  c.push(0x03, 0x40); // loop
  if (mode === 'generic') for (let j = 0; j < 8; j++) (load(P1, j * 16), set(ST + j));
  const msgWords = mode === 'priority' ? 5 : mode === 'cprio' ? 9 : raw ? 8 : mode === 'pair' ? 1 : 16;
  if (mode === 'pair') {
    // the lanes' head and tail addresses (i32 locals), then each word gathered across the lanes
    const HA = 37, TA = 41, HB = 45;
    i32(HEAD_BASE), c.push(0x28, 2, 0), set(HB);
    for (let l = 0; l < 4; l++) {
      get(P0), c.push(0x28, 2, ...uleb(l * 4)), i32(20), c.push(0x6c), get(HB), c.push(0x6a), set(HA + l);
      get(P0), c.push(0x28, 2, ...uleb(LANES * 4 + l * 4)), i32(44), c.push(0x6c), i32(TAILS), c.push(0x6a), set(TA + l);
    }
    for (let i = 0; i < 16; i++) {
      for (let l = 0; l < 4; l++) {
        get(i < 5 ? HA + l : TA + l), c.push(0x28, 2, ...uleb(i < 5 ? i * 4 : (i - 5) * 4));
        if (l === 0) simd(17);
        else simd(28), c.push(l);
      }
      set(wl(i));
    }
  } else if (raw) {
    // commitment word j of the four lanes (i32.load at lane·32 + j·4) into a..h, then
    // w0 = ":" ‖ c0 >>> 8, w_j = c_{j-1} << 24 | c_j >>> 8, w8 = c7 << 24 | 0x80 << 16
    for (let j = 0; j < 8; j++) {
      for (let l = 0; l < 4; l++) {
        get(P0), c.push(0x28, 2, ...uleb(l * 32 + j * 4));
        if (l === 0) simd(17); // i32x4.splat
        else simd(28), c.push(l); // i32x4.replace_lane l
      }
      set(A + j);
    }
    get(A), shr(8), vconst(0x3a000000), or(), set(wl(0));
    for (let j = 1; j < 8; j++) (get(A + j - 1), shl(24), get(A + j), shr(8), or(), set(wl(j)));
    get(A + 7), shl(24), vconst(0x800000), or(), set(wl(8));
  } else for (let i = 0; i < msgWords; i++) (load(P0, i * 16), set(wl(i)));
  for (let j = 0; j < 8; j++) (get(ST + j), set(A + j));
  for (let i = 0; i < 64; i++) {
    if (i >= 16) {
      // w_i = s1(w_{i-2}) + w_{i-7} + s0(w_{i-15}) + w_{i-16}; constant terms are folded
      let k = 0;
      let terms = 0;
      const term = (emit: () => void) => {
        emit();
        if (terms++) add();
      };
      const a = i - 2, b = i - 7, d = i - 15, e = i - 16;
      if (known[a] !== undefined) k += s1(known[a]!);
      else term(() => (rotr(wl(a), 17), rotr(wl(a), 19), xor(), get(wl(a)), shr(10), xor()));
      if (known[b] !== undefined) k += known[b]!;
      else term(() => get(wl(b)));
      if (known[d] !== undefined) k += s0(known[d]!);
      else term(() => (rotr(wl(d), 7), rotr(wl(d), 18), xor(), get(wl(d)), shr(3), xor()));
      if (known[e] !== undefined) k += known[e]!;
      else term(() => get(wl(e)));
      if (k | 0) term(() => vconst(k | 0));
      set(wl(i));
    }
    const r = (j: number) => A + ((j - (i % 8) + 8) % 8);
    const a = r(0), b = r(1), cc = r(2), d = r(3), e = r(4), f = r(5), g = r(6), h = r(7);
    // t1 = h + Σ1(e) + Ch(e,f,g) + K[i] + w_i
    get(h);
    rotr(e, 6), rotr(e, 11), xor(), rotr(e, 25), xor(), add();
    get(f), get(g), get(e), bitselect(), add();
    if (known[i] !== undefined) vconst((K[i]! + known[i]!) | 0), add();
    else vconst(K[i]!), add(), get(wl(i)), add();
    set(T1);
    // t2 = Σ0(a) + Maj(a,b,c) with Maj = bitselect(c, a, a ^ b)
    rotr(a, 2), rotr(a, 13), xor(), rotr(a, 22), xor();
    get(cc), get(a), get(a), get(b), xor(), bitselect(), add();
    set(T2);
    get(d), get(T1), add(), set(d);
    get(T1), get(T2), add(), set(h);
  }
  // craw: only the first words, contiguous (out[4·group + lane]); the others: the 8-word states
  const outWords = mode === 'ctop' ? 0 : mode === 'craw' || mode === 'pair' ? 1 : 8;
  for (let j = 0; j < outWords; j++) {
    get(P1), get(A + j), get(ST + j), add();
    simd(11), c.push(4, ...uleb(j * 16));
  }
  if (mode === 'ctop') {
    // (a + H0) >>> 16, narrowed to u16 (i16x8.narrow_i32x4_u), its low 8 bytes stored (v128.store64_lane)
    get(P1), get(A), get(ST), add(), shr(16), set(T1), get(T1), get(T1), simd(134);
    simd(91), c.push(3, 0, 0);
  }
  // advance pointers, count down groups
  get(P0), i32(msgWords * 16), c.push(0x6a), set(P0);
  get(P1), i32(mode === 'ctop' ? 8 : outWords * 16), c.push(0x6a), set(P1);
  get(GROUPS), i32(1), c.push(0x6b), c.push(0x22, ...uleb(GROUPS)), c.push(0x0d, 0);
  c.push(0x0b); // end loop
  c.push(0x0b); // end function
  // locals: 34 v128, then 9 i32 (the pair kernel's lane addresses and head base)
  return [2, ...uleb(34), 0x7b, 9, 0x7f, ...c];
}

const PAGES = 32; // 2 MiB
const LANES = 16384; // per chunk
const MID = 0;
const IN = 256; // byte offset: message words (≤ 16 words × LANES × 4 bytes = 1 MiB)
const OUT = IN + LANES * 64; // byte offset: states (8 words × LANES × 4 bytes = 512 KiB)
const HEAD_BASE = 128; // byte offset: the pair kernel's head address of target 0 (i32)
const HEADS = IN + LANES * 8; // byte offset: the pair kernel's heads (≤ LANES targets × 20 bytes)
const TAILS = OUT + LANES * 32; // byte offset: the pair kernel's tails (the memory grows to fit)

function assemble(): Uint8Array {
  const section = (id: number, body: number[]) => [id, ...uleb(body.length), ...body];
  const name = (s: string) => [...uleb(s.length), ...Array.from(s, (ch) => ch.charCodeAt(0))];
  const funcs = [kernel('priority'), kernel('generic'), kernel('fixed'), kernel('cprio'), kernel('craw'), kernel('pair'), kernel('ctop')].flatMap((b) => [...uleb(b.length), ...b]);
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, [1, 0x60, 3, 0x7f, 0x7f, 0x7f, 0]),
    ...section(3, [7, 0, 0, 0, 0, 0, 0, 0]),
    ...section(5, [1, 0x00, ...uleb(PAGES)]),
    ...section(7, [8, ...name('prio'), 0, 0, ...name('comp'), 0, 1, ...name('fixd'), 0, 2, ...name('cpri'), 0, 3, ...name('craw'), 0, 4, ...name('pair'), 0, 5, ...name('ctop'), 0, 6, ...name('mem'), 2, 0]),
    ...section(10, [7, ...funcs]),
  ]);
}

/** The part of the WebAssembly JS API used here (the project's lib settings do not declare it). */
interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
}

const WASM_LAYOUT = { IN, OUT, LANES, MID } as const;

/** The compiled kernel module, once per process (also handed to the helper thread). */
let kernelModule: object | null | undefined;
export function kernelWasmModule(): object | undefined {
  if (kernelModule === undefined) {
    const WA = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;
    const bin = WA ? assemble() : undefined;
    kernelModule = WA && bin && WA.validate(bin) ? new WA.Module(bin) : null;
  }
  return kernelModule ?? undefined;
}

export function wasmHasher(): BatchHasher | undefined {
  const module = kernelWasmModule();
  return module ? instantiateKernels(module) : undefined;
}

/** A hasher on an instance of the compiled kernel module (the helper thread makes its own). */
export function instantiateKernels(module: object): BatchHasher {
  const WA = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;
  return wasmGlue(new WA.Instance(module, {}).exports, WASM_LAYOUT);
}

/** The JS side of the kernels. */
function wasmGlue(exports: Record<string, unknown>, layout: { IN: number; OUT: number; LANES: number; MID: number }): BatchHasher {
  const { IN, OUT, LANES, MID } = layout;
  const prio = exports['prio'] as (p0: number, p1: number, groups: number) => void;
  const comp = exports['comp'] as (p0: number, p1: number, groups: number) => void;
  const fixd = exports['fixd'] as (p0: number, p1: number, groups: number) => void;
  const cpri = exports['cpri'] as (p0: number, p1: number, groups: number) => void;
  const craw = exports['craw'] as (p0: number, p1: number, groups: number) => void;
  const pair = exports['pair'] as (p0: number, p1: number, groups: number) => void;
  const ctop = exports['ctop'] as (p0: number, p1: number, groups: number) => void;
  const memory = exports['mem'] as { buffer: ArrayBuffer; grow(pages: number): number };
  let mem = new Int32Array(memory.buffer);
  let memU = new Uint32Array(memory.buffer);
  let mem16 = new Uint16Array(memory.buffer);
  const inW = IN >> 2;
  const outW = OUT >> 2;
  /** The midstate, broadcast to the four lanes. */
  const loadMid = (mid: Int32Array): void => {
    for (let j = 0; j < 8; j++) for (let l = 0; l < 4; l++) mem[(MID >> 2) + j * 4 + l] = mid[j]!;
  };
  /**
   * Lane k of a priority batch: the message words of ":" + the USCC at bytes[p..p+18) + 0x80
   * (what priorityWords above computes, with fewer loads).
   */
  const priorityLane = (bytes: DataView, p: number, k: number): void => {
    const o = inW + (k >> 2) * 20 + (k & 3);
    // big-endian DataView reads: seven loads instead of eighteen
    mem[o] = 0x3a000000 | (bytes.getUint16(p) << 8) | bytes.getUint8(p + 2);
    mem[o + 4] = bytes.getInt32(p + 3);
    mem[o + 8] = bytes.getInt32(p + 7);
    mem[o + 12] = bytes.getInt32(p + 11);
    mem[o + 16] = (bytes.getUint16(p + 15) << 16) | (bytes.getUint8(p + 17) << 8) | 0x80;
  };
  const view = dataView;
  /** The 8 words of lane k of the last batch into dst[d..d+8). */
  const laneState = (k: number, dst: Int32Array, d: number): void => {
    const o = outW + (k >> 2) * 32 + (k & 3);
    for (let j = 0; j < 8; j++) dst[d + j] = mem[o + j * 4]!;
  };
  /** Lane k of a v2 priority batch (9 words per lane). */
  const cprioLane = (c: Int32Array, o: number, k: number): void => commitPriorityWords(c, o, mem, inW + (k >> 2) * 36 + (k & 3), 4);
  const firstWords = (n: number, first: Int32Array, at: number): void => {
    for (let k = 0; k < n; k++) first[at + k] = mem[outW + (k >> 2) * 32 + (k & 3)]!;
  };
  return {
    kind: 'wasm-simd',
    priorities(mid, usccBytes, start, count, first) {
      loadMid(mid);
      const bytes = view(usccBytes);
      for (let base = start; base < start + count; base += LANES) {
        const n = Math.min(LANES, start + count - base);
        for (let k = 0; k < n; k++) priorityLane(bytes, (base + k) * 18, k);
        prio(IN, OUT, (n + 3) >> 2);
        for (let k = 0; k < n; k++) first[base + k] = mem[outW + (k >> 2) * 32 + (k & 3)]!;
      }
    },
    priorityDigests(mid, usccBytes, idx, dst) {
      loadMid(mid);
      const bytes = view(usccBytes);
      for (let base = 0; base < idx.length; base += LANES) {
        const n = Math.min(LANES, idx.length - base);
        for (let k = 0; k < n; k++) priorityLane(bytes, idx[base + k]! * 18, k);
        prio(IN, OUT, (n + 3) >> 2);
        for (let k = 0; k < n; k++) {
          const o = outW + (k >> 2) * 32 + (k & 3);
          const d = (base + k) * 8;
          for (let j = 0; j < 8; j++) dst[d + j] = mem[o + j * 4]!;
        }
      }
    },
    compressMany(states, blocks, count) {
      for (let base = 0; base < count; base += LANES) {
        const n = Math.min(LANES, count - base);
        for (let k = 0; k < n; k++) {
          const g = k >> 2, l = k & 3;
          const mo = inW + g * 64 + l;
          const so = outW + g * 32 + l;
          const bi = (base + k) * 16;
          const si = (base + k) * 8;
          for (let j = 0; j < 16; j++) mem[mo + j * 4] = blocks[bi + j]!;
          for (let j = 0; j < 8; j++) mem[so + j * 4] = states[si + j]!;
        }
        comp(IN, OUT, (n + 3) >> 2);
        for (let k = 0; k < n; k++) {
          const so = outW + (k >> 2) * 32 + (k & 3);
          const si = (base + k) * 8;
          for (let j = 0; j < 8; j++) states[si + j] = mem[so + j * 4]!;
        }
      }
    },
    pairFirstWords(mid, head, tail, pairHead, pairTail, count, first, alongside) {
      alongside?.();
      loadMid(mid);
      // the inspectors' tails once into the kernels' memory (grown to fit: ~12,000 fit as it is)
      const tailsEnd = TAILS + tail.length * 4;
      if (count && tailsEnd > memory.buffer.byteLength) {
        memory.grow(Math.ceil((tailsEnd - memory.buffer.byteLength) / 65_536));
        (mem = new Int32Array(memory.buffer)), (memU = new Uint32Array(memory.buffer)), (mem16 = new Uint16Array(memory.buffer));
      }
      if (count) mem.set(tail, TAILS >> 2);
      for (let base = 0; base < count; base += LANES) {
        const n = Math.min(LANES, count - base);
        let lo = pairHead[base]!, hi = lo;
        for (let k = 1; k < n; k++) {
          const r = pairHead[base + k]!;
          if (r < lo) lo = r;
          else if (r > hi) hi = r;
        }
        if (hi - lo < LANES) {
          // matching's batches (a few targets' pairs): their heads, then the indices as they are;
          // the kernel gathers the words (JS lane by lane cost ~20 % more CPU)
          mem.set(head.subarray(lo * 5, (hi + 1) * 5), HEADS >> 2);
          mem[HEAD_BASE >> 2] = HEADS - lo * 20;
          memU.set(pairHead.subarray(base, base + n), inW);
          memU.set(pairTail.subarray(base, base + n), inW + LANES);
          // a partial group's spare lanes: valid addresses (their words are not read back)
          for (let k = n; k & 3; k++) (memU[inW + k] = lo), (memU[inW + LANES + k] = 0);
          pair(IN, OUT, (n + 3) >> 2);
          first.set(mem.subarray(outW, outW + n), base);
          continue;
        }
        for (let k = 0; k < n; k++) {
          const mo = inW + (k >> 2) * 64 + (k & 3);
          const h = pairHead[base + k]! * 5;
          const t = pairTail[base + k]! * 11;
          mem[mo] = head[h]!;
          mem[mo + 4] = head[h + 1]!;
          mem[mo + 8] = head[h + 2]!;
          mem[mo + 12] = head[h + 3]!;
          mem[mo + 16] = head[h + 4]!;
          for (let j = 0; j < 11; j++) mem[mo + 20 + j * 4] = tail[t + j]!;
        }
        fixd(IN, OUT, (n + 3) >> 2);
        for (let k = 0; k < n; k++) first[base + k] = mem[outW + (k >> 2) * 32 + (k & 3)]!;
      }
    },
    commitments(salts, usccBytes, tails, tailOf, start, count, dst) {
      loadMid(IV);
      const sv = view(salts), uv = view(usccBytes);
      for (let base = start; base < start + count; base += LANES) {
        const n = Math.min(LANES, start + count - base);
        for (let k = 0; k < n; k++) commitWords(sv, uv, tails, tailOf[base + k]!, base + k, mem, inW + (k >> 2) * 64 + (k & 3), 4);
        fixd(IN, OUT, (n + 3) >> 2);
        for (let k = 0; k < n; k++) laneState(k, dst, (base + k) * 8);
      }
    },
    commitPriorities(mid, c, idx, start, count, first) {
      loadMid(mid);
      for (let base = start; base < start + count; base += LANES) {
        const n = Math.min(LANES, start + count - base);
        if (idx) {
          for (let k = 0; k < n; k++) cprioLane(c, idx[base + k]! * 8, k);
          cpri(IN, OUT, (n + 3) >> 2);
          firstWords(n, first, base);
        } else {
          // in sequence (the selection's 10M): the commitments' words as they are, one copy in
          // and one out; the kernel shifts in the ":" (JS lane by lane cost ~12 % more CPU)
          mem.set(c.subarray(base * 8, (base + n) * 8), inW);
          craw(IN, OUT, (n + 3) >> 2);
          first.set(mem.subarray(outW, outW + n), base);
        }
      }
    },
    commitPriorityTops(mid, c, start, count, top) {
      loadMid(mid);
      for (let base = start; base < start + count; base += LANES) {
        const n = Math.min(LANES, start + count - base);
        mem.set(c.subarray(base * 8, (base + n) * 8), inW);
        ctop(IN, OUT, (n + 3) >> 2);
        top.set(mem16.subarray(OUT >> 1, (OUT >> 1) + n), base);
      }
    },
    commitPriorityDigests(mid, c, idx, dst) {
      loadMid(mid);
      for (let base = 0; base < idx.length; base += LANES) {
        const n = Math.min(LANES, idx.length - base);
        for (let k = 0; k < n; k++) cprioLane(c, idx[base + k]! * 8, k);
        cpri(IN, OUT, (n + 3) >> 2);
        for (let k = 0; k < n; k++) laneState(k, dst, (base + k) * 8);
      }
    },
  };
}

let shared: BatchHasher | undefined;

/** The fastest available hasher (created once per process). */
export function createHasher(): BatchHasher {
  shared ??= wasmHasher() ?? scalarHasher();
  return shared;
}
