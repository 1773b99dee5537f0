import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { DRAW_FUNCTION_ENV, DRAW_MALLOC_ENV, heapRetained, prefaultHeap } from '../../shared/draw/memory.js';

const memory = fileURLToPath(new URL('../../shared/draw/memory.ts', import.meta.url));

/** A child process with `env`: prefaults 64 MB, then allocates and fills 48 MB; prints RSS (MB) before, after the prefault, after the buffers. */
function child(env: Record<string, string>): { start: number; prefaulted: number; after: number; mb: number } {
  const script = `
    const { prefaultHeap } = await import(${JSON.stringify(memory)});
    const rss = () => process.memoryUsage.rss() / 2 ** 20;
    const start = rss();
    const mb = await prefaultHeap(64);
    const prefaulted = rss();
    const keep = [Buffer.allocUnsafeSlow(30e6).fill(1), new Int32Array(new SharedArrayBuffer(18e6)).fill(2)];
    console.log(JSON.stringify({ start, prefaulted, after: rss(), mb, keep: keep.length }));`;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { env: { ...process.env, ...env }, encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout.trim().split('\n').pop()!);
}

describe('the draw functions keep their heap (shared/draw/memory.ts)', () => {
  it('recognizes the setting, and the functions environment has it', () => {
    expect(heapRetained({})).toBe(false);
    expect(heapRetained({ MALLOC_TRIM_THRESHOLD_: '131072' })).toBe(false);
    expect(heapRetained({ ...DRAW_MALLOC_ENV })).toBe(true);
    expect(heapRetained({ GLIBC_TUNABLES: 'glibc.malloc.trim_threshold=1099511627776' })).toBe(true);
    expect(heapRetained({ ...DRAW_FUNCTION_ENV })).toBe(true);
    expect(Number(DRAW_FUNCTION_ENV['SUIJI_DRAW_HEAP_MB'])).toBeGreaterThan(0);
  });

  it('prefaults nothing when the heap would not keep it', async () => {
    if (heapRetained()) return; // (not in a process started with the setting)
    expect(await prefaultHeap(8)).toBe(0);
  });

  it('with the setting, keeps the prefaulted memory and serves later buffers from it', () => {
    const kept = child({ ...DRAW_MALLOC_ENV });
    expect(kept.mb).toBe(64);
    // the 64 MB stay resident after they are freed, and 48 MB of new buffers fit in them
    expect(kept.prefaulted - kept.start).toBeGreaterThan(56);
    expect(kept.after - kept.prefaulted).toBeLessThan(16);
    // without it nothing is prefaulted, and the buffers are new memory
    const plain = child({});
    expect(plain.mb).toBe(0);
    expect(plain.after - plain.prefaulted).toBeGreaterThan(40);
  });

  // Transparent huge pages on request: the kernel must offer them ("always" or "madvise", not
  // "never") and glibc must read glibc.malloc.hugetlb (2.35 and later).
  const thp = (() => {
    try {
      return !/\[never\]/.test(readFileSync('/sys/kernel/mm/transparent_hugepage/enabled', 'utf8'));
    } catch {
      return false;
    }
  })();
  const glibc = (process.report.getReport() as { header?: { glibcVersionRuntime?: string } }).header?.glibcVersionRuntime ?? '0';
  const hugetlb = thp && Number(glibc.split('.')[0]) * 1000 + Number(glibc.split('.')[1]) >= 2035;

  it.skipIf(!hugetlb)('with the setting, new buffers come in huge pages: far fewer page faults', () => {
    const faults = (env: Record<string, string>) => {
      const script = `
        const before = process.resourceUsage().minorPageFault;
        const keep = [new Uint8Array(96 * 2 ** 20), new Int32Array(new SharedArrayBuffer(64 * 2 ** 20))];
        for (const a of keep) for (let i = 0; i < a.length; i += 1024) a[i] = 1;
        console.log(process.resourceUsage().minorPageFault - before);`;
      const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { env: { ...process.env, ...env }, encoding: 'utf8' });
      expect(r.status, r.stderr).toBe(0);
      return Number(r.stdout.trim());
    };
    const { GLIBC_TUNABLES: _, ...without } = DRAW_MALLOC_ENV;
    const small = faults(without);
    const huge = faults({ ...DRAW_MALLOC_ENV });
    // 160 MB touched: ~41,000 faults in 4 kB pages, ~80 in 2 MB pages
    expect(small).toBeGreaterThan(30_000);
    expect(huge).toBeLessThan(small / 8);
  });
});
