/** The init-time warm-up must really draw: a silently failing one would warm nothing. */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createHasher, DRAW_MALLOC_ENV, warmUpDraw } from '../../shared/draw/index.js';

const src = (p: string) => JSON.stringify(fileURLToPath(new URL(`../../shared/draw/${p}`, import.meta.url)));

/**
 * A child process (DRAW_MALLOC_ENV: prefaultHeap transfers its buffer), optionally warmed up:
 * a draw function optimized after the warm-up, then the init's prefault. V8's optimization status
 * of the function before and after the prefault (bit 4: optimized).
 */
function optimizedAcrossPrefault(warm: boolean): { before: boolean; after: boolean } {
  const script = `
    const { warmUpDraw } = await import(${src('warmup.ts')});
    const { createHasher } = await import(${src('simd.ts')});
    const { prefaultHeap } = await import(${src('memory.ts')});
    const { positionsByKey } = await import(${src('v2/commit.ts')});
    const status = new Function('f', 'return %GetOptimizationStatus(f)');
    const prepare = new Function('f', '%PrepareFunctionForOptimization(f)');
    const optimizeNext = new Function('f', '%OptimizeFunctionOnNextCall(f)');
    if (${warm}) warmUpDraw(createHasher(), 2_000);
    const keys = Uint32Array.from({ length: 1000 }, (_, i) => (i * 40503) % 1000);
    prepare(positionsByKey);
    positionsByKey(keys);
    positionsByKey(keys);
    optimizeNext(positionsByKey);
    positionsByKey(keys);
    const before = status(positionsByKey);
    const mb = await prefaultHeap(8);
    const after = status(positionsByKey);
    console.log(JSON.stringify({ before: (before & 16) !== 0, after: (after & 16) !== 0, mb }));`;
  const r = spawnSync(process.execPath, ['--allow-natives-syntax', '--import', 'tsx', '--input-type=module', '-e', script], { env: { ...process.env, ...DRAW_MALLOC_ENV }, encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  const out = JSON.parse(r.stdout.trim().split('\n').pop()!) as { before: boolean; after: boolean; mb: number };
  expect(out.mb).toBe(8); // the prefault did transfer its buffer
  return { before: out.before, after: out.after };
}

describe('warmUpDraw', () => {
  it('freezes, selects and matches its synthetic joint task (every key enterprise and 3 % of the rest)', () => {
    // 6,000 candidates, a fifth of them key enterprises: 1,200 + ceil(3 % of 1,200) × 4 = 1,344 teams
    expect(warmUpDraw(createHasher(), 6_000)).toBe(1_344);
  });

  it('leaves the optimized draw code valid through the prefault that follows it at init', () => {
    // without the warm-up, the prefault's transfer (the process's first detached buffer) throws
    // optimized typed-array code away; after it, nothing (the warm-up detached a buffer first)
    expect(optimizedAcrossPrefault(false)).toEqual({ before: true, after: false });
    expect(optimizedAcrossPrefault(true)).toEqual({ before: true, after: true });
  });
});
