/**
 * What is deployed is what is tested: every Lambda of infra/functions.ts, bundled exactly as the
 * app stack bundles its asset (infra/bundling.ts), starts in a fresh Node process with the
 * environment the stack gives it — import and init, the draw's helper thread included — and the
 * process ends by itself. Nothing real is reachable: every AWS endpoint points at a closed port.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUNDLE_OPTIONS, bundleFunction, ROOT, type Bundle } from '../../infra/bundling.js';
import { FUNCTIONS, functionsFor } from '../../infra/functions.js';
import { LocalLambdas, type LocalFunction } from '../../shared/dev/local/lambdas.js';
import { synthLocalTemplates } from '../../shared/dev/local/template.js';

/** Functions that start the draw's helper thread at init (FreezePool and RunDraw, two vCPUs). */
const DRAW_THREADS = new Set(['LifecycleFreeze', 'LifecycleDraw']);

// Inside the repository: the bundles import the AWS SDK from its node_modules, as the Lambda
// runtime provides it to them.
mkdirSync(join(ROOT, '.local'), { recursive: true });
const dir = mkdtempSync(join(ROOT, '.local', 'bundles-test-'));
const bundles = new Map<string, Bundle>();
let lambdas: LocalLambdas;
/** The aws-cn stack's functions (the IMAP poll is deployed there only). */
let cnLambdas: LocalLambdas;
const lambdasOf = (spec: (typeof FUNCTIONS)[number]): LocalLambdas =>
  functionsFor('global').some((f) => f.id === spec.id) ? lambdas : cnLambdas;

beforeAll(async () => {
  const templates = synthLocalTemplates();
  lambdas = new LocalLambdas(templates.app, { imports: [templates.data] });
  const cn = synthLocalTemplates(undefined, { region: 'cn-north-1' });
  cnLambdas = new LocalLambdas(cn.app, { imports: [cn.data] });
  await Promise.all(FUNCTIONS.map(async (spec) => bundles.set(spec.id, await bundleFunction(spec.entry, join(dir, spec.id)))));
}, 300_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Started {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/**
 * Imports the bundle in a fresh process (no flags, as Lambda's runtime imports a handler) and
 * prints what the module exports.
 */
const RUNNER = `import(process.argv[1]).then((m) => console.log(JSON.stringify({ handler: typeof m.handler, drawThreads: m.drawThreads ?? null })));`;

function start(bundle: Bundle, env: Record<string, string>): Promise<Started> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', RUNNER, pathToFileURL(bundle.index).href], {
      cwd: bundle.dir,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 90_000,
    });
    let stdout = '', stderr = '';
    child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

/** The function's environment as Lambda sets it, pointed at nothing real. */
function lambdaEnvironment(fn: LocalFunction, bundle: Bundle, of: LocalLambdas = lambdas): Record<string, string> {
  return {
    ...of.environmentOf(fn),
    LAMBDA_TASK_ROOT: bundle.dir,
    TZ: ':UTC',
    AWS_ACCESS_KEY_ID: 'ASIAEXAMPLE',
    AWS_SECRET_ACCESS_KEY: 'example',
    AWS_SESSION_TOKEN: 'example',
    // a closed port: anything init tried to reach would fail, not reach AWS
    AWS_ENDPOINT_URL: 'http://127.0.0.1:9',
  };
}

describe('the deployed bundles', () => {
  it('cover every function of infra/functions.ts, with the runtime the bundles target', () => {
    for (const spec of FUNCTIONS) {
      const of = lambdasOf(spec);
      const fn = of.functions().find((f) => f.entry === join(ROOT, spec.entry));
      expect(fn, spec.id).toBeDefined();
      const props = of.template.Resources[fn!.logicalId]!.Properties!;
      expect(props.Handler).toBe('index.handler');
      expect(props.Runtime).toBe(`nodejs${BUNDLE_OPTIONS.target.slice(4)}.x`);
      // the helper thread's file ships with the functions that start it
      if (DRAW_THREADS.has(spec.id)) expect(bundles.get(spec.id)!.helper, spec.id).toBeDefined();
      // …and the bundle has no trace of the source-mode path (parallel.ts bundles the helper with
      // esbuild, a development dependency, only when run from TypeScript). Match the module being
      // loaded, not the word: bundled libraries mention it (undici's `esbuildDetection`).
      expect(readFileSync(bundles.get(spec.id)!.index, 'utf8'), spec.id).not.toMatch(
        /\(\s*["']esbuild["']\s*\)|from\s*["']esbuild["']|helper-thread\.ts/,
      );
    }
  });

  it.each(FUNCTIONS.map((s) => [s.id, s] as const))(
    '%s imports, initializes and exits cleanly',
    async (id, spec) => {
      const bundle = bundles.get(id)!;
      const of = lambdasOf(spec);
      const fn = of.functions().find((f) => f.entry === join(ROOT, spec.entry))!;
      const env = lambdaEnvironment(fn, bundle, of);
      expect(env.NODE_OPTIONS, 'the stack sets NODE_OPTIONS').toBe('--enable-source-maps');
      const r = await start(bundle, env);
      const why = `${id}: exit ${r.code} ${r.signal ?? ''}\n${r.stderr}`;
      expect(r.signal, why).toBeNull();
      expect(r.code, why).toBe(0);
      const out = JSON.parse(r.stdout.trim().split('\n').pop()!) as { handler: string; drawThreads: number | null };
      expect(out.handler, why).toBe('function');
      if (DRAW_THREADS.has(id)) expect(out.drawThreads, `${id}: the draw's helper thread ran at init`).toBe(2);
      else expect(out.drawThreads).toBeNull();
    },
    120_000,
  );

});
