/**
 * The real app template, as the local platform runs it: every Task state of the lifecycle
 * binds to a function with runnable source, callbacks receive their token, the definition
 * compiles for resumption (flat callback states), and every schedule parses in its time zone.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LocalLambdas, REPO_ROOT } from '../../shared/dev/local/lambdas.js';
import { LocalStepFunctions } from '../../shared/dev/local/sfn.js';
import { LocalScheduler, occurrences } from '../../shared/dev/local/scheduler.js';

const hasInfra = existsSync(join(REPO_ROOT, 'infra/build.ts'));

describe.skipIf(!hasInfra)('the synthesized Suiji app on the local platform', async () => {
  const { synthLocalTemplates } = await import('../../shared/dev/local/template.js');
  const t = synthLocalTemplates();
  const lambdas = new LocalLambdas(t.app, {
    imports: [t.data],
    resolveAttribute: (_id, attr, type) => (type === 'AWS::ApiGatewayV2::Api' && attr === 'ApiEndpoint' ? 'http://127.0.0.1:3000' : undefined),
  });

  it('resolves every function to an existing source file and a complete environment', () => {
    expect(lambdas.functions().length).toBeGreaterThan(0);
    for (const fn of lambdas.functions()) expect(existsSync(fn.entry), fn.entry).toBe(true);
    expect(lambdas.problems()).toEqual([]);
  });

  it('binds every Task state of the lifecycle to one of those functions, callbacks to their token', () => {
    const sfn = new LocalStepFunctions({ template: t.app, lambdas });
    expect(sfn.machines.length).toBeGreaterThan(0);
    for (const sm of sfn.machines) {
      for (const b of sm.tasks.values()) {
        const st = sm.definition.States[b.state] as { Type?: string; Parameters?: { FunctionName?: string; Payload?: Record<string, unknown> } } | undefined;
        // a top-level Wait runs on the platform's clock (parked in the store), not in a function
        if (b.kind === 'wait') {
          expect(st?.Type, b.state).toBe('Wait');
          expect(b.topLevel).toBe(true);
          continue;
        }
        const fnRef = b.kind === 'direct' ? b.functionArn! : String(st?.Parameters?.FunctionName);
        expect(() => lambdas.find(fnRef), `${b.state} → ${fnRef}`).not.toThrow();
        if (b.callback) {
          expect(b.topLevel).toBe(true);
          expect(st?.Parameters?.Payload?.['taskToken.$']).toBe('$$.Task.Token');
        }
      }
      expect([...sm.tasks.values()].some((b) => b.callback)).toBe(true);
    }
  });

  it('reads every schedule and computes a month of occurrences in its time zone', () => {
    const scheduler = new LocalScheduler({ template: t.app, lambdas });
    expect(scheduler.schedules.length).toBeGreaterThan(0);
    for (const s of scheduler.schedules) {
      expect(s.enabled).toBe(true);
      if (s.source === 'scheduler') expect(s.timezone).toBe('Asia/Shanghai');
      const month = occurrences(s, Date.parse('2026-02-28T16:00:00Z'), Date.parse('2026-03-31T15:59:59Z'), Date.parse('2026-02-28T16:00:00Z'));
      expect(month.length, s.name).toBeGreaterThan(0);
    }
  });
});
