/**
 * A token bucket: `take()` resolves when a token is available. `rate` tokens per second are
 * added up to `burst`; so at most `burst + rate·t` messages leave in any t seconds, which is what
 * a provider limit such as Tencent Cloud SES's "20 calls/s per account" needs (a fixed
 * one-second window would let twice the limit through across a window boundary).
 * Per process: several functions sending at once share the provider's limit, see MailConfig.
 */
export class TokenBucket {
  private tokens: number;
  private last: number;
  private queue: Promise<void> = Promise.resolve();

  constructor(
    readonly rate: number,
    readonly burst: number,
    private readonly clock: () => number = () => performance.now(),
    private readonly sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
  ) {
    if (!(rate > 0) || !(burst >= 1)) throw new Error(`token bucket needs rate > 0 and burst ≥ 1 (got ${rate}, ${burst})`);
    this.tokens = burst;
    this.last = clock();
  }

  /** Waits for one token; callers are served in order. */
  take(): Promise<void> {
    const turn = this.queue.then(() => this.wait());
    this.queue = turn;
    return turn;
  }

  private async wait(): Promise<void> {
    for (;;) {
      const now = this.clock();
      this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) * this.rate) / 1000);
      this.last = now;
      if (this.tokens >= 1) {
        this.tokens -= 1;
        return;
      }
      await this.sleep(Math.ceil(((1 - this.tokens) * 1000) / this.rate));
    }
  }
}
