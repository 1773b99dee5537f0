import { describe, expect, it } from 'vitest';
import {
  USCC_ALPHABET,
  isValidUscc,
  makeUscc,
  normalizeUscc,
  orgCodeCheckChar,
  parseUscc,
  usccCheckChar,
  validateUscc,
} from '../../shared/domain/uscc.js';

/**
 * Published codes. Worked by hand for the first one:
 *   9 1 1 1 0 0 0 0 1 0 0 0 1 0 4 3 3 × 1,3,9,27,19,26,16,17,20,29,25,13,8,24,10,30,28
 *   = 9+3+9+27+20+8+40+90+84 = 290; 290 mod 31 = 11; 31 − 11 = 20 → alphabet[20] = "L".
 *   Organisation code 10001043: 1·3+1·5+4·4+3·2 = 30; 30 mod 11 = 8; 11 − 8 = 3 → "3" (position 17).
 */
const REAL = [
  '91110000100010433L',
  '914403001922038216', // 华为技术有限公司
  '9144030071526726XG', // 腾讯科技（深圳）有限公司: organisation-code check character X
  '91110108551385082Q',
  '91330100799655058B',
];

function reason(s: string): string {
  const r = validateUscc(s);
  if (r.ok) throw new Error(`expected ${s} to be invalid`);
  return r.reason;
}

describe('validateUscc', () => {
  it('accepts real published codes', () => {
    for (const s of REAL) expect(validateUscc(s), s).toEqual({ ok: true });
  });

  it('rejects a wrong final check character and names the expected one', () => {
    expect(reason('91110000100010433M')).toBe('第 18 位校验码错误：应为“L”，实际为“M”');
    expect(reason('914403001922038217')).toContain('应为“6”');
  });

  it('checks the organisation-code check character (positions 9–17) separately', () => {
    // change position 17 and recompute position 18 so only the GB 11714 rule fails
    const first17 = '91110000100010434';
    const s = first17 + usccCheckChar(first17);
    expect(reason(s)).toBe('第 9–17 位主体标识码（组织机构代码）校验错误：第 17 位应为“3”，实际为“4”');
    expect(validateUscc(s, { orgCodeCheck: false })).toEqual({ ok: true });
    expect(orgCodeCheckChar('10001043')).toBe('3');
    expect(orgCodeCheckChar('71526726')).toBe('X');
  });

  it('rejects the letters I, O, S, V, Z with their position', () => {
    for (const ch of ['I', 'O', 'S', 'V', 'Z']) {
      const s = '9111000010001043' + ch + 'L';
      expect(reason(s)).toBe(`第 17 位字符“${ch}”不合法：统一社会信用代码不使用字母 I、O、S、V、Z`);
    }
    expect(reason('9111000010001O433L')).toMatch(/^第 14 位字符“O”/);
    expect(reason('91110000100010433-')).toMatch(/第 18 位字符“-”不合法：只能使用数字/);
    expect(reason('91110000100010433l')).toBe('第 18 位字符“l”不合法：字母应为大写');
  });

  it('rejects wrong lengths', () => {
    expect(reason('')).toBe('统一社会信用代码不能为空');
    expect(reason('91110000100010433')).toBe('统一社会信用代码应为 18 位，实际为 17 位');
    expect(reason('91110000100010433LL')).toBe('统一社会信用代码应为 18 位，实际为 19 位');
  });

  it('enforces registration authority, category and province codes', () => {
    const withCheck = (first17: string) => first17 + usccCheckChar(first17);
    expect(reason(withCheck('B1110000100010433'))).toBe('第 1 位登记管理部门代码“B”不存在，应为 1–9、A、N、Y 之一');
    expect(reason(withCheck('94110000100010433'))).toBe(
      '第 2 位机构类别代码“4”不属于登记管理部门“9（工商）”，应为 1、2、3 之一',
    );
    expect(reason(withCheck('Y2110000100010433'))).toMatch(/^第 2 位机构类别代码“2”不属于登记管理部门“Y（其他）”/);
    expect(reason(withCheck('9199000010001043'.slice(0, 16) + '3'))).toMatch(/省级代码“99”不存在/);
    expect(reason(withCheck('911A0000100010433'))).toMatch(/第 3–8 位登记管理机关行政区划码“1A0000”应为 6 位数字/);
    // valid non-enterprise categories pass
    for (const prefix of ['11', '12', '51', '52', '53', '31', '71', '81', 'A1', 'N2', 'Y1']) {
      expect(isValidUscc(makeUscc(42, { prefix })), prefix).toBe(true);
    }
    // central-level registration region 100000
    expect(isValidUscc(makeUscc(7, { prefix: '11', region: '100000' }))).toBe(true);
  });

  it('parses the parts of a valid code', () => {
    expect(parseUscc('9144030071526726XG')).toEqual({
      authority: '9',
      authorityName: '工商',
      category: '1',
      categoryName: '企业',
      region: '440300',
      subject: '71526726X',
      check: 'G',
    });
    expect(parseUscc('9144030071526726XH')).toBeNull();
  });
});

describe('normalizeUscc', () => {
  it('trims, converts full-width to half-width and upper-cases', () => {
    expect(normalizeUscc('９１１１００００１０００１０４３３Ｌ')).toBe('91110000100010433L');
    expect(normalizeUscc('\u3000 91110000100010433l\t')).toBe('91110000100010433L');
    expect(normalizeUscc('\uFEFF９１４４０３００７１５２６７２６ｘｇ\u200B')).toBe('9144030071526726XG');
    expect(validateUscc(normalizeUscc('９１１１００００１０００１０４３３ｌ'))).toEqual({ ok: true });
    // full-width input is invalid until normalized
    expect(validateUscc('９１１１００００１０００１０４３３Ｌ').ok).toBe(false);
  });
});

describe('usccCheckChar', () => {
  it('computes the MOD 31-3 character over 17 positions', () => {
    for (const s of REAL) expect(usccCheckChar(s.slice(0, 17))).toBe(s[17]);
    // every alphabet character is reachable as a check character
    const seen = new Set<string>();
    for (let i = 0; i < 2000; i++) seen.add(makeUscc(i).slice(17));
    expect([...seen].sort().join('')).toBe([...USCC_ALPHABET].sort().join(''));
  });

  it('refuses bad input', () => {
    expect(() => usccCheckChar('9111000010001043')).toThrow(RangeError);
    expect(() => usccCheckChar('9111000010001043I')).toThrow(/第 17 位字符“I”/);
  });
});

describe('makeUscc', () => {
  it('is deterministic and produces valid codes of the requested kind and region', () => {
    expect(makeUscc(12345)).toBe(makeUscc(12345));
    expect(makeUscc(12345)).not.toBe(makeUscc(12346));
    expect(makeUscc(1).slice(0, 8)).toBe('91130102');
    expect(makeUscc(1, { kind: 'individual' }).slice(0, 2)).toBe('92');
    expect(makeUscc(1, { kind: 'social-organization', region: '130302' }).slice(0, 8)).toBe('51130302');
    for (let i = 0; i < 10_000; i++) {
      const s = makeUscc(i * 2_750_000);
      expect(validateUscc(s), s).toEqual({ ok: true });
    }
    expect(isValidUscc(makeUscc(31 ** 7 - 1))).toBe(true);
  });

  it('rejects bad seeds and options', () => {
    expect(() => makeUscc(-1)).toThrow(RangeError);
    expect(() => makeUscc(1.5)).toThrow(RangeError);
    expect(() => makeUscc(31 ** 7)).toThrow(RangeError);
    expect(() => makeUscc(1, { prefix: '94' })).toThrow(/机构类别代码/);
    expect(() => makeUscc(1, { region: '990000' })).toThrow(/省级代码/);
  });

  // Its speed is a benchmark's business (npm run bench -- import generates its files with it), not a timed test's.
  it('generates 1,000,000 distinct valid codes', () => {
    const out = new Array<string>(1_000_000);
    for (let i = 0; i < 1_000_000; i++) out[i] = makeUscc(i);
    expect(new Set(out).size).toBe(1_000_000);
    for (let i = 0; i < out.length; i += 997) expect(isValidUscc(out[i]!)).toBe(true);
  });
});
