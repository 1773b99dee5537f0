/**
 * The SES v2 emulator (`aws-ses-v2-local`) with its web inbox. The emulator keeps mail in
 * memory; the local platform saves the inbox under .local/ and restores it at start, so a
 * restart loses no mail either.
 */
import { createRequire } from 'node:module';
import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
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
  const file = opts.persistFile;
  // The inbox file is JSON Lines, appended to: a large task mails thousands of long messages,
  // and rewriting the whole inbox every few seconds cost more than sending them.
  let saved = 0;
  if (file) {
    const legacy = file.replace(/\.jsonl$/, '.json');
    const loaded: EmulatorEmail[] = existsSync(file)
      ? readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as EmulatorEmail)
      : legacy !== file && existsSync(legacy)
        ? (JSON.parse(readFileSync(legacy, 'utf8')) as EmulatorEmail[]) // an inbox saved by an earlier version
        : [];
    s.clearStore();
    for (const e of loaded) s.saveEmail(e);
    writeFileSync(file, loaded.map((e) => JSON.stringify(e) + '\n').join(''));
    saved = loaded.length;
  }
  const server: Server = await startSes({ host: '127.0.0.1', port: opts.port });
  const save = (): void => {
    if (!file) return;
    const emails = s.getStoreReadonly().emails;
    if (emails.length === saved) return;
    if (emails.length < saved) writeFileSync(file, emails.map((e) => JSON.stringify(e) + '\n').join('')); // cleared in the web inbox
    else appendFileSync(file, emails.slice(saved).map((e) => JSON.stringify(e) + '\n').join(''));
    saved = emails.length;
  };
  const timer = file ? setInterval(save, 2_000) : undefined;
  timer?.unref();
  return {
    endpoint: `http://127.0.0.1:${opts.port}`,
    port: opts.port,
    emails: () => [...s.getStoreReadonly().emails],
    clear: () => {
      s.clearStore();
      save();
    },
    stop: () =>
      new Promise<void>((resolve) => {
        if (timer) clearInterval(timer);
        save();
        server.close(() => resolve());
        server.closeAllConnections?.();
      }),
  };
}
