/**
 * RecordFailure counts a person's decision (rejected plan, aborted ceremony, …) in the EMF
 * metric that the failed-execution alarm subtracts, and never a technical failure — which the
 * alarm must see (infra/operations.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestStack, type TestStack } from '../helpers/local-aws.js';
import { captureOutput } from '../helpers/capture.js';
import { closeStage } from '../../shared/lifecycle/stages.js';
import { HUMAN_ERRORS } from '../../shared/lifecycle/errors.js';
import { LIFECYCLE_HUMAN_OUTCOMES } from '../../shared/lambda/metrics.js';

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack();
}, 120_000);
afterAll(async () => {
  await stack?.stop();
});

const metricLines = (out: string) =>
  out
    .split('\n')
    .filter((l) => l.startsWith('{"_aws"'))
    .map((l) => JSON.parse(l) as Record<string, unknown>);

describe('RecordFailure metric', () => {
  it('counts each human outcome once, with its name', async () => {
    for (const error of HUMAN_ERRORS) {
      const out = await captureOutput(async () => {
        expect(await closeStage({ taskId: `T-${error}`, failure: { Error: error, Cause: '分管领导未批准' } })).toEqual({ closed: false });
      });
      const lines = metricLines(out);
      expect(lines, error).toHaveLength(1);
      expect(lines[0]).toMatchObject({ [LIFECYCLE_HUMAN_OUTCOMES]: 1, error });
    }
  });

  it('does not count a technical failure', async () => {
    for (const error of ['LifecycleError', 'Lambda.Unknown', 'States.Timeout', 'TypeError']) {
      const out = await captureOutput(async () => {
        await closeStage({ taskId: 'T-tech', failure: { Error: error, Cause: '{"errorMessage":"boom"}' } });
      });
      expect(metricLines(out), error).toEqual([]);
    }
  });
});
