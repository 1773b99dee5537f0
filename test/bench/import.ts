/**
 * Import benchmark: `npm run bench -- import [n] [--sweep]` (n defaults to 100,000).
 *
 * Generates a deterministic n-target CSV (valid USCCs from makeUscc), starts DynamoDB Local with
 * the table of the synthesized template, warms it up the way the local platform is warm when a
 * user imports (a 20,000-target import into another department, like the sample district loaded
 * on first run; its figure is printed too; --cold skips it), and measures:
 *   1. the first import (all created): parse+validate ms, write ms, total ms, rows/s;
 *   2. the same file again (all unchanged, nothing written);
 *   3. the same file with one changed row (one update);
 *   4. the same file with four mistakes: rejected, full report, table untouched.
 * --sweep additionally measures raw BatchWrite throughput at several concurrency levels;
 * --xlsx measures reading and validating the same rows from an XLSX file (no writes).
 * Target: the first import under 60 s.
 */
import { randomUUID } from 'node:crypto';
import ExcelJS from 'exceljs';
import { availableParallelism, cpus } from 'node:os';
import { startTestStack } from '../helpers/local-aws.js';
import { batchWrite, type Item } from '../../shared/store/base.js';
import { K, poolShard } from '../../shared/store/keys.js';
import { readPool } from '../../shared/store/registry.js';
import { renderErrorReport, runImport, type ImportOutcome } from '../../shared/import/run.js';
import { parseImport } from '../../shared/import/parse.js';
import { TARGET_HEADER, targetsCsv } from '../import/generate.js';

const args = process.argv.slice(2);
const n = Number(args.find((a) => /^\d+$/.test(a)) ?? 100_000);
const sweep = args.includes('--sweep');
const xlsx = args.includes('--xlsx');
const cold = args.includes('--cold');
const WARMUP_ROWS = 20_000;
const DEPT = 'bench';
const BUDGET_MS = 60_000;

const fmt = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;
const rate = (rows: number, ms: number): string => `${Math.round((rows / ms) * 1000).toLocaleString('en-US')} rows/s`;

function line(label: string, r: ImportOutcome): void {
  const counts = r.ok ? `created ${r.created}, updated ${r.updated}, unchanged ${r.unchanged}` : `rejected with ${r.errors.length} errors`;
  console.log(
    `${label.padEnd(26)} parse+validate ${fmt(r.parseMs).padStart(8)}   write ${fmt(r.writeMs).padStart(8)}   total ${fmt(r.ms).padStart(8)}   ${rate(r.total, r.ms).padStart(16)}   ${counts}`,
  );
}

console.log(`import benchmark: ${n.toLocaleString('en-US')} targets, node ${process.version}, ${availableParallelism()} cpus (${cpus()[0]?.model ?? '?'})`);
let t = performance.now();
const body = targetsCsv(n, 2026);
console.log(`generated CSV: ${(body.length / 1024 / 1024).toFixed(1)} MB in ${fmt(performance.now() - t)}`);

t = performance.now();
const stack = await startTestStack();
console.log(`DynamoDB Local with the template's table ${stack.tableName}: ready in ${fmt(performance.now() - t)}`);

try {
  if (!cold) {
    // A freshly started JVM runs DynamoDB Local interpreted for its first tens of thousands of
    // requests (measured: ~1,600 items/s cold, ~2,500 warm on this machine).
    const warm = await runImport({ dept: 'sample-district', kind: 'targets', format: 'csv', body: targetsCsv(WARMUP_ROWS, 7) });
    line('0. warm-up (other dept)', warm);
  }
  const first = await runImport({ dept: DEPT, kind: 'targets', format: 'csv', body, filename: 'bench.csv' });
  line('1. first import', first);
  if (!first.ok) throw new Error(renderErrorReport(first.errors.slice(0, 20), 'text'));

  const again = await runImport({ dept: DEPT, kind: 'targets', format: 'csv', body });
  line('2. same file again', again);

  const risk = TARGET_HEADER.indexOf('信用风险分类');
  const oneChanged = targetsCsv(n, 2026, (i, row) => {
    if (i === Math.floor(n / 2)) row[risk] = row[risk] === 'D' ? 'C' : 'D';
  });
  const changed = await runImport({ dept: DEPT, kind: 'targets', format: 'csv', body: oneChanged });
  line('3. one row changed', changed);

  // Four mistakes in an otherwise valid file (rows as a spreadsheet numbers them: header = 1).
  let dupOf = '';
  const withMistakes = targetsCsv(n, 2026, (i, row) => {
    if (i === 10) row[0] = row[0]!.slice(0, 17) + (row[0]!.endsWith('0') ? '1' : '0'); // check digit
    if (i === 20) row[risk] = 'E'; // unknown risk class
    if (i === 30) dupOf = row[0]!;
    if (i === n - 1) row[0] = dupOf; // duplicate of row 32
    if (i === 40) row[TARGET_HEADER.indexOf('名称')] = ''; // required cell empty
  });
  const before = (await readPool<{ uscc: string; hash: string }>(DEPT, ['uscc', 'hash'])).map((r) => `${r.uscc}:${r.hash}`).sort();
  const rejected = await runImport({ dept: DEPT, kind: 'targets', format: 'csv', body: withMistakes });
  line('4. file with mistakes', rejected);
  const after = (await readPool<{ uscc: string; hash: string }>(DEPT, ['uscc', 'hash'])).map((r) => `${r.uscc}:${r.hash}`).sort();
  if (!rejected.ok) {
    console.log(`   ${rejected.summary}`);
    for (const l of renderErrorReport(rejected.errors, 'text').split('\n')) console.log(`   ${l}`);
  }
  const untouched = before.length === after.length && before.every((v, i) => v === after[i]);
  console.log(`   pool after the rejected import: ${after.length} targets, identical to before: ${untouched ? 'yes' : 'NO'}`);

  console.log('');
  console.log(
    `RESULT first import of ${n.toLocaleString('en-US')} targets: ${fmt(first.ms)} (${rate(n, first.ms)}); ` +
      `re-import ${fmt(again.ms)}; budget ${fmt(BUDGET_MS)}: ${first.ms < BUDGET_MS ? 'PASS' : 'FAIL'}`,
  );

  if (sweep) {
    console.log('\nBatchWrite concurrency sweep (20,000 target-sized items into a fresh department each):');
    const sample = 20_000;
    for (const c of [2, 4, 6, 8, 12, 16]) {
      const dept = `sweep-${c}-${randomUUID().slice(0, 8)}`;
      const items: Item[] = [];
      for (let i = 0; i < sample; i++) {
        const uscc = `SWEEP${String(i).padStart(13, '0')}`;
        items.push({
          ...K.target(dept, uscc),
          gsi1pk: K.poolPk(dept, poolShard(uscc)),
          gsi1sk: K.poolSk('阜平镇', uscc),
          entity: 'target',
          uscc,
          name: `阜平县示例建筑业有限公司${i}`,
          kind: 'enterprise',
          department: dept,
          jurisdiction: '阜平镇',
          industry: '建筑业',
          tags: ['施工总承包'],
          riskClass: 'A',
          isKey: false,
          status: 'active',
          contact: { person: `联系人${i}`, phone: '13800000000', address: `河北省保定市阜平县阜平镇示例路 ${i} 号` },
          lastInspections: [],
          hash: 'x'.repeat(22),
        });
      }
      const s = performance.now();
      await batchWrite(items, [], c);
      const ms = performance.now() - s;
      console.log(`  concurrency ${String(c).padStart(2)}: ${fmt(ms).padStart(8)}  ${rate(sample, ms)}`);
    }
  }
  if (xlsx) {
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('检查对象');
    for (const l of body.toString('utf8').slice(1).trimEnd().split('\r\n')) ws.addRow(l.split(','));
    const file = Buffer.from((await wb.xlsx.writeBuffer()) as ArrayBuffer);
    const s = performance.now();
    const r = await parseImport('targets', file, { dept: DEPT });
    const ms = performance.now() - s;
    console.log(`\nXLSX (${(file.length / 1024 / 1024).toFixed(1)} MB): read+validate ${fmt(ms)} (${rate(n, ms)}), ok: ${r.ok}`);
  }
  if (!first.ok || first.ms >= BUDGET_MS || !untouched || again.ok === false || (again.ok && again.unchanged !== n)) process.exitCode = 1;
} finally {
  await stack.stop();
}
