/**
 * An inspector is (department, id). The defect this reproduces (issue 12, 1): ids were compared
 * bare, so the fp-scjg coordinator could register `fp-zjj-iNNN` in his own department, sign in as
 * that record and enter a result on a joint task as the real fp-zjj inspector; a reply by mail
 * from the impostor was matched to the real inspector's seats and got back his assignment link.
 *
 * Now: the API refuses an id another department uses, and an impostor record that exists anyway
 * (registered before the check, written here straight into the table) is not the real inspector
 * anywhere — API result entry, check records, reply by mail.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Platform } from '../../shared/dev/local/platform.js';
import { ManualClock, resetClock, setClock } from '../../shared/clock.js';
import { putItem } from '../../shared/store/base.js';
import { K } from '../../shared/store/keys.js';
import { getProgress } from '../../shared/store/tasks.js';
import { handleInboundMail, issueReplyToken } from '../../shared/mail/inbound.js';
import type { Inspector } from '../../shared/domain/schemas.js';
import type { ApiClient } from '../helpers/api.js';
import { sesReply } from '../helpers/inbound.js';
import { drawnJointTask, jointResult, JOINT_TASK as TASK, type As } from './fixture.js';

const clock = new ManualClock('2026-05-12T01:00:00Z');
const SCJG_COORDINATOR = 'scjg.coordinator@example.gov.cn';
const IMPOSTOR_EMAIL = 'impostor@example.gov.cn';

let platform: Platform;
let api: ApiClient;
let coord: As;
let target: { uscc: string; team: string[] };
let victim: Inspector;

/** The same inspector, re-registered by fp-scjg under the victim's id with the impostor's address. */
const impostorOf = (v: Inspector): Inspector => ({ ...v, department: 'fp-scjg', section: '综合执法大队', name: '冒名者', email: IMPOSTOR_EMAIL });
const resultFor = (team: string[]): Record<string, unknown> => jointResult(team);

beforeAll(async () => {
  setClock(clock);
  const s = await drawnJointTask();
  ({ platform, api, coord } = s);
  target = s.targets.find((t) => t.team.some((id) => id.startsWith('fp-zjj-')))!;
  expect(target, 'a target with an fp-zjj inspector on its team').toBeDefined();
  const id = target.team.find((x) => x.startsWith('fp-zjj-'))!;
  victim = s.inspectors.get('fp-zjj')!.find((i) => i.id === id)!;
  clock.set('2026-05-20T02:00:00Z');
}, 180_000);

afterAll(async () => {
  resetClock();
  await platform?.stop();
});

describe('an inspector id belongs to one department', () => {
  it('refuses to register in fp-scjg an id that fp-zjj uses, and writes nothing', async () => {
    const scjg = await api.as(SCJG_COORDINATOR);
    const { id: _i, department: _d, ...body } = impostorOf(victim);
    const r = await scjg('PUT', `/departments/fp-scjg/inspectors/${victim.id}`, body);
    expect(r.status).toBe(409);
    expect(r.json.message).toContain(victim.id);
    expect(r.json.message).toContain('阜平县住房和城乡建设局');
    const list = (await scjg('GET', '/departments/fp-scjg/inspectors')).json as Inspector[];
    expect(list.map((i) => i.id)).not.toContain(victim.id);
    // the owning department still updates its own inspector
    const { id: _j, department: _e, ...own } = victim;
    expect((await coord('PUT', `/departments/fp-zjj/inspectors/${victim.id}`, own)).status).toBe(200);
  });

  it('refuses the same id in an import of another department, naming the row', async () => {
    const scjg = await api.as(SCJG_COORDINATOR);
    const template = await scjg('GET', '/departments/fp-scjg/imports/inspectors/template?format=csv');
    const header = template.text.replace(/^\ufeff/, '').split(/\r?\n/)[0]!;
    const cols = header.split(',');
    const value = (col: string): string => {
      if (/编号/.test(col)) return victim.id;
      if (/科室/.test(col)) return '综合执法大队';
      if (/姓名/.test(col)) return '冒名者';
      if (/辖区/.test(col)) return victim.jurisdictions.join('；');
      if (/证号|证件号/.test(col)) return victim.certificateNo;
      if (/有效期/.test(col)) return victim.certificateExpiry;
      if (/邮箱/.test(col)) return IMPOSTOR_EMAIL;
      if (/在岗|状态|启用/.test(col)) return '是';
      return '';
    };
    const csv = `${header}\r\n${cols.map(value).join(',')}\r\n`;
    const r = await scjg('POST', '/departments/fp-scjg/imports/inspectors', csv, { 'content-type': 'text/csv' });
    expect(r.status, r.text).toBe(422);
    expect(r.json.errors).toEqual([expect.objectContaining({ row: 2, value: victim.id, reason: expect.stringContaining('阜平县住房和城乡建设局') })]);
  });
});

describe('an impostor record that exists anyway is not the real inspector', () => {
  beforeAll(async () => {
    // As the registry stored it before ids were checked across departments.
    const i = impostorOf(victim);
    await putItem({ ...K.inspector(i.department, i.id), gsi2pk: K.emailLookup(i.email), gsi2sk: `INSP#${i.department}#${i.id}`, entity: 'inspector', ...i });
  });

  it('cannot record a check or enter a result on the real inspector’s target', async () => {
    const impostor = await api.as(IMPOSTOR_EMAIL);
    const me = await impostor('GET', '/me');
    expect(me.json).toMatchObject({ department: 'fp-scjg', inspectorId: victim.id });
    const checked = await impostor('POST', `/tasks/${TASK}/targets/${target.uscc}/checked`, { checkDate: '2026-05-19' });
    expect(checked.status).toBe(403);
    const r = await impostor('PUT', `/tasks/${TASK}/targets/${target.uscc}/result`, resultFor(target.team));
    expect(r.status).toBe(403);
    const p = await getProgress(TASK, target.uscc);
    expect(p?.result).toBeUndefined();
    expect(p?.checkDate).toBeUndefined();
  });

  it('the real inspector still enters the result', async () => {
    const real = await api.as(victim.email);
    const r = await real('PUT', `/tasks/${TASK}/targets/${target.uscc}/result`, resultFor(target.team));
    expect(r.status).toBe(201);
    expect((await getProgress(TASK, target.uscc))?.result).toMatchObject({ enteredBy: victim.id, enteredByDepartment: 'fp-zjj' });
  });

  it('a reply by mail from the impostor records nothing and carries no link of the real inspector', async () => {
    const token = await issueReplyToken(`test#impostor#${victim.id}`, { inspectors: [{ id: victim.id, department: 'fp-scjg' }], department: 'fp-scjg', address: IMPOSTOR_EMAIL, date: '2026-05-20' });
    const before = platform.ses.emails().length;
    const out = await handleInboundMail(sesReply({ from: IMPOSTOR_EMAIL, token, body: `${target.uscc} A 冒名录入`, id: 'impostor-1' }));
    expect(out.recorded).toEqual([]);
    expect(out.rejected).toEqual([{ line: `${target.uscc} A 冒名录入`, reasons: [`统一社会信用代码 ${target.uscc} 不是您所在检查组负责的检查对象`] }]);
    const answer = platform.ses.emails().slice(before);
    expect(answer.length).toBe(1);
    expect(`${answer[0]!.body.text}${answer[0]!.body.html}`).not.toMatch(/\/l\/[A-Za-z0-9_-]{16,}/);
    expect((await getProgress(TASK, target.uscc))?.result).toMatchObject({ codes: ['1'] });
  });
});
