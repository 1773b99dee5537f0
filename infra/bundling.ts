/**
 * How every Lambda function is bundled: one definition, used by the app stack (the assets that
 * `cdk synth` stages and `cdk deploy` uploads), by the test that bundles and starts every function
 * (test/infra/bundles.test.ts) and by the local platform when it runs the bundles
 * (SUIJI_BUNDLED=1). Bundling is esbuild on this machine; nothing runs in Docker.
 *
 * A function's asset is its handler as `index.mjs` and, for a function whose code can start the
 * draw's helper thread (shared/draw/parallel.ts), that thread's program as `draw-helper.mjs`
 * next to it: a worker thread runs a file of its own.
 */
import { rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DockerImage, type BundlingOptions, type ILocalBundling } from 'aws-cdk-lib';
import { build, buildSync, type BuildOptions, type Metafile } from 'esbuild';
import { CONSOLE_ENTRY, addConsoleToBundle } from './console.js';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** The draw's helper thread: source, and its file in a bundle (parallel.ts finds it by SUIJI_DRAW_HELPER). */
const DRAW_HELPER = { entry: 'shared/draw/helper-thread.ts', module: 'shared/draw/parallel.ts', out: 'draw-helper' } as const;

/** The esbuild options of every bundle (handler and helper thread alike). */
export const BUNDLE_OPTIONS = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  // Lambda's nodejs22.x runtime (the runtime of every function, app-stack.ts)
  target: 'node22',
  mainFields: ['module', 'main'],
  outExtension: { '.js': '.mjs' },
  // CommonJS dependencies (exceljs, mailparser, …) call require() inside an ES module.
  banner: { js: "import { createRequire as __suijiCreateRequire } from 'node:module'; const require = __suijiCreateRequire(import.meta.url);" },
  // The AWS SDK v3 is bundled, not taken from the runtime: the runtime's copy is a convenience
  // whose version and package set AWS does not promise (s3-request-presigner, for one, is not
  // documented as included), and the bundle the tests import is then the whole deployed code.
  sourcemap: true,
  sourcesContent: false,
  minify: true,
  define: { SUIJI_DRAW_HELPER: JSON.stringify(`./${DRAW_HELPER.out}.mjs`) },
  absWorkingDir: ROOT,
  logLevel: 'warning',
} as const satisfies BuildOptions;

export interface Bundle {
  /** Folder of the asset: index.mjs (+ .map) and, where needed, draw-helper.mjs (+ .map). */
  dir: string;
  /** The handler module. */
  index: string;
  /** The helper thread's file, if this function can start it. */
  helper?: string;
}

/** Whether a bundle includes the code that starts the helper thread. */
const startsHelper = (meta: Metafile): boolean => Object.keys(meta.inputs).some((f) => f.replaceAll('\\', '/') === DRAW_HELPER.module);

const handlerBuild = (entry: string, outdir: string): BuildOptions => ({
  ...BUNDLE_OPTIONS,
  entryPoints: { index: resolve(ROOT, entry) },
  outdir,
  metafile: true,
});
const helperBuild = (outdir: string): BuildOptions => ({ ...BUNDLE_OPTIONS, entryPoints: { [DRAW_HELPER.out]: join(ROOT, DRAW_HELPER.entry) }, outdir });

const result = (outdir: string, helper: boolean): Bundle => ({
  dir: outdir,
  index: join(outdir, 'index.mjs'),
  ...(helper ? { helper: join(outdir, `${DRAW_HELPER.out}.mjs`) } : {}),
});

/** Bundles a handler (`entry` absolute or relative to the repository root) into `outdir`, replacing its contents. */
export async function bundleFunction(entry: string, outdir: string): Promise<Bundle> {
  rmSync(outdir, { recursive: true, force: true });
  const { metafile } = await build(handlerBuild(entry, outdir));
  const helper = startsHelper(metafile!);
  if (helper) await build(helperBuild(outdir));
  return result(outdir, helper);
}

/** The same, synchronously (CDK's local bundling is synchronous). */
export function bundleFunctionSync(entry: string, outdir: string): Bundle {
  const { metafile } = buildSync(handlerBuild(entry, outdir));
  const helper = startsHelper(metafile!);
  if (helper) buildSync(helperBuild(outdir));
  return result(outdir, helper);
}

/**
 * The CDK bundling of a function's asset (`lambda.Code.fromAsset(ROOT, { bundling })` with an
 * OUTPUT asset hash): esbuild here, never the Docker image (named only because CDK requires one).
 * Skipped where the app is synthesized without bundling (the local platform, the tests).
 */
export function lambdaBundling(entry: string): BundlingOptions {
  return { image: DockerImage.fromRegistry('public.ecr.aws/sam/build-nodejs22.x'), local: new LocalBundling(entry) };
}

class LocalBundling implements ILocalBundling {
  // Data fields, not just a method: CDK caches staged assets by the JSON of the bundling options,
  // so the entry (and the options) must show in it, or every function would get the first bundle.
  readonly options = BUNDLE_OPTIONS;
  constructor(readonly entry: string) {}
  tryBundle(outputDir: string): boolean {
    bundleFunctionSync(this.entry, outputDir);
    // The API serves the web console: its built files travel in the API's bundle.
    if (this.entry === CONSOLE_ENTRY) addConsoleToBundle(ROOT, outputDir);
    return true;
  }
}
