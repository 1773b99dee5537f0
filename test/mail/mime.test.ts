import { describe, expect, it } from 'vitest';
import { simpleParser } from 'mailparser';
import {
  MimeError,
  buildMimeMessage,
  encodeHeaderText,
  encodeQuotedPrintable,
  formatAddress,
  formatRfc5322Date,
} from '../../shared/mail/mime.js';

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
    const raw = buildMimeMessage({
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
    const raw = buildMimeMessage({ from: 'suiji@example.gov.cn', to: ['a@example.com'], subject: 'Plain ASCII subject', text: '你好\n第二行' });
    const s = raw.toString('latin1');
    expect(s).toMatch(/^Content-Type: text\/plain; charset=UTF-8$/m);
    expect(s).not.toMatch(/multipart/);
    const p = await simpleParser(raw);
    expect(p.subject).toBe('Plain ASCII subject');
    expect(p.text?.trim()).toBe('你好\n第二行');
    expect(p.messageId).toMatch(/^<[a-z0-9.]+@example\.gov\.cn>$/);
  });

  it('quoted-printable and base64 bodies both decode to the input, incl. trailing spaces and "="', async () => {
    const body = 'a=b  \nline with trailing tab\t\n' + 'x'.repeat(200) + '\n中文 mixed = text ' + '长'.repeat(40);
    for (const bodyEncoding of ['quoted-printable', 'base64'] as const) {
      const raw = buildMimeMessage({ from: 's@example.gov.cn', to: ['a@example.com'], subject: 's', text: body, html: `<pre>${body}</pre>`, bodyEncoding });
      expect(raw.toString('latin1')).toContain(`Content-Transfer-Encoding: ${bodyEncoding}`);
      for (const line of raw.toString('latin1').split('\r\n')) expect(line.length).toBeLessThanOrEqual(78);
      const p = await simpleParser(raw);
      expect(p.text).toBe(body);
      expect(p.html).toBe(`<pre>${body}</pre>`);
    }
  });

  it('rejects header injection and bad addresses; sanitises line breaks in subjects and names', async () => {
    expect(() => buildMimeMessage({ from: 's@example.gov.cn', to: ['a@example.com'], subject: 's', text: 't', headers: { 'X-A': 'v\r\nBcc: evil@x.com' } })).toThrow(MimeError);
    expect(() => buildMimeMessage({ from: 's@example.gov.cn', to: ['a@example.com\r\nBcc: evil@x.com'], subject: 's', text: 't' })).toThrow(MimeError);
    expect(() => buildMimeMessage({ from: 's@example.gov.cn', to: ['not an address'], subject: 's', text: 't' })).toThrow('邮件地址');
    expect(() => buildMimeMessage({ from: 's@example.gov.cn', to: [], subject: 's', text: 't' })).toThrow(MimeError);
    expect(() => buildMimeMessage({ from: 's@example.gov.cn', to: ['a@example.com'], subject: 's', text: 't', headers: { Bcc: 'x@y.com' } })).toThrow(MimeError);
    const raw = buildMimeMessage({ from: { name: '随机\r\nBcc: evil@x.com', address: 's@example.gov.cn' }, to: ['a@example.com'], subject: '任务\r\nBcc: evil@x.com', text: 't' });
    const p = await simpleParser(raw);
    expect(p.bcc).toBeUndefined();
    expect(p.subject).toBe('任务 Bcc: evil@x.com');
  });
});

describe('header helpers', () => {
  it('encoded-words stay within 75 characters and never split a character', () => {
    const s = '检查'.repeat(50) + '😀🀄' + 'é';
    const enc = encodeHeaderText(s);
    for (const w of enc.split('\r\n ')) {
      expect(w.length).toBeLessThanOrEqual(75);
      const b64 = /^=\?UTF-8\?B\?([A-Za-z0-9+/=]+)\?=$/.exec(w)![1]!;
      // Each word decodes on its own to whole characters.
      expect(Buffer.from(b64, 'base64').toString('utf8')).not.toContain('\uFFFD');
    }
    expect(encodeHeaderText('plain ascii')).toBe('plain ascii');
  });

  it('formats addresses with quoting only when needed', () => {
    expect(formatAddress('a@example.com')).toBe('a@example.com');
    expect(formatAddress({ name: 'Li Si', address: 'li@example.com' })).toBe('Li Si <li@example.com>');
    expect(formatAddress({ name: 'Li, Si', address: 'li@example.com' })).toBe('"Li, Si" <li@example.com>');
    expect(formatAddress({ name: '李四', address: 'li@example.com' })).toBe(`=?UTF-8?B?${Buffer.from('李四').toString('base64')}?= <li@example.com>`);
  });

  it('QP keeps lines ≤ 76 and never splits an escape', () => {
    const qp = encodeQuotedPrintable('汉'.repeat(100));
    for (const line of qp.split('\r\n')) {
      expect(line.length).toBeLessThanOrEqual(76);
      expect(line).toMatch(/^(=[0-9A-F]{2})*=?$/);
    }
  });

  it('QP equals a token-by-token restatement of RFC 2045 §6.7 on random mixed text', () => {
    const reference = (text: string): string => {
      const out: string[] = [];
      for (const line of text.replace(/\r\n?/g, '\n').split('\n')) {
        const bytes = Buffer.from(line, 'utf8');
        let cur = '';
        bytes.forEach((b, i) => {
          const t = (b >= 33 && b <= 126 && b !== 61) || ((b === 32 || b === 9) && i < bytes.length - 1) ? String.fromCharCode(b) : `=${b.toString(16).toUpperCase().padStart(2, '0')}`;
          if (cur.length + t.length > 75) {
            out.push(`${cur}=`);
            cur = '';
          }
          cur += t;
        });
        out.push(cur);
      }
      return out.join('\r\n');
    };
    const alphabet = ['a', 'Z', ' ', '\t', '=', '\n', '\r\n', '\r', '汉', '😀', 'é', '<', '.', '~'];
    let seed = 7;
    const next = () => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 16) % alphabet.length;
    for (let k = 0; k < 300; k++) {
      const text = Array.from({ length: k * 3 }, () => alphabet[next()]).join('');
      expect(encodeQuotedPrintable(text)).toBe(reference(text));
    }
    expect(encodeQuotedPrintable('')).toBe('');
    expect(encodeQuotedPrintable('end space \nx\t')).toBe('end space=20\r\nx=09');
  });

  it('dates are written in China time', () => {
    expect(formatRfc5322Date(new Date('2024-12-31T16:30:05Z'))).toBe('Wed, 1 Jan 2025 00:30:05 +0800');
  });
});
