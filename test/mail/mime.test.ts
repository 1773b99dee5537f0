import { describe, expect, it } from 'vitest';
import { simpleParser } from 'mailparser';
import { MimeError, buildMimeMessage } from '../../shared/mail/mime.js';

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

function bytes(n: number, seed = 7): Buffer {
  const b = Buffer.alloc(n);
  let x = seed;
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    b[i] = x >>> 24;
  }
  return b;
}

describe('buildMimeMessage', () => {
  const subject = '【双随机】2024年3月“双随机、一公开”监管工作月报表及考核指标汇总（秦皇岛市住房和城乡建设局）';
  const text = '王局长：\n\n附件为 2024 年 3 月月报表。\n联合抽查次数占比 20.0%，未达标（目标 25%）。\n';
  const html = '<p style="color:#b4232a">王局长：</p><p>附件为 2024 年 3 月月报表 &amp; 考核指标。</p>';

  it('round-trips subject, names, Reply-To, both bodies and attachment bytes through mailparser', async () => {
    const xlsx = bytes(50_000);
    const pdf = bytes(3_001, 3);
    const raw = await buildMimeMessage({
      from: { name: 'Suiji 随机（双随机监管系统）', address: 'suiji@example.gov.cn' },
      to: [{ name: '王建国', address: 'wang@qhd.example.gov.cn' }, 'li@qhd.example.gov.cn'],
      cc: [{ name: 'Zhang, "San"', address: 'zhang@qhd.example.gov.cn' }],
      replyTo: { name: '随机回复', address: 'r+abcdefghijklmnop1234@reply.example.gov.cn' },
      subject,
      text,
      html,
      attachments: [
        { filename: '秦皇岛市住房和城乡建设局-双随机一公开监管月报表-2024年03月（本年度累计数据）.xlsx', contentType: XLSX, content: xlsx },
        { filename: 'sheet.pdf', contentType: 'application/pdf', content: pdf },
      ],
      messageId: 'fixed-123@example.gov.cn',
      inReplyTo: '<orig-1@mail.example.com>',
      references: ['orig-0@mail.example.com', '<orig-1@mail.example.com>'],
      headers: { 'X-Suiji-Kind': 'leadership-summary' },
      date: new Date('2024-04-01T02:00:00Z'),
    });
    // 7-bit clean, CRLF only, no line over 998 (RFC 5322 §2.1.1) and body lines ≤ 76.
    const s = raw.toString('latin1');
    expect(/[^\x00-\x7f]/.test(s)).toBe(false);
    expect(s.replace(/\r\n/g, '').includes('\n')).toBe(false);
    for (const line of s.split('\r\n')) expect(line.length).toBeLessThanOrEqual(998);

    const p = await simpleParser(raw);
    expect(p.subject).toBe(subject);
    expect(p.from?.value[0]).toEqual({ name: 'Suiji 随机（双随机监管系统）', address: 'suiji@example.gov.cn' });
    const to = Array.isArray(p.to) ? p.to.flatMap((a) => a.value) : (p.to?.value ?? []);
    expect(to).toEqual([
      { name: '王建国', address: 'wang@qhd.example.gov.cn' },
      { name: '', address: 'li@qhd.example.gov.cn' },
    ]);
    const cc = Array.isArray(p.cc) ? p.cc.flatMap((a) => a.value) : (p.cc?.value ?? []);
    expect(cc[0]).toEqual({ name: 'Zhang, "San"', address: 'zhang@qhd.example.gov.cn' });
    expect(p.replyTo?.value[0]?.address).toBe('r+abcdefghijklmnop1234@reply.example.gov.cn');
    expect(p.replyTo?.value[0]?.name).toBe('随机回复');
    expect(p.messageId).toBe('<fixed-123@example.gov.cn>');
    expect(p.inReplyTo).toBe('<orig-1@mail.example.com>');
    expect(p.references).toEqual(['<orig-0@mail.example.com>', '<orig-1@mail.example.com>']);
    expect(p.headers.get('x-suiji-kind')).toBe('leadership-summary');
    expect(p.headers.get('auto-submitted')).toBe('auto-generated');
    expect(p.date?.toISOString()).toBe('2024-04-01T02:00:00.000Z');
    expect(p.text).toBe(text.replace(/\n/g, '\n'));
    expect(p.html).toBe(html);
    expect(p.attachments).toHaveLength(2);
    expect(p.attachments[0]!.filename).toBe('秦皇岛市住房和城乡建设局-双随机一公开监管月报表-2024年03月（本年度累计数据）.xlsx');
    expect(p.attachments[0]!.contentType).toBe(XLSX);
    expect(Buffer.compare(p.attachments[0]!.content, xlsx)).toBe(0);
    expect(p.attachments[1]!.filename).toBe('sheet.pdf');
    expect(Buffer.compare(p.attachments[1]!.content, pdf)).toBe(0);
  });

  it('text-only message is a single text/plain part', async () => {
    const raw = await buildMimeMessage({ from: 'suiji@example.gov.cn', to: ['a@example.com'], subject: 'Plain ASCII subject', text: '你好\n第二行' });
    const s = raw.toString('latin1');
    expect(s).toMatch(/^Content-Type: text\/plain; charset=utf-8$/im);
    expect(s).not.toMatch(/multipart/);
    const p = await simpleParser(raw);
    expect(p.subject).toBe('Plain ASCII subject');
    expect(p.text?.trim()).toBe('你好\n第二行');
    expect(p.messageId).toMatch(/^<[a-z0-9.]+@example\.gov\.cn>$/);
  });

  it('a mail with an idempotency key has the same Message-ID and X-Suiji-Mail-Key in every copy, and another key another', async () => {
    const copy = (key: string, date: Date) => buildMimeMessage({ from: 'suiji@example.gov.cn', to: ['a@example.com'], subject: 's', text: 't', date, messageKey: key });
    const [a, b, c] = await Promise.all([copy('confirm#t#u#v1#i', new Date('2026-05-20T02:00:00Z')), copy('confirm#t#u#v1#i', new Date('2026-05-20T02:03:00Z')), copy('confirm#t#u#v2#i', new Date('2026-05-20T02:00:00Z'))].map(async (r) => simpleParser(await r)));
    // a resend after a crash is the same message to the recipient's client (over SMTP; SES writes its own Message-ID)
    expect(a!.messageId).toMatch(/^<k\.[0-9a-f]{32}@example\.gov\.cn>$/);
    expect(b!.messageId).toBe(a!.messageId);
    expect(b!.headers.get('x-suiji-mail-key')).toBe(a!.headers.get('x-suiji-mail-key'));
    expect(c!.messageId).not.toBe(a!.messageId);
    expect(c!.headers.get('x-suiji-mail-key')).not.toBe(a!.headers.get('x-suiji-mail-key'));
    // the key itself (it names the task and the inspector) is not in the message
    const raw = (await copy('confirm#t#u#v1#i', new Date())).toString('latin1');
    expect(raw).not.toContain('confirm#t#u#v1#i');
  });

  it('quoted-printable and base64 bodies both decode to the input, incl. trailing spaces and "="', async () => {
    const body = 'a=b  \nline with trailing tab\t\n' + 'x'.repeat(200) + '\n中文 mixed = text ' + '长'.repeat(40);
    for (const bodyEncoding of ['quoted-printable', 'base64'] as const) {
      const raw = await buildMimeMessage({ from: 's@example.gov.cn', to: ['a@example.com'], subject: 's', text: body, html: `<pre>${body}</pre>`, bodyEncoding });
      expect(raw.toString('latin1')).toContain(`Content-Transfer-Encoding: ${bodyEncoding}`);
      for (const line of raw.toString('latin1').split('\r\n')) expect(line.length).toBeLessThanOrEqual(78);
      const p = await simpleParser(raw);
      expect(p.text).toBe(body);
      expect(p.html).toBe(`<pre>${body}</pre>`);
    }
  });

  it('rejects header injection and bad addresses; sanitises line breaks in subjects and names', async () => {
    await expect(buildMimeMessage({ from: 's@example.gov.cn', to: ['a@example.com'], subject: 's', text: 't', headers: { 'X-A': 'v\r\nBcc: evil@x.com' } })).rejects.toThrow(MimeError);
    await expect(buildMimeMessage({ from: 's@example.gov.cn', to: ['a@example.com\r\nBcc: evil@x.com'], subject: 's', text: 't' })).rejects.toThrow(MimeError);
    await expect(buildMimeMessage({ from: 's@example.gov.cn', to: ['not an address'], subject: 's', text: 't' })).rejects.toThrow('邮件地址');
    await expect(buildMimeMessage({ from: 's@example.gov.cn', to: [], subject: 's', text: 't' })).rejects.toThrow(MimeError);
    await expect(buildMimeMessage({ from: 's@example.gov.cn', to: ['a@example.com'], subject: 's', text: 't', headers: { Bcc: 'x@y.com' } })).rejects.toThrow(MimeError);
    await expect(buildMimeMessage({ from: 's@example.gov.cn', to: ['a@example.com'], subject: 's', text: 't', references: ['no-at-sign'] })).rejects.toThrow('Message-ID');
    const raw = await buildMimeMessage({ from: { name: '随机\r\nBcc: evil@x.com', address: 's@example.gov.cn' }, to: ['a@example.com'], subject: '任务\r\nBcc: evil@x.com', text: 't' });
    const p = await simpleParser(raw);
    expect(p.bcc).toBeUndefined();
    expect(p.subject).toBe('任务 Bcc: evil@x.com');
  });
});

describe('encodings', () => {
  const headerBlock = (raw: Buffer): string => raw.toString('latin1').split('\r\n\r\n')[0]!;

  it('subjects and names: encoded-words of ≤ 75 characters that each decode to whole characters', async () => {
    const subject = '检查'.repeat(50) + '😀🀄' + 'é';
    const raw = await buildMimeMessage({ from: { name: '李四'.repeat(30), address: 's@example.gov.cn' }, to: ['a@example.com'], subject, text: 't' });
    const words = headerBlock(raw).match(/=\?UTF-8\?[BQ]\?[^?]*\?=/gi) ?? [];
    expect(words.length).toBeGreaterThan(4);
    for (const w of words) {
      expect(w.length).toBeLessThanOrEqual(75);
      const m = /^=\?UTF-8\?B\?([A-Za-z0-9+/=]+)\?=$/i.exec(w);
      if (m) expect(Buffer.from(m[1]!, 'base64').toString('utf8')).not.toContain('\uFFFD');
    }
    const p = await simpleParser(raw);
    expect(p.subject).toBe(subject);
    expect(p.from?.value[0]?.name).toBe('李四'.repeat(30));
  });

  it('quoted-printable lines stay ≤ 76 characters and never split an escape', async () => {
    const raw = await buildMimeMessage({ from: 's@example.gov.cn', to: ['a@example.com'], subject: 's', text: 'a'.repeat(10) + '汉'.repeat(100) + '\n' + 'b '.repeat(200), bodyEncoding: 'quoted-printable' });
    const body = raw.toString('latin1').split('\r\n\r\n').slice(1).join('\r\n\r\n');
    for (const line of body.split('\r\n')) {
      expect(line.length).toBeLessThanOrEqual(76);
      expect(line).not.toMatch(/=[0-9A-F]$/); // a soft break may end a line, half an escape may not
    }
  });

  it('random mixed text (spaces and tabs at line ends, "=", CR, astral characters) decodes to what was put in', async () => {
    const alphabet = ['a', 'Z', ' ', '\t', '=', '\n', '\r\n', '汉', '😀', 'é', '<', '.', '~'];
    let seed = 7;
    const next = () => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 16) % alphabet.length;
    for (let k = 1; k < 60; k++) {
      const text = Array.from({ length: k * 7 }, () => alphabet[next()]).join('');
      for (const bodyEncoding of ['quoted-printable', 'auto'] as const) {
        const p = await simpleParser(await buildMimeMessage({ from: 's@example.gov.cn', to: ['a@example.com'], subject: 's', text, html: `<pre>${text}</pre>`, bodyEncoding }));
        expect(p.text, JSON.stringify(text)).toBe(text.replace(/\r\n/g, '\n'));
        expect(p.html, JSON.stringify(text)).toBe(`<pre>${text.replace(/\r\n/g, '\n')}</pre>`);
      }
    }
  });
});
