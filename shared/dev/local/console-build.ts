/**
 * Builds the web console (web/ → web/dist) when its sources changed since the last build, so
 * `npm start`, the browser test and the console bench always serve what is in the tree, with no
 * manual step. The fingerprint covers every file under web/ (but dist), the shared schemas the
 * forms validate with, the read-model types the screens share, and the lockfile.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { REPO_ROOT } from './lambdas.js';

const WEB = join(REPO_ROOT, 'web');
const DIST = join(WEB, 'dist');
const STAMP = join(DIST, '.source-hash');

function files(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (p === DIST || name === 'node_modules') continue;
    if (statSync(p).isDirectory()) files(p, out);
    else out.push(p);
  }
  return out;
}

export function consoleSourceHash(): string {
  const h = createHash('sha256');
  const inputs = [...files(WEB), join(REPO_ROOT, 'shared/domain/schemas.ts'), join(REPO_ROOT, 'shared/domain/uscc.ts'), join(REPO_ROOT, 'shared/domain/read-models.ts'), join(REPO_ROOT, 'package-lock.json')].sort();
  for (const f of inputs) {
    if (!existsSync(f)) continue;
    h.update(relative(REPO_ROOT, f)).update('\0').update(readFileSync(f)).update('\0');
  }
  return h.digest('hex');
}

/** Build unless web/dist was built from exactly these sources; returns whether it built. */
export async function ensureConsoleBuilt(log: (line: string) => void = () => undefined): Promise<boolean> {
  const hash = consoleSourceHash();
  if (existsSync(STAMP) && readFileSync(STAMP, 'utf8') === hash && existsSync(join(DIST, 'index.html'))) return false;
  const t0 = Date.now();
  log('building the web console (web/ → web/dist) …');
  const { build } = await import('vite');
  await build({ configFile: join(WEB, 'vite.config.ts'), logLevel: 'warn' });
  writeFileSync(STAMP, hash);
  log(`web console built in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  return true;
}

// `npx tsx shared/dev/local/console-build.ts`: what the API's bundling runs before copying web/dist.
if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await ensureConsoleBuilt((l) => console.log(l));
}
