/**
 * `suiji verify <record.json>`: re-runs a published draw record offline (no database, no
 * network) and prints `OK …` or the first difference. Also runnable directly:
 *   npx tsx shared/dev/cli/verify.ts record.json
 */
import { readFile } from 'node:fs/promises';
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { verifyRecord } from '../../draw/index.js';

/** Returns the exit code: 0 when the record verifies, 1 otherwise. */
export async function runVerify(path: string, out: (line: string) => void = (l) => console.log(l)): Promise<number> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    out(`验证失败：无法读取记录文件 ${path}（${(e as NodeJS.ErrnoException).code ?? (e as Error).message}）`);
    return 1;
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    out(`验证失败：记录文件 ${path} 不是有效的 JSON（${(e as Error).message}）`);
    return 1;
  }
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

function isMain(): boolean {
  const arg = process.argv[1];
  if (!arg) return false;
  try {
    return realpathSync(arg) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isMain()) {
  const file = process.argv[2];
  if (!file) {
    console.error('用法：npx tsx shared/dev/cli/verify.ts <record.json>');
    process.exit(2);
  }
  process.exitCode = await runVerify(file);
}
