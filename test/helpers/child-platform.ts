/**
 * The local platform as `npm start` runs it, in a child process of its own process group, so
 * that a test or a benchmark can SIGKILL all of it (DynamoDB Local included, no clean shutdown)
 * and start it again on the same data and ports. Used by the restart test and the chaos bench.
 * No vitest import: the benchmarks load it too.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../shared/dev/local/dynamo.js';
import type { Call } from '../../shared/dev/local/api-client.js';

export interface ChildPlatformOptions {
  /** Sample district size loaded at the first start (SUIJI_SAMPLE_TARGETS). */
  targets: number;
  /**
   * The platform's clock reads this instant at the first start (SUIJI_CLOCK_START) and runs on
   * in real time, across restarts too (a restart does not set it back).
   */
  clockStart: string;
  /** Extra environment of the platform process (e.g. SUIJI_CHAOS). */
  env?: Record<string, string>;
  /** Each line the platform prints on stdout. */
  onLine?: (line: string) => void;
  startTimeoutMs?: number;
}

export class ChildPlatform {
  readonly dataDir = mkdtempSync(join(tmpdir(), 'suiji-child-'));
  ports!: { api: number; dynamo: number; ses: number; sfn: number };
  private child: ChildProcess | undefined;
  /** Real time of the first start: the platform's clock is clockStart + the time since. */
  private firstStart: number | undefined;
  private readonly onExit = (): void => this.killNow();

  constructor(private readonly opts: ChildPlatformOptions) {
    process.on('exit', this.onExit);
  }

  get apiUrl(): string {
    return `http://127.0.0.1:${this.ports.api}`;
  }
  get dynamoEndpoint(): string {
    return `http://127.0.0.1:${this.ports.dynamo}`;
  }
  /** The process id of the running platform (for signals such as the chaos faults). */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Start (or start again, on the same data and ports) and wait for "Suiji is up". */
  async start(): Promise<void> {
    this.ports ??= { api: await freePort(), dynamo: await freePort(), ses: await freePort(), sfn: await freePort() };
    this.firstStart ??= Date.now();
    const child = spawn(process.execPath, ['--import', 'tsx', 'shared/dev/local/start.ts'], {
      cwd: new URL('../../', import.meta.url).pathname,
      detached: true, // its own process group: the kill takes DynamoDB Local with it
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...process.env,
        SUIJI_DATA_DIR: this.dataDir,
        SUIJI_API_PORT: String(this.ports.api),
        SUIJI_DYNAMO_PORT: String(this.ports.dynamo),
        SUIJI_SES_PORT: String(this.ports.ses),
        SUIJI_SFN_PORT: String(this.ports.sfn),
        SUIJI_SAMPLE_TARGETS: String(this.opts.targets),
        SUIJI_CLOCK_START: new Date(this.clockNow()).toISOString(),
        ...(this.opts.env ?? {}),
      },
    });
    this.child = child;
    let out = '';
    let partial = '';
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`platform did not start:\n${out.slice(-3000)}`)), this.opts.startTimeoutMs ?? 120_000);
      child.stdout!.on('data', (d: Buffer) => {
        const s = d.toString();
        out += s;
        const lines = (partial + s).split('\n');
        partial = lines.pop()!;
        for (const l of lines) this.opts.onLine?.(l);
        if (out.includes('Suiji is up')) {
          clearTimeout(timer);
          resolve();
        }
      });
      child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`platform exited (${code}):\n${out.slice(-3000)}`));
      });
    });
    child.removeAllListeners('exit');
  }

  /** What the platform's clock reads now (epoch ms). */
  clockNow(): number {
    return Date.parse(this.opts.clockStart) + (this.firstStart === undefined ? 0 : Date.now() - this.firstStart);
  }

  /** SIGKILL of the whole process group: nothing shuts down cleanly. */
  kill(): Promise<void> {
    const child = this.child;
    return new Promise((resolve) => {
      if (!child?.pid || child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once('exit', () => setTimeout(resolve, 500));
      process.kill(-child.pid, 'SIGKILL');
    });
  }

  private killNow(): void {
    if (!this.child?.pid) return;
    try {
      process.kill(-this.child.pid, 'SIGKILL');
    } catch {
      /* gone */
    }
  }

  /** A dev sign-in token (global mode), as the CLI gets one. */
  async tokenFor(email: string): Promise<string> {
    const r = await fetch(`${this.apiUrl}/auth/dev-login`, { method: 'POST', body: JSON.stringify({ email }) });
    if (r.status !== 200) throw new Error(`dev sign-in of ${email}: ${r.status} ${await r.text()}`);
    return ((await r.json()) as { token: string }).token;
  }
}

type Caller = (method: string, path: string, body?: unknown) => Promise<Call>;
type StageWaiter = (get: () => Promise<Call>, stage: string, timeoutMs?: number) => Promise<Call>;

/**
 * A task of the sample plan from launch to its results stage on a child platform (a real clock):
 * launched, approved by the leader, two witnesses (纪检 and an enterprise representative)
 * registered and registration closed, both reveal; the draw then waits for its beacon round, a
 * minute or more after the planned close, hence `resultsTimeoutMs`. Each act must succeed (it
 * throws otherwise); the caller's waiter decides how a stage not reached fails. Returns the
 * status at the results stage.
 */
export async function launchAndDraw(
  coord: Caller,
  leader: Caller,
  task: string,
  waitForStage: StageWaiter,
  resultsTimeoutMs: number,
): Promise<Call> {
  const sha = (s: string): string => createHash('sha256').update(s, 'utf8').digest('hex');
  const act = async (who: Caller, path: string, body: unknown): Promise<void> => {
    const r = await who('POST', path, body);
    if (r.status >= 300) throw new Error(`POST ${path}: HTTP ${r.status} ${r.text.slice(0, 300)}`);
  };
  const status = (): Promise<Call> => coord('GET', `/tasks/${task}/status`);
  await act(coord, `/tasks/${task}/launch`, {});
  await waitForStage(status, 'approval');
  await act(leader, `/tasks/${task}/approval`, { approve: true });
  await waitForStage(status, 'witnesses');
  await act(coord, `/tasks/${task}/ceremony/witnesses`, { id: 'w1', name: '见证人', role: '纪检监督', commitment: sha('s1') });
  await act(coord, `/tasks/${task}/ceremony/witnesses`, { id: 'w2', name: '企业代表', role: '企业代表', commitment: sha('s2') });
  await act(coord, `/tasks/${task}/ceremony/close`, {});
  await waitForStage(status, 'ceremony');
  await act(coord, `/tasks/${task}/ceremony/reveal`, { witnessId: 'w1', secret: 's1' });
  await act(coord, `/tasks/${task}/ceremony/reveal`, { witnessId: 'w2', secret: 's2' });
  return waitForStage(status, 'results', resultsTimeoutMs);
}
