import { describe, expect, it } from 'vitest';
import {
  RISK_MIX,
  SAMPLE_INDUSTRIES,
  SAMPLE_TOWNS,
  sampleDistrict,
  type SampleDistrict,
} from '../../shared/dev/sample/district.js';
import { summarizePool, validatePlan, participatingDepartments, participatingSections } from '../../shared/domain/plan.js';
import { getPreset } from '../../shared/domain/profiles.js';
import { validateUscc } from '../../shared/domain/uscc.js';
import { Department, Expert, InspectionItem, Inspector, Target } from '../../shared/domain/schemas.js';

const t0 = performance.now();
const d: SampleDistrict = sampleDistrict();
const firstMs = performance.now() - t0;
const main = d.departments.find((x) => x.id === d.plan.department)!;
const profile = getPreset(main.presetId);
const validation = validatePlan(d.plan.body, {
  department: main,
  profile,
  departments: d.departments,
  items: d.items,
  inspectors: d.inspectors,
  pool: summarizePool(d.targets),
});
const share = (pred: (t: (typeof d.targets)[number]) => boolean) => (100 * d.targets.filter(pred).length) / d.targets.length;

describe('sample district', () => {
  it('is deterministic: two generations are identical', () => {
    const again = sampleDistrict();
    expect(again).toEqual(d);
    expect(JSON.stringify(again)).toBe(JSON.stringify(d));
  });

  it('generates 20,000 targets well under a second', () => {
    // CPU time, not wall time: the suite shares two cores with DynamoDB Local and other files.
    const cpu = process.cpuUsage();
    const t = performance.now();
    sampleDistrict();
    const wall = performance.now() - t;
    const used = process.cpuUsage(cpu);
    const cpuMs = (used.user + used.system) / 1000;
    console.log(`sample district generation: ${cpuMs.toFixed(0)} ms CPU, ${wall.toFixed(0)} ms wall (first, cold: ${firstMs.toFixed(0)} ms wall)`);
    expect(cpuMs).toBeLessThan(1000);
  });

  it('has the shape the brief asks for', () => {
    expect(d.departments).toHaveLength(4);
    expect(d.targets).toHaveLength(20_000);
    expect(d.inspectors.length).toBeGreaterThanOrEqual(110);
    expect(d.inspectors.length).toBeLessThanOrEqual(130);
    expect(new Set(d.targets.map((t) => t.industry)).size).toBe(12);
    expect(new Set(d.targets.map((t) => t.jurisdiction))).toEqual(new Set(SAMPLE_TOWNS.map((t) => t.name)));
    expect(Object.values(d.profiles).map((p) => p.presetId)).toContain('fuping-housing-2021');
    expect(Object.values(d.profiles).map((p) => p.presetId)).toContain('qinhuangdao-samr-2023');
    for (const dept of d.departments) expect(() => getPreset(dept.presetId)).not.toThrow();
  });

  it('risk mix, key share, towns and industries within ±1.5 points of the targets', () => {
    for (const [c, want] of Object.entries(RISK_MIX)) expect(Math.abs(share((t) => t.riskClass === c) - want)).toBeLessThanOrEqual(1.5);
    expect(Math.abs(share((t) => t.isKey) - 5)).toBeLessThanOrEqual(1.5);
    for (const town of SAMPLE_TOWNS) expect(Math.abs(share((t) => t.jurisdiction === town.name) - town.share)).toBeLessThanOrEqual(1.5);
    for (const ind of SAMPLE_INDUSTRIES) expect(Math.abs(share((t) => t.industry === ind.name) - ind.share)).toBeLessThanOrEqual(1.5);
    // mostly active, every kind present
    expect(share((t) => t.status === 'active')).toBeGreaterThan(95);
    expect(new Set(d.targets.map((t) => t.kind))).toEqual(new Set(['enterprise', 'individual', 'non-market']));
  });

  it('every record passes its schema; USCCs are valid and unique; names and e-mail addresses unique', () => {
    const bad = d.targets.filter((t) => !validateUscc(t.uscc).ok);
    expect(bad).toEqual([]);
    expect(new Set(d.targets.map((t) => t.uscc)).size).toBe(d.targets.length);
    expect(new Set(d.targets.map((t) => t.name)).size).toBe(d.targets.length);
    for (const t of d.targets) Target.parse(t);
    for (const i of d.inspectors) Inspector.parse(i);
    for (const x of d.departments) Department.parse(x);
    for (const x of d.items) InspectionItem.parse(x);
    for (const x of d.experts) Expert.parse(x);
    const emails = [
      ...d.departments.flatMap((x) => [...x.coordinators, ...x.leaders, ...x.sectionHeads, x.liaison].map((p) => p.email)),
      ...d.inspectors.map((i) => i.email),
    ];
    expect(new Set(emails).size).toBe(emails.length);
    expect(emails.every((e) => e.endsWith('@example.gov.cn'))).toBe(true);
    // USCCs carry the county's division code and the kind's registration category
    expect(d.targets.every((t) => t.uscc.slice(2, 8) === '130624')).toBe(true);
    expect(d.targets.filter((t) => t.kind === 'individual').every((t) => t.uscc.startsWith('92'))).toBe(true);
  });

  it('items come from the seeds: the five fuping sectors with their legal bases', () => {
    const categories = new Set(d.items.filter((i) => i.department === main.id).map((i) => i.itemCategory));
    for (const sector of ['建筑市场监督', '建设工程安全', '工程建设标准', '房地产市场监督', '建设领域许可监督']) expect(categories).toContain(sector);
    const bases = d.items.map((i) => i.legalBasis).join('');
    for (const law of ['建筑法', '建设工程质量管理条例', '建设工程安全生产管理条例', '城市房地产开发经营管理条例', '物业管理条例']) expect(bases).toContain(law);
    // every item can be checked by someone of its department
    for (const it of d.items) {
      const able = d.inspectors.filter((i) => i.department === it.department && i.active && it.specialties.every((s) => i.specialties.includes(s)));
      expect(able.length, it.id).toBeGreaterThanOrEqual(2);
    }
  });

  it('inspectors: every town covered by every department, most certificates valid through 2026, a few expire mid-year, a few conflicts', () => {
    for (const dept of d.departments) {
      const covered = new Set(d.inspectors.filter((i) => i.department === dept.id).flatMap((i) => i.jurisdictions));
      for (const town of SAMPLE_TOWNS) expect(covered.has(town.name), `${dept.id} ${town.name}`).toBe(true);
    }
    const through2026 = d.inspectors.filter((i) => i.certificateExpiry >= '2026-12-31').length;
    const midYear = d.inspectors.filter((i) => i.certificateExpiry > '2026-01-01' && i.certificateExpiry < '2026-12-31').length;
    expect(through2026 / d.inspectors.length).toBeGreaterThan(0.9);
    expect(midYear).toBeGreaterThanOrEqual(2);
    expect(d.inspectors.filter((i) => i.conflicts.length).length).toBeGreaterThanOrEqual(3);
    const pool = new Set(d.targets.map((t) => t.uscc));
    expect(d.inspectors.flatMap((i) => i.conflicts).every((u) => pool.has(u))).toBe(true);
  });

  it('the 2026 plan follows fuping-housing-2021 and validates against its profile', () => {
    expect(validation.issues).toEqual([]);
    expect(validation.ok).toBe(true);
    const tasks = d.plan.body.tasks;
    const rounds = tasks.slice(0, 5);
    expect(rounds.map((t) => [t.window.start.slice(5, 7), t.window.end.slice(5, 7)])).toEqual([
      ['01', '04'],
      ['04', '06'],
      ['06', '08'],
      ['08', '10'],
      ['10', '12'],
    ]);
    for (const t of rounds) expect(Object.values(t.ratiosBp)).toEqual([300, 300, 300, 300]);
    expect(rounds.map((t) => t.keyRatioBp)).toEqual([10_000, 200, 10_000, 10_000, 10_000]);
    expect(rounds.map((t) => participatingSections(t).length >= 2)).toEqual([false, false, true, true, true]);
    const cross = tasks.filter((t) => participatingDepartments(t, main.id).length > 1);
    expect(cross).toHaveLength(1);
    expect(participatingDepartments(cross[0]!, main.id).length).toBeGreaterThanOrEqual(3);
  });

  it('every town with targets to draw has enough eligible inspectors for every task', () => {
    for (const t of d.plan.body.tasks) {
      const e = validation.expected[t.taskId]!;
      expect(e.total, t.taskId).toBeGreaterThan(0);
      const towns = e.jurisdictions.filter((j) => j.drawn > 0);
      expect(towns.length, t.taskId).toBe(SAMPLE_TOWNS.length);
      for (const j of towns) {
        expect(j.eligible, `${t.taskId} ${j.jurisdiction}`).toBeGreaterThanOrEqual(e.teamSize);
        expect(j.eligible * e.workingDays, `${t.taskId} ${j.jurisdiction} workload`).toBeGreaterThanOrEqual(j.seats);
      }
    }
  });
});
