/**
 * A cross-department joint task shows every department's items, inspectors and name — never a
 * raw id — wherever a person reads it (issue 11, point 5), and it belongs to every participating
 * department: its published results are on each one's public page and each one's report
 * statistics count it. The sample district's joint task fp-zjj-2026-06 (住建 with 市场监管 and
 * 应急管理; key items scjg-001 and yjj-001 are the partners').
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock, resetClock, setClock } from '../../shared/clock.js';
import { computeReportStats } from '../../shared/jobs/report-stats.js';
import { sampleDistrict, SAMPLE_LEADER_EMAIL } from '../../shared/dev/sample/district.js';
import { drawnJointTask, jointResult, JOINT_ITEMS, JOINT_TASK, type JointSetting } from '../security/fixture.js';
import { getTarget } from '../../shared/store/registry.js';

const clock = new ManualClock('2026-05-12T01:00:00Z');
const addr = (s: string): string => /<([^>]+)>/.exec(s)?.[1] ?? s;
const sample = sampleDistrict({ targets: 10 });
const itemName = (id: string): string => sample.items.find((i) => i.id === id)!.name;
const deptName = (id: string): string => sample.departments.find((d) => d.id === id)!.name;
const PARTNERS = ['fp-scjg', 'fp-yjj'];
/** An item or department id (not the task id fp-zjj-2026-06, which pages do show). */
const RAW_IDS = /\b(?:zjj|scjg|yjj)-0\d\d\b|\bfp-(?:zjj|scjg|yjj)\b(?!-\d{4})/;

let s: JointSetting;
/** A target whose team has members of a partner department, one such member and his link id. */
let T: JointSetting['targets'][number];
let partnerMember: { name: string; email: string; section?: string | undefined; certificateNo: string; department: string };
let linkId = '';

const mailsTo = (email: string, subject: string) => s.platform.ses.emails().filter((e) => e.destination.to.map(addr).includes(email) && e.subject.includes(subject));
const textOf = (m: { body: { text?: string; html?: string } }): string => m.body.text ?? '';
const inspector = (dept: string, id: string) => s.inspectors.get(dept)!.find((i) => i.id === id)!;

beforeAll(async () => {
  setClock(clock);
  s = await drawnJointTask();
  T = s.targets.find((t) => t.teamDepartments.some((d) => d === 'fp-scjg'))!;
  expect(T).toBeDefined();
  const k = T.teamDepartments.indexOf('fp-scjg');
  partnerMember = inspector('fp-scjg', T.team[k]!);
  const mail = mailsTo(partnerMember.email, '检查任务分派')[0];
  expect(mail, 'assignment mail to the partner inspector').toBeDefined();
  linkId = /\/l\/([A-Za-z0-9_-]{16,64})/.exec(`${mail!.body.text ?? ''}`)![1]!;
}, 300_000);

afterAll(async () => {
  resetClock();
  await s?.platform.stop();
});

describe('names, not ids, on every page and in every mail of a joint task', () => {
  it('the approval mail lists every department\'s items by name under their category', () => {
    const mail = mailsTo(SAMPLE_LEADER_EMAIL, '审批')[0]!;
    const text = textOf(mail);
    expect(text).toContain(`一般检查事项：${itemName('zjj-013')}`);
    expect(text).toContain(`重点检查事项：${itemName('scjg-001')}、${itemName('yjj-001')}`);
    expect(text).toContain(`跨部门联合检查部门：${['fp-zjj', ...PARTNERS].map(deptName).join('、')}`);
    expect(text).not.toMatch(RAW_IDS);
  });

  it("the partner inspector's assignment mail names the partners' key items", () => {
    const text = textOf(mailsTo(partnerMember.email, '检查任务分派')[0]!);
    expect(text).toContain(`【重点】${itemName('scjg-001')}`);
    expect(text).toContain(`【重点】${itemName('yjj-001')}`);
    expect(text).toContain(itemName('zjj-013'));
    expect(text).not.toMatch(/【重点】(?:scjg|yjj)-0/);
  });

  it('the result form names the team with sections and its leader, and every item', async () => {
    const form = await s.api.call('GET', `/l/${linkId}?t=${T.uscc}`);
    expect(form.status).toBe(200);
    const row = /<th>检查组<\/th><td>([^<]*)<\/td>/.exec(form.text)![1]!;
    for (const [k, id] of T.team.entries()) {
      const m = inspector(T.teamDepartments[k]!, id);
      expect(row).toContain(`${m.name}（${m.section}${id === T.leader ? '，组长' : ''}）`);
    }
    expect(row).not.toMatch(/fp-\w+-i\d/);
    for (const id of ['zjj-013', 'scjg-001', 'yjj-001']) expect(form.text).toContain(`<td>${itemName(id)}</td>`);
  });

  it("the printed 一企一表 has the partners' members with section and certificate, the departments and items by name", async () => {
    const sheet = (await s.api.call('GET', `/l/${linkId}?t=${T.uscc}&print=1`)).text;
    expect(sheet).toContain(`<td>${partnerMember.name}${T.team.indexOf(T.team[T.teamDepartments.indexOf('fp-scjg')]!) === T.team.indexOf(T.leader) ? '（组长）' : ''}</td><td>${partnerMember.section}</td><td>${partnerMember.certificateNo}</td>`);
    expect(sheet).toContain(`<th>联合检查部门</th><td>${['fp-zjj', ...PARTNERS].map(deptName).join('、')}</td>`);
    expect(sheet).toContain(`【重点】${itemName('scjg-001')}`);
    expect(sheet).toContain(`【重点】${itemName('yjj-001')}`);
    expect(sheet).not.toMatch(RAW_IDS);
  });

  it('the printed 一企一表 carries the enterprise\'s check code and the self-check page, where the code finds it drawn, in its stratum', async () => {
    const sheet = (await s.api.call('GET', `/l/${linkId}?t=${T.uscc}&print=1`)).text;
    const code = /<td class="mono" data-test="check-code">([^<]+)<\/td>/.exec(sheet)?.[1];
    expect(code).toMatch(/^[0-9a-f]{32}(?:-[A-Za-z0-9._;-]+)?$/);
    // the same code the department gives on request, and the one the published record opens
    expect((await s.coord('GET', `/tasks/${JOINT_TASK}/draw/checkcode?uscc=${T.uscc}`)).json.code).toBe(code);
    const url = new URL(/<th>自查网址<\/th><td class="small">([^<]+)<\/td>/.exec(sheet)![1]!.replaceAll('&amp;', '&'));
    expect(url.pathname).toBe(`/public/tasks/${JOINT_TASK}/selfcheck`);
    expect(url.searchParams.get('uscc')).toBe(T.uscc);
    expect(url.search).not.toContain(code!); // the code is typed in, not carried in a URL
    const check = await s.api.call('GET', `${url.pathname}${url.search}&code=${encodeURIComponent(code!)}&format=json`);
    expect(check.json.result).toMatchObject({ found: true, drawn: true });
    const record = (await s.api.call('GET', `/public/tasks/${JOINT_TASK}/draw`)).json as { targets: { uscc: string; stratum: string }[] };
    expect(check.json.result.stratum).toBe(record.targets.find((t) => t.uscc === T.uscc)!.stratum);
    // a wrong code finds nothing
    const wrong = await s.api.call('GET', `${url.pathname}${url.search}&code=${'0'.repeat(32)}&format=json`);
    expect(wrong.json.result.found).toBe(false);
  });

  it('the public announcement names the departments and labels the partners\' key items 重点', async () => {
    const a = await s.api.call('GET', `/public/tasks/${JOINT_TASK}`);
    expect(a.text).toContain(`<th>联合检查</th><td>${['fp-zjj', ...PARTNERS].map(deptName).join('、')}</td>`);
    expect(a.text).toContain(`${itemName('scjg-001')}（重点检查事项）`);
    expect(a.text).toContain(`${itemName('yjj-001')}（重点检查事项）`);
    expect(a.text).toContain(`${itemName('zjj-013')}（一般检查事项）`);
    const json = (await s.api.call('GET', `/public/tasks/${JOINT_TASK}.json`)).json;
    expect(json.jointDepartments).toEqual(['fp-zjj', ...PARTNERS].map((id) => ({ id, name: deptName(id) })));
  });

  it('the console task page names the partner departments, items and team members', async () => {
    const sum = (await s.coord('GET', `/tasks/${JOINT_TASK}/summary`)).json;
    expect(sum.plan.itemNames).toEqual({ 'zjj-013': itemName('zjj-013'), 'scjg-001': itemName('scjg-001'), 'yjj-001': itemName('yjj-001') });
    expect(sum.plan.departmentNames).toMatchObject(Object.fromEntries(['fp-zjj', ...PARTNERS].map((id) => [id, deptName(id)])));
    expect(sum.inspectorNames[T.team[T.teamDepartments.indexOf('fp-scjg')]!]).toBe(partnerMember.name);
  });
});

describe('a joint task belongs to every participating department', () => {
  it('a published result is on the public page of the lead and of every partner department, and names its items', async () => {
    clock.set('2026-05-20T01:00:00Z');
    const lead = inspector(T.teamDepartments[T.team.indexOf(T.leader)]!, T.leader);
    const leaderCall = await s.api.as(lead.email);
    expect((await leaderCall('PUT', `/tasks/${JOINT_TASK}/targets/${T.uscc}/result`, jointResult(T.team))).status).toBe(201);
    expect((await s.coord('POST', `/tasks/${JOINT_TASK}/publish`, { usccs: [T.uscc] })).json.published).toEqual([T.uscc]);

    const index = (await s.api.call('GET', '/public')).text;
    for (const d of ['fp-zjj', ...PARTNERS]) {
      const section = index.split(`<h2>${deptName(d)}</h2>`)[1]!.split('<h2>')[0]!;
      expect(section, d).toContain(`/public/results/${JOINT_TASK}/${T.uscc}`);
    }
    const other = index.split(`<h2>${deptName('fp-sthjj')}</h2>`)[1]!.split('<h2>')[0]!;
    expect(other).not.toContain(T.uscc);

    const record = (await s.api.call('GET', `/public/results/${JOINT_TASK}/${T.uscc}.json`)).json;
    expect(record.items.map((i: { name: string }) => i.name)).toEqual(['zjj-013', 'scjg-001', 'yjj-001'].map(itemName));
    expect(record.departmentName).toBe(deptName('fp-zjj'));
    expect(record.jointDepartmentNames).toEqual(['fp-zjj', ...PARTNERS].map(deptName));
    const page = (await s.api.call('GET', `/public/results/${JOINT_TASK}/${T.uscc}`)).text;
    expect(page).toContain(`<th>联合检查部门</th><td>${['fp-zjj', ...PARTNERS].map(deptName).join('、')}</td>`);
    // the task announcement lists it once
    expect((await s.api.call('GET', `/public/tasks/${JOINT_TASK}.json`)).json.results.map((r: { uscc: string }) => r.uscc)).toEqual([T.uscc]);
  });

  it("is in every partner department's task list, marked 联合（牵头：…）, and in no other department's", async () => {
    type Row = { taskId: string; joint: boolean; lead?: { department: string; name: string }; jointLabel?: string; stage: string; total: number; decision?: unknown; next?: { who: string; what: string } };
    const listOf = async (d: string): Promise<Row[]> => {
      const r = await (await s.api.as(`${d.slice(3)}.coordinator@example.gov.cn`))('GET', `/departments/${d}/tasks`);
      expect(r.status, d).toBe(200);
      return r.json as Row[];
    };
    const drawn = s.targets.length;
    for (const d of PARTNERS) {
      const rows = (await listOf(d)).filter((r) => r.taskId === JOINT_TASK);
      expect(rows, d).toEqual([
        expect.objectContaining({ joint: true, lead: { department: 'fp-zjj', name: deptName('fp-zjj') }, jointLabel: `联合（牵头：${deptName('fp-zjj')}）`, stage: 'results', total: drawn }),
      ]);
      // what comes next is the lead department's; nothing waits for the partner's leaders
      expect(rows[0]!.next).toMatchObject({ who: 'lead', what: expect.stringMatching(new RegExp(`^${deptName('fp-zjj')}：`)) });
      expect(rows[0]!.decision).toBeUndefined();
    }
    // the lead's own row is not a partner's
    const lead = (await listOf('fp-zjj')).find((r) => r.taskId === JOINT_TASK)!;
    expect(lead).toMatchObject({ joint: true, stage: 'results' });
    expect(lead.lead).toBeUndefined();
    expect((await listOf('fp-sthjj')).some((r) => r.taskId === JOINT_TASK)).toBe(false);
    // a partner's coordinator opens the joint task's summary from the list
    const sum = await (await s.api.as('scjg.coordinator@example.gov.cn'))('GET', `/tasks/${JOINT_TASK}/summary`);
    expect(sum.status).toBe(200);
  });

  it("the drawn targets remember the inspection for every participating department's items (each one's cooldown counts it)", async () => {
    const target = (await getTarget('fp-zjj', T.uscc))!;
    const mine = target.lastInspections.filter((l) => l.taskId === JOINT_TASK);
    const expected = JOINT_ITEMS.map((id) => sample.items.find((i) => i.id === id)!).map((i) => `${i.department} ${i.itemCategory}`);
    expect(new Set(expected).size).toBe(3);
    expect(mine.map((l) => `${l.department} ${l.itemCategory}`).sort()).toEqual([...expected].sort());
    for (const l of mine) expect(l).toMatchObject({ team: T.team, date: '2026-05-13' });
  });

  it("each partner department's report statistics count the joint task as a cross-department inspection", async () => {
    const period = { kind: 'month' as const, year: 2026, month: 5 };
    for (const d of ['fp-zjj', ...PARTNERS]) {
      const st = await computeReportStats(d, period);
      expect(st.current.other.crossDepartment, d).toEqual({ tasks: 1, targets: 1, problemTargets: 0 });
      expect(st.current.other.all.tasks, d).toBe(1);
      expect(st.current.published.targets, d).toBe(1);
      expect(st.current.items.minor, d).toBe(3);
    }
    const none = await computeReportStats('fp-sthjj', period);
    expect(none.current.other.all.tasks).toBe(0);
  });
});
