/**
 * Every local service listens on loopback only: the platform (HTTP API, DynamoDB Local's JVM,
 * the SES emulator, the Step Functions service) and the SMTP server and Secrets Manager that
 * the SMTP mail mode adds. Read from the kernel (/proc/net/tcp, /proc/net/tcp6) for every
 * listening socket owned by this process or any process it started, so a listener nobody
 * thought of fails the test too.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startPlatform, type Platform } from '../../shared/dev/local/platform.js';
import { freePort } from '../../shared/dev/local/dynamo.js';
import { startLocalSecrets, type LocalSecrets } from '../../shared/dev/local/secrets.js';
import { startLocalSmtp, type LocalSmtp } from '../../shared/dev/local/smtp.js';

/** This process and every descendant (children of children: DynamoDB Local's JVM). */
function processTree(root: number): number[] {
  const parent = new Map<number, number>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      // pid (comm) state ppid …: comm may contain spaces and parentheses; split after the last ')'.
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      parent.set(Number(name), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      /* the process ended meanwhile */
    }
  }
  const tree = [root];
  for (let i = 0; i < tree.length; i++) for (const [pid, ppid] of parent) if (ppid === tree[i] && !tree.includes(pid)) tree.push(pid);
  return tree;
}

function socketInodes(pids: number[]): Set<string> {
  const inodes = new Set<string>();
  for (const pid of pids) {
    let fds: string[] = [];
    try {
      fds = readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      try {
        const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
        if (m) inodes.add(m[1]!);
      } catch {
        /* closed meanwhile */
      }
    }
  }
  return inodes;
}

/** /proc/net/tcp{,6} addresses: 32-bit words in host (little-endian) byte order, port in hex. */
function decode(hex: string): { bytes: number[]; port: number } {
  const [addr, port] = hex.split(':') as [string, string];
  const bytes: number[] = [];
  for (let w = 0; w < addr.length; w += 8) {
    const word = addr.slice(w, w + 8);
    for (let b = 6; b >= 0; b -= 2) bytes.push(parseInt(word.slice(b, b + 2), 16));
  }
  return { bytes, port: parseInt(port, 16) };
}

function isLoopback(bytes: number[]): boolean {
  if (bytes.length === 4) return bytes[0] === 127;
  const zeros = (n: number) => bytes.slice(0, n).every((b) => b === 0);
  if (zeros(15) && bytes[15] === 1) return true; // ::1
  return zeros(10) && bytes[10] === 0xff && bytes[11] === 0xff && bytes[12] === 127; // ::ffff:127.x.y.z
}

const show = (bytes: number[]): string =>
  bytes.length === 4 ? bytes.join('.') : (bytes.map((b) => b.toString(16).padStart(2, '0')).join('').match(/.{4}/g) ?? []).join(':');

/** Listening TCP sockets owned by `pids`. */
function listeners(pids: number[]): { address: string; port: number; loopback: boolean }[] {
  const mine = socketInodes(pids);
  const out: { address: string; port: number; loopback: boolean }[] = [];
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    for (const line of readFileSync(file, 'utf8').split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f.length < 10 || f[3] !== '0A' || !mine.has(f[9]!)) continue; // 0A = LISTEN
      const { bytes, port } = decode(f[1]!);
      out.push({ address: show(bytes), port, loopback: isLoopback(bytes) });
    }
  }
  return out;
}

let platform: Platform;
let secrets: LocalSecrets;
let smtp: LocalSmtp;

describe.skipIf(process.platform !== 'linux')('local services', () => {
  beforeAll(async () => {
    platform = await startPlatform({ dataDir: mkdtempSync(join(tmpdir(), 'suiji-loopback-')) });
    secrets = await startLocalSecrets();
    smtp = await startLocalSmtp({ port: await freePort(), mailRoot: mkdtempSync(join(tmpdir(), 'suiji-maildir-')), inboundDomain: 'reply.example.gov.cn', users: {} });
  }, 180_000);

  afterAll(async () => {
    await smtp?.stop();
    await secrets?.close();
    await platform?.stop();
  });

  it('reads addresses from the kernel as they are', () => {
    expect(decode('0100007F:1F40')).toEqual({ bytes: [127, 0, 0, 1], port: 8000 });
    expect(isLoopback(decode('00000000:1F40').bytes)).toBe(false); // 0.0.0.0
    expect(isLoopback(decode('00000000000000000000000001000000:1F40').bytes)).toBe(true); // ::1
    expect(isLoopback(decode('0000000000000000FFFF00000100007F:1F40').bytes)).toBe(true); // ::ffff:127.0.0.1
    expect(isLoopback(decode('00000000000000000000000000000000:1F40').bytes)).toBe(false); // ::
  });

  it('binds every listening socket of the platform and its child processes to loopback', () => {
    const found = listeners(processTree(process.pid));
    const ports = (url: string) => Number(new URL(url).port);
    const expected = {
      api: ports(platform.apiUrl),
      dynamodb: platform.dynamo.port,
      ses: platform.ses.port,
      sfn: ports(process.env.AWS_ENDPOINT_URL_SFN!),
      secrets: ports(secrets.endpoint),
      smtp: smtp.port,
    };
    // Each service was seen listening (the check below is not vacuous) …
    for (const [name, port] of Object.entries(expected)) expect(found.map((l) => l.port), name).toContain(port);
    // … and nothing listens beyond loopback.
    expect(found.filter((l) => !l.loopback).map((l) => `${l.address}:${l.port}`)).toEqual([]);
  });
});
