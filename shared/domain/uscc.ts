/**
 * 统一社会信用代码 (Unified Social Credit Identifier, USCC) per GB 32100-2015.
 *
 * Layout (18 characters from the 31-character alphabet 0-9 and A–Y without I, O, S, V, Z):
 *   1      registration authority code (登记管理部门代码)
 *   2      entity category code (机构类别代码), meaningful per authority
 *   3–8    administrative division code of the registering authority (GB/T 2260)
 *   9–17   subject identifier = organisation code (GB 11714), position 17 its check character
 *   18     check character, ISO 7064 MOD 31-3 over positions 1–17
 *
 * What `validateUscc` enforces, in this order (the first failing rule is reported):
 *   - exactly 18 characters, all from the alphabet (I, O, S, V, Z and lower case are rejected);
 *   - position 1 is one of the authorities of GB 32100-2015 table 1: 1–9, A, N, Y;
 *   - position 2 is a category defined for that authority (e.g. 9 工商: only 1 企业, 2 个体工商户,
 *     3 农民专业合作社; Y 其他: only 1);
 *   - positions 3–8 are digits and the first two are a GB/T 2260 province-level code
 *     (11–82, 66 for the Xinjiang Production and Construction Corps, or 10 for central-level
 *     registrations such as 100000). County-level codes are not checked: they change over time;
 *   - positions 9–16 are alphabet characters and position 17 is the GB 11714 check character
 *     (weights 3,7,9,10,5,8,4,2; C = 11 − Σ mod 11; 10 → X, 11 → 0), unless `orgCodeCheck: false`;
 *   - position 18 is the MOD 31-3 check character: weights 3^(i−1) mod 31 =
 *     1,3,9,27,19,26,16,17,20,29,25,13,8,24,10,30,28; C = 31 − Σ mod 31, 31 → 0.
 *
 * Reasons are Simplified Chinese and name the position and the rule, so an import report can show
 * them to the user as they are.
 */

export const USCC_ALPHABET = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28] as const;
const ORG_WEIGHTS = [3, 7, 9, 10, 5, 8, 4, 2] as const;

/** char code → alphabet index, −1 if not in the alphabet. */
const VALUE = new Int8Array(128).fill(-1);
for (let i = 0; i < USCC_ALPHABET.length; i++) VALUE[USCC_ALPHABET.charCodeAt(i)] = i;

/** GB 32100-2015 table 1: registration authorities and their entity categories. */
export const REGISTRATION_AUTHORITIES: Readonly<Record<string, { name: string; categories: Readonly<Record<string, string>> }>> = {
  '1': { name: '机构编制', categories: { '1': '机关', '2': '事业单位', '3': '中央编办直接管理机构编制的群众团体', '9': '其他' } },
  '2': { name: '外交', categories: { '1': '外国常驻新闻机构', '9': '其他' } },
  '3': {
    name: '司法行政',
    categories: { '1': '律师执业机构', '2': '公证处', '3': '基层法律服务所', '4': '司法鉴定机构', '5': '仲裁委员会', '9': '其他' },
  },
  '4': { name: '文化', categories: { '1': '外国在华文化中心', '9': '其他' } },
  '5': { name: '民政', categories: { '1': '社会团体', '2': '民办非企业单位', '3': '基金会', '9': '其他' } },
  '6': {
    name: '旅游',
    categories: { '1': '外国旅游部门常驻代表机构', '2': '港澳台地区旅游部门常驻内地（大陆）代表机构', '9': '其他' },
  },
  '7': { name: '宗教', categories: { '1': '宗教活动场所', '2': '宗教院校', '9': '其他' } },
  '8': { name: '工会', categories: { '1': '基层工会', '9': '其他' } },
  '9': { name: '工商', categories: { '1': '企业', '2': '个体工商户', '3': '农民专业合作社' } },
  A: { name: '中央军委改革和编制办公室', categories: { '1': '军队事业单位', '9': '其他' } },
  N: { name: '农业', categories: { '1': '组级集体经济组织', '2': '村级集体经济组织', '3': '乡镇级集体经济组织', '9': '其他' } },
  Y: { name: '其他', categories: { '1': '其他' } },
};

/** GB/T 2260 province-level prefixes, plus 10 (central level) and 66 (兵团). */
const PROVINCES = new Set([
  '10', '11', '12', '13', '14', '15', '21', '22', '23', '31', '32', '33', '34', '35', '36', '37',
  '41', '42', '43', '44', '45', '46', '50', '51', '52', '53', '54', '61', '62', '63', '64', '65',
  '66', '71', '81', '82',
]);

export type UsccResult = { ok: true } | { ok: false; reason: string };

export interface UsccValidateOptions {
  /** Check the GB 11714 check character at position 17 (default true). */
  orgCodeCheck?: boolean;
}

/**
 * Trims, converts full-width characters (Ａ, ９, full-width space) to half-width, drops zero-width
 * characters and upper-cases. Does not validate.
 */
export function normalizeUscc(s: string): string {
  let out = '';
  for (const ch of String(s)) {
    const c = ch.charCodeAt(0);
    if (c >= 0xff01 && c <= 0xff5e) out += String.fromCharCode(c - 0xfee0);
    else if (c === 0x3000) out += ' ';
    else if (c === 0x200b || c === 0x200c || c === 0x200d || c === 0xfeff) continue;
    else out += ch;
  }
  return out.trim().toUpperCase();
}

function orgValue(code: number): number {
  return code <= 57 ? code - 48 : code - 55; // '0'..'9' → 0..9, 'A'..'Z' → 10..35 (GB 11714)
}

function orgCheckFromCodes(codes: ArrayLike<number>, offset: number): string {
  let sum = 0;
  for (let i = 0; i < 8; i++) sum += orgValue(codes[offset + i]!) * ORG_WEIGHTS[i]!;
  const c = 11 - (sum % 11);
  return c === 10 ? 'X' : c === 11 ? '0' : String(c);
}

/** GB 11714 check character for the 8-character organisation-code body (USCC positions 9–16). */
export function orgCodeCheckChar(body8: string): string {
  if (body8.length !== 8 || [...body8].some((ch) => VALUE[ch.charCodeAt(0)] === undefined || VALUE[ch.charCodeAt(0)]! < 0)) {
    throw new RangeError(`组织机构代码本体应为 8 位统一社会信用代码字符，实际为“${body8}”`);
  }
  return orgCheckFromCodes(Array.from(body8, (ch) => ch.charCodeAt(0)), 0);
}

/** The MOD 31-3 check character for the first 17 characters. */
export function usccCheckChar(first17: string): string {
  if (typeof first17 !== 'string' || first17.length !== 17) {
    throw new RangeError(`计算校验码需要前 17 位，实际为 ${typeof first17 === 'string' ? first17.length : 0} 位`);
  }
  let sum = 0;
  for (let i = 0; i < 17; i++) {
    const c = first17.charCodeAt(i);
    const v = c < 128 ? VALUE[c]! : -1;
    if (v < 0) throw new RangeError(`第 ${i + 1} 位字符“${first17[i]}”不是统一社会信用代码字符`);
    sum += v * WEIGHTS[i]!;
  }
  return USCC_ALPHABET[(31 - (sum % 31)) % 31]!;
}

function describeBadChar(ch: string, pos: number): string {
  if ('IOSVZ'.includes(ch)) return `第 ${pos} 位字符“${ch}”不合法：统一社会信用代码不使用字母 I、O、S、V、Z`;
  if (/[a-z]/.test(ch)) return `第 ${pos} 位字符“${ch}”不合法：字母应为大写`;
  return `第 ${pos} 位字符“${ch}”不合法：只能使用数字 0–9 和除 I、O、S、V、Z 以外的大写字母`;
}

/** Validates a USCC as given (normalize first if the input may be full-width or padded). */
export function validateUscc(s: string, opts: UsccValidateOptions = {}): UsccResult {
  if (typeof s !== 'string' || s.length === 0) return { ok: false, reason: '统一社会信用代码不能为空' };
  if (s.length !== 18) {
    const chars = [...s];
    if (chars.length !== 18) return { ok: false, reason: `统一社会信用代码应为 18 位，实际为 ${chars.length} 位` };
    const bad = chars.findIndex((ch) => ch.length !== 1);
    return { ok: false, reason: describeBadChar(chars[bad]!, bad + 1) };
  }
  let sum = 0;
  for (let i = 0; i < 18; i++) {
    const c = s.charCodeAt(i);
    const v = c < 128 ? VALUE[c]! : -1;
    if (v < 0) return { ok: false, reason: describeBadChar(s[i]!, i + 1) };
    if (i < 17) sum += v * WEIGHTS[i]!;
  }
  const authority = REGISTRATION_AUTHORITIES[s[0]!];
  if (!authority) {
    return { ok: false, reason: `第 1 位登记管理部门代码“${s[0]}”不存在，应为 1–9、A、N、Y 之一` };
  }
  if (!authority.categories[s[1]!]) {
    const allowed = Object.keys(authority.categories).join('、');
    return {
      ok: false,
      reason: `第 2 位机构类别代码“${s[1]}”不属于登记管理部门“${s[0]}（${authority.name}）”，应为 ${allowed} 之一`,
    };
  }
  for (let i = 2; i < 8; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return { ok: false, reason: `第 3–8 位登记管理机关行政区划码“${s.slice(2, 8)}”应为 6 位数字` };
  }
  if (!PROVINCES.has(s.slice(2, 4))) {
    return { ok: false, reason: `第 3–8 位行政区划码“${s.slice(2, 8)}”的省级代码“${s.slice(2, 4)}”不存在` };
  }
  if (opts.orgCodeCheck !== false) {
    const c17 = s.charCodeAt(16);
    if (!((c17 >= 48 && c17 <= 57) || c17 === 88)) {
      return { ok: false, reason: `第 17 位（组织机构代码校验位）“${s[16]}”不合法，应为数字或 X` };
    }
    let org = 0;
    for (let i = 0; i < 8; i++) org += orgValue(s.charCodeAt(8 + i)) * ORG_WEIGHTS[i]!;
    const oc = 11 - (org % 11);
    const expected = oc === 10 ? 'X' : oc === 11 ? '0' : String(oc);
    if (expected !== s[16]) {
      return {
        ok: false,
        reason: `第 9–17 位主体标识码（组织机构代码）校验错误：第 17 位应为“${expected}”，实际为“${s[16]}”`,
      };
    }
  }
  const check = USCC_ALPHABET[(31 - (sum % 31)) % 31]!;
  if (check !== s[17]) return { ok: false, reason: `第 18 位校验码错误：应为“${check}”，实际为“${s[17]}”` };
  return { ok: true };
}

export function isValidUscc(s: string, opts?: UsccValidateOptions): boolean {
  return validateUscc(s, opts).ok;
}

export interface UsccParts {
  authority: string;
  authorityName: string;
  category: string;
  categoryName: string;
  region: string;
  subject: string; // positions 9–17
  check: string;
}

/** Splits a valid USCC into its parts; returns null for an invalid one. */
export function parseUscc(s: string, opts?: UsccValidateOptions): UsccParts | null {
  if (!validateUscc(s, opts).ok) return null;
  const a = REGISTRATION_AUTHORITIES[s[0]!]!;
  return {
    authority: s[0]!,
    authorityName: a.name,
    category: s[1]!,
    categoryName: a.categories[s[1]!]!,
    region: s.slice(2, 8),
    subject: s.slice(8, 17),
    check: s[17]!,
  };
}

// ---------------------------------------------------------------- deterministic generator

export type UsccKind = 'enterprise' | 'individual' | 'cooperative' | 'public-institution' | 'social-organization';

const KIND_PREFIX: Record<UsccKind, string> = {
  enterprise: '91',
  individual: '92',
  cooperative: '93',
  'public-institution': '12',
  'social-organization': '51',
};

export interface MakeUsccOptions {
  /** Entity kind, mapped to positions 1–2 (default enterprise → "91"). Ignored if `prefix` is set. */
  kind?: UsccKind;
  /** Positions 1–2 directly, e.g. "92". */
  prefix?: string;
  /** Positions 3–8 (default "130102", Shijiazhuang Chang'an district). */
  region?: string;
}

const BODY_SPACE = 31 ** 7; // 27,512,614,111 distinct bodies per prefix and region
// Two affine steps x ↦ (x·M + C) mod 31^7 with M coprime to 31: a bijection whose combined
// multiplier is large, so neighbouring seeds give unrelated-looking codes. Each product stays
// below 2^53 (31^7 · 327,673 < 9.1e15).
const MIX = [
  [104_729, 7_777_777_777],
  [327_673, 1_234_567_891],
] as const;
const CODE_M = 'M'.charCodeAt(0);
const ALPHA_CODES = Array.from(USCC_ALPHABET, (ch) => ch.charCodeAt(0));

interface PrefixCache {
  codes: number[]; // char codes of positions 1–8
  sum: number; // Σ value × weight over positions 1–8
}
const prefixCache = new Map<string, PrefixCache>();
// Last options seen, compared field by field (cheap; a mutated options object is still honoured).
let lastKey: [UsccKind | undefined, string | undefined, string | undefined] | undefined;
let lastPrefix: PrefixCache | undefined;

function prefixFor(opts: MakeUsccOptions): PrefixCache {
  const prefix = opts.prefix ?? KIND_PREFIX[opts.kind ?? 'enterprise'];
  const region = opts.region ?? '130102';
  const key = prefix + region;
  let p = prefixCache.get(key);
  if (p) return p;
  // Validate the fixed part once with a complete sample code.
  const sample = key + 'M0000000';
  const full17 = sample + orgCodeCheckChar(sample.slice(8, 16));
  const r = validateUscc(full17 + usccCheckChar(full17));
  if (!r.ok) throw new RangeError(`生成统一社会信用代码的前缀或行政区划无效：${r.reason}`);
  let sum = 0;
  for (let i = 0; i < 8; i++) sum += VALUE[key.charCodeAt(i)]! * WEIGHTS[i]!;
  p = { codes: Array.from(key, (ch) => ch.charCodeAt(0)), sum };
  prefixCache.set(key, p);
  return p;
}

/**
 * A valid, deterministic USCC for sample data and benchmarks. Distinct seeds in [0, 31^7) give
 * distinct codes for the same options; the body is a bijective scramble of the seed so codes look
 * varied. Positions 9–17 are "M" + 7 characters + the GB 11714 check character.
 */
export function makeUscc(seedNumber: number, opts?: MakeUsccOptions): string {
  if (!Number.isSafeInteger(seedNumber) || seedNumber < 0 || seedNumber >= BODY_SPACE) {
    throw new RangeError(`种子应为 0 到 ${BODY_SPACE - 1} 之间的整数，实际为 ${seedNumber}`);
  }
  let p: PrefixCache;
  const kind = opts?.kind;
  const prefix = opts?.prefix;
  const region = opts?.region;
  if (lastPrefix && lastKey![0] === kind && lastKey![1] === prefix && lastKey![2] === region) p = lastPrefix;
  else {
    p = prefixFor({ kind, prefix, region });
    lastKey = [kind, prefix, region];
    lastPrefix = p;
  }
  let x = (seedNumber * MIX[0][0] + MIX[0][1]) % BODY_SPACE;
  x = (x * MIX[1][0] + MIX[1][1]) % BODY_SPACE;
  // body = 'M' d1..d7, base 31, most significant first. Split x below 2^31 first so the digit
  // arithmetic stays on small integers (much faster than on doubles).
  const lo = x % 923_521; // 31^4
  const hi = (x - lo) / 923_521; // < 31^3
  const d7 = lo % 31;
  const d6 = ((lo / 31) | 0) % 31;
  const d5 = ((lo / 961) | 0) % 31;
  const d4 = (lo / 29_791) | 0;
  const d3 = hi % 31;
  const d2 = ((hi / 31) | 0) % 31;
  const d1 = (hi / 961) | 0;
  const c1 = ALPHA_CODES[d1]!;
  const c2 = ALPHA_CODES[d2]!;
  const c3 = ALPHA_CODES[d3]!;
  const c4 = ALPHA_CODES[d4]!;
  const c5 = ALPHA_CODES[d5]!;
  const c6 = ALPHA_CODES[d6]!;
  const c7 = ALPHA_CODES[d7]!;
  const org =
    orgValue(CODE_M) * 3 +
    orgValue(c1) * 7 +
    orgValue(c2) * 9 +
    orgValue(c3) * 10 +
    orgValue(c4) * 5 +
    orgValue(c5) * 8 +
    orgValue(c6) * 4 +
    orgValue(c7) * 2;
  const oc = 11 - (org % 11);
  const orgIdx = oc === 10 ? VALUE[88]! /* X */ : oc === 11 ? 0 : oc;
  // weights of positions 9–17: 20, 29, 25, 13, 8, 24, 10, 30, 28
  const sum = p.sum + VALUE[CODE_M]! * 20 + d1 * 29 + d2 * 25 + d3 * 13 + d4 * 8 + d5 * 24 + d6 * 10 + d7 * 30 + orgIdx * 28;
  const h = p.codes;
  // One flat string (concatenation would build a rope that is flattened later at extra cost).
  return String.fromCharCode(
    h[0]!, h[1]!, h[2]!, h[3]!, h[4]!, h[5]!, h[6]!, h[7]!,
    CODE_M, c1, c2, c3, c4, c5, c6, c7,
    ALPHA_CODES[orgIdx]!, ALPHA_CODES[(31 - (sum % 31)) % 31]!,
  );
}
