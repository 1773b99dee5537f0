/**
 * The `suiji` launcher (shared/dev/cli/suiji.mjs) runs the CLI from a cached esbuild bundle, not
 * through tsx: built on first use, reused while every input is unchanged, rebuilt when one changed,
 * and the same output as the TypeScript source run through tsx (also where no bundle can be written).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const LAUNCHER = fileURLToPath(new URL('../../shared/dev/cli/suiji.mjs', import.meta.url));
const RECORD = fileURLToPath(new URL('../draw/vectors/v2-record-a.json', import.meta.url));
const cache = mkdtempSync(join(tmpdir(), 'suiji-cli-'));
const bundle = join(cache, 'main.mjs'), manifest = join(cache, 'main.inputs.json');
afterAll(() => rmSync(cache, { recursive: true, force: true }));

const suiji = (env: Record<string, string>, ...args: string[]) =>
  spawnSync(process.execPath, [LAUNCHER, ...args], { env: { ...process.env, SUIJI_CLI_CACHE: cache, ...env }, encoding: 'utf8', timeout: 60_000 });

describe('suiji launcher', () => {
  it('builds the bundle once, reuses it, rebuilds it when an input changed, and prints what tsx prints', () => {
    const first = suiji({}, 'verify', RECORD);
    expect(first.stderr).toBe('');
    expect(first.stdout).toMatch(/^OK suiji-draw-v2 /);
    expect(first.status).toBe(0);
    const built = statSync(bundle).mtimeMs;
    const inputs = JSON.parse(readFileSync(manifest, 'utf8')).inputs as [string, number, number][];
    expect(inputs.map((x) => x[0])).toEqual(expect.arrayContaining(['shared/dev/cli/main.ts', 'shared/draw/v2/verify.ts', 'shared/dev/cli/suiji.mjs']));

    // unchanged inputs: the same bundle runs
    expect(suiji({}, 'verify', RECORD).stdout).toBe(first.stdout);
    expect(statSync(bundle).mtimeMs).toBe(built);

    // an input whose size no longer matches (as after an edit): rebuilt, the manifest true again
    const m = JSON.parse(readFileSync(manifest, 'utf8'));
    m.inputs.find((x: [string]) => x[0] === 'shared/draw/v2/verify.ts')[1] += 1;
    writeFileSync(manifest, JSON.stringify(m));
    expect(suiji({}, 'verify', RECORD).stdout).toBe(first.stdout);
    expect(statSync(bundle).mtimeMs).toBeGreaterThan(built);
    expect(JSON.parse(readFileSync(manifest, 'utf8')).inputs).toEqual(inputs);

    // a failing record fails the same way from the bundle and from tsx
    const bad = join(cache, 'bad.json');
    writeFileSync(bad, readFileSync(RECORD, 'utf8').replace(/"seed": "[0-9a-f]/, (s) => s.slice(0, -1) + (s.endsWith('0') ? '1' : '0')));
    const fromBundle = suiji({}, 'verify', bad), fromTsx = suiji({ SUIJI_CLI_TSX: '1' }, 'verify', bad);
    expect(fromBundle.status).toBe(1);
    expect(fromBundle.stdout).toMatch(/^验证失败：种子 seed 不一致/);
    expect(fromTsx.status).toBe(1);
    expect(fromTsx.stdout).toBe(fromBundle.stdout);

    // a cache folder that cannot be made: the source runs through tsx, the same answer
    const noCache = suiji({ SUIJI_CLI_CACHE: '/dev/null/suiji' }, 'verify', RECORD);
    expect(noCache.status).toBe(0);
    expect(noCache.stdout).toBe(first.stdout);
  }, 120_000);
});
