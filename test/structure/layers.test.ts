/**
 * Layering rules that keep the deployed runtime apart from tooling: the Lambda handlers and
 * everything they import never reach the local platform, the sample district, the CLI or dev
 * sign-in (shared/dev/), and import only packages listed as runtime dependencies.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { builtinModules } from 'node:module';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(join(ROOT, dir))) {
    const rel = join(dir, name);
    if (statSync(join(ROOT, rel)).isDirectory()) out.push(...sources(rel));
    else if (/\.(ts|mts|mjs)$/.test(name)) out.push(rel);
  }
  return out;
}

/** Module specifiers of static and dynamic imports and re-exports (type-only ones with `types`). */
function specifiers(text: string, options: { types?: boolean } = {}): string[] {
  const statement = /^\s*(import|export)(\s+type)?\b[^;]*?\bfrom\s*(['"])([^'"\n]+)\3/gm;
  const bare = /^\s*import\s*(['"])([^'"\n]+)\1/gm;
  const dynamic = /\bimport\(\s*(['"])([^'"\n]+)\1\s*\)/g;
  return [
    ...[...text.matchAll(statement)].filter((m) => options.types || !m[2]).map((m) => m[4]!),
    ...[...text.matchAll(bare)].map((m) => m[2]!),
    ...[...text.matchAll(dynamic)].map((m) => m[2]!),
  ];
}

const isDev = (rel: string) => rel.startsWith('shared/dev/');
const runtime = [...sources('functions'), ...sources('shared').filter((f) => !isDev(f))];

function packageOf(spec: string): string {
  const parts = spec.split('/');
  return spec.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0]!;
}

describe('runtime apart from tooling', () => {
  it('finds the runtime sources', () => {
    expect(runtime.length).toBeGreaterThan(50);
    expect(runtime).toContain('functions/api/handler.ts');
  });

  it('no runtime module imports shared/dev/', () => {
    const offenders: string[] = [];
    for (const file of runtime) {
      for (const spec of specifiers(readFileSync(join(ROOT, file), 'utf8'), { types: true })) {
        if (!spec.startsWith('.')) continue;
        const target = relative(ROOT, resolve(dirname(join(ROOT, file)), spec));
        if (isDev(target)) offenders.push(`${file} → ${spec}`);
      }
    }
    expect(offenders).toEqual([]);
  });

  it('runtime modules import only runtime dependencies (not devDependencies)', () => {
    const builtins = new Set(builtinModules);
    const offenders: string[] = [];
    for (const file of [...runtime, ...sources('infra')]) {
      for (const spec of specifiers(readFileSync(join(ROOT, file), 'utf8'))) {
        if (spec.startsWith('.') || spec.startsWith('node:') || builtins.has(spec)) continue;
        const name = packageOf(spec);
        if (!(name in pkg.dependencies) && !name.startsWith('@types/')) offenders.push(`${file} → ${name}`);
      }
    }
    expect(offenders).toEqual([]);
  });

  it('every runtime dependency is used by runtime code or the CDK app', () => {
    const used = new Set<string>();
    for (const file of [...runtime, ...sources('infra')]) {
      for (const spec of specifiers(readFileSync(join(ROOT, file), 'utf8'))) {
        if (!spec.startsWith('.') && !spec.startsWith('node:')) used.add(packageOf(spec));
      }
    }
    const unused = Object.keys(pkg.dependencies).filter((d) => !used.has(d));
    expect(unused).toEqual([]);
  });
});
