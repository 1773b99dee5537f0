/**
 * Debian packages the local platform, its tests and benchmarks use (dovecot-imapd for the SMTP
 * mode, sqlite3 for the bulk loader): installed when missing, as root only (CI runs as root);
 * otherwise the error says which command to run.
 */
import { spawnSync } from 'node:child_process';

export function ensureDebianPackage(pkg: string, present: () => boolean, why: string, log: (l: string) => void = () => undefined): void {
  if (present()) return;
  if (process.getuid?.() !== 0) throw new Error(`${pkg} is not installed: run \`sudo apt-get install -y ${pkg}\` (${why})`);
  log(`installing ${pkg} …`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const install = () => spawnSync('apt-get', ['install', '-y', '--no-install-recommends', pkg], { stdio: 'inherit', env }).status === 0;
  // a fresh machine may have no package lists yet
  if (!install() && (spawnSync('apt-get', ['update'], { stdio: 'inherit', env }), !install())) throw new Error(`apt-get install ${pkg} failed`);
  if (!present()) throw new Error(`${pkg} was installed but is still not usable`);
}
