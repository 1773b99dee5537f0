/**
 * `npm run bench -- pool-read`: what the freeze pays to read a task's scope. Loads the sample
 * district (20,000 targets) into DynamoDB Local (table from the synthesized template) and reads
 * the whole department pool through the sharded pool index — 16 shards queried in parallel,
 * projected to the attributes the draw needs — as the FreezePool Lambda does.
 */
import { startTestStack } from '../helpers/local-aws.js';
import { loadSampleDistrict } from '../../shared/sample/load.js';
import { SAMPLE_MAIN_DEPT, SAMPLE_TOWNS } from '../../shared/sample/district.js';
import { readPool } from '../../shared/store/registry.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
const PROJECTION = ['uscc', 'jurisdiction', 'industry', 'tags', 'riskClass', 'isKey', 'status', 'kind', 'lastInspections'];
const stack = await startTestStack();
try {
  const loaded = await loadSampleDistrict();
  console.log(`sample district loaded: ${loaded.targets.created} targets in ${(loaded.ms.total / 1000).toFixed(1)} s`);
  for (const concurrency of [1, 4, 8, 16]) {
    await readPool(SAMPLE_MAIN_DEPT, PROJECTION, { concurrency }); // warm
    const t0 = performance.now();
    const rows = await readPool(SAMPLE_MAIN_DEPT, PROJECTION, { concurrency });
    const ms = performance.now() - t0;
    const bytes = Buffer.byteLength(JSON.stringify(rows));
    console.log(`whole pool, ${concurrency} parallel queries: ${rows.length} targets in ${ms.toFixed(0)} ms (${Math.round(rows.length / (ms / 1000))} targets/s, ${(bytes / 1e6).toFixed(1)} MB projected)`);
  }
  const towns = SAMPLE_TOWNS.slice(0, 3).map((t) => t.name);
  const t0 = performance.now();
  const some = await readPool(SAMPLE_MAIN_DEPT, PROJECTION, { jurisdictions: towns, concurrency: 8 });
  console.log(`scope of 3 towns (key-condition prefix per shard): ${some.length} targets in ${(performance.now() - t0).toFixed(0)} ms`);
} finally {
  await stack.stop();
}
process.exit(0);
