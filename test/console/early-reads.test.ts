/**
 * public/early-reads.js starts the task page's reads before the console's scripts arrive; the
 * router's guard takes those answers (web/src/early-reads.ts, web/src/tasks.ts). The script asks for exactly the paths the
 * screen takes, only on a task page with a session, and each answer is taken once while fresh.
 */
import { readFileSync } from 'node:fs';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { handedOver, taskReads, type EarlyReads } from '../../web/src/early-reads.js';

const SCRIPT = readFileSync(new URL('../../web/public/early-reads.js', import.meta.url), 'utf8');
const json = (body: unknown): Response => new Response(JSON.stringify(body), { headers: { 'content-type': 'application/json' } });

/** Runs the script as the browser would, on a page at `hash` with `session` in sessionStorage. */
function run(hash: string, session: unknown) {
  const asked: { path: string; authorization: string }[] = [];
  const window: { __suijiEarlyReads?: EarlyReads } = {};
  runInNewContext(SCRIPT, {
    window,
    location: { hash },
    sessionStorage: { getItem: (k: string) => (k === 'suiji.session' && session ? JSON.stringify(session) : null) },
    fetch: (path: string, init: { headers: Record<string, string> }) => {
      asked.push({ path, authorization: init.headers.authorization! });
      return Promise.resolve(json({ path }));
    },
  });
  return { asked, window };
}

describe('public/early-reads.js', () => {
  const session = { token: 'tok', principal: { role: 'coordinator' } };

  it('asks for the task page’s summary and progress rows — the paths taskReads gives — with the bearer token', () => {
    for (const id of ['fp-zjj-2026-01', '联合 任务/1']) {
      const { asked, window } = run(`#/tasks/${encodeURIComponent(id)}?action=approve`, session);
      const r = taskReads(id);
      expect(asked).toEqual([
        { path: r.summary, authorization: 'Bearer tok' },
        { path: r.targets(), authorization: 'Bearer tok' },
      ]);
      expect(Object.keys(window.__suijiEarlyReads!.reads)).toEqual([r.summary, r.targets()]);
    }
  });

  it('asks nothing without a session or off a task page', () => {
    expect(run('#/tasks/fp-zjj-2026-01', null).asked).toEqual([]);
    for (const hash of ['', '#/', '#/tasks', '#/registry/targets', '#/plans/fp-zjj-2026']) expect(run(hash, session).asked).toEqual([]);
  });
});

describe('handedOver', () => {
  it('gives the screen the request the script sent, once; a stale or missing one is left to a new read', async () => {
    const path = taskReads('t1').summary;
    const page: { __suijiEarlyReads?: EarlyReads } = { __suijiEarlyReads: { at: 1_000, reads: { [path]: Promise.resolve(json({ stage: 'results' })) } } };
    await expect((await handedOver(path, page, 5_000, 3_000))!.json()).resolves.toEqual({ stage: 'results' });
    expect(handedOver(path, page, 5_000, 3_000)).toBeUndefined();
    expect(handedOver(taskReads('t2').summary, page, 5_000, 3_000)).toBeUndefined();
    page.__suijiEarlyReads!.reads[path] = Promise.resolve(json({}));
    expect(handedOver(path, page, 5_000, 6_001)).toBeUndefined();
    expect(page.__suijiEarlyReads!.reads[path]).toBeUndefined(); // dropped, not kept for later
    expect(handedOver(path, {}, 5_000, 3_000)).toBeUndefined();
  });

  it('reads the page\'s own global by default (window in the browser)', () => {
    const path = taskReads('t3').summary;
    const g = globalThis as { __suijiEarlyReads?: EarlyReads };
    const sent = Promise.resolve(json({}));
    g.__suijiEarlyReads = { at: Date.now(), reads: { [path]: sent } };
    try {
      expect(handedOver(path)).toBe(sent);
    } finally {
      delete g.__suijiEarlyReads;
    }
  });
});
