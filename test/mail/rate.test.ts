import { describe, expect, it } from 'vitest';
import { TokenBucket } from '../../shared/mail/transport/rate.js';

/** A bucket on a virtual clock: sleeping advances it, nothing waits for real. */
function virtual(rate: number, burst: number) {
  let t = 0;
  const bucket = new TokenBucket(rate, burst, () => t, async (ms) => {
    t += ms;
  });
  return { bucket, now: () => t };
}

describe('TokenBucket', () => {
  it('lets the burst through at once, then one message per 1/rate seconds', async () => {
    const { bucket, now } = virtual(20, 5);
    const at: number[] = [];
    for (let i = 0; i < 25; i++) {
      await bucket.take();
      at.push(now());
    }
    expect(at.slice(0, 5)).toEqual([0, 0, 0, 0, 0]);
    expect(at[5]).toBe(50);
    expect(at[24]).toBe(1000); // 20 more after the burst of 5: one second
  });

  it('never lets more than burst + rate·t through in any window of t seconds (Tencent: 20 calls/s)', async () => {
    const { bucket, now } = virtual(20, 20);
    const at: number[] = [];
    await Promise.all(Array.from({ length: 200 }, () => bucket.take().then(() => at.push(now()))));
    for (let i = 0; i < at.length; i++) {
      const inWindow = at.filter((x) => x >= at[i]! && x < at[i]! + 1000).length;
      expect(inWindow).toBeLessThanOrEqual(20 + 20);
    }
    // After the first burst, any one-second window holds at most 20 + 1.
    const later = at.filter((x) => x >= 1000);
    for (const x of later) expect(later.filter((y) => y >= x && y < x + 1000).length).toBeLessThanOrEqual(21);
    expect(at.at(-1)).toBe(9000); // 200 messages: 20 at once, then 180 at 20/s
  });

  it('refills while idle, up to the burst', async () => {
    let t = 0;
    const bucket = new TokenBucket(10, 3, () => t, async (ms) => {
      t += ms;
    });
    for (let i = 0; i < 3; i++) await bucket.take();
    t += 10_000; // idle for 10 s: back to 3 tokens, not 100
    for (let i = 0; i < 3; i++) await bucket.take();
    expect(t).toBe(10_000);
    await bucket.take();
    expect(t).toBe(10_100);
  });

  it('refuses a rate or burst that would never let anything through', () => {
    expect(() => new TokenBucket(0, 1)).toThrow();
    expect(() => new TokenBucket(5, 0)).toThrow();
  });
});
