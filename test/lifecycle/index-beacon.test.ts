/**
 * The index-close beacon in the ceremony (issue 14 point 1, docs/DRAW.md §11): a department whose
 * profile chooses `draw.beacon: both` fixes at the freeze a BLS round and the closes of 上证指数
 * and 深证成指 on the first trading day after the close of registration; two different
 * signed-in people each enter both closes once that day's market has closed; a disagreement is
 * refused with both values and kept on record; the draw runs only when two entries agree (and
 * every witness revealed), and the record and the public page show the values and who entered
 * them. Fixture values: nothing reaches a market-data service.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SAMPLE_MAIN_DEPT, SAMPLE_PLAN_ID } from '../../shared/dev/sample/district.js';
import { ManualClock } from '../../shared/clock.js';
import { verifyRecordV2, type DrawRecordV2 } from '../../shared/draw/v2/index.js';
import { describeDay, isWorkingDay, addDays } from '../../shared/domain/calendar.js';
import { isTradingDay, nextTradingDayAfter } from '../../shared/lifecycle/beacons.js';
import { listInspectors } from '../../shared/store/registry.js';
import { waitForStage, type Call } from '../helpers/api.js';
import { sha256Hex, startSamplePlatform, type As, type SamplePlatform } from '../helpers/platform.js';

const A = `${SAMPLE_PLAN_ID}-01`;
// Monday 2026-01-12, 09:00 Beijing time: A's draw date. The next trading day is Tuesday the 13th.
const clock = new ManualClock('2026-01-12T01:00:00Z');
const SECRETS = ['指数信标见证人甲的秘密', '指数信标见证人乙的秘密'] as const;
const CLOSES = { shanghai: '4165.29', shenzhen: '14366.91' }; // fixture values

let sample: SamplePlatform;
let coord: As;
let leader: As;
const status = (): Promise<Call> => coord('GET', `/tasks/${A}/status`);

beforeAll(async () => {
  sample = await startSamplePlatform({ clock, targets: 300 });
  ({ coord, leader } = sample);
  expect((await coord('PUT', `/departments/${SAMPLE_MAIN_DEPT}/profile`, { draw: { beacon: 'both' } })).status).toBe(200);
  expect((await coord('POST', `/tasks/${A}/launch`, {})).status).toBe(201);
  await waitForStage(status, 'approval');
  expect((await leader('POST', `/tasks/${A}/approval`, { approve: true })).status).toBe(200);
  await waitForStage(status, 'witnesses');
}, 300_000);

afterAll(() => sample?.stop());

describe('the Chinese trading calendar', () => {
  it('skips weekends, holidays and the adjusted working weekends (调休), on which the exchanges do not trade', () => {
    expect(nextTradingDayAfter('2026-01-12')).toBe('2026-01-13');
    expect(nextTradingDayAfter('2026-01-09')).toBe('2026-01-12'); // Friday → Monday
    // the first adjusted working Saturday or Sunday of 2026: a working day, not a trading day
    let d = '2026-01-01';
    while (describeDay(d).kind !== 'adjusted-workday') d = addDays(d, 1);
    expect(isWorkingDay(d)).toBe(true);
    expect(isTradingDay(d)).toBe(false);
    expect(nextTradingDayAfter(addDays(d, -1))).not.toBe(d);
    // National Day week: no trading day inside the holiday
    const afterNationalDay = nextTradingDayAfter('2026-09-30');
    expect(describeDay(afterNationalDay).kind).toBe('workday');
    expect(afterNationalDay > '2026-10-07').toBe(true);
  });
});

describe('a round with drand and the index closes', { timeout: 240_000 }, () => {
  it('fixes the trading day at the freeze, refuses entries before the close, refuses a disagreement, draws once two people agree', async () => {
    const witnesses = SECRETS.map((s, i) => ({ id: `w${i + 1}`, name: i ? '企业代表' : '纪检监督员', role: i ? '企业代表' : '纪检监督', commitment: sha256Hex(s) }));
    expect((await coord('POST', `/tasks/${A}/ceremony/witnesses`, { witnesses })).status).toBe(200);
    expect((await coord('POST', `/tasks/${A}/ceremony/close`, {})).status).toBe(200);
    await waitForStage(status, 'ceremony');

    // the announcement fixes both beacons before any reveal
    const pub = await sample.api.call('GET', `/public/tasks/${A}.json`);
    const beacons = pub.json.rounds[0].v2.beacons as { source: string; date?: string }[];
    expect(beacons.map((b) => b.source)).toEqual(['suiji-local-test', 'index-close']);
    expect(beacons[1]!.date).toBe('2026-01-13');
    expect((await sample.api.call('GET', `/public/tasks/${A}`)).text).toContain('2026-01-13 上证指数、深证成指收盘点位');

    // every witness reveals: the draw still waits for the closes
    for (const [i, s] of SECRETS.entries()) {
      const r = await sample.api.call('POST', `/public/tasks/${A}/reveal`, { witnessId: `w${i + 1}`, secret: s });
      expect(r.json).toMatchObject({ recorded: true, indexCloses: 'pending' });
    }
    clock.advance(20 * 60_000); // past the BLS round
    await new Promise((r) => setTimeout(r, 500));
    expect((await status()).json.stage).toBe('ceremony');

    // before the market closes on the 13th: refused
    const early = await coord('POST', `/tasks/${A}/ceremony/index-closes`, CLOSES);
    expect(early.status).toBe(409);
    expect(early.json.message).toContain('2026-01-13 收盘');
    // bad input names the field
    clock.set('2026-01-13T07:00:00Z');
    const bad = await coord('POST', `/tasks/${A}/ceremony/index-closes`, { shanghai: '4165.3', shenzhen: CLOSES.shenzhen });
    expect(bad.status).toBe(400);
    expect(bad.json.message).toContain('上证指数收盘点位应保留两位小数');
    // an inspector may not enter
    const inspector = await sample.api.as((await firstInspectorEmail())!);
    expect((await inspector('POST', `/tasks/${A}/ceremony/index-closes`, CLOSES)).status).toBe(403);

    // first entry: waiting for a second person; the same person again does not count twice
    expect((await coord('POST', `/tasks/${A}/ceremony/index-closes`, CLOSES)).json).toMatchObject({ status: 'waiting', date: '2026-01-13', missing: [] });
    expect((await coord('POST', `/tasks/${A}/ceremony/index-closes`, CLOSES)).json.status).toBe('waiting');
    // the leader mistypes 深证成指: refused, both values shown, kept on record
    const wrong = await leader('POST', `/tasks/${A}/ceremony/index-closes`, { ...CLOSES, shenzhen: '14369.61' });
    expect(wrong.status).toBe(400);
    expect(wrong.json.error).toBe('IndexMismatch');
    expect(wrong.json.message).toContain('深证成指收盘点位两次录入不一致');
    expect(wrong.json.message).toContain(CLOSES.shenzhen);
    expect(wrong.json.message).toContain('14369.61');
    await new Promise((r) => setTimeout(r, 300));
    expect((await status()).json.stage).toBe('ceremony');
    const summary = await coord('GET', `/tasks/${A}/summary`);
    expect(summary.json.ceremony.v2.index).toMatchObject({ date: '2026-01-13', status: 'waiting' });
    expect(summary.json.ceremony.v2.index.entries.map((e: { mismatch?: boolean }) => Boolean(e.mismatch))).toEqual([false, false, true]);

    // the leader enters again, correctly: agreed, and the draw runs
    expect((await leader('POST', `/tasks/${A}/ceremony/index-closes`, CLOSES)).json).toMatchObject({ status: 'agreed' });
    await waitForStage(status, 'results');
    expect((await coord('POST', `/tasks/${A}/ceremony/index-closes`, CLOSES)).status).toBe(409);

    // the record carries the values and who entered them, and verifies
    const rec = (await sample.api.call('GET', `/public/tasks/${A}/draw`)).json as DrawRecordV2;
    expect(verifyRecordV2(rec)).toMatchObject({ ok: true });
    const [coordName, leaderName] = [(await coord('GET', '/me')).json.name as string, (await leader('GET', '/me')).json.name as string];
    expect(coordName && leaderName && coordName !== leaderName).toBeTruthy();
    const proof = rec.reveals.beacons.find((b) => b.source === 'index-close');
    expect(proof).toMatchObject({
      date: '2026-01-13',
      values: [
        { name: '上证指数', code: '000001.SH', close: CLOSES.shanghai },
        { name: '深证成指', code: '399001.SZ', close: CLOSES.shenzhen },
      ],
      enteredBy: [coordName, leaderName],
    });
    expect(proof!.randomness).toBe(sha256Hex(`上证指数=${CLOSES.shanghai}\n深证成指=${CLOSES.shenzhen}`));
    // a changed close no longer verifies
    const tampered = structuredClone(rec);
    (tampered.reveals.beacons.find((b) => b.source === 'index-close') as { values: { close: string }[] }).values[0]!.close = '4165.30';
    expect(verifyRecordV2(tampered).ok).toBe(false);

    // the public page lists every entry with who made it, the refused one marked
    const page = (await sample.api.call('GET', `/public/tasks/${A}`)).text;
    expect(page).toContain(`已由 ${coordName}、${leaderName} 录入一致`);
    expect(page).toContain('14369.61');
    expect(page).toContain('与另一人录入不一致，未被采用');
    const trail = (await coord('GET', `/tasks/${A}/audit`)).json as { what: string }[];
    // (the manual clock stands still: the trail's order within one instant is not the order of the calls)
    expect(trail.filter((a) => a.what.startsWith('ceremony.index')).map((a) => a.what).sort()).toEqual([
      'ceremony.index-agreed',
      'ceremony.index-entry',
      'ceremony.index-entry',
      'ceremony.index-entry',
      'ceremony.index-mismatch',
    ]);
  });
});

async function firstInspectorEmail(): Promise<string | undefined> {
  return (await listInspectors(SAMPLE_MAIN_DEPT)).find((i) => i.active && i.email)?.email;
}
