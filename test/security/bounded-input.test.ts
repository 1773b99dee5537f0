/**
 * Bounded input, validated before any write (issue 12, 5–7). The defects this reproduces: no
 * string had a maximum (a 2 MB remark → 500; a 10 MB field → 503 half-way through an import),
 * a malformed pagination cursor, bad percent-encoding in a path and `..%2F` in the public draw
 * path answered 500, and a GBK or UTF-16 CSV uploaded with the CLI was refused because it was
 * sent as text/csv and decoded as UTF-8 on the way.
 *
 * Now every string has a limit (shared/domain/limits.ts), bodies have a size limit, the HTTP
 * layer checks path parameters and cursors, and each answers 400 with a Chinese message and
 * writes nothing; the CLI sends files as bytes.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Platform } from '../../shared/dev/local/platform.js';
import { ManualClock, resetClock, setClock } from '../../shared/clock.js';
import { getProgress } from '../../shared/store/tasks.js';
import { getTargets } from '../../shared/store/registry.js';
import { makeUscc } from '../../shared/domain/uscc.js';
import { LIMITS } from '../../shared/domain/limits.js';
import { main as cli } from '../../shared/dev/cli/main.js';
import type { Inspector } from '../../shared/domain/schemas.js';
import { csvOf, TARGET_HEADER } from '../import/generate.js';
import { gbk } from '../helpers/gbk.js';
import { drawnJointTask, jointResult, JOINT_TASK as TASK, type As } from './fixture.js';

const clock = new ManualClock('2026-05-12T01:00:00Z');
let platform: Platform;
let coord: As;
let inspector: As;
let target: { uscc: string; team: string[] };

beforeAll(async () => {
  setClock(clock);
  const s = await drawnJointTask();
  ({ platform, coord } = s);
  target = s.targets.find((t) => t.team.some((id) => id.startsWith('fp-zjj-')))!;
  expect(target, 'a target with an fp-zjj inspector on its team').toBeDefined();
  const me = s.inspectors.get('fp-zjj')!.find((i: Inspector) => target.team.includes(i.id))!;
  inspector = await s.api.as(me.email);
  clock.set('2026-05-20T02:00:00Z');
}, 240_000);

afterAll(async () => {
  resetClock();
  await platform?.stop();
});

const resultPath = (): string => `/tasks/${TASK}/targets/${target.uscc}/result`;

describe('every string has a maximum, checked before any write', () => {
  it('a 2 MB remark is refused as too large (was 500) and nothing is stored', async () => {
    const r = await inspector('PUT', resultPath(), jointResult(target.team, ['1'], { remark: '备'.repeat(2 * 1024 * 1024) }));
    expect(r.status).toBe(400);
    expect(r.json.error).toBe('PayloadTooLarge');
    expect(r.json.message).toMatch(/请求内容过大/);
    expect((await getProgress(TASK, target.uscc))!.result).toBeUndefined();
  });

  it('a remark one character over the limit is a 400 naming 备注; at the limit it is stored', async () => {
    const over = await inspector('PUT', resultPath(), jointResult(target.team, ['1'], { remark: '备'.repeat(LIMITS.text + 1) }));
    expect(over.status).toBe(400);
    expect(over.json.issues).toContainEqual(expect.objectContaining({ field: '备注', message: `不能超过 ${LIMITS.text} 个字符` }));
    expect((await getProgress(TASK, target.uscc))!.result).toBeUndefined();
    const at = await inspector('PUT', resultPath(), jointResult(target.team, ['1'], { remark: '备'.repeat(LIMITS.text) }));
    expect(at.status).toBe(201);
  });

  it('a target name over 200 and an address over 500 characters are refused per field', async () => {
    const uscc = makeUscc(990_001, { region: '130624' });
    const body = { name: '示'.repeat(LIMITS.name + 1), kind: 'enterprise', jurisdiction: '阜平镇', industry: '建筑业', riskClass: 'A', isKey: false, status: 'active', contact: { address: '址'.repeat(LIMITS.address + 1) } };
    const r = await coord('PUT', `/departments/fp-zjj/targets/${uscc}`, body);
    expect(r.status).toBe(400);
    const fields = (r.json.issues as { field: string }[]).map((i) => i.field);
    expect(fields).toEqual(expect.arrayContaining(['名称', '联系方式·地址']));
    expect(await getTargets('fp-zjj', [uscc])).toEqual([]);
  });
});

describe('malformed requests answer 400 in Chinese, never 500', () => {
  it('a malformed or foreign pagination cursor', async () => {
    for (const cursor of ['%%%', 'bm90IGpzb24', Buffer.from(JSON.stringify({ pk: 'TASK#other', sk: 'TGT#x' })).toString('base64url'), Buffer.from('[1]').toString('base64url')]) {
      const r = await coord('GET', `/tasks/${TASK}/targets?cursor=${encodeURIComponent(cursor)}`);
      expect(r.status, cursor).toBe(400);
      expect(r.json.message).toContain('分页游标');
    }
    for (const cursor of ['x', '99:', '3:not-json']) {
      const r = await coord('GET', `/departments/fp-zjj/targets?cursor=${encodeURIComponent(cursor)}`);
      expect(r.status, cursor).toBe(400);
      expect(r.json.message).toContain('分页游标');
    }
    // the cursors the API hands out still page
    const first = await coord('GET', `/tasks/${TASK}/targets?limit=2`);
    const next = await coord('GET', `/tasks/${TASK}/targets?limit=2&cursor=${encodeURIComponent(first.json.cursor)}`);
    expect(next.status).toBe(200);
    expect(next.json.items[0].uscc).not.toBe(first.json.items[0].uscc);
  });

  it('bad percent-encoding in a path, and `..%2F` in the public draw path', async () => {
    const bad = await coord('GET', '/departments/fp-zjj/targets/%E0%A4%A');
    expect(bad.status).toBe(400);
    expect(bad.json.message).toContain('百分号编码');
    const traversal = await coord('GET', `/public/tasks/..%2F..%2F${TASK}/draw`);
    expect(traversal.status).toBe(400);
    expect(traversal.json.message).toContain('任务编号');
    const slash = await coord('GET', `/tasks/${TASK}%2Fx/status`);
    expect(slash.status).toBe(400);
  });

  it('a request body over the API Gateway limit is refused before the handler (413)', async () => {
    const r = await coord('PUT', `/departments/fp-zjj/profile`, 'x'.repeat(10 * 1024 * 1024 + 1), { 'content-type': 'application/json' });
    expect(r.status).toBe(413);
  });
});

describe('imports: bounded and all-or-nothing in fact', () => {
  const rows = (n: number, base: number): string[][] =>
    Array.from({ length: n }, (_, i) => [makeUscc(base + i, { region: '130624' }), `阜平县界限测试有限公司${i}`, '企业', '阜平镇', '建筑业', '', 'A', '否', '正常', '张三', '13800000000', '', '河北省保定市阜平县阜平镇示例路 1 号']);

  it('a file whose last row has a 3 MB field is refused row by row and writes nothing (was 503 half-way)', async () => {
    const body = rows(500, 991_000);
    body[499]![1] = '长'.repeat(3 * 1024 * 1024);
    const r = await coord('POST', '/departments/fp-zjj/imports/targets?filename=t.csv', csvOf(TARGET_HEADER, body), { 'content-type': 'application/octet-stream' });
    expect(r.status).toBe(422);
    expect(r.json.errors).toEqual([expect.objectContaining({ row: 501, reason: expect.stringContaining(`不能超过 ${LIMITS.name} 个字符`) })]);
    expect(await getTargets('fp-zjj', body.slice(0, 3).map((x) => x[0]!))).toEqual([]);
  });

  it('GBK, UTF-16 LE/BE with BOM and UTF-8 with and without BOM all import through the CLI', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'suiji-enc-'));
    const text = (base: number): string => [TARGET_HEADER, ...rows(2, base)].map((r) => r.join(',')).join('\r\n') + '\r\n';
    const utf16be = (s: string): Buffer => {
      const le = Buffer.from(s, 'utf16le');
      for (let i = 0; i < le.length; i += 2) [le[i], le[i + 1]] = [le[i + 1]!, le[i]!];
      return Buffer.concat([Buffer.from([0xfe, 0xff]), le]);
    };
    const files: [string, (s: string) => Buffer][] = [
      ['gbk', (s) => gbk(s)],
      ['utf16le', (s) => Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(s, 'utf16le')])],
      ['utf16be', utf16be],
      ['utf8bom', (s) => Buffer.from(`\ufeff${s}`, 'utf8')],
      ['utf8', (s) => Buffer.from(s, 'utf8')],
    ];
    const token = await platform.tokenFor('zjj.coordinator@example.gov.cn');
    for (const [k, [name, encode]] of files.entries()) {
      const base = 992_000 + k * 10;
      const file = join(dir, `检查对象-${name}.csv`);
      await writeFile(file, encode(text(base)));
      const out: string[] = [];
      const log = vi.spyOn(console, 'log').mockImplementation((...a) => void out.push(a.join(' ')));
      const err = vi.spyOn(console, 'error').mockImplementation((...a) => void out.push(a.join(' ')));
      try {
        await cli(['node', 'suiji', '--endpoint', platform.apiUrl, '--token', token, 'import', 'targets', file, '--dept', 'fp-zjj']);
      } finally {
        log.mockRestore();
        err.mockRestore();
      }
      expect(process.exitCode ?? 0, `${name}: ${out.join('\n')}`).toBe(0);
      const stored = await getTargets('fp-zjj', [makeUscc(base, { region: '130624' })]);
      expect(stored.map((t) => t.name), name).toEqual(['阜平县界限测试有限公司0']);
    }
    process.exitCode = 0;
  });

  it('a GBK file sent as text/csv (decoded as UTF-8 on the way) is refused with the reason', async () => {
    const file = gbk([TARGET_HEADER, ...rows(1, 993_000)].map((r) => r.join(',')).join('\r\n'));
    const r = await coord('POST', '/departments/fp-zjj/imports/targets?filename=t.csv', file, { 'content-type': 'text/csv' });
    expect(r.status).toBe(400);
    expect(r.json.message).toContain('application/octet-stream');
  });
});
