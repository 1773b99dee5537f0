/**
 * What the reports job writes about the reporting department itself: where the liaison hands the
 * report in (at the department's level) and the contact footer of the forms (联系人 / 联系电话 / 手机).
 */
import { describe, expect, it } from 'vitest';
import { getPreset } from '../../shared/domain/profiles.js';
import { reportContact, submitTo } from '../../shared/jobs/reports.js';
import { sampleDistrict } from '../../shared/dev/sample/district.js';
import { Department } from '../../shared/domain/schemas.js';

const sample = sampleDistrict({ targets: 50 });

describe('the department in its reports', () => {
  it('the sample district is four county bureaus with their liaison lines, so the forms say 县 and carry 联系电话', () => {
    for (const d of sample.departments) {
      expect(Department.parse(d).level).toBe('county');
      expect(reportContact(d)).toEqual({ name: d.liaison.name, phone: expect.stringMatching(/^0312-0\d{6}$/) });
    }
    const yjj = sample.departments.find((d) => d.id === 'fp-yjj')!; // on the changan preset
    expect(submitTo(getPreset(yjj.presetId), yjj.level)).toBe('县“双随机、一公开”领导小组办公室');
  });

  it("the department's line stands in for a liaison without one; a mobile is carried as 手机", () => {
    const base = sample.departments[0]!;
    expect(reportContact({ ...base, liaison: { name: '甲', email: 'a@example.gov.cn' } })).toEqual({ name: '甲', phone: base.phone });
    expect(reportContact({ ...base, phone: undefined, liaison: { name: '甲', email: 'a@example.gov.cn', mobile: '10000000001' } })).toEqual({ name: '甲', mobile: '10000000001' });
  });

  it('submitTo follows the level, and is neutral without one', () => {
    const changan = getPreset('shijiazhuang-changan-2024');
    expect(submitTo(changan, 'district')).toBe('区“双随机、一公开”领导小组办公室');
    expect(submitTo(changan)).toBe('本级“双随机、一公开”领导小组办公室');
    expect(submitTo(getPreset('qinhuangdao-housing-2023'), 'county')).toBe('局人事法规科');
  });
});
