/**
 * EventBridge cron semantics in a time zone, and the local scheduler over the fixture app's
 * schedules: a simulated month in Asia/Shanghai, restarts that fire nothing twice and miss
 * nothing, real-time ticking with catch-up inside the retry window, failing targets.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cronOccurrences, LocalScheduler, parseCron, parseScheduleExpression, occurrences, type FiredOccurrence, type LocalSchedule } from '../../shared/dev/local/scheduler.js';
import { LocalLambdas } from '../../shared/dev/local/lambdas.js';
import { ManualClock, resetClock, setClock } from '../../shared/clock.js';
import { deleteItem, getItem, putItem } from '../../shared/store/base.js';
import { calls, startFixtureStack, type FixtureStack } from './harness.js';

const SH = 'Asia/Shanghai';
const at = (iso: string): number => Date.parse(iso);
const iso = (t: number): string => new Date(t).toISOString();
const occ = (expr: string, from: string, to: string, tz = SH): string[] => cronOccurrences(parseCron(expr), tz, at(from), at(to)).map(iso);

describe('EventBridge cron expressions', () => {
  it('fire a daily 08:00 China-time job once per day, at 00:00 UTC', () => {
    const days = occ('cron(0 8 * * ? *)', '2026-03-01T00:00:00+08:00', '2026-03-31T23:59:59+08:00');
    expect(days).toHaveLength(31);
    expect(days[0]).toBe('2026-03-01T00:00:00.000Z');
    expect(days.every((d, i) => d === `2026-03-${String(i + 1).padStart(2, '0')}T00:00:00.000Z`)).toBe(true);
  });

  it('evaluate fields in the schedule time zone, not in UTC', () => {
    // 07:00 China time on Monday is still Sunday in UTC.
    expect(occ('cron(0 7 ? * MON *)', '2026-03-01T00:00:00Z', '2026-03-08T00:00:00Z')).toEqual(['2026-03-01T23:00:00.000Z']);
    expect(occ('cron(0 7 ? * MON *)', '2026-03-01T00:00:00Z', '2026-03-08T00:00:00Z', 'UTC')).toEqual(['2026-03-02T07:00:00.000Z']);
  });

  it('support lists, ranges (also wrapping), steps and names', () => {
    expect(occ('cron(0/15 9 1 JAN-MAR ? 2026)', '2026-02-01T00:00:00Z', '2026-02-02T00:00:00Z', 'UTC')).toEqual(
      ['00', '15', '30', '45'].map((m) => `2026-02-01T09:${m}:00.000Z`),
    );
    expect(occ('cron(0 22-2 15 * ? *)', '2026-05-14T00:00:00Z', '2026-05-16T23:59:00Z', 'UTC').map((d) => d.slice(8, 13))).toEqual([
      '15T00', '15T01', '15T02', '15T22', '15T23',
    ]);
    expect(occ('cron(*/20 0 ? * 2,4,6 *)', '2026-03-02T00:00:00Z', '2026-03-02T23:00:00Z', 'UTC')).toHaveLength(3);
    expect(occ('cron(0 0 1 * ? 2027)', '2026-01-01T00:00:00Z', '2027-12-31T00:00:00Z', 'UTC')).toHaveLength(12);
  });

  it('support L, W, LW, nL and #', () => {
    expect(occ('cron(30 17 L * ? *)', '2028-01-01T00:00:00Z', '2028-03-31T23:59:59Z')).toEqual([
      '2028-01-31T09:30:00.000Z',
      '2028-02-29T09:30:00.000Z',
      '2028-03-31T09:30:00.000Z',
    ]);
    expect(occ('cron(0 12 LW * ? *)', '2026-01-01T00:00:00Z', '2026-01-31T23:00:00Z', 'UTC')).toEqual(['2026-01-30T12:00:00.000Z']); // 31st is a Saturday
    expect(occ('cron(0 12 15W * ? *)', '2026-08-01T00:00:00Z', '2026-08-31T00:00:00Z', 'UTC')).toEqual(['2026-08-14T12:00:00.000Z']); // 15th: Saturday → Friday
    expect(occ('cron(0 12 1W * ? *)', '2026-08-01T00:00:00Z', '2026-08-31T00:00:00Z', 'UTC')).toEqual(['2026-08-03T12:00:00.000Z']); // 1st: Saturday → Monday 3rd
    expect(occ('cron(0 12 31W * ? *)', '2026-05-01T00:00:00Z', '2026-05-31T23:00:00Z', 'UTC')).toEqual(['2026-05-29T12:00:00.000Z']); // 31st: Sunday → Friday 29th
    expect(occ('cron(0 12 ? * 6L *)', '2026-01-01T00:00:00Z', '2026-01-31T23:00:00Z', 'UTC')).toEqual(['2026-01-30T12:00:00.000Z']); // last Friday
    expect(occ('cron(0 12 ? * MON#1 *)', '2026-02-01T00:00:00Z', '2026-02-28T23:00:00Z', 'UTC')).toEqual(['2026-02-02T12:00:00.000Z']);
    expect(occ('cron(0 12 30 2 ? *)', '2026-01-01T00:00:00Z', '2030-12-31T00:00:00Z', 'UTC')).toEqual([]);
  });

  it('convert wall-clock time through DST changes, once per occurrence', () => {
    expect(occ('cron(30 2 * * ? *)', '2026-03-29T00:00:00Z', '2026-03-29T23:00:00Z', 'Europe/Berlin')).toEqual(['2026-03-29T01:30:00.000Z']);
    expect(occ('cron(30 2 * * ? *)', '2026-10-25T00:00:00Z', '2026-10-25T23:00:00Z', 'Europe/Berlin')).toHaveLength(1);
  });

  it('reject what EventBridge rejects or the local platform cannot run, with a clear message', () => {
    expect(() => parseCron('cron(0 8 * * * *)')).toThrow(/exactly one of day-of-month and day-of-week/);
    expect(() => parseCron('cron(0 8 ? * ? *)')).toThrow(/exactly one/);
    expect(() => parseCron('cron(0 8 * * ?)')).toThrow(/6 fields/);
    expect(() => parseCron('cron(60 8 * * ? *)')).toThrow(/minutes: 60 is outside 0-59/);
    expect(() => parseCron('cron(0 8 ? * FUNDAY *)')).toThrow(/day-of-week: "FUNDAY"/);
    expect(() => parseCron('cron(0 8 L,15 * ? *)')).toThrow(/not allowed here/);
    expect(() => parseCron('cron(0 8 L-2 * ? *)')).toThrow(/not supported/);
    expect(() => parseCron('cron(0 8 ? * 2#6 *)')).toThrow(/1-5/);
    expect(() => parseScheduleExpression('rate(1 minutes)')).toThrow(/singular/);
    expect(() => parseScheduleExpression('every day')).toThrow(/unsupported schedule expression/);
    expect(() => cronOccurrences(parseCron('cron(0 8 * * ? *)'), 'Mars/Olympus', 0, 1)).toThrow(/unknown time zone/);
  });

  it('compute rate and at schedules', () => {
    const base = { name: 'r', logicalId: 'r', source: 'scheduler', arn: '', expression: '', timezone: SH, enabled: true, target: { arn: '', kind: 'lambda' }, maxEventAgeSeconds: 1, maxRetryAttempts: 1 } as const;
    const rate: LocalSchedule = { ...base, parsed: parseScheduleExpression('rate(6 hours)') };
    expect(occurrences(rate, at('2026-01-01T00:00:00Z'), at('2026-01-02T00:00:00Z'), at('2026-01-01T00:00:00Z')).map(iso)).toEqual([
      '2026-01-01T06:00:00.000Z', '2026-01-01T12:00:00.000Z', '2026-01-01T18:00:00.000Z', '2026-01-02T00:00:00.000Z',
    ]);
    const once: LocalSchedule = { ...base, parsed: parseScheduleExpression('at(2026-04-01T09:00:00)') };
    expect(occurrences(once, at('2026-01-01T00:00:00Z'), at('2026-12-31T00:00:00Z'), 0).map(iso)).toEqual(['2026-04-01T01:00:00.000Z']);
  });
});

describe('the local scheduler', () => {
  let stack: FixtureStack;
  let lambdas: LocalLambdas;
  const logs: string[] = [];
  const scheduler = (opts: Partial<ConstructorParameters<typeof LocalScheduler>[0]> = {}) =>
    new LocalScheduler({ template: stack.template, lambdas, log: (l) => logs.push(l), ...opts });

  beforeAll(async () => {
    stack = await startFixtureStack();
    lambdas = new LocalLambdas(stack.template);
  });
  afterAll(async () => {
    resetClock();
    await stack?.stop();
  });

  it('reads every schedule of the template with its time zone, target and input', () => {
    const s = scheduler().schedules;
    const job = lambdas.functions().find((f) => f.logicalId.startsWith('Job'))!;
    expect(s.map((x) => [x.source, x.expression, x.timezone])).toEqual([
      ['scheduler', 'cron(0 8 * * ? *)', SH],
      ['scheduler', 'cron(30 17 L * ? *)', SH],
      ['rule', 'cron(0 12 ? * MON-FRI *)', 'UTC'],
    ]);
    expect(s.every((x) => x.target.arn === job.arn)).toBe(true);
    expect(s[0]).toMatchObject({ maxEventAgeSeconds: 7200, maxRetryAttempts: 3 });
  });

  it('runs a simulated month in order, once per occurrence, and a restart fires nothing twice', async () => {
    const seen: string[] = [];
    const clock = new ManualClock('2026-03-01T00:00:00Z');
    setClock(clock);
    const first = scheduler({
      beforeInvoke: (t, s) => {
        clock.set(t);
        seen.push(`${iso(t.getTime())} ${s.name.split('#')[0]!.replace(/[0-9A-F]{8}$/, '')}`);
      },
    });
    const from = new Date('2026-02-28T16:00:00Z'); // 2026-03-01 00:00 in China
    const mid = new Date('2026-03-15T15:59:59Z');
    const end = new Date('2026-03-31T15:59:59Z'); // 2026-03-31 23:59:59 in China
    const a = await first.runDue(from, mid);
    expect(a.every((f) => f.ok)).toBe(true);

    // Restart: a new instance over the same table, the whole month asked again.
    const second = scheduler({ beforeInvoke: (t, s) => void seen.push(`${iso(t.getTime())} ${s.name.split('#')[0]!.replace(/[0-9A-F]{8}$/, '')}`) });
    const b = await second.runDue(from, end);
    expect(await second.runDue(from, end)).toEqual([]);

    const daily = seen.filter((x) => x.endsWith('DailyDeadlines'));
    expect(daily).toHaveLength(31);
    expect(new Set(daily).size).toBe(31);
    expect(daily.every((x) => x.slice(11, 24) === '00:00:00.000Z')).toBe(true);
    expect(seen.filter((x) => x.endsWith('MonthEnd'))).toEqual(['2026-03-31T09:30:00.000Z MonthEnd']);
    expect(seen.filter((x) => x.endsWith('WeekdayNoonUtc'))).toHaveLength(22);
    expect([...seen].sort()).toEqual(seen); // time order across schedules
    expect(a.length + b.length).toBe(31 + 1 + 22);
    // The handler saw the occurrence time the schedule substitutes, exactly once each.
    expect(await calls('job:daily:2026-03-01T00:00:00Z')).toBe(1);
    expect(await calls('job:daily:2026-03-16T00:00:00Z')).toBe(1);
    expect(await calls('job:monthEnd:2026-03-31T09:30:00Z')).toBe(1);
    expect(await calls('job:rule:2026-03-02T12:00:00Z')).toBe(1);
    expect((await second.state(second.schedules[0]!.name)).fired).toBe(31);
  });

  it('gives up a failing occurrence after its attempts, records it and moves on', async () => {
    await putItem({ pk: 'FIXTURE#fail', sk: 'monthEnd' });
    const s = scheduler();
    const fired = await s.runDue(new Date('2026-04-30T00:00:00Z'), new Date('2026-04-30T10:00:00Z'));
    const monthEnd = fired.find((f) => f.schedule.startsWith('MonthEnd'))!;
    expect(monthEnd).toMatchObject({ ok: false, attempts: 3 });
    expect(monthEnd.error).toMatch(/JobFailed/);
    expect(await calls('job:monthEnd:2026-04-30T09:30:00Z')).toBe(3);
    expect(await getItem({ pk: `SCHED#${monthEnd.schedule}`, sk: 'FAIL#2026-04-30T09:30:00.000Z' }, true)).toMatchObject({ attempts: 3 });
    await deleteItem({ pk: 'FIXTURE#fail', sk: 'monthEnd' });
    expect(await scheduler().runDue(new Date('2026-04-30T00:00:00Z'), new Date('2026-04-30T10:00:00Z'))).toEqual([]);
  });

  it('ticks on the injected clock and, after a restart, catches up inside the retry window only', async () => {
    // The table already knows these schedules (watermarks of April): starting 3 h after the
    // 06-01 occurrence drops everything since, it is outside the 2 h retry window.
    const clock = new ManualClock('2026-06-01T03:00:00Z');
    setClock(clock);
    const live = scheduler();
    live.start({ pollMs: 10 });
    await new Promise((r) => setTimeout(r, 50));
    // Two 08:00 China-time occurrences pass while it runs.
    clock.set('2026-06-02T00:30:00Z');
    await waitFor(async () => (await calls('job:daily:2026-06-02T00:00:00Z')) === 1);
    clock.set('2026-06-03T00:30:00Z');
    await waitFor(async () => (await calls('job:daily:2026-06-03T00:00:00Z')) === 1);
    await live.stop();
    expect(await calls('job:daily:2026-06-02T00:00:00Z')).toBe(1);
    expect(await calls('job:daily:2026-06-01T00:00:00Z')).toBe(0);
    const missedBefore = (await live.state(live.schedules[0]!.name)).missed ?? 0;
    expect(missedBefore).toBe(31 + 1); // May and 06-01

    // Down for two days; back 1 h after the 06-05 occurrence: the 2 h retry window keeps only that one.
    clock.set('2026-06-05T01:00:00Z');
    const restarted = scheduler();
    restarted.start({ pollMs: 10 });
    await waitFor(async () => (await calls('job:daily:2026-06-05T00:00:00Z')) === 1);
    await restarted.stop();
    expect(await calls('job:daily:2026-06-04T00:00:00Z')).toBe(0);
    expect(await calls('job:daily:2026-06-03T00:00:00Z')).toBe(1);
    const st = await restarted.state(restarted.schedules[0]!.name);
    expect(st.missed).toBe(missedBefore + 1);
    expect(logs.some((l) => /dropped/.test(l))).toBe(true);
  });

  // after the ticking test: it moves the shared daily schedule's watermark past June
  it('with coalesceRates fires a rate schedule once per window, at its last occurrence, and cron schedules as usual', async () => {
    // The fixture app with an hourly rate schedule beside its crons (the demo's case: the
    // every-minute recovery job, run once per simulated day).
    const template = structuredClone(stack.template);
    const [, daily] = Object.entries(template.Resources).find(([id, r]) => r.Type === 'AWS::Scheduler::Schedule' && id.startsWith('DailyDeadlines'))!;
    const json = JSON.stringify(daily).replace('\\"schedule\\":\\"daily\\"', '\\"schedule\\":\\"hourly\\"');
    expect(json).toContain('hourly');
    const hourly = JSON.parse(json) as typeof daily & { Properties: Record<string, unknown> };
    hourly.Properties.ScheduleExpression = 'rate(1 hour)';
    template.Resources.HourlyCoalesced = hourly;
    const withRate = new LocalLambdas(template);
    const clock = new ManualClock('2026-07-01T00:00:00Z');
    setClock(clock);
    const seen: string[] = [];
    const s = new LocalScheduler({
      template,
      lambdas: withRate,
      log: (l) => logs.push(l),
      beforeInvoke: (t, x) => {
        clock.set(t);
        seen.push(`${iso(t.getTime())} ${x.name}`);
      },
    });
    expect(s.schedules.find((x) => x.name === 'HourlyCoalesced')?.parsed.kind).toBe('rate');

    // 2026-07-01 00:00 … 23:59:59 China time: the rate anchors at the window's start.
    const day1 = await s.runDue(new Date('2026-06-30T16:00:00Z'), new Date('2026-07-01T15:59:59Z'), { coalesceRates: true });
    const rateRuns = (f: FiredOccurrence[]) => f.filter((x) => x.schedule === 'HourlyCoalesced');
    expect(rateRuns(day1).map((f) => iso(f.at.getTime()))).toEqual(['2026-07-01T15:00:00.000Z']); // 23:00, the last of 24
    expect(await calls('job:hourly:2026-07-01T15:00:00Z')).toBe(1);
    expect(await calls('job:hourly:2026-06-30T16:00:00Z')).toBe(0);
    expect(await calls('job:hourly:2026-07-01T14:00:00Z')).toBe(0);
    // the cron schedules of that day ran as without coalescing, in time order with it
    expect(day1.filter((f) => f.schedule.startsWith('DailyDeadlines')).map((f) => iso(f.at.getTime()))).toEqual(['2026-07-01T00:00:00.000Z']);
    expect([...seen].sort()).toEqual(seen);
    // its watermark moved to that occurrence: the same window again fires nothing …
    expect(rateRuns(await s.runDue(new Date('2026-06-30T16:00:00Z'), new Date('2026-07-01T15:59:59Z'), { coalesceRates: true }))).toEqual([]);
    // … the next day once more, at its last occurrence; without coalescing, every occurrence
    const day2 = await s.runDue(new Date('2026-07-01T16:00:00Z'), new Date('2026-07-02T15:59:59Z'), { coalesceRates: true });
    expect(rateRuns(day2).map((f) => iso(f.at.getTime()))).toEqual(['2026-07-02T15:00:00.000Z']);
    const day3 = await s.runDue(new Date('2026-07-02T16:00:00Z'), new Date('2026-07-03T03:59:59Z'));
    expect(rateRuns(day3)).toHaveLength(12); // 00:00 … 11:00
    expect((await s.state('HourlyCoalesced')).fired).toBe(1 + 1 + 12);
  });
});

async function waitFor(cond: () => Promise<boolean>, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error('condition not reached');
    await new Promise((r) => setTimeout(r, 20));
  }
}
