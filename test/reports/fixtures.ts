/** Deterministic, internally consistent ReportStats for tests (seeded PRNG). */
import type { ChannelStats, Counts, PeriodStats, ReportPeriod, ReportStats } from '../../shared/reports/stats.js';

export function rng(seed: number): (lo: number, hi: number) => number {
  let x = seed >>> 0 || 1;
  return (lo, hi) => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return lo + (x % (hi - lo + 1));
  };
}

type R = ReturnType<typeof rng>;

function counts(r: R, maxTasks: number): Counts {
  const tasks = r(1, maxTasks);
  const targets = tasks + r(0, tasks * 15);
  return { tasks, targets, problemTargets: r(0, Math.min(targets, 9)) };
}

/** A part of `c` that leaves the rest consistent (every task keeps ≥ 1 target). */
function part(r: R, c: Counts): Counts {
  const tasks = r(0, c.tasks);
  const targets = tasks === 0 ? 0 : r(tasks, c.targets - c.tasks + tasks);
  return { tasks, targets, problemTargets: r(0, Math.min(targets, c.problemTargets)) };
}

const add = (a: Counts, b: Counts): Counts => ({ tasks: a.tasks + b.tasks, targets: a.targets + b.targets, problemTargets: a.problemTargets + b.problemTargets });

function channel(r: R, max: number): ChannelStats {
  const withinDepartment = counts(r, max);
  const crossDepartment = counts(r, Math.max(1, Math.floor(max / 3)));
  const all = add(withinDepartment, crossDepartment);
  const enterprises = part(r, all);
  return { all, withinDepartment, crossDepartment, internalJoint: part(r, withinDepartment), enterprises, creditRisk: part(r, enterprises) };
}

function periodStats(r: R, max: number, tag: string): PeriodStats {
  return {
    provincial: channel(r, max),
    other: channel(r, Math.max(1, Math.floor(max / 2))),
    published: { targets: r(0, 50), sites: ['国家企业信用信息公示系统（河北）', `${tag}门户网站`] },
    items: (() => {
      const minor = r(1, 12);
      return { major: r(1, minor), minor };
    })(),
    documents: [`关于开展${tag}随机抽查的通知（冀建〔2024〕${r(1, 99)}号）`, `${tag}“一业一查”联合抽查实施方案`],
  };
}

function sumChannel(a: ChannelStats, b: ChannelStats): ChannelStats {
  const out = {} as ChannelStats;
  for (const k of Object.keys(a) as (keyof ChannelStats)[]) out[k] = add(a[k], b[k]);
  return out;
}

function sumPeriod(a: PeriodStats, b: PeriodStats): PeriodStats {
  return {
    provincial: sumChannel(a.provincial, b.provincial),
    other: sumChannel(a.other, b.other),
    published: { targets: a.published.targets + b.published.targets, sites: [...new Set([...a.published.sites, ...b.published.sites])] },
    items: { major: a.items.major + b.items.major, minor: a.items.minor + b.items.minor },
    documents: [...b.documents, ...a.documents],
  };
}

export function sampleStats(seed: number, period: ReportPeriod, o: { activities?: boolean; systemWide?: boolean } = {}): ReportStats {
  const r = rng(seed);
  const current = periodStats(r, 6, '本期');
  const earlier = periodStats(r, 20, '前期');
  const yearToDate = sumPeriod(current, earlier);
  const y = period.year;
  const [start, end] =
    period.kind === 'month'
      ? [`${y}-${String(period.month).padStart(2, '0')}-01`, `${y}-${String(period.month).padStart(2, '0')}-${new Date(Date.UTC(y, period.month, 0)).getUTCDate()}`]
      : [`${y}-${String(period.quarter * 3 - 2).padStart(2, '0')}-01`, `${y}-${String(period.quarter * 3).padStart(2, '0')}-${new Date(Date.UTC(y, period.quarter * 3, 0)).getUTCDate()}`];
  const checked = r(50, 400);
  const published = r(0, checked);
  const entryDue = r(10, checked);
  const publicationDue = r(5, published || 5);
  const followUpArisen = r(0, 30);
  return {
    departmentId: 'qhd-zjj',
    period,
    range: { start: start!, end: end! },
    current,
    yearToDate,
    coverage: { inspectedEnterprises: r(10, 600), baseEnterprises: r(1000, 20000) },
    timeliness: {
      checked,
      entryDue,
      entryOnTime: r(0, entryDue),
      published,
      publicationDue,
      publicationOnTime: r(0, publicationDue),
      followUpArisen,
      followUpClosed: r(0, followUpArisen),
    },
    activities: o.activities === false ? undefined : { meetings: `${y}年第一次“双随机、一公开”工作部署会（3月5日）`, documents: `关于印发${y}年度随机抽查计划的通知（长市监〔${y}〕8号）`, trainings: '随机抽查业务培训班，参训 35 人，内容：抽查工作规范、平台操作' },
    systemWide: o.systemWide === false ? undefined : { units: ['区住建局', '区市场监管局', '区应急管理局'], targets: r(100, 900), published: r(50, 800) },
    overdue: [
      {
        section: '建筑市场监管科',
        items: [
          { kind: 'entry', taskName: '建筑业企业资质动态核查', uscc: '91130302MA0C7XXXXK', targetName: '秦皇岛某某建筑工程有限公司', dueDate: `${y}-03-20`, overdueWorkingDays: 7, responsible: ['张三', '李四'] },
          { kind: 'publish', taskName: '建筑业企业资质动态核查', uscc: '91130302MA0D1XXXXY', targetName: '秦皇岛某某劳务有限公司', dueDate: `${y}-03-25`, overdueWorkingDays: 4, responsible: ['王五'] },
        ],
      },
      { section: '物业管理科', items: [{ kind: 'followup', taskName: '物业服务企业联合抽查', uscc: '91130300MA0E2XXXXT', targetName: '秦皇岛某某物业服务有限公司', dueDate: `${y}-03-28`, overdueWorkingDays: 1, responsible: ['赵六'] }] },
    ],
  };
}
