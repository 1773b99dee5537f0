/**
 * Fault injection for `npm run bench -- chaos` (local platform only, SUIJI_CHAOS=1): signals
 * to the platform process take one of its parts away for a while and bring it back on the same
 * port and data — SIGUSR1: DynamoDB Local is killed (SIGKILL of its JVM) and restarted after
 * SUIJI_CHAOS_DYNAMO_DOWN_S seconds (default 10); SIGUSR2: the SES emulator stops for
 * SUIJI_CHAOS_SES_DOWN_S seconds (default 60). The platform keeps its clients: requests fail
 * while the part is down, exactly as when the service is unreachable.
 */
import { join } from 'node:path';
import type { Platform } from './platform.js';
import { startDynamo } from './dynamo.js';
import { startLocalSes } from './ses.js';

const seconds = (v: string | undefined, d: number): number => (v ? Number(v) : d) * 1000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function installChaos(platform: Platform, log: (l: string) => void): void {
  let busy = false;
  const once = (what: string, run: () => Promise<void>) => () => {
    if (busy) return log(`chaos: ${what} ignored (a fault is in progress)`);
    busy = true;
    run()
      .then(() => log(`chaos: ${what} over`))
      .catch((e) => log(`chaos: ${what} failed: ${String(e)}`))
      .finally(() => (busy = false));
  };
  process.on(
    'SIGUSR1',
    once('DynamoDB Local down', async () => {
      const port = platform.dynamo.port;
      log('chaos: killing DynamoDB Local');
      await platform.dynamo.stop();
      await sleep(seconds(process.env.SUIJI_CHAOS_DYNAMO_DOWN_S, 10));
      platform.dynamo = await startDynamo({ port, dataDir: join(platform.dataDir, 'dynamodb') });
      log('chaos: DynamoDB Local restarted');
    }),
  );
  process.on(
    'SIGUSR2',
    once('SES emulator down', async () => {
      const port = platform.ses.port;
      log('chaos: stopping the SES emulator');
      await platform.ses.stop();
      await sleep(seconds(process.env.SUIJI_CHAOS_SES_DOWN_S, 60));
      platform.ses = await startLocalSes({ port, persistFile: join(platform.dataDir, 'inbox.jsonl') });
      log('chaos: SES emulator restarted');
    }),
  );
}
