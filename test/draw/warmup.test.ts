/** The init-time warm-up must really draw: a silently failing one would warm nothing. */
import { describe, expect, it } from 'vitest';
import { createHasher, warmUpDraw } from '../../shared/draw/index.js';

describe('warmUpDraw', () => {
  it('freezes, selects and matches its synthetic joint task (every key enterprise and 3 % of the rest)', () => {
    // 6,000 candidates, a fifth of them key enterprises: 1,200 + ceil(3 % of 1,200) × 4 = 1,344 teams
    expect(warmUpDraw(createHasher(), 6_000)).toBe(1_344);
  });
});
