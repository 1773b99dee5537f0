/**
 * Layering rules. The deployed runtime stays apart from tooling: the Lambda handlers and
 * everything they import never reach the local platform, the sample district, the CLI or dev
 * sign-in (shared/dev/), and import only packages listed as runtime dependencies. And errors
 * stay at the edge: below the HTTP layer nothing imports shared/http/ (statuses, requests) or
 * shared/pages/ (HTML); code there throws domain errors and returns data.
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
/**
 * Development dependencies a module may load because they never reach a Lambda bundle:
 * bundling itself runs during `cdk synth` only (like the aws-cdk CLI); the draw's helper thread
 * is bundled in memory only when running from source (the bundle drops that branch, which
 * test/infra/bundles.test.ts checks).
 */
const DEV_ONLY: Record<string, string[]> = { 'infra/bundling.ts': ['esbuild'], 'shared/draw/parallel.ts': ['esbuild'] };

/** Repository-relative targets of a module's relative imports (type-only ones included). */
function localImports(file: string, text: string): string[] {
  return specifiers(text, { types: true })
    .filter((spec) => spec.startsWith('.'))
    .map((spec) => relative(ROOT, resolve(dirname(join(ROOT, file)), spec)));
}

/** `file → target` for every import of `file` that lands under one of `banned`. */
function crossings(file: string, text: string, banned: readonly string[]): string[] {
  return localImports(file, text)
    .filter((target) => banned.some((b) => target.startsWith(b)))
    .map((target) => `${file} → ${target}`);
}

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
        if (DEV_ONLY[file]?.includes(name)) continue;
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

describe('errors at the edge: layers below HTTP know nothing of HTTP or HTML', () => {
  const HTTP = 'shared/http/';
  const PAGES = 'shared/pages/';
  /** Layers that return data and throw domain errors (statuses are chosen in shared/http/errors.ts). */
  const BELOW_HTTP = ['shared/domain/', 'shared/draw/', 'shared/store/', 'shared/services/', 'shared/lifecycle/', 'shared/usecases/', 'shared/jobs/', 'shared/import/'];
  const below = runtime.filter((f) => BELOW_HTTP.some((d) => f.startsWith(d)));

  it('the checker sees a crossing (static, type-only and dynamic imports)', () => {
    const text = ["import { notFound } from '../http/core.js';", "import type { Safe } from '../pages/html.js';", "const m = await import('../http/errors.js');"].join('\n');
    expect(crossings('shared/store/x.ts', text, [HTTP, PAGES])).toEqual([
      'shared/store/x.ts → shared/http/core.js',
      'shared/store/x.ts → shared/pages/html.js',
      'shared/store/x.ts → shared/http/errors.js',
    ]);
    expect(crossings('functions/api/routes/x.ts', "import { dispatch } from '../../../shared/http/core.js';", [PAGES])).toEqual([]);
  });

  it('finds the layers', () => {
    for (const d of ['shared/store/', 'shared/lifecycle/', 'shared/services/']) expect(below.some((f) => f.startsWith(d)), d).toBe(true);
  });

  it('store, services, lifecycle, use cases, domain, draw, jobs and import import nothing from shared/http/ or shared/pages/', () => {
    const offenders = below.flatMap((f) => crossings(f, readFileSync(join(ROOT, f), 'utf8'), [HTTP, PAGES]));
    expect(offenders).toEqual([]);
  });

  it('use cases are called from above: nothing in the store, services, lifecycle, domain, draw, jobs or import imports shared/usecases/', () => {
    const lower = below.filter((f) => !f.startsWith('shared/usecases/'));
    const offenders = lower.flatMap((f) => crossings(f, readFileSync(join(ROOT, f), 'utf8'), ['shared/usecases/']));
    expect(offenders).toEqual([]);
  });

  it('the store imports no layer above it, and services neither the lifecycle nor the use cases', () => {
    const rules: [string, string[]][] = [
      ['shared/store/', ['shared/services/', 'shared/lifecycle/', 'shared/usecases/']],
      ['shared/services/', ['shared/lifecycle/', 'shared/usecases/']],
    ];
    const offenders = rules.flatMap(([layer, above]) =>
      below.filter((f) => f.startsWith(layer)).flatMap((f) => crossings(f, readFileSync(join(ROOT, f), 'utf8'), above)),
    );
    expect(offenders).toEqual([]);
  });

  it('only the API (functions/api/) and the HTTP layer itself import shared/http/', () => {
    const offenders = runtime
      .filter((f) => !f.startsWith('functions/api/') && !f.startsWith(HTTP))
      .flatMap((f) => crossings(f, readFileSync(join(ROOT, f), 'utf8'), [HTTP]));
    expect(offenders).toEqual([]);
  });
});
