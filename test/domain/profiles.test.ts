import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CalendarYearNotCovered, createCalendar } from '../../shared/domain/calendar.js';
import {
  PRESET_IDS,
  PolicyProfile,
  ProfileValidationError,
  UnknownPresetError,
  getPreset,
  listPresets,
  mergeProfile,
  settingPaths,
} from '../../shared/domain/profiles.js';
import { deadlineSettings, followUpDueDate, overdueDate, publicationDueDate, reminderDate, resultEntryDueDate } from '../../shared/domain/deadlines.js';
import { requiredKeyRatio } from '../../shared/domain/sampling.js';
import { checkResultCodes, itemOutcomeOf } from '../../shared/domain/phrases.js';
import { annualPlanDueDate, monthlyReportDueDate, monthlyReportReminderDate, quarterlySummaryDueDates } from '../../shared/domain/report-dates.js';

const cal = createCalendar();
// The five source plans, vendored under docs/seeds/ (public government documents).
const SEEDS = fileURLToPath(new URL('../../docs/seeds/', import.meta.url));

function validationError(fn: () => unknown): ProfileValidationError {
  try {
    fn();
  } catch (e) {
    if (e instanceof ProfileValidationError) return e;
    throw e;
  }
  throw new Error('expected a ProfileValidationError');
}

describe('presets', () => {
  it('ships the five seed presets and each validates', () => {
    expect(PRESET_IDS).toEqual([
      'qinhuangdao-housing-2023',
      'fuping-housing-2021',
      'shijiazhuang-changan-2024',
      'qinhuangdao-samr-2023',
      'wuhai-housing-2019',
    ]);
    for (const p of listPresets()) {
      const r = PolicyProfile.safeParse(p);
      expect(r.success, `${p.id}: ${r.success ? '' : r.error.message}`).toBe(true);
      expect(p.document.file).toBe(`${p.id}.txt`);
    }
  });

  it('explains every setting: cited to its own seed file, or marked default with a note', () => {
    for (const p of listPresets()) {
      const paths = settingPaths(p as unknown as Record<string, unknown>);
      expect(paths.length).toBeGreaterThan(35);
      expect(Object.keys(p.citations).sort()).toEqual([...paths].sort());
      for (const [path, c] of Object.entries(p.citations)) {
        if (c.kind === 'seed') expect(c.file, `${p.id} ${path}`).toBe(p.document.file);
        else {
          expect(c.kind).toBe('default');
          if (c.kind === 'default') expect(c.note.length, `${p.id} ${path}`).toBeGreaterThan(4);
        }
      }
    }
  });

  it('every cited quote is a verbatim excerpt of the seed (line breaks ignored)', () => {
    const squash = (s: string) => s.replace(/\s+/g, '');
    for (const p of listPresets()) {
      const source = squash(readFileSync(`${SEEDS}${p.document.file}`, 'utf8'));
      for (const [path, c] of Object.entries(p.citations)) {
        if (c.kind !== 'seed') continue;
        let from = 0;
        for (const fragment of c.quote.split('…').map(squash)) {
          const at = source.indexOf(fragment, from);
          expect(at, `${p.id} ${path}: “${fragment}”`).toBeGreaterThanOrEqual(0);
          from = at + fragment.length;
        }
      }
    }
  });

  // [preset, path, expected value, fragment the cited quote must contain]
  const cited: [string, string, unknown, string][] = [
    ['shijiazhuang-changan-2024', 'reports.monthly.dueDay', 20, '每月20日前'],
    [
      'shijiazhuang-changan-2024',
      'reports.quarterly.rule',
      {
        kind: 'fixedDates',
        dates: [
          { quarter: 1, monthDay: '04-01' },
          { quarter: 2, monthDay: '06-20' },
          { quarter: 3, monthDay: '10-01' },
          { quarter: 4, monthDay: '12-16' },
        ],
      },
      '4月1日、6月20日、10月1日、12月16日前',
    ],
    ['shijiazhuang-changan-2024', 'deadlines.followUp.workingDays', 20, '20个工作日内'],
    ['shijiazhuang-changan-2024', 'joint.countShareBp', 10_000, '均实现100%'],
    ['shijiazhuang-changan-2024', 'joint.targetShareBp', 10_000, '户数占比'],
    ['shijiazhuang-changan-2024', 'creditRiskShareBp', 10_000, '100%'],
    ['shijiazhuang-changan-2024', 'coverage.annualInspectedShareBp', 500, '不低于5%'],
    ['shijiazhuang-changan-2024', 'coverage.base', 'enterprises-end-of-previous-year', '2023年底企业数量'],
    ['shijiazhuang-changan-2024', 'reports.monthly.layout', 'shijiazhuang-changan-2024', '月报表'],
    ['qinhuangdao-housing-2023', 'reports.monthly.dueDay', 18, '18 日前'],
    ['qinhuangdao-housing-2023', 'reports.quarterly.rule', { kind: 'lastWorkingDayOfQuarter' }, '每季度最后 1 个工作日前'],
    ['qinhuangdao-housing-2023', 'joint.countShareBp', 2500, '不低于25%'],
    ['qinhuangdao-housing-2023', 'joint.targetShareBp', 1500, '不低于15%'],
    ['qinhuangdao-housing-2023', 'creditRiskShareBp', 8000, '不低于80%'],
    ['qinhuangdao-housing-2023', 'joint.plannedInternalJointTasks', 8, '8次内部联合'],
    ['qinhuangdao-housing-2023', 'reports.monthly.layout', 'qinhuangdao-housing-2023', '监管月报表'],
    ['fuping-housing-2021', 'deadlines.resultEntry.workingDays', 5, '5个工作日内'],
    ['fuping-housing-2021', 'deadlines.resultEntry.beforeRoundEnd', true, '本次抽查结束之日前'],
    ['fuping-housing-2021', 'rounds.defaultRatioBp', 300, '3%的比例'],
    ['fuping-housing-2021', 'rounds.perYear', 5, '第五次'],
    ['fuping-housing-2021', 'coverage.annualInspectedShareBp', 500, '5%以上'],
    ['fuping-housing-2021', 'minInspectorsPerTarget', 2, '不少于2人'],
    ['wuhai-housing-2019', 'deadlines.publication.workingDays', 20, '20个工作日内'],
    ['wuhai-housing-2019', 'joint.crossDepartmentMinDepartments', 3, '不少于3个'],
    ['wuhai-housing-2019', 'matchWithinJurisdiction', true, '辖区范围内'],
    ['wuhai-housing-2019', 'draw.disciplineSupervision', true, '纪检部门监督'],
    ['wuhai-housing-2019', 'annualPlan.publishBy', { yearOffset: -1, month: 11, day: 'last' }, '11月底前'],
    ['qinhuangdao-samr-2023', 'coverage.annualInspectedShareBp', 300, '不低于 3%'],
    ['qinhuangdao-samr-2023', 'deadlines.resultEntry.workingDays', 20, '20 个工作日内'],
    ['qinhuangdao-samr-2023', 'deadlines.publication.workingDays', 20, '20 个工作日内'],
    ['qinhuangdao-samr-2023', 'creditRiskShareBp', 8000, '不低于 80%'],
    ['qinhuangdao-samr-2023', 'annualPlan.publishBy', { yearOffset: 0, month: 2, day: 'last' }, '2 月底前'],
    ['qinhuangdao-samr-2023', 'reviewRequired', true, '审核关'],
  ];
  it.each(cited)('%s %s is cited from its seed', (id, path, value, fragment) => {
    const p = getPreset(id);
    const actual = path.split('.').reduce<unknown>((o, k) => (o as Record<string, unknown>)[k], p);
    expect(actual).toEqual(value);
    const c = p.citations[path]!;
    expect(c.kind).toBe('seed');
    if (c.kind === 'seed') expect(c.quote).toContain(fragment);
  });

  it('fills silent settings with documented defaults, not citations', () => {
    const fuping = getPreset('fuping-housing-2021');
    expect(fuping.creditRiskShareBp).toBeNull();
    expect(fuping.citations.creditRiskShareBp).toMatchObject({ kind: 'default' });
    const changan = getPreset('shijiazhuang-changan-2024');
    expect(changan.deadlines.resultEntry.workingDays).toBe(20);
    expect(changan.citations['deadlines.resultEntry.workingDays']).toMatchObject({ kind: 'default' });
    const wuhai = getPreset('wuhai-housing-2019');
    expect(wuhai.reviewRequired).toBe(false);
    expect(wuhai.citations.reviewRequired?.kind).toBe('default');
  });

  it('carries the standard result phrases and disposition list as data', () => {
    const p = getPreset('qinhuangdao-samr-2023');
    expect(p.resultPhrases.map((x) => x.code)).toEqual(['1', 'A', 'B', 'C', '6', 'D', 'E', 'F', '7', '8', '9', '10', '11', '12']);
    expect(p.resultPhrases.find((x) => x.code === '1')).toMatchObject({ text: '未发现问题', passed: true, problem: false, exclusive: true });
    expect(p.resultPhrases.filter((x) => x.passed).map((x) => x.code)).toEqual(['1']);
    expect(p.resultPhrases.find((x) => x.code === 'A')).toMatchObject({ problem: true, requiresDescription: true, requiresFollowUp: true });
    expect(p.followUpDispositions.map((d) => d.name)).toEqual(['责令改正', '移交案件线索', '抄告相关部门', '移送司法机关', '其他']);
    expect(p.checkMethods).toEqual(['书面检查', '实地核查', '网络监测', '委托专业机构']);
  });

  it('hands out copies; unknown ids are a Chinese error', () => {
    const a = getPreset('wuhai-housing-2019');
    a.deadlines.publication.workingDays = 99;
    expect(getPreset('wuhai-housing-2019').deadlines.publication.workingDays).toBe(20);
    expect(() => getPreset('nowhere-2020')).toThrow(UnknownPresetError);
    expect(() => getPreset('nowhere-2020')).toThrow(/未知的配置预设“nowhere-2020”/);
  });
});

describe('mergeProfile', () => {
  it('applies overrides, validates, and marks overridden settings', () => {
    const m = mergeProfile(getPreset('shijiazhuang-changan-2024'), {
      deadlines: { followUp: { workingDays: 15 } },
      reports: { quarterly: { rule: { kind: 'lastWorkingDayOfQuarter' } } },
      checkMethods: ['书面检查', '实地核查'],
    });
    expect(m.deadlines.followUp).toEqual({ workingDays: 15, reminderLeadWorkingDays: 3 });
    expect(m.reports.quarterly.rule).toEqual({ kind: 'lastWorkingDayOfQuarter' }); // atomic: replaced, not merged
    expect(m.checkMethods).toEqual(['书面检查', '实地核查']);
    expect(m.citations['deadlines.followUp.workingDays']).toMatchObject({ kind: 'override' });
    expect(m.citations['reports.quarterly.rule']).toMatchObject({ kind: 'override' });
    expect(m.citations['reports.monthly.dueDay']).toMatchObject({ kind: 'seed' }); // untouched
    expect(m.basedOn).toBe('shijiazhuang-changan-2024');
    // citations supplied with the override win
    const withSource = mergeProfile('wuhai-housing-2019', {
      deadlines: { followUp: { workingDays: 10 } },
      citations: { 'deadlines.followUp.workingDays': { kind: 'seed', file: '2026-notice.txt', quote: '10个工作日内' } },
    });
    expect(withSource.citations['deadlines.followUp.workingDays']).toMatchObject({ file: '2026-notice.txt' });
    expect(mergeProfile('fuping-housing-2021', {})).toEqual({ ...getPreset('fuping-housing-2021'), basedOn: 'fuping-housing-2021' });
  });

  it('rejects bad overrides with Chinese, field-named errors', () => {
    const cases: [unknown, string, RegExp][] = [
      [{ deadlines: { resultEntry: { workingDays: 0 } } }, '结果录入期限（工作日）', /结果录入期限（工作日）不能小于 1/],
      [{ deadlines: { resultEntry: { workingDayz: 3 } } }, '配置', /结果录入期限中有未知配置项：workingDayz/],
      [{ reports: { monthly: { dueDay: 31 } } }, '月报表报送日', /月报表报送日不能大于 28/],
      [{ reports: { monthly: { layout: 'beijing' } } }, '月报表格式', /月报表格式应为 qinhuangdao-housing-2023、shijiazhuang-changan-2024 之一/],
      [{ coverage: { annualInspectedShareBp: '5%' } }, '年度抽查企业占比目标', /年度抽查企业占比目标应为.*万分比/],
      [{ joint: { countShareBp: 12_000 } }, '联合抽查次数占比目标', /联合抽查次数占比目标不能超过 10000/],
      [{ joint: { crossDepartmentMinDepartments: 1 } }, '跨部门联合抽查最少参与部门数', /不能小于 2/],
      [{ checkMethods: ['上门走访'] }, '检查方式第 1 项', /检查方式应为 书面检查/],
      [{ reviewRequired: 'yes' }, '公示前是否须审核', /公示前是否须审核应为是或否/],
      [{ deadlines: { followUp: { reminderLeadWorkingDays: 25 } } }, '后续处置提前提醒（工作日）', /应小于后续处置期限/],
      [{ deadlines: { publication: { workingDays: 3 } } }, '结果公示期限（工作日）', /不能短于结果录入期限/],
      [{ unknownSetting: 1 }, '配置', /配置中有未知配置项：unknownSetting/],
    ];
    for (const [override, field, message] of cases) {
      const e = validationError(() => mergeProfile('qinhuangdao-housing-2023', override));
      expect(e.issues.map((i) => i.field), JSON.stringify(override)).toContain(field);
      expect(e.message, JSON.stringify(override)).toMatch(message);
      expect(e.message.startsWith('配置有误：')).toBe(true);
    }
    const phraseError = validationError(() =>
      mergeProfile('fuping-housing-2021', {
        resultPhrases: [
          { code: '1', text: '未发现问题', problem: false, requiresDescription: false, requiresFollowUp: false, exclusive: true, excludes: ['Q'], requiresAnyOf: [] },
        ],
      }),
    );
    expect(phraseError.issues[0]).toMatchObject({ field: '抽查结果表述第 1 项', path: 'resultPhrases.0.excludes' });
    expect(phraseError.message).toContain('结果代码“1”引用的代码“Q”不存在');
    expect(() => mergeProfile('fuping-housing-2021', [])).toThrow(/配置覆盖应为对象/);
  });

  it('the schema itself names the field in its messages', () => {
    const bad = { ...getPreset('wuhai-housing-2019'), minInspectorsPerTarget: 0 };
    const r = PolicyProfile.safeParse(bad);
    expect(r.success).toBe(false);
    if (!r.success) expect(r.error.issues[0]!.message).toBe('每户检查人员最少人数不能小于 1');
    const noCitation = getPreset('wuhai-housing-2019');
    delete (noCitation.citations as Record<string, unknown>)['cooldownDays'];
    const r2 = PolicyProfile.safeParse(noCitation);
    expect(r2.success).toBe(false);
    if (!r2.success) expect(r2.error.issues[0]!.message).toBe('缺少“同一对象同类抽查间隔天数”（cooldownDays）的来源说明');
  });
});

describe('due dates on real 2026 dates', () => {
  const changan = getPreset('shijiazhuang-changan-2024');
  const qhd = getPreset('qinhuangdao-housing-2023');
  const fuping = getPreset('fuping-housing-2021');
  const wuhai = getPreset('wuhai-housing-2019');
  const samr = getPreset('qinhuangdao-samr-2023');

  it('monthly report: the 20th (changan) / 18th (qinhuangdao), moved back off holidays', () => {
    expect(monthlyReportDueDate(changan, 2026, 1, cal)).toBe('2026-01-20'); // Tuesday
    expect(monthlyReportDueDate(changan, 2026, 2, cal)).toBe('2026-02-14'); // 20th in Spring Festival → 调休 Saturday
    expect(monthlyReportDueDate(changan, 2026, 6, cal)).toBe('2026-06-18'); // 20th is Dragon Boat Saturday
    expect(monthlyReportDueDate(changan, 2026, 9, cal)).toBe('2026-09-20'); // a working Sunday stays
    expect(monthlyReportDueDate(qhd, 2026, 1, cal)).toBe('2026-01-16'); // 18th is a Sunday
    expect(monthlyReportDueDate(qhd, 2026, 4, cal)).toBe('2026-04-17'); // 18th is a Saturday
    expect(monthlyReportDueDate(qhd, 2026, 5, cal)).toBe('2026-05-18');
    expect(monthlyReportReminderDate(qhd, 2026, 1, cal)).toBe('2026-01-13'); // 3 working days before
    const asIs = mergeProfile(qhd, { deadlines: { calendarDateOnNonWorkingDay: 'next-working-day' } });
    expect(monthlyReportDueDate(asIs, 2026, 1, cal)).toBe('2026-01-19');
  });

  it('quarterly summary: last working day of the quarter (qinhuangdao) or Apr 1, Jun 20, Oct 1, Dec 16 (changan)', () => {
    expect(quarterlySummaryDueDates(qhd, 2026, cal)).toEqual([
      { quarter: 1, nominal: '2026-03-31', dueDate: '2026-03-31', reminderDate: '2026-03-24' },
      { quarter: 2, nominal: '2026-06-30', dueDate: '2026-06-30', reminderDate: '2026-06-23' },
      { quarter: 3, nominal: '2026-09-30', dueDate: '2026-09-30', reminderDate: '2026-09-22' }, // skips Mid-autumn
      { quarter: 4, nominal: '2026-12-31', dueDate: '2026-12-31', reminderDate: '2026-12-24' },
    ]);
    expect(quarterlySummaryDueDates(changan, 2026, cal)).toEqual([
      { quarter: 1, nominal: '2026-04-01', dueDate: '2026-04-01', reminderDate: '2026-03-25' },
      { quarter: 2, nominal: '2026-06-20', dueDate: '2026-06-18', reminderDate: '2026-06-11' },
      { quarter: 3, nominal: '2026-10-01', dueDate: '2026-09-30', reminderDate: '2026-09-22' },
      { quarter: 4, nominal: '2026-12-16', dueDate: '2026-12-16', reminderDate: '2026-12-09' },
    ]);
  });

  it('result entry: 5 working days and before the round ends (fuping)', () => {
    // Thu 02-12 → 13, 14 (调休 Sat), 24, 25, 26
    expect(resultEntryDueDate(fuping, '2026-02-12', '2026-04-30', cal)).toBe('2026-02-26');
    // round ends on a holiday → its last working day caps the deadline
    expect(resultEntryDueDate(fuping, '2026-02-12', '2026-02-20', cal)).toBe('2026-02-14');
    // Tue 04-28: 5 working days would be 05-08 (Labour Day break), capped by the round end 04-30
    expect(resultEntryDueDate(fuping, '2026-04-28', '2026-04-30', cal)).toBe('2026-04-30');
    expect(resultEntryDueDate(fuping, '2026-04-28', null, cal)).toBe('2026-05-08');
    // never before the check itself
    expect(resultEntryDueDate(fuping, '2026-05-06', '2026-04-30', cal)).toBe('2026-05-06');
    // a profile without the round-end rule ignores the round end
    expect(resultEntryDueDate(samr, '2026-04-28', '2026-04-30', cal)).toBe(cal.addWorkingDays('2026-04-28', 20));
    expect(reminderDate('2026-02-26', deadlineSettings(fuping, 'entry').reminderLeadWorkingDays, cal)).toBe('2026-02-24');
  });

  it('publication: 20 working days after the check (wuhai), over Mid-autumn and National Day', () => {
    // Fri 09-18: 09-20 (Sun, working)=1 … 09-24=5, 09-28..30=6-8, 10-08=9, 10-09=10, 10-10 (Sat)=11, 10-12..16=12-16, 10-19..22=17-20
    expect(publicationDueDate(wuhai, '2026-09-18', cal)).toBe('2026-10-22');
    expect(cal.workingDaysBetween('2026-09-18', '2026-10-22')).toBe(20);
  });

  it('follow-up: 20 working days after it arises (changan); into an unknown year is an error', () => {
    expect(followUpDueDate(changan, '2026-12-01', cal)).toBe('2026-12-29');
    const noOverrides = createCalendar({ fileOverrides: {} });
    expect(() => publicationDueDate(samr, '2026-12-10', noOverrides)).toThrow(CalendarYearNotCovered);
  });

  it('escalation and annual-plan dates', () => {
    expect(overdueDate('2026-09-30', 1, cal)).toBe('2026-10-08'); // first working day after the National Day break
    expect(overdueDate('2026-09-30', 1 + qhd.deadlines.escalateToLeadershipAfterWorkingDays, cal)).toBe('2026-10-12'); // leadership
    expect(annualPlanDueDate(samr, 2026, cal)).toBe('2026-02-28'); // end of February is a 调休 Saturday
    expect(annualPlanDueDate(qhd, 2026, cal)).toBe('2026-02-28'); // "3月1日前": Sunday → back to Feb 28
    expect(annualPlanDueDate(wuhai, 2027, cal)).toBe('2026-11-30'); // November of the year before
  });
});

describe('rules as data', () => {
  it('key-enterprise ratio for a task window (fuping windows overlap: the stricter wins)', () => {
    const fuping = getPreset('fuping-housing-2021');
    const month = (m: string) => ({ start: `2026-${m}-01`, end: `2026-${m}-28` });
    expect(requiredKeyRatio(fuping, month('03'))?.ratioBp).toBe(10_000);
    expect(requiredKeyRatio(fuping, month('05'))?.ratioBp).toBe(200);
    expect(requiredKeyRatio(fuping, month('07'))?.ratioBp).toBe(10_000);
    expect(requiredKeyRatio(getPreset('qinhuangdao-housing-2023'), month('05'))).toBeNull();
    // April is in 1–4 (100%) and 4–6 (2%): only 100% meets both
    expect(requiredKeyRatio(fuping, month('04'))).toEqual({ ratioBp: 10_000, fromMonth: 1, toMonth: 4 });
    // a task that fits only the 7–9 window draws key enterprises at 2%
    expect(requiredKeyRatio(fuping, { start: '2026-07-01', end: '2026-09-30' })).toEqual({ ratioBp: 200, fromMonth: 7, toMonth: 9 });
  });

  it('what codes say of the checked items is read by code from the phrase data, not from the wording', () => {
    const p = getPreset('qinhuangdao-samr-2023');
    expect(itemOutcomeOf(p.resultPhrases, ['1'])).toBe('pass');
    expect(itemOutcomeOf(p.resultPhrases, ['A', 'B'])).toBe('problem');
    expect(itemOutcomeOf(p.resultPhrases, ['E', 'D'])).toBe('problem');
    expect(itemOutcomeOf(p.resultPhrases, ['F'])).toBe('not_applicable');
    expect(itemOutcomeOf(p.resultPhrases, ['9'])).toBe('not_applicable');
    // a department's own wording of code 1 still means "nothing found"
    const own = p.resultPhrases.map((x) => (x.code === '1' ? { ...x, text: '检查合格，未发现违法违规行为' } : x));
    expect(itemOutcomeOf(mergeProfile(p, { resultPhrases: own }).resultPhrases, ['1'])).toBe('pass');
  });

  it('a phrase list stored before `passed` existed reads it from the standard code', () => {
    const stored = getPreset('wuhai-housing-2019').resultPhrases.map(({ passed: _p, ...x }) => x);
    const m = mergeProfile('wuhai-housing-2019', { resultPhrases: stored });
    expect(m.resultPhrases.filter((x) => x.passed).map((x) => x.code)).toEqual(['1']);
    expect(m.resultPhrases).toEqual(getPreset('wuhai-housing-2019').resultPhrases);
    const bad = getPreset('wuhai-housing-2019').resultPhrases.map((x) => (x.code === 'A' ? { ...x, passed: true } : x));
    expect(() => mergeProfile('wuhai-housing-2019', { resultPhrases: bad })).toThrow('结果代码“A”表示未发现问题，不能同时属于发现问题或须后续处置');
  });

  it('result-code combinations follow the phrase list', () => {
    const p = getPreset('qinhuangdao-samr-2023');
    expect(checkResultCodes(p, ['1'])).toMatchObject({ ok: true, problem: false, requiresFollowUp: false });
    expect(checkResultCodes(p, ['A', 'B'])).toMatchObject({ ok: true, problem: true, requiresDescription: true, requiresFollowUp: true });
    expect(checkResultCodes(p, ['E', 'B'])).toMatchObject({ ok: true, problem: true, requiresFollowUp: false });
    const reasons = (codes: string[]) => {
      const r = checkResultCodes(p, codes);
      return r.ok ? [] : r.reasons;
    };
    expect(reasons(['1', 'A'])).toContain('“1 未发现问题”只能单独选择');
    expect(reasons(['A', 'E'])).toEqual(['“A 发现问题待后续处理”与“E 发现问题经责令已改正”不能同时选择']);
    expect(reasons(['B'])).toEqual(['选择“B 未按规定公示应当公示的信息”时须同时选择“A 发现问题待后续处理”或“E 发现问题经责令已改正”']);
    expect(reasons(['6', 'E']).length).toBe(2);
    expect(reasons(['Z'])).toEqual(['结果代码“Z”不在本部门的结果表述清单中']);
    expect(reasons(['A', 'A'])).toEqual(['结果代码“A”重复']);
    expect(reasons([])).toEqual(['请至少选择一项抽查结果']);
  });
});
