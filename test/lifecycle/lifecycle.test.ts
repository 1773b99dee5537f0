/**
 * One task through every stage on the local platform, via the HTTP API as its users would:
 * launch → leader approval → freeze (suiji-draw-v2: freeze record, system commitment and beacon
 * round public) → witnesses commit → close record → reveals from the witnesses' own devices →
 * the draw after the beacon → assignment mails → result
 * entry (a rejected entry, a correction, a double submission, a late entry) → publication →
 * follow-up → closed; and the public pages and the draw record that anyone can verify.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import type { Platform } from '../../shared/dev/local/platform.js';
import { SAMPLE_LEADER_EMAIL, SAMPLE_MAIN_DEPT, SAMPLE_PLAN_ID, sampleDistrict } from '../../shared/dev/sample/district.js';
import { ManualClock } from '../../shared/clock.js';
import { checkCodeOf, verifyRecordV2 } from '../../shared/draw/v2/index.js';
import { defaultCalendar } from '../../shared/domain/calendar.js';
import { ApiClient, waitForExecutionEnd, waitForStage, type Call } from '../helpers/api.js';
import { passBeacon, startSamplePlatform, type SamplePlatform } from '../helpers/platform.js';

const TASK = `${SAMPLE_PLAN_ID}-01`; // 2026年第一次随机抽查（建筑市场监督）, window 2026-01-05 … 04-15
const clock = new ManualClock('2026-01-12T01:00:00Z'); // 09:00 China time, the draw date
/** The inbox shows `"名字" <address>`; compare addresses. */
const addr = (s: string): string => /<([^>]+)>/.exec(s)?.[1] ?? s;
const sha = (s: string): string => createHash('sha256').update(s, 'utf8').digest('hex');

let platform: Platform;
let api: ApiClient;
let coord: Awaited<ReturnType<ApiClient['as']>>;
let leader: Awaited<ReturnType<ApiClient['as']>>;
const status = (): Promise<Call> => coord('GET', `/tasks/${TASK}/status`);

let sample: SamplePlatform;
beforeAll(async () => {
  sample = await startSamplePlatform({ clock, targets: 600 });
  ({ platform, api, coord, leader } = sample);
}, 120_000);

afterAll(() => sample?.stop());

describe('the inspection lifecycle through the HTTP API', () => {
  let targets: { uscc: string; team: string[]; leader: string; status: string }[] = [];
  const inspectorEmail = new Map<string, string>();

  it('launches once, and a second launch does no double work', async () => {
    const first = await coord('POST', `/tasks/${TASK}/launch`, {});
    expect(first.status).toBe(201);
    const again = await coord('POST', `/tasks/${TASK}/launch`, {});
    expect(again.status).toBe(200);
    expect(again.json).toMatchObject({ alreadyLaunched: true, executionArn: first.json.executionArn });
    await waitForStage(status, 'approval');
    const mail = platform.ses.emails().find((e) => e.destination.to.map(addr).includes(SAMPLE_LEADER_EMAIL) && e.subject.includes('审批'));
    expect(mail, 'the leader receives the approval request').toBeDefined();
  });

  it('only a leader approves; a duplicate approval has no second effect', async () => {
    expect((await coord('POST', `/tasks/${TASK}/approval`, { approve: true })).status).toBe(403);
    const ok = await leader('POST', `/tasks/${TASK}/approval`, { approve: true });
    expect(ok.json).toMatchObject({ approved: true, applied: true });
    const dup = await leader('POST', `/tasks/${TASK}/approval`, { approve: true });
    expect(dup.json).toMatchObject({ applied: false });
    await waitForStage(status, 'witnesses');
  });

  it('freezes first (freeze record, system commitment, beacon), then witnesses commit; the close record is public before any reveal; witnesses reveal on their own devices; the draw waits for the beacon', async () => {
    expect((await coord('POST', `/tasks/${TASK}/ceremony/freeze`, {})).json).toEqual({ round: 1, applied: true });
    await waitForStage(status, 'ceremony');
    const frozen = (await api.call('GET', `/public/tasks/${TASK}.json`)).json.rounds[0];
    expect(frozen).toMatchObject({ status: 'frozen', freezeDigest: expect.stringMatching(/^[0-9a-f]{64}$/), v2: { chainRound: 1, prev: '0'.repeat(64), beacons: [{ source: 'suiji-local-test' }] } });
    expect(frozen.v2.close).toBeUndefined();
    // the local platform's beacon is labelled as what it is
    expect((await api.call('GET', `/public/tasks/${TASK}`)).text).toContain('不是 drand');

    const w = await coord('POST', `/tasks/${TASK}/ceremony/witnesses`, {
      witnesses: [
        { id: 'w1', name: '纪检监督员', role: '纪检监督', commitment: sha('第一位见证人的秘密 2026') },
        { id: 'w2', name: '企业代表', role: '企业代表', commitment: sha('witness-two-secret') },
      ],
    });
    expect(w.status).toBe(200);
    // no reveal before registration is closed
    expect((await api.call('POST', `/public/tasks/${TASK}/reveal`, { witnessId: 'w1', secret: '第一位见证人的秘密 2026' })).status).toBe(409);
    expect((await coord('POST', `/tasks/${TASK}/ceremony/close`, {})).json).toEqual({ round: 1, witnesses: 2, applied: true });
    // the freeze digest and every commitment are public before any secret is revealed
    const before = await api.call('GET', `/public/tasks/${TASK}.json`);
    const r0 = before.json.rounds[0];
    expect(r0.freezeDigest).toBe(frozen.freezeDigest);
    expect(r0.v2.close.record.witnesses.map((x: { name: string; role: string; commitment: string }) => [x.name, x.role, x.commitment])).toEqual([
      ['纪检监督员', '纪检监督', sha('第一位见证人的秘密 2026')],
      ['企业代表', '企业代表', sha('witness-two-secret')],
    ]);
    expect(r0.seed).toBeUndefined();

    // each witness reveals from their own device (the public witness page's endpoint): no operator types a secret
    const wrong = await api.call('POST', `/public/tasks/${TASK}/reveal`, { witnessId: 'w1', secret: '第一位见证人的秘密' });
    expect(wrong).toMatchObject({ status: 400, json: { error: 'RevealMismatch' } });
    // anyone can post here: after ten refused attempts of one witness nothing more is stored
    for (let k = 2; k <= 12; k++) expect((await api.call('POST', `/public/tasks/${TASK}/reveal`, { witnessId: 'w1', secret: `guess ${k}` })).status).toBe(400);
    const failed = (await api.call('GET', `/public/tasks/${TASK}.json`)).json.rounds[0].failedReveals as { witnessId: string }[];
    expect(failed.filter((f) => f.witnessId === 'w1')).toHaveLength(10);
    expect((await api.call('POST', `/public/tasks/${TASK}/reveal`, { witnessId: 'w1', secret: '第一位见证人的秘密 2026' })).json.missing).toEqual(['企业代表']);
    await api.call('POST', `/public/tasks/${TASK}/reveal`, { witnessId: 'w2', secret: 'witness-two-secret' });
    // every secret is in, but the beacon round has not been published: nothing is drawn yet
    await new Promise((r) => setTimeout(r, 1500));
    expect((await status()).json.stage).not.toBe('results');
    expect((await api.call('GET', `/public/tasks/${TASK}.json`)).json.rounds[0].seed).toBeUndefined();
    passBeacon();
    const s = await waitForStage(status, 'results');
    expect(s.json.total).toBeGreaterThan(5);

    const page = await coord('GET', `/tasks/${TASK}/targets?limit=1000`);
    targets = page.json.items;
    expect(targets.length).toBe(s.json.total);
    for (const t of targets) {
      expect(t.team.length).toBeGreaterThanOrEqual(2);
      expect(t.team).toContain(t.leader);
    }
    const inspectors = await coord('GET', `/departments/${SAMPLE_MAIN_DEPT}/inspectors`);
    for (const i of inspectors.json) inspectorEmail.set(i.id, i.email);
    // one assignment mail per team member, listing all of their targets
    const members = new Set(targets.flatMap((t) => t.team));
    const assignment = platform.ses.emails().filter((e) => e.subject.includes('检查任务分派'));
    expect(new Set(assignment.flatMap((e) => e.destination.to.map(addr)))).toEqual(new Set([...members].map((m) => inspectorEmail.get(m))));
  });

  it('publishes a draw record that verifies offline, and detects tampering', async () => {
    const r = await api.call('GET', `/public/tasks/${TASK}/draw`);
    expect(r.status).toBe(200);
    const rec = JSON.parse(r.text);
    expect(rec).toMatchObject({ algorithm: 'suiji-draw-v2', freeze: { department: SAMPLE_MAIN_DEPT, round: 1 }, reveals: { beacons: [{ source: 'suiji-local-test' }] } });
    expect(verifyRecordV2(rec)).toMatchObject({ ok: true });
    const tampered = JSON.parse(r.text);
    tampered.reveals.witnesses[0].secret += 'x';
    expect(verifyRecordV2(tampered).ok).toBe(false);
  });

  it('publishes nothing about enterprises that were not drawn, names inspectors by per-record pseudonyms, and lets each enterprise check itself', async () => {
    const district = sampleDistrict({ targets: 600 });
    const drawn = new Set(targets.map((t) => t.uscc));
    const hidden = district.targets.filter((t) => !drawn.has(t.uscc));
    expect(hidden.length).toBeGreaterThan(100);
    const outputs = await Promise.all(
      ['/public', `/public/tasks/${TASK}`, `/public/tasks/${TASK}.json`, `/public/tasks/${TASK}/draw`, `/public/tasks/${TASK}/draw?round=1`, `/public/departments/${SAMPLE_MAIN_DEPT}/chain`, `/public/departments/${SAMPLE_MAIN_DEPT}/chain?format=json`].map(async (path) => {
        const r = await api.call('GET', path);
        expect(r.status, path).toBe(200);
        return { path, text: r.text };
      }),
    );
    for (const { path, text } of outputs) {
      const leaked = hidden.filter((t) => text.includes(t.uscc)).map((t) => t.uscc);
      expect(leaked, `${path} shows non-drawn enterprises`).toEqual([]);
      // no registry inspector id, no risk-class field
      const ids = district.inspectors.map((i) => i.id).filter((id) => new RegExp(`\\b${id}\\b`).test(text));
      expect(ids, `${path} shows registry inspector ids`).toEqual([]);
      expect(text, path).not.toMatch(/riskClass/);
    }
    const rec = JSON.parse(outputs.find((o) => o.path.endsWith('/draw'))!.text);
    for (const t of rec.targets) for (const p of t.team) expect(p).toMatch(/^p\d{3,}$/);
    // the team as assigned (registry ids, internal) is the record's team through the internal mapping
    const inputs = await coord('GET', `/tasks/${TASK}/draw/inputs`);
    expect(inputs.status).toBe(200);
    const full = JSON.parse(inputs.text) as { openings: string[]; pseudonyms: { pseudonym: string; id: string }[] };
    expect(full.openings.length).toBe(rec.freeze.candidates);
    const idOf = new Map(full.pseudonyms.map((x) => [x.pseudonym, x.id]));
    const t0 = rec.targets[0];
    expect(t0.team.map((p: string) => idOf.get(p))).toEqual(targets.find((t) => t.uscc === t0.uscc)!.team);
    // an inspector does not get the supervisor's inputs
    const someone = await api.as(inspectorEmail.values().next().value!);
    expect((await someone('GET', `/tasks/${TASK}/draw/inputs`)).status).toBe(403);

    // self-check of a non-drawn enterprise with the code from its notice (salt and exclusions)
    const line = full.openings.find((l) => !drawn.has(l.split(',')[0]!))!;
    const { uscc, code } = checkCodeOf(line);
    const found = await api.call('GET', `/public/tasks/${TASK}/selfcheck?round=1&uscc=${uscc}&code=${encodeURIComponent(code)}`);
    expect(found.text).toContain('在对象池中');
    expect(found.text).toContain('本轮未被抽中');
    const json = await api.call('GET', `/public/tasks/${TASK}/selfcheck?round=1&uscc=${uscc}&code=${encodeURIComponent(code)}&format=json`);
    expect(json.json.result).toMatchObject({ found: true, drawn: false, stratum: line.split(',')[1] });
    const wrong = await api.call('GET', `/public/tasks/${TASK}/selfcheck?round=1&uscc=${uscc}&code=${'0'.repeat(32)}&format=json`);
    expect(wrong.json.result).toEqual({ found: false });
    // the department gives the code on request (signed in), not to an inspector
    expect((await coord('GET', `/tasks/${TASK}/draw/checkcode?uscc=${uscc}`)).json).toEqual({ uscc, round: 1, code, stratum: line.split(',')[1] });
    expect((await someone('GET', `/tasks/${TASK}/draw/checkcode?uscc=${uscc}`)).status).toBe(403);
    const outside = district.targets.find((t) => !full.openings.some((l) => l.startsWith(`${t.uscc},`)));
    if (outside) expect((await coord('GET', `/tasks/${TASK}/draw/checkcode?uscc=${outside.uscc}`)).status).toBe(404);
  });

  it('result entry: team only, rejected with Chinese field errors, corrected, double submission, late entry', async () => {
    const [t0, t1, ...rest] = targets;
    const member = await api.as(inspectorEmail.get(t0!.team[0]!)!);
    const outsiderId = [...inspectorEmail.keys()].find((id) => !t0!.team.includes(id))!;
    const outsider = await api.as(inspectorEmail.get(outsiderId)!);
    const items = (await coord('GET', `/departments/${SAMPLE_MAIN_DEPT}/items`)).json as { id: string }[];
    const plan = (await coord('GET', `/plans/${SAMPLE_PLAN_ID}`)).json;
    const task = plan.versions.at(-1).tasks.find((x: { taskId: string }) => x.taskId === TASK);
    const itemIds: string[] = [...task.items.general, ...task.items.key];
    expect(items.length).toBeGreaterThan(0);
    const result = (team: string[], codes: string[], outcome = 'pass', extra: Record<string, unknown> = {}) => ({
      codes,
      itemOutcomes: itemIds.map((itemId) => ({ itemId, outcome })),
      methods: ['实地核查'],
      checkDate: '2026-01-20',
      present: team.slice(0, 2),
      signature: { signed: true, signer: '法定代表人' },
      ...extra,
    });
    clock.set('2026-01-21T02:00:00Z');

    expect((await outsider('PUT', `/tasks/${TASK}/targets/${t0!.uscc}/result`, result(t0!.team, ['1']))).status).toBe(403);
    const bad = await member('PUT', `/tasks/${TASK}/targets/${t0!.uscc}/result`, { ...result(t0!.team, ['A']), present: [t0!.team[0]] });
    expect(bad.status).toBe(400);
    expect(bad.json.issues.map((i: { field: string }) => i.field)).toEqual(expect.arrayContaining(['问题描述', '到场检查人员']));

    const ok = await member('PUT', `/tasks/${TASK}/targets/${t0!.uscc}/result`, result(t0!.team, ['1']));
    expect(ok.status).toBe(201);
    const corrected = await member('PUT', `/tasks/${TASK}/targets/${t0!.uscc}/result`, result(t0!.team, ['A'], 'problem', { problems: '未按规定公示资质信息' }));
    expect(corrected.json).toMatchObject({ corrected: true, resultVersion: 2, hasProblem: true });
    const dup = await member('PUT', `/tasks/${TASK}/targets/${t0!.uscc}/result`, result(t0!.team, ['A'], 'problem', { problems: '未按规定公示资质信息' }));
    expect(dup.json).toMatchObject({ resultVersion: 2 });

    for (const t of rest) {
      const m = await api.as(inspectorEmail.get(t.team[0]!)!);
      const r = await m('PUT', `/tasks/${TASK}/targets/${t.uscc}/result`, result(t.team, ['1']));
      expect(r.status, JSON.stringify(r.json)).toBe(201);
    }
    // a late entry: the check was recorded, then the result arrives after its due date
    const m1 = await api.as(inspectorEmail.get(t1!.team[1]!)!);
    const checked = await m1('POST', `/tasks/${TASK}/targets/${t1!.uscc}/checked`, { checkDate: '2026-01-21' });
    expect(checked.status).toBe(200);
    const due = checked.json.dueEntry as string;
    expect(due).toBe(defaultCalendar.addWorkingDays('2026-01-21', 5)); // fuping: 5 working days
    clock.set(`${defaultCalendar.addWorkingDays(due, 2)}T02:00:00Z`);
    const overdue = await status();
    expect(overdue.json.overdue.map((o: { ref: string }) => o.ref)).toContain(t1!.uscc);
    await m1('PUT', `/tasks/${TASK}/targets/${t1!.uscc}/result`, { ...result(t1!.team, ['1']), checkDate: '2026-01-21' });

    await waitForStage(status, 'publication');
  });

  it('publishes, follows up the problem and closes the task with its summary', async () => {
    const pub = await coord('POST', `/tasks/${TASK}/publish`, {});
    expect(pub.json.published.length).toBe(targets.length);
    await waitForStage(status, 'followup');
    const t0 = targets[0]!;
    const page = await api.call('GET', `/public/results/${TASK}/${t0.uscc}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('发现问题待后续处理');
    expect(page.text).not.toMatch(new RegExp(t0.team.map((id) => inspectorEmail.get(id)).join('|')));

    const fu = await coord('POST', `/tasks/${TASK}/targets/${t0.uscc}/followups`, { disposition: 'order-correction', responsibleUnit: '建筑市场监督股' });
    expect(fu.status, JSON.stringify(fu.json)).toBe(201);
    const closed = await coord('POST', `/tasks/${TASK}/targets/${t0.uscc}/followups/${fu.json.id}/close`, { outcome: '已整改到位，完结' });
    expect(closed.json.targetClosed).toBe(true);
    const done = await waitForStage(status, 'closed');
    expect(done.json.summary).toMatchObject({ targets: targets.length, published: targets.length, withProblems: 1, followUpsClosed: 1, entryLate: 1 });
    expect((await waitForExecutionEnd(status)).json.execution.status).toBe('SUCCEEDED');
  });
});
