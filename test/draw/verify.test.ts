import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { canonicalJson, commitSecret, serializeRecord, verifyRecord } from '../../shared/draw/index.js';
import { sha256Hex } from '../../shared/draw/sha256.js';
import { runVerify } from '../../shared/dev/cli/verify.js';
import { pythonRecordText } from './fixtures.js';
import { leaves, undetectedChanges } from './tamper.js';

const genuine = (x: 'a' | 'b' = 'a') => JSON.parse(pythonRecordText(x));
const fail = (r: unknown) => {
  const v = verifyRecord(r);
  if (v.ok) throw new Error('expected a failure, got OK');
  return v.error;
};

describe('verifyRecord on genuine records', () => {
  it('says OK with a summary', () => {
    const v = verifyRecord(genuine());
    expect(v.ok).toBe(true);
    if (v.ok) {
      expect(v.summary).toContain('OK suiji-draw-v1 任务 T2025-HOUSING-01：对象池 16 个，抽中 9 个（key 3/3，A 2/6，B 0/0，C 4/7，D 0/0），检查组 9 个（每组 3 人），见证人 2 名');
      expect(v.summary).toContain('公共随机信标 drand-quicknet 第 1234567 轮取值 8d3b1f0e');
    }
  });
});

describe('any one-character change to a frozen input, reveal, commitment or result is detected', () => {
  it.each(['a', 'b'] as const)('record-%s: every string and number in the record, changed in one character', (x) => {
    const base = genuine(x);
    const paths = leaves(base);
    expect(paths.length).toBeGreaterThan(100);
    expect(undetectedChanges(() => genuine(x), paths, verifyRecord)).toEqual([]);
  });
});

describe('the first difference, in words', () => {
  it('a changed pool line', () => {
    const r = genuine();
    r.inputs.pool[3] = r.inputs.pool[3].replace(',A', ',C');
    expect(fail(r)).toMatch(/^对象池摘要不一致：freeze\.poolDigest 为 938c4c7c…?[0-9a-f]*，按 inputs\.pool 重新计算为 [0-9a-f]{64}（冻结的对象池或其摘要被改动）$/);
  });
  it('a changed eligibility line', () => {
    const r = genuine();
    r.inputs.eligibility[0] = 'insp,h01,dept-market';
    expect(fail(r)).toMatch(/^检查人员资格摘要不一致：freeze\.eligibilityDigest 为 /);
  });
  it('a changed draw time (published freeze record)', () => {
    const r = genuine();
    r.freeze.drawTime = '2025-03-04T09:00:00+08:00';
    expect(fail(r)).toMatch(/^冻结记录摘要不一致：freezeDigest 为 f126529b[0-9a-f]+，按 freeze 重新计算为 [0-9a-f]{64}（冻结记录被改动；请与抽查任务公告中公布的 freezeDigest 核对）$/);
  });
  it('a replaced commitment with a recomputed freezeDigest is still caught at the reveal, naming the witness', () => {
    const r = genuine();
    r.freeze.witnesses[1].commitment = commitSecret('another secret');
    r.freezeDigest = sha256Hex(canonicalJson(r.freeze));
    expect(fail(r)).toMatch(/^揭示值校验失败：见证人「w-public」的揭示值与其承诺不一致/);
  });
  it('a changed reveal', () => {
    const r = genuine();
    r.reveals.witnesses[0].secret += '!';
    expect(fail(r)).toMatch(/^揭示值校验失败：见证人「w-jijian」的揭示值与其承诺不一致/);
  });
  it('a changed seed', () => {
    const r = genuine();
    r.seed = r.seed.replace(/^c/, 'd');
    expect(fail(r)).toBe(`种子 seed 不一致：记录为 dde23c3f8fabb1ba1a96da25c0506afe7f99327093c5df03e9ec56f7d5fc2cca，按揭示值重新计算为 cde23c3f8fabb1ba1a96da25c0506afe7f99327093c5df03e9ec56f7d5fc2cca`);
  });
  it('swapped targets, a changed priority, team or leader', () => {
    let r = genuine();
    [r.targets[0], r.targets[1]] = [r.targets[1], r.targets[0]];
    expect(fail(r)).toBe('第 1 个抽中对象 targets[0].uscc 不一致：记录为 91130681QQ17T1RAC8，重新计算为 911303023MPWH2JD10');
    r = genuine();
    r.targets[2].team = ['h03', 'm02', 'h01'];
    expect(fail(r)).toBe('第 3 个抽中对象（91130302EH3XC2H9T8）的检查组 targets[2].team 不一致：记录为 h03、m02、h01，重新计算为 h03、m02、h04');
    r = genuine();
    r.targets[2].leader = 'm02';
    expect(fail(r)).toBe('第 3 个抽中对象（91130302EH3XC2H9T8）的组长 targets[2].leader 不一致：记录为 m02，重新计算为 h03');
  });
  it('malformed records name the field', () => {
    let r = genuine();
    delete r.targets[0].team;
    expect(fail(r)).toMatch(/^记录格式错误：字段 targets\[0\]\.team：/);
    r = genuine();
    r.extra = 1;
    expect(fail(r)).toMatch(/^记录格式错误：/);
    r = genuine();
    r.freeze.poolDigest = 'XYZ';
    expect(fail(r)).toBe('记录格式错误：字段 freeze.poolDigest：应为 64 位小写十六进制');
    expect(fail({ ...genuine(), algorithm: 'suiji-draw-v0' })).toBe('不支持的抽取算法 algorithm：suiji-draw-v0（本工具验证 suiji-draw-v1 和 suiji-draw-v2）');
    expect(fail([1, 2])).toBe('记录格式错误：应为 JSON 对象');
  });
  it('a record serialises back byte-identically', () => {
    const text = pythonRecordText('b');
    expect(serializeRecord(JSON.parse(text))).toBe(text);
  });
});

describe('runVerify (suiji verify)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'suiji-verify-'));
  const write = (name: string, text: string) => {
    const p = join(dir, name);
    writeFileSync(p, text);
    return p;
  };
  const run = async (path: string) => {
    const lines: string[] = [];
    const code = await runVerify(path, (l) => lines.push(l));
    return { code, lines };
  };

  it('OK → exit 0; tampered, malformed or missing → exit 1 with the reason', async () => {
    const ok = await run(write('ok.json', pythonRecordText('a')));
    expect(ok.code).toBe(0);
    expect(ok.lines[0]).toMatch(/^OK suiji-draw-v1 /);
    const bad = await run(write('bad.json', pythonRecordText('a').replace('"leader": "m03"', '"leader": "h04"')));
    expect(bad).toEqual({ code: 1, lines: ['验证失败：第 1 个抽中对象（911303023MPWH2JD10）的组长 targets[0].leader 不一致：记录为 h04，重新计算为 m03'] });
    const notJson = await run(write('x.json', '{"algorithm": '));
    expect(notJson.code).toBe(1);
    expect(notJson.lines[0]).toMatch(/^验证失败：记录文件 .*x\.json 不是有效的 JSON/);
    const missing = await run(join(dir, 'nope.json'));
    expect(missing.lines[0]).toMatch(/^验证失败：无法读取记录文件 .*nope\.json（ENOENT）$/);
  });

  it('runs directly: npx tsx shared/dev/cli/verify.ts <file>', () => {
    const file = write('direct.json', pythonRecordText('b'));
    const tsx = join(process.cwd(), 'node_modules', '.bin', 'tsx');
    const good = spawnSync(tsx, ['shared/dev/cli/verify.ts', file], { encoding: 'utf8' });
    expect(good.status).toBe(0);
    expect(good.stdout).toMatch(/^OK suiji-draw-v1 任务 T2025-SAMR-07/);
  });

  it('a changed cap-yield count is reported', async () => {
    const tampered = write('yields.json', pythonRecordText('b').replace('"capYields": 1', '"capYields": 0'));
    expect(await run(tampered)).toEqual({ code: 1, lines: ['验证失败：matching.capYields 不一致：记录为 0，重新计算为 1'] });
  });
});
