#!/usr/bin/env node
// Launcher for the `suiji` command. It runs the CLI from an esbuild bundle cached in
// .local/cli/main.mjs (SUIJI_CLI_CACHE: another folder), rebuilt (about a second) whenever a file
// it was built from changed (size or modification time), so a command starts without compiling
// TypeScript: tsx's loader compiled the CLI at every start, 0.6 s of CPU before `suiji verify`
// read its first byte. Without esbuild,
// or with SUIJI_CLI_TSX=1, it runs the TypeScript source through tsx's loader as before.
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '../../..');
const bundle = join(process.env.SUIJI_CLI_CACHE ?? join(root, '.local', 'cli'), 'main.mjs');
/** Beside it: what it was built from, so a few stat calls tell whether it is current. */
const manifest = bundle.replace(/\.mjs$/, '.inputs.json');

function current() {
  try {
    const { node, size, inputs } = JSON.parse(readFileSync(manifest, 'utf8'));
    if (node !== process.version || statSync(bundle).size !== size) return false;
    return inputs.every(([file, size, mtime]) => {
      const s = statSync(join(root, file));
      return s.size === size && s.mtimeMs === mtime;
    });
  } catch {
    return false;
  }
}

/** Builds the bundle; false if it cannot (no esbuild, a build error, a folder not writable): then tsx runs the source and reports any error. */
async function rebuild() {
  try {
    await build(await import('esbuild'));
    return true;
  } catch {
    return false;
  }
}

async function build(esbuild) {
  const { metafile, outputFiles } = await esbuild.build({
    entryPoints: [join(here, 'main.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: `node${process.versions.node.split('.')[0]}`,
    mainFields: ['module', 'main'],
    // CommonJS dependencies call require() inside the ES module (as in the Lambda bundles, infra/bundling.ts)
    banner: { js: "import { createRequire as __suijiCreateRequire } from 'node:module'; const require = __suijiCreateRequire(import.meta.url);" },
    define: { SUIJI_CLI_DIR: JSON.stringify(here) },
    minify: true,
    absWorkingDir: root,
    metafile: true,
    write: false,
    logLevel: 'silent',
  });
  // the launcher itself too: its build options make the bundle
  const inputs = [...Object.keys(metafile.inputs), relative(root, fileURLToPath(import.meta.url))].map((f) => {
    const s = statSync(join(root, f));
    return [relative(root, join(root, f)), s.size, s.mtimeMs];
  });
  mkdirSync(dirname(bundle), { recursive: true });
  // each written whole under another name, then renamed: a process starting meanwhile reads
  // either bundle, never half of one (and a manifest that does not match the bundle's size rebuilds)
  const put = (file, data) => {
    writeFileSync(`${file}.${process.pid}.tmp`, data);
    renameSync(`${file}.${process.pid}.tmp`, file);
  };
  put(bundle, outputFiles[0].contents);
  put(manifest, JSON.stringify({ node: process.version, size: outputFiles[0].contents.length, inputs }));
}

let main;
if (process.env.SUIJI_CLI_TSX !== '1' && (current() || (await rebuild()))) {
  ({ main } = await import(pathToFileURL(bundle).href));
} else {
  const { register } = await import('tsx/esm/api');
  register();
  ({ main } = await import('./main.ts'));
}
await main(process.argv);
