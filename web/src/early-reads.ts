/**
 * The task page's reads, and the answers public/early-reads.js got for them before the console's
 * scripts ran. No imports (the unit tests run it in Node as it is).
 */

/** The task page's reads: its readable summary and its progress table (pages of 1,000). */
export const taskReads = (taskId: string) => ({
  summary: `/tasks/${encodeURIComponent(taskId)}/summary`,
  targets: (cursor?: string) => `/tasks/${encodeURIComponent(taskId)}/targets?limit=1000${cursor ? `&cursor=${cursor}` : ''}`,
});

/** What public/early-reads.js leaves on the page (window.__suijiEarlyReads). */
export interface EarlyReads {
  at: number;
  reads: Record<string, Promise<Response>>;
}

/**
 * The request public/early-reads.js sent for `path` when the page arrived: taken once, and only
 * while fresh (it is meant for the page's first screen, moments later); otherwise undefined.
 */
export function handedOver(path: string, scope: { __suijiEarlyReads?: EarlyReads } = globalThis as { __suijiEarlyReads?: EarlyReads }, freshMs = 5_000, now: number = Date.now()): Promise<Response> | undefined {
  const e = scope.__suijiEarlyReads;
  const sent = e?.reads[path];
  if (!e || !sent) return undefined;
  delete e.reads[path];
  return now - e.at < freshMs ? sent : undefined;
}
