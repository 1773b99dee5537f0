/** Reads started ahead of a screen (web/src/prefetch.ts): taken once, fresh only, errors kept for the screen. */
import { describe, expect, it } from 'vitest';
import { createPrefetch } from '../../web/src/prefetch.js';

function reader() {
  const calls: string[] = [];
  const read = (path: string): Promise<unknown> => {
    calls.push(path);
    return path.includes('bad') ? Promise.reject(new Error(`无法读取 ${path}`)) : Promise.resolve({ path, n: calls.length });
  };
  return { calls, read };
}

describe('createPrefetch', () => {
  it('hands the screen the answer of the read started ahead, once; the next take reads again', async () => {
    const r = reader();
    const p = createPrefetch(r.read);
    p.start('/tasks/t1/summary');
    expect(r.calls).toEqual(['/tasks/t1/summary']);
    await expect(p.take('/tasks/t1/summary')).resolves.toEqual({ path: '/tasks/t1/summary', n: 1 });
    expect(r.calls).toHaveLength(1);
    await expect(p.take('/tasks/t1/summary')).resolves.toEqual({ path: '/tasks/t1/summary', n: 2 });
    await expect(p.take('/tasks/t2/summary')).resolves.toMatchObject({ n: 3 });
  });

  it('reads afresh when the answer started ahead is older than the freshness window', async () => {
    const r = reader();
    let t = 1_000;
    const p = createPrefetch(r.read, 5_000, () => t);
    p.start('/x');
    t += 5_001;
    await expect(p.take('/x')).resolves.toEqual({ path: '/x', n: 2 });
  });

  it('keeps a failed read for the screen to show, without an unhandled rejection in between', async () => {
    const r = reader();
    const p = createPrefetch(r.read);
    p.start('/bad');
    await new Promise((res) => setTimeout(res, 10));
    await expect(p.take('/bad')).rejects.toThrow('无法读取 /bad');
  });
});
