/**
 * The SES v2 emulator (`aws-ses-v2-local`) with its web inbox. The emulator keeps mail in
 * memory; the local platform saves the inbox under .local/ and restores it at start, so a
 * restart loses no mail either.
 */
import { createRequire } from 'node:module';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';

const require = createRequire(import.meta.url);

export interface EmulatorEmail {
  messageId: string;
  from: string;
  replyTo: string[];
  destination: { to: string[]; cc: string[]; bcc: string[] };
  subject: string;
  body: { html?: string; text?: string };
  attachments: { content: string; contentType: string; filename?: string; size: number }[];
  at: number;
}

interface StoreModule {
  saveEmail(e: EmulatorEmail): void;
  getStoreReadonly(): { emails: EmulatorEmail[] };
  clearStore(): void;
}

type StartSes = (config: { host: string; port: number }) => Promise<Server>;
const startSes = (require('aws-ses-v2-local') as { default: StartSes }).default;
const store = (): StoreModule => require('aws-ses-v2-local/dist/store') as StoreModule;

export interface LocalSes {
  endpoint: string;
  port: number;
  emails(): EmulatorEmail[];
  clear(): void;
  stop(): Promise<void>;
}

export async function startLocalSes(opts: { port: number; persistFile?: string }): Promise<LocalSes> {
  const s = store();
  if (opts.persistFile && existsSync(opts.persistFile)) {
    s.clearStore();
    for (const e of JSON.parse(readFileSync(opts.persistFile, 'utf8')) as EmulatorEmail[]) s.saveEmail(e);
  }
  const server: Server = await startSes({ host: '127.0.0.1', port: opts.port });
  // Save only when the inbox changed: a large task mails thousands of long messages.
  let saved = -1;
  const save = (): void => {
    const emails = s.getStoreReadonly().emails;
    if (!opts.persistFile || emails.length === saved) return;
    writeFileSync(opts.persistFile, JSON.stringify(emails));
    saved = emails.length;
  };
  const timer = opts.persistFile ? setInterval(save, 10_000) : undefined;
  timer?.unref();
  return {
    endpoint: `http://127.0.0.1:${opts.port}`,
    port: opts.port,
    emails: () => [...s.getStoreReadonly().emails],
    clear: () => s.clearStore(),
    stop: () =>
      new Promise<void>((resolve) => {
        if (timer) clearInterval(timer);
        save();
        server.close(() => resolve());
        server.closeAllConnections?.();
      }),
  };
}
