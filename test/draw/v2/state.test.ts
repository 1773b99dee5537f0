/**
 * The binary frozen state of a v2 round (shared/draw/v2/state.ts, docs/DRAW.md §16, §19): what
 * FreezePool stores and RunDraw loads by digest. A draw from it must give the record the fresh
 * freeze gives (Python vectors byte for byte); a state edited between freeze and draw must be
 * refused wherever the edit could change the draw, and cannot change it elsewhere.
 */
import { describe, expect, it } from 'vitest';
import {
  closeRegistration,
  decodeFrozenV2,
  encodeFrozenV2,
  encodeFrozenV2Parts,
  decodedOf,
  indexOfUscc,
  loadFrozenStateV2,
  openingLine,
  openingLines,
  parsePublicEligibility,
  runDrawV2,
  serializeRecordV2,
  type FrozenDrawV2,
} from '../../../shared/draw/v2/index.js';
import { commitSecret } from '../../../shared/draw/index.js';
import { freezeFixtureV2, loadFixtureV2, proofsOf, pythonRecordV2 } from '../fixtures.js';

type Fixture = ReturnType<typeof loadFixtureV2>;

function drawOf(fx: Fixture, frozen: FrozenDrawV2): string {
  const closed = closeRegistration(frozen, fx.closedAt, fx.witnesses.map((w) => ({ id: w.id, name: w.name, role: w.role, commitment: commitSecret(w.secret) })));
  return serializeRecordV2(runDrawV2(frozen, closed, { witnesses: fx.witnesses.map((w) => ({ id: w.id, secret: w.secret })), system: fx.system, beacons: proofsOf(fx) }));
}

const flip = (b: Buffer, i: number) => void (b[i] = b[i]! ^ 1);
const load = (bytes: Uint8Array) => loadFrozenStateV2(decodeFrozenV2(bytes));

describe('the binary frozen state', () => {
  it.each(['a', 'b'] as const)('RunDraw over the stored state of vector %s reproduces the Python record byte for byte', (x) => {
    const fx = loadFixtureV2(x);
    const bytes = encodeFrozenV2(freezeFixtureV2(fx), { systemSecretHex: fx.system });
    // unaligned, as a buffer read from a stream may be
    const shifted = Buffer.alloc(bytes.length + 3).fill(7);
    bytes.copy(shifted, 3);
    expect(decodeFrozenV2<{ systemSecretHex: string } & ReturnType<typeof decodeFrozenV2>['header']>(shifted.subarray(3)).header.systemSecretHex).toBe(fx.system);
    expect(drawOf(fx, load(shifted.subarray(3)))).toBe(pythonRecordV2(x));
  });

  it('keeps every opening (USCC order, as the freeze holds them) and finds one by USCC', () => {
    const fx = loadFixtureV2('a');
    const frozen = freezeFixtureV2(fx);
    const d = decodeFrozenV2(encodeFrozenV2(frozen));
    const pool = { ...d.pool, ...parsePublicEligibility(d.header.eligibility) };
    const lines = openingLines({ pool, salts: d.salts });
    expect(lines).toEqual(openingLines(frozen));
    expect([...lines].sort()).toEqual(lines);
    expect(Array.from(d.order)).toEqual(Array.from(frozen.order));
    // vector a's public order is not the USCC order: the ceremony reads through it
    expect(Array.from(d.order)).not.toEqual(Array.from(d.order).sort((x, y) => x - y));
    for (const j of [0, 5, d.n - 1]) {
      const u = lines[j]!.slice(0, 18);
      expect(indexOfUscc(d, u)).toBe(j);
      expect(openingLine(pool, d.salts, j)).toBe(lines[j]);
    }
    expect(indexOfUscc(d, '9'.repeat(18))).toBe(-1);
    expect(indexOfUscc(d, '0'.repeat(18))).toBe(-1);
  });

  it('is the freeze’s arrays as they are (views, nothing copied), and loads in place from shared memory', () => {
    const fx = loadFixtureV2('b');
    const frozen = freezeFixtureV2(fx);
    const { parts, length } = encodeFrozenV2Parts(frozen, { systemSecretHex: fx.system });
    expect(parts.some((b) => b.buffer === frozen.sorted.buffer)).toBe(true);
    expect(parts.some((b) => b.buffer === frozen.salts.buffer)).toBe(true);
    const shared = encodeFrozenV2(frozen, { systemSecretHex: fx.system }, { shared: true });
    expect(shared.length).toBe(length);
    expect(shared.equals(Buffer.concat(parts))).toBe(true);
    const d = decodeFrozenV2(shared);
    const loaded = loadFrozenStateV2(d);
    expect(loaded.sorted.buffer).toBe(shared.buffer);
    expect(drawOf(fx, loaded)).toBe(pythonRecordV2('b'));
    // nothing was changed in place: it loads again, to the same record
    expect(drawOf(fx, loadFrozenStateV2(d))).toBe(pythonRecordV2('b'));
    // the decoded state of the frozen draw in memory is the decoded stored one
    const mem = decodedOf(frozen, { systemSecretHex: fx.system });
    const { exclusions, ...stored } = d.header as typeof d.header & { exclusions: number };
    expect(exclusions).toBe(frozen.pool.exclIdx.length);
    expect(mem.header).toEqual(stored);
    expect(drawOf(fx, loadFrozenStateV2(mem))).toBe(pythonRecordV2('b'));
  });

  it('refuses the earlier binary formats (SUIJIFZ2, SUIJIFZ3)', () => {
    for (const magic of ['SUIJIFZ2', 'SUIJIFZ3']) {
      const b = encodeFrozenV2(freezeFixtureV2(loadFixtureV2('a')));
      b.write(magic, 0, 'latin1');
      expect(() => decodeFrozenV2(b)).toThrow(/earlier binary format.*freeze the round again/);
    }
  });

  describe('an insider who edits the stored state between freeze and draw', () => {
    const fx = loadFixtureV2('a');
    const frozen = freezeFixtureV2(fx);
    const honest = drawOf(fx, frozen);
    const drawn = new Set((JSON.parse(honest) as { targets: { uscc: string }[] }).targets.map((t) => t.uscc));
    const edit = (f: (b: Buffer, d: ReturnType<typeof decodeFrozenV2>) => void) => {
      const b = encodeFrozenV2(frozen);
      f(b, decodeFrozenV2(b));
      return b;
    };
    const at = (b: Buffer, v: Uint8Array) => v.byteOffset - b.byteOffset;
    const firstWhere = (d: ReturnType<typeof decodeFrozenV2>, isDrawn: boolean) => {
      for (let j = 0; j < d.n; j++) if (drawn.has(Buffer.from(d.pool.usccBytes.subarray(j * 18, j * 18 + 18)).toString('latin1')) === isDrawn) return j;
      throw new Error('none');
    };

    it('cannot change a commitment (poolDigest), the freeze record (freezeDigest) or the eligibility (eligibilityDigest)', () => {
      expect(() => load(edit((b, d) => flip(b, at(b, new Uint8Array(d.commitments.buffer, d.commitments.byteOffset)) + 40)))).toThrow(/do not match poolDigest/);
      const changed = (g: (h: Record<string, unknown>) => void) => {
        const d = decodeFrozenV2(encodeFrozenV2(frozen));
        const h = JSON.parse(JSON.stringify(d.header)) as Record<string, unknown>;
        g(h);
        return loadFrozenStateV2({ ...d, header: h as unknown as typeof d.header });
      };
      expect(() => changed((h) => ((h['freeze'] as { drawTime: string }).drawTime = '2099-01-01T00:00:00Z'))).toThrow(/does not match freezeDigest/);
      expect(() => changed((h) => (h['eligibility'] as string[]).reverse())).toThrow(/do not match eligibilityDigest/);
      expect(() => load(edit((b) => b.writeUInt32LE(b.readUInt32LE(12) + 1, 12)))).toThrow(/bytes/);
    });

    it('is refused when the edit touches a drawn entry (salt, stratum, area)', () => {
      const salt = edit((b, d) => flip(b, at(b, d.salts) + firstWhere(d, true) * 16));
      expect(() => drawOf(fx, load(salt))).toThrow(/does not open its commitment/);
      const stratum = edit((b, d) => {
        const j = firstWhere(d, true);
        b[at(b, d.pool.strata) + j] = (d.pool.strata[j]! + 1) % 5;
      });
      expect(() => drawOf(fx, load(stratum))).toThrow(/is in stratum/);
      const area = edit((b, d) => {
        const j = firstWhere(d, true);
        new Uint32Array(b.buffer, b.byteOffset + at(b, new Uint8Array(d.pool.area.buffer, d.pool.area.byteOffset)), d.n)[j] = 0 === d.pool.area[j] ? 1 : 0;
      });
      expect(() => drawOf(fx, load(area))).toThrow(/does not open its commitment/);
    });

    it('is refused when the public order is edited to open a drawn position with another candidate', () => {
      const d0 = decodeFrozenV2(encodeFrozenV2(frozen));
      const drawnAt = (d: ReturnType<typeof decodeFrozenV2>) => {
        for (let j = 0; j < d.n; j++) if (drawn.has(Buffer.from(d.pool.usccBytes.subarray(d.order[j]! * 18, d.order[j]! * 18 + 18)).toString('latin1'))) return j;
        throw new Error('none');
      };
      const j = drawnAt(d0);
      // swap the candidates of a drawn position and the next one of its stratum (same stratum: only the commitment check can tell)
      const k = j + 1 < d0.n && d0.pool.strata[d0.order[j + 1]!] === d0.pool.strata[d0.order[j]!] ? j + 1 : j - 1;
      const swapped = edit((b, d) => {
        const o = new Uint32Array(b.buffer, b.byteOffset + at(b, new Uint8Array(d.order.buffer, d.order.byteOffset)), d.n);
        [o[j], o[k]] = [o[k]!, o[j]!];
      });
      expect(() => drawOf(fx, load(swapped))).toThrow(/does not open its commitment/);
      const beyond = edit((b, d) => {
        new Uint32Array(b.buffer, b.byteOffset + at(b, new Uint8Array(d.order.buffer, d.order.byteOffset)), d.n)[0] = d.n;
      });
      expect(() => load(beyond)).toThrow(/names a candidate beyond/);
    });

    it('cannot change the draw by editing an entry that is not drawn', () => {
      const salt = edit((b, d) => flip(b, at(b, d.salts) + firstWhere(d, false) * 16));
      expect(drawOf(fx, load(salt))).toBe(honest);
    });
  });
});
