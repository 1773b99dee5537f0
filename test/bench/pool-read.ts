/**
 * `npm run bench -- pool-read`: what the freeze pays to read a task's scope. Loads the sample
 * district into DynamoDB Local (table from the synthesized template) and reads the main
 * department's whole pool through the sharded pool index (16 shards queried in parallel,
 * projected to the attributes the draw needs):
 *   1. as items (readPool), at 1, 4, 8 and 16 parallel queries;
 *   2. as the FreezePool Lambda does: each page filtered and packed as it arrives
 *      (forEachPoolPage + drawPoolBuilder), then frozen;
 * and prints throughput and what that means for a 10⁶ scope.
 */
import { startTestStack } from '../helpers/local-aws.js';
import { loadSampleDistrict } from '../../shared/dev/sample/load.js';
import { SAMPLE_MAIN_DEPT, SAMPLE_TOWNS } from '../../shared/dev/sample/district.js';
import { forEachPoolPage, listInspectionItems, listInspectors, readPool } from '../../shared/store/registry.js';
import { commitSecret, drawPoolBuilder, freezeDraw, newSystemSecret } from '../../shared/draw/index.js';
import type { Target } from '../../shared/domain/schemas.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
const PROJECTION = ['uscc', 'jurisdiction', 'industry', 'tags', 'riskClass', 'isKey', 'status', 'kind', 'lastInspections'];
const mb = (b: number) => `${(b / 2 ** 20).toFixed(1)} MB`;

const stack = await startTestStack();
try {
  const loaded = await loadSampleDistrict();
  console.log(`sample district loaded: ${loaded.targets.created + loaded.targets.unchanged + loaded.targets.updated} targets in ${(loaded.ms.total / 1000).toFixed(1)} s`);

  let perSecond = 0;
  let bytesPerItem = 0;
  for (const concurrency of [1, 4, 8, 16]) {
    await readPool(SAMPLE_MAIN_DEPT, PROJECTION, { concurrency }); // warm
    const t0 = performance.now();
    const rows = await readPool(SAMPLE_MAIN_DEPT, PROJECTION, { concurrency });
    const ms = performance.now() - t0;
    const count = rows.length;
    const wire = Buffer.byteLength(JSON.stringify(rows));
    perSecond = Math.max(perSecond, count / (ms / 1000));
    bytesPerItem = wire / count;
    console.log(`items, ${String(concurrency).padStart(2)} parallel queries: ${count} in ${ms.toFixed(0)} ms (${Math.round(count / (ms / 1000))}/s; ${(wire / 1e6).toFixed(1)} MB as JSON)`);
  }

  const inspectors = await listInspectors(SAMPLE_MAIN_DEPT);
  const items = await listInspectionItems(SAMPLE_MAIN_DEPT);
  const t0 = performance.now();
  const builder = drawPoolBuilder({
    packed: true,
    inspectors,
    task: {
      scope: {},
      items: items.slice(0, 2),
      window: { start: '2026-04-01', end: '2026-06-30' },
      departments: [SAMPLE_MAIN_DEPT],
      drawDate: '2026-03-20',
      cooldownDays: 0,
      ratiosBp: { A: 300, B: 300, C: 300, D: 300 },
      keyAtFull: true,
    },
  });
  const read = await forEachPoolPage<Target>(SAMPLE_MAIN_DEPT, PROJECTION, { concurrency: 8 }, (page) => {
    for (const t of page) builder.add(t);
  });
  const built = builder.finish();
  const tRead = performance.now() - t0;
  const packed = built.pool.candidates;
  const packedHeld = packed.length * 20; // 5 words per record (plus the few exclusion lists)
  const system = newSystemSecret();
  const t1 = performance.now();
  const frozen = freezeDraw({
    taskId: 'bench-pool-read',
    pool: built.pool,
    ratiosBp: built.ratiosBp,
    minTeamSize: 2,
    jointUnits: built.jointUnits,
    frozenAt: '2026-03-20T01:00:00Z',
    drawTime: '2026-03-20T01:00:00Z',
    witnesses: [{ id: 'w1', commitment: commitSecret('bench') }],
    systemCommitment: system.commitment,
  });
  const tFreeze = performance.now() - t1;
  console.log(
    `paged and packed (8 parallel): ${read} read → ${frozen.freeze.candidates} candidates in ${tRead.toFixed(0)} ms; freeze ${tFreeze.toFixed(0)} ms; kept ${mb(packedHeld)} of records`,
  );

  const towns = SAMPLE_TOWNS.slice(0, 3).map((t) => t.name);
  const t2 = performance.now();
  const some = await readPool(SAMPLE_MAIN_DEPT, PROJECTION, { jurisdictions: towns, concurrency: 8 });
  console.log(`scope of 3 towns (key-condition prefix per shard): ${some.length} targets in ${(performance.now() - t2).toFixed(0)} ms`);

  const M = 1_000_000;
  console.log(
    `\n10⁶ scope at this rate: read ≈ ${(M / perSecond).toFixed(0)} s on DynamoDB Local (Lambda limit 900 s); ` +
      `${mb(M * bytesPerItem)} of projected items (as JSON) pass through page by page; the packed records kept ≈ ${mb(M * 20)}`,
  );
} finally {
  await stack.stop();
}
process.exit(0);
