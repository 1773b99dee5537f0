import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { checkBeacon, indexCloseProof, LocalTestChain, QUICKNET, quicknetRoundAfter, roundTime, type BlsBeaconProof } from '../../../shared/draw/v2/beacon.js';

// Real quicknet rounds, recorded from public drand client fixtures (nothing reaches the network):
// round 1000 (with its published randomness) and round 10024141 (2024-08-05).
const R1000: BlsBeaconProof = {
  source: 'drand-quicknet',
  round: 1000,
  signature: 'b44679b9a59af2ec876b1a6b1ad52ea9b1615fc3982b19576350f93447cb1125e342b73a8dd2bacbe47e4b6b63ed5e39',
  randomness: 'fe290beca10872ef2fb164d2aa4442de4566183ec51c56ff3cd603d930e54fdd',
};
const R10024141: BlsBeaconProof = {
  source: 'drand-quicknet',
  round: 10024141,
  signature: '8c87caf26bb4f5e9fdfad5ddf739ff8683344f8cf04a8c381225ff067557b5d9d51937eed765fcef21971bf5ddef44bb',
  randomness: '08622adf60800b20ad45b39792a6fe32cb4bf428925550921b01ac3843e714e6',
};

describe('drand quicknet (recorded real rounds)', () => {
  it('verifies real rounds against the chain key, offline', () => {
    expect(checkBeacon({ ...QUICKNET, source: 'drand-quicknet', round: 1000 }, R1000)).toBeUndefined();
    expect(checkBeacon({ ...QUICKNET, source: 'drand-quicknet', round: 10024141 }, R10024141)).toBeUndefined();
  }, 30_000);

  it('refuses another round number, a changed signature, wrong randomness and another key', () => {
    const spec = { ...QUICKNET, source: 'drand-quicknet' as const, round: 1001 };
    expect(checkBeacon(spec, { ...R1000, round: 1001 })).toMatch(/BLS 签名验证失败/);
    expect(checkBeacon({ ...spec, round: 1000 }, R1000)).toBeUndefined();
    expect(checkBeacon({ ...spec, round: 1000 }, { ...R1000, round: 1001 })).toMatch(/轮次不一致/);
    const flipped = R1000.signature.slice(0, -1) + '8';
    const flippedRandomness = createHash('sha256').update(Buffer.from(flipped, 'hex')).digest('hex');
    expect(checkBeacon({ ...spec, round: 1000 }, { ...R1000, signature: flipped, randomness: flippedRandomness })).toMatch(/BLS 签名验证失败/);
    expect(checkBeacon({ ...spec, round: 1000 }, { ...R1000, randomness: '0' + R1000.randomness.slice(1) })).toMatch(/SHA-256/);
    const other = new LocalTestChain(LocalTestChain.newSecretKey(), QUICKNET.genesis);
    expect(checkBeacon({ ...spec, round: 1000, publicKey: other.publicKey }, R1000)).toMatch(/链参数/);
    expect(checkBeacon({ ...other.spec(1000) }, { ...R1000, source: 'suiji-local-test' })).toMatch(/BLS 签名验证失败/);
  }, 30_000);

  it('schedules the first round at least a minute after the close', () => {
    const spec = quicknetRoundAfter('2024-08-05T16:35:00Z');
    const t = roundTime(QUICKNET, spec.round);
    expect(t).toBeGreaterThanOrEqual(Date.parse('2024-08-05T16:36:00Z') / 1000);
    expect(t - 3).toBeLessThan(Date.parse('2024-08-05T16:36:00Z') / 1000);
    expect(roundTime(QUICKNET, 10024141)).toBe(1722875787);
  });
});

describe('local test chain (not drand)', () => {
  it('signs a round only once its time has come, and the proof verifies with the same code', () => {
    const chain = new LocalTestChain(LocalTestChain.newSecretKey(), 1_700_000_000);
    const spec = chain.specAfter('2026-12-01T02:00:00Z');
    expect(spec.source).toBe('suiji-local-test');
    const at = roundTime(chain, spec.round) * 1000;
    expect(() => chain.proof(spec.round, new Date(at - 1000))).toThrow(/尚未发布/);
    const proof = chain.proof(spec.round, new Date(at));
    expect(checkBeacon(spec, proof)).toBeUndefined();
    expect(checkBeacon(spec, { ...proof, round: spec.round + 1 })).toMatch(/轮次不一致/);
  }, 30_000);
});

describe('index closes', () => {
  const spec = { source: 'index-close' as const, date: '2026-12-07' };
  it('needs two different people whose entries agree', () => {
    const p = indexCloseProof(spec, { by: '张三', closes: ['3234.56', '10123.45'] }, { by: '李四', closes: ['3234.56', '10123.45'] });
    expect(checkBeacon(spec, p)).toBeUndefined();
    expect(p.values.map((v) => v.close)).toEqual(['3234.56', '10123.45']);
    expect(() => indexCloseProof(spec, { by: '张三', closes: ['3234.56', '10123.45'] }, { by: '张三', closes: ['3234.56', '10123.45'] })).toThrow(/两名不同人员/);
    expect(() => indexCloseProof(spec, { by: '张三', closes: ['3234.56', '10123.45'] }, { by: '李四', closes: ['3234.65', '10123.45'] })).toThrow(/上证指数收盘点位两次录入不一致/);
    expect(() => indexCloseProof(spec, { by: '张三', closes: ['3234.5', '10123.45'] }, { by: '李四', closes: ['3234.5', '10123.45'] })).toThrow(/两位小数/);
    expect(checkBeacon(spec, { ...p, values: [p.values[0]!, { ...p.values[1]!, close: '10123.46' }] })).toMatch(/随机值/);
    expect(checkBeacon(spec, { ...p, enteredBy: ['张三', '张三'] })).toMatch(/两名不同人员/);
  });
});
