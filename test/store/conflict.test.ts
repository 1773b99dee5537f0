/** Retrying transactions cancelled by a TransactionConflict (DynamoDB Local never produces one). */
import { describe, expect, it } from 'vitest';
import { TransactionCanceledException, TransactionConflictException } from '@aws-sdk/client-dynamodb';
import { isTransactionConflict, retryOnConflict, runPool } from '../../shared/store/base.js';

const cancelled = (...codes: string[]) =>
  new TransactionCanceledException({ message: 'Transaction cancelled', $metadata: {}, CancellationReasons: codes.map((Code) => ({ Code })) });

describe('retryOnConflict', () => {
  it('retries a conflict until the transaction goes through', async () => {
    let calls = 0;
    const r = await retryOnConflict(async () => {
      calls++;
      if (calls === 1) throw cancelled('None', 'TransactionConflict');
      if (calls === 2) throw new TransactionConflictException({ message: 'conflict', $metadata: {} });
      return 'done';
    });
    expect([r, calls]).toEqual(['done', 3]);
  });

  it('never retries a failed condition (a double submission), even if another item conflicted', async () => {
    let calls = 0;
    const failing = retryOnConflict(async () => {
      calls++;
      throw cancelled('ConditionalCheckFailed', 'TransactionConflict');
    });
    await expect(failing).rejects.toBeInstanceOf(TransactionCanceledException);
    expect(calls).toBe(1);
    expect(isTransactionConflict(cancelled('ConditionalCheckFailed', 'None'))).toBe(false);
    expect(isTransactionConflict(new Error('socket hang up'))).toBe(false);
  });

  it('gives up after 10 attempts and reports the conflict', async () => {
    let calls = 0;
    await expect(retryOnConflict(async () => (calls++, Promise.reject(cancelled('TransactionConflict'))))).rejects.toBeInstanceOf(TransactionCanceledException);
    expect(calls).toBe(10);
  }, 20_000);
});

describe('runPool', () => {
  it('stops taking new items after the first failure and reports it', async () => {
    const started: number[] = [];
    const run = runPool(Array.from({ length: 100 }, (_, i) => i), 4, async (i) => {
      started.push(i);
      await new Promise((r) => setTimeout(r, 1));
      if (i === 5) throw new Error('item 5 failed');
    });
    await expect(run).rejects.toThrow('item 5 failed');
    await new Promise((r) => setTimeout(r, 20));
    expect(started.length).toBeLessThanOrEqual(9);
  });
});
