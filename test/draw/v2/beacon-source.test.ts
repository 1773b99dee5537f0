/**
 * Reading quicknet rounds from drand HTTP relays (shared/lifecycle/beacons.ts), against local
 * servers replaying recorded real rounds: a relay's answer is used only if it verifies against
 * the chain's key; a relay that lies or fails is skipped; no round before its time.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QUICKNET, type BlsBeaconSpec } from '../../../shared/draw/v2/index.js';
import { availableProofs, awaitBeacons } from '../../../shared/lifecycle/beacons.js';

// Real quicknet round 1000, recorded from public drand client fixtures (as in beacon.test.ts).
const R1000 = {
  round: 1000,
  signature: 'b44679b9a59af2ec876b1a6b1ad52ea9b1615fc3982b19576350f93447cb1125e342b73a8dd2bacbe47e4b6b63ed5e39',
  randomness: 'fe290beca10872ef2fb164d2aa4442de4566183ec51c56ff3cd603d930e54fdd',
};
const spec = (round: number): BlsBeaconSpec => ({ ...QUICKNET, source: 'drand-quicknet', round });

const servers: Server[] = [];
const asked: string[] = [];
async function relay(answer: (path: string) => { status: number; body?: unknown }): Promise<string> {
  const s = createServer((req, res) => {
    asked.push(req.url ?? '');
    const a = answer(req.url ?? '');
    res.writeHead(a.status, { 'content-type': 'application/json' }).end(a.body === undefined ? '' : JSON.stringify(a.body));
  });
  servers.push(s);
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(s.address() as AddressInfo).port}`;
}

beforeAll(async () => {
  const liar = await relay(() => ({ status: 200, body: { ...R1000, signature: R1000.signature.replace(/^b4/, 'b5') } }));
  const down = await relay(() => ({ status: 503 }));
  const honest = await relay((p) => (p === `/${QUICKNET.chainHash}/public/1000` ? { status: 200, body: R1000 } : { status: 404 }));
  process.env.SUIJI_DRAND_URLS = [liar, down, honest].join(',');
});

afterAll(() => {
  delete process.env.SUIJI_DRAND_URLS;
  for (const s of servers) s.close();
});

describe('quicknet rounds from the drand relays', () => {
  it('takes the first answer that verifies, skipping a forged signature and a failing relay', async () => {
    const r = await availableProofs([spec(1000)]);
    expect(r).toEqual({ complete: true, proofs: [{ source: 'drand-quicknet', ...R1000 }] });
    expect(asked.filter((p) => p.endsWith('/public/1000'))).toHaveLength(3);
  }, 30_000);

  it('asks for no round before its time, and gives up after the wait budget', async () => {
    const future = spec(10 ** 9); // published in the 2120s
    asked.length = 0;
    expect(await availableProofs([future])).toEqual({ complete: false, proofs: [] });
    expect(asked).toEqual([]);
    const t = Date.now();
    expect(await awaitBeacons([future], 600)).toBeUndefined();
    expect(Date.now() - t).toBeLessThan(5_000);
  });
});
