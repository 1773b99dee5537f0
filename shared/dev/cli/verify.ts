/**
 * `suiji verify <record.json>`: re-runs a published draw record (suiji-draw-v1 or v2) offline (no
 * database, no network) and prints `OK …` or the first difference. `suiji verify --chain
 * <files…>` checks one department's v2 records together (docs/DRAW.md §17). Also runnable
 * directly:  npx tsx shared/dev/cli/verify.ts [--chain] record.json…
 */
import { readFile } from 'node:fs/promises';
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { verifyRecord } from '../../draw/index.js';
import { verifyChain } from '../../draw/v2/verify.js';
import { selfCheck } from '../../draw/v2/selfcheck.js';
import { parseRecordFile } from '../../draw/v2/pooltext.js';
import type { DrawRecordV2 } from '../../draw/v2/record.js';

/** The parsed JSON of a record file, or the reason in words. */
async function readRecord(path: string): Promise<{ ok: true; value: unknown } | { ok: false; error: string }> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (e) {
    return { ok: false, error: `无法读取记录文件 ${path}（${(e as NodeJS.ErrnoException).code ?? (e as Error).message}）` };
  }
  try {
    // a v2 record's million pool entries are decoded from the bytes, not parsed as strings
    return { ok: true, value: parseRecordFile(bytes) };
  } catch (e) {
    return { ok: false, error: `记录文件 ${path} 不是有效的 JSON（${(e as Error).message}）` };
  }
}

/** `--chain`: exit code 0 when the department's records form a complete, linked chain. */
export async function runVerifyChain(paths: readonly string[], out: (line: string) => void = (l) => console.log(l)): Promise<number> {
  const values: unknown[] = [];
  for (const p of paths) {
    const r = await readRecord(p);
    if (!r.ok) {
      out(`验证失败：${r.error}`);
      return 1;
    }
    values.push(r.value);
  }
  let result;
  try {
    result = verifyChain(values);
  } catch (e) {
    out(`验证失败：${(e as Error).message}`);
    return 1;
  }
  out(result.ok ? result.summary : `验证失败：${result.error}`);
  return result.ok ? 0 : 1;
}

/**
 * `suiji selfcheck <record.json> <uscc> <check code>`: an enterprise finds its own commitment in a
 * published v2 record (docs/DRAW.md §16). Exit 0 when found, 1 otherwise.
 */
export async function runSelfCheck(path: string, uscc: string, code: string, out: (line: string) => void = (l) => console.log(l)): Promise<number> {
  const r = await readRecord(path);
  if (!r.ok) {
    out(`核验失败：${r.error}`);
    return 1;
  }
  const rec = r.value as Partial<DrawRecordV2>;
  if (rec?.algorithm !== 'suiji-draw-v2' || !rec.inputs || !rec.targets) {
    out('核验失败：只有 suiji-draw-v2 抽取记录可以自查（v1 记录直接公布统一社会信用代码）');
    return 1;
  }
  const c = selfCheck(rec as DrawRecordV2, uscc, code);
  if (c.found) {
    out(`已找到：${uscc.trim().toUpperCase()} 在本次抽取的对象池中（${c.stratum === 'key' ? '重点检查对象' : `${c.stratum} 类`}，承诺值 ${c.commitment}），${c.drawn ? '本次被抽中' : '本次未被抽中'}`);
    return 0;
  }
  out(c.error ? `核验失败：${c.error}` : `未找到：按该统一社会信用代码和核验码计算的承诺值不在本次抽取的对象池中（核验码有误，或该企业未列入本次抽查范围）`);
  return 1;
}

/** Returns the exit code: 0 when the record verifies, 1 otherwise. */
export async function runVerify(path: string, out: (line: string) => void = (l) => console.log(l)): Promise<number> {
  const read = await readRecord(path);
  if (!read.ok) {
    out(`验证失败：${read.error}`);
    return 1;
  }
  const value = read.value;
  let result;
  try {
    result = verifyRecord(value);
  } catch (e) {
    out(`验证失败：${(e as Error).message}`);
    return 1;
  }
  if (result.ok) {
    out(result.summary);
    return 0;
  }
  out(`验证失败：${result.error}`);
  return 1;
}

/** Defined in the launcher's bundle (suiji.mjs), where this module is not the program. */
declare const SUIJI_CLI_DIR: string | undefined;

function isMain(): boolean {
  const arg = process.argv[1];
  if (!arg || typeof SUIJI_CLI_DIR === 'string') return false;
  try {
    return realpathSync(arg) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isMain()) {
  const args = process.argv.slice(2);
  const chain = args[0] === '--chain';
  const files = chain ? args.slice(1) : args;
  if (files.length === 0 || (!chain && files.length > 1)) {
    console.error('用法：npx tsx shared/dev/cli/verify.ts <record.json>，或 --chain <record.json…>');
    process.exit(2);
  }
  process.exitCode = chain ? await runVerifyChain(files) : await runVerify(files[0]!);
}
