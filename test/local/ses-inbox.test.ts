/** The local SES emulator's inbox survives a restart (JSON Lines, appended), and a clear sticks. */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import { startLocalSes } from '../../shared/dev/local/ses.js';
import { freePort } from '../../shared/dev/local/dynamo.js';

async function send(endpoint: string, subject: string): Promise<void> {
  const c = new SESv2Client({ endpoint, region: 'local', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  await c.send(
    new SendEmailCommand({
      FromEmailAddress: 'suiji@example.gov.cn',
      Destination: { ToAddresses: ['a@example.gov.cn'] },
      Content: { Simple: { Subject: { Data: subject }, Body: { Text: { Data: '正文' } } } },
    }),
  );
}

describe('local SES inbox file', () => {
  it('appends new mail, reloads it after a restart, and keeps a clear', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'suiji-ses-')), 'inbox.jsonl');
    let ses = await startLocalSes({ port: await freePort(), persistFile: file });
    await send(ses.endpoint, '第一封');
    await send(ses.endpoint, '第二封');
    await ses.stop();
    expect(readFileSync(file, 'utf8').trim().split('\n')).toHaveLength(2);

    ses = await startLocalSes({ port: await freePort(), persistFile: file });
    expect(ses.emails().map((e) => e.subject)).toEqual(['第一封', '第二封']);
    await send(ses.endpoint, '第三封');
    await ses.stop();
    expect(readFileSync(file, 'utf8').trim().split('\n')).toHaveLength(3);

    ses = await startLocalSes({ port: await freePort(), persistFile: file });
    ses.clear();
    await ses.stop();
    ses = await startLocalSes({ port: await freePort(), persistFile: file });
    expect(ses.emails()).toHaveLength(0);
    await ses.stop();
  });

  it('migrates an inbox saved by an earlier version (one JSON array)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'suiji-ses-'));
    const first = await startLocalSes({ port: await freePort() });
    await send(first.endpoint, '旧版收件箱');
    writeFileSync(join(dir, 'inbox.json'), JSON.stringify(first.emails()));
    await first.stop();
    const ses = await startLocalSes({ port: await freePort(), persistFile: join(dir, 'inbox.jsonl') });
    expect(ses.emails().map((e) => e.subject)).toEqual(['旧版收件箱']);
    await ses.stop();
  });
});
