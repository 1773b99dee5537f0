import { describe, expect, it } from 'vitest';
import { makeUscc, usccCheckChar } from '../../shared/domain/uscc.js';
import { buildMimeMessage } from '../../shared/mail/mime.js';
import {
  assessInbound,
  isLineError,
  isReplyToken,
  newReplyToken,
  parseAuthenticationResults,
  parseInboundMail,
  parseResultLines,
  replyAddress,
  replyTokenOf,
  splitResultLines,
  stripQuotedText,
  type ParsedResultLine,
} from '../../shared/mail/reply.js';
import { STANDARD_RESULT_PHRASES } from '../../shared/domain/phrases.js';

const CODES = STANDARD_RESULT_PHRASES.map((p) => p.code);
const U1 = makeUscc(1);
const U2 = makeUscc(2);
const U3 = makeUscc(3);
const TOKEN = 'abcdefghijklmnopqrstuvwxyz';
const DOMAIN = 'reply.example.gov.cn';
const INSPECTOR = 'zhangsan@qhd.example.gov.cn';

/** SES receiving headers as prepended to a stored message. */
function sesHeaders(o: { spf?: string; dkim?: string; dkimDomain?: string; dmarc?: string; spam?: string; virus?: string } = {}): string {
  const d = o.dkimDomain ?? 'qhd.example.gov.cn';
  return [
    'Return-Path: <zhangsan@qhd.example.gov.cn>',
    'Received: from mail.qhd.example.gov.cn (mail.qhd.example.gov.cn [203.0.113.7])',
    ` by inbound-smtp.cn-north-1.amazonaws.com with SMTP id 3k9v0s1q2e3f4g5h6i7j8k9l0m`,
    ` for r+${TOKEN}@${DOMAIN};`,
    ' Mon, 01 Apr 2024 02:13:44 +0000 (UTC)',
    `X-SES-Spam-Verdict: ${o.spam ?? 'PASS'}`,
    `X-SES-Virus-Verdict: ${o.virus ?? 'PASS'}`,
    `Received-SPF: ${o.spf ?? 'pass'} (spfCheck: domain of qhd.example.gov.cn designates 203.0.113.7 as permitted sender) client-ip=203.0.113.7; envelope-from=zhangsan@qhd.example.gov.cn; helo=mail.qhd.example.gov.cn;`,
    'Authentication-Results: amazonses.com;',
    ` spf=${o.spf ?? 'pass'} (spfCheck: domain of qhd.example.gov.cn designates 203.0.113.7 as permitted sender) client-ip=203.0.113.7; envelope-from=zhangsan@qhd.example.gov.cn; helo=mail.qhd.example.gov.cn;`,
    ` dkim=${o.dkim ?? 'pass'} header.i=@${d};`,
    ` dmarc=${o.dmarc ?? 'pass'} header.from=qhd.example.gov.cn;`,
    'X-SES-RECEIPT: AEFBQUFBQUFBQUFHNGtHcU1qZ2pPSGxRZz09',
    'X-SES-DKIM-SIGNATURE: a=rsa-sha256; q=dns/txt; b=abc; c=relaxed/simple; s=224i4yxa5dv7c2xz3womw6peuasteono; d=amazonses.com; t=1711937624; v=1; bh=x; h=From:To:Cc:Bcc:Subject:Date:Message-ID:MIME-Version:Content-Type:X-SES-RECEIPT;',
  ].join('\r\n');
}

function raw(headers: string, rest: string): Buffer {
  return Buffer.from(`${headers}\r\n${rest.replace(/\r?\n/g, '\r\n')}`, 'utf8');
}

const b64 = (s: string, charset: BufferEncoding = 'utf8') => Buffer.from(s, charset).toString('base64').replace(/(.{76})/g, '$1\n');

const QUOTED_REMINDER = `【结果录入提醒】您有 3 个检查对象的结果待录入
请直接回复本邮件，每行一个检查对象：统一社会信用代码 结果代码 [备注]
${U1} 1`;

const BODY_LINES = `${U1} 1\n${U2} A、D 未按规定办理资质变更\n${U3}`;

describe('parseInboundMail: realistic replies', () => {
  it('Outlook (Chinese desktop, gb2312, text + html with divRplyFwdMsg)', async () => {
    const text = `好的，结果如下：\n\n${BODY_LINES}\n\n张三\n秦皇岛市住房和城乡建设局\n\n________________________________\n发件人: 随机 <suiji@example.gov.cn>\n发送时间: 2024年4月1日 10:00\n收件人: 张三 <${INSPECTOR}>\n主题: 【结果录入提醒】\n\n${QUOTED_REMINDER}\n`;
    const html = `<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312"><style>p{margin:0}</style></head><body><div><p>好的，结果如下：</p><p>${BODY_LINES.split('\n').join('<br>')}</p><p>张三</p></div><hr style="display:inline-block;width:98%" tabindex="-1"><div id="divRplyFwdMsg" dir="ltr"><b>发件人:</b> 随机<br>${QUOTED_REMINDER}</div></body></html>`;
    const mail = raw(
      sesHeaders(),
      `From: =?gb2312?B?${Buffer.from([0xd5, 0xc5, 0xc8, 0xfd]).toString('base64')}?= <${INSPECTOR}>
To: "=?gb2312?B?y+a7+g==?=" <r+${TOKEN}@${DOMAIN}>
Subject: =?utf-8?B?${b64('回复: 【结果录入提醒】您有 3 个检查对象的结果待录入').replace(/\n/g, '')}?=
Date: Mon, 1 Apr 2024 10:13:40 +0800
Message-ID: <TYZPR0101MB1234ABCD@TYZPR0101MB1234.apcprd01.prod.exchangelabs.com>
In-Reply-To: <0100018e9abc@email.amazonses.com>
Content-Type: multipart/alternative; boundary="_000_TYZPR_"
MIME-Version: 1.0

--_000_TYZPR_
Content-Type: text/plain; charset="utf-8"
Content-Transfer-Encoding: base64

${b64(text)}
--_000_TYZPR_
Content-Type: text/html; charset="utf-8"
Content-Transfer-Encoding: base64

${b64(html)}
--_000_TYZPR_--
`,
    );
    const m = await parseInboundMail(mail, { inboundDomain: DOMAIN });
    expect(m.from).toEqual({ address: INSPECTOR, name: '张三' });
    expect(m.replyToken).toBe(TOKEN);
    expect(m.subject).toBe('回复: 【结果录入提醒】您有 3 个检查对象的结果待录入');
    expect(m.bodySource).toBe('text');
    expect(m.lines).toEqual(['好的，结果如下：', '', ...BODY_LINES.split('\n'), '', '张三', '秦皇岛市住房和城乡建设局']);
    expect(m.auth).toMatchObject({ authservId: 'amazonses.com', spf: 'pass', dkim: 'pass', dmarc: 'pass', spam: 'PASS', virus: 'PASS' });
    expect(m.auth.dkimPassDomains).toEqual(['qhd.example.gov.cn']);
    expect(m.inReplyTo).toBe('<0100018e9abc@email.amazonses.com>');
    expect(assessInbound(m, { address: INSPECTOR, token: TOKEN })).toEqual({ ok: true, reasons: [] });
    // Outlook on the web sends html only: cut at divRplyFwdMsg, paragraphs become lines.
    const htmlOnly = await parseInboundMail(
      raw(sesHeaders(), `From: <${INSPECTOR}>\nTo: <r+${TOKEN}@${DOMAIN}>\nSubject: re\nMIME-Version: 1.0\nContent-Type: text/html; charset="utf-8"\nContent-Transfer-Encoding: base64\n\n${b64(html)}\n`),
    );
    expect(htmlOnly.bodySource).toBe('html');
    expect(htmlOnly.lines).toEqual(['好的，结果如下：', ...BODY_LINES.split('\n'), '张三']);
  });

  it('Foxmail (signature with address, 发件人： block)', async () => {
    const text = `${BODY_LINES}\n\n\nzhangsan@qhd.example.gov.cn\n\n发件人： 随机\n发送时间： 2024-04-01 10:00\n收件人： 张三\n主题： 【结果录入提醒】\n${QUOTED_REMINDER}\n`;
    const m = await parseInboundMail(
      raw(sesHeaders(), `From: "zhangsan@qhd.example.gov.cn" <${INSPECTOR}>\nTo: "随机" <r+${TOKEN}@${DOMAIN}>\nSubject: Re: 【结果录入提醒】\nX-Mailer: Foxmail 7.2.25.228[cn]\nMIME-Version: 1.0\nContent-Type: text/plain; charset="utf-8"\nContent-Transfer-Encoding: base64\n\n${b64(text)}\n`),
    );
    expect(m.lines).toEqual([...BODY_LINES.split('\n'), '', '', 'zhangsan@qhd.example.gov.cn']);
    const { entries, ignored } = splitResultLines(m.lines, CODES);
    expect(ignored).toEqual(['zhangsan@qhd.example.gov.cn']);
    expect(entries).toHaveLength(3);
  });

  it('QQ Mail (------------------ 原始邮件 ------------------), text and html', async () => {
    const text = `${BODY_LINES}\n\n\n------------------ 原始邮件 ------------------\n发件人: "随机"<suiji@example.gov.cn>;\n发送时间: 2024年4月1日(星期一) 上午10:00\n收件人: "张三"<${INSPECTOR}>;\n主题: 【结果录入提醒】\n\n${QUOTED_REMINDER}\n`;
    const html = `<div>${BODY_LINES.split('\n').join('</div><div>')}</div><div><br></div><div style="font-size: 12px;font-family: Arial Narrow;padding:2px 0 2px 0;">------------------&nbsp;原始邮件&nbsp;------------------</div><div style="font-size: 12px;background:#efefef;padding:8px;"><div><b>发件人:</b>&nbsp;"随机"&lt;suiji@example.gov.cn&gt;;</div></div><div>${QUOTED_REMINDER}</div>`;
    const body = `Content-Type: multipart/alternative; boundary="----=_NextPart_660A1B2C_0F3E4D5A_1A2B3C4D"\n\n------=_NextPart_660A1B2C_0F3E4D5A_1A2B3C4D\nContent-Type: text/plain; charset="utf-8"\nContent-Transfer-Encoding: base64\n\n${b64(text)}\n------=_NextPart_660A1B2C_0F3E4D5A_1A2B3C4D\nContent-Type: text/html; charset="utf-8"\nContent-Transfer-Encoding: base64\n\n${b64(html)}\n------=_NextPart_660A1B2C_0F3E4D5A_1A2B3C4D--\n`;
    const m = await parseInboundMail(raw(sesHeaders(), `From: "=?utf-8?B?5byg5LiJ?=" <${INSPECTOR}>\nTo: "=?utf-8?B?6ZqP5py6?=" <r+${TOKEN}@${DOMAIN}>\nSubject: =?utf-8?B?5Zue5aSN77ya?=\nMime-Version: 1.0\n${body}`));
    expect(m.lines).toEqual(BODY_LINES.split('\n'));
    // The same message without its text part: the html is cut at the text separator after conversion.
    const htmlOnly = await parseInboundMail(
      raw(sesHeaders(), `From: <${INSPECTOR}>\nTo: <r+${TOKEN}@${DOMAIN}>\nSubject: re\nMIME-Version: 1.0\nContent-Type: text/html; charset="utf-8"\nContent-Transfer-Encoding: base64\n\n${b64(html)}\n`),
    );
    expect(htmlOnly.bodySource).toBe('html');
    expect(htmlOnly.lines).toEqual(BODY_LINES.split('\n'));
  });

  it('iPhone (发自我的iPhone, "> 在 … 写道：" quotes)', async () => {
    const text = `${U1} 1\n${U2}　A，D　未按规定办理资质变更\n\n发自我的iPhone\n\n> 在 2024年4月1日，10:00，随机 <suiji@example.gov.cn> 写道：\n> \n> ${QUOTED_REMINDER.split('\n').join('\n> ')}\n`;
    const m = await parseInboundMail(
      raw(sesHeaders(), `From: =?utf-8?B?5byg5LiJ?= <${INSPECTOR}>\nContent-Type: text/plain;\n\tcharset=utf-8\nContent-Transfer-Encoding: quoted-printable\nMime-Version: 1.0 (1.0)\nSubject: =?utf-8?B?5Zue5aSN77ya?=\nDate: Mon, 1 Apr 2024 10:20:01 +0800\nTo: =?utf-8?B?6ZqP5py6?= <r+${TOKEN}@${DOMAIN}>\nX-Mailer: iPhone Mail (21E236)\n\n${qp(text)}\n`),
    );
    expect(m.lines).toEqual([`${U1} 1`, `${U2}　A，D　未按规定办理资质变更`]);
    const parsed = parseResultLines(m.lines, CODES) as ParsedResultLine[];
    expect(parsed.map((p) => [p.uscc, p.codes, p.remark])).toEqual([
      [U1, ['1'], ''],
      [U2, ['A', 'D'], '未按规定办理资质变更'],
    ]);
  });

  it('Gmail (wrapped "On … wrote:" attribution, gmail_quote html)', async () => {
    const text = `${BODY_LINES}\n\nOn Mon, Apr 1, 2024 at 10:00 AM Suiji 随机 <\nsuiji@example.gov.cn> wrote:\n\n> ${QUOTED_REMINDER.split('\n').join('\n> ')}\n`;
    const html = `<div dir="ltr">${BODY_LINES.split('\n').join('<br>')}</div><br><div class="gmail_quote"><div dir="ltr" class="gmail_attr">On Mon, Apr 1, 2024 at 10:00 AM Suiji 随机 &lt;<a href="mailto:suiji@example.gov.cn">suiji@example.gov.cn</a>&gt; wrote:<br></div><blockquote class="gmail_quote">${QUOTED_REMINDER}</blockquote></div>`;
    const body = `Content-Type: multipart/alternative; boundary="000000000000a1b2c3"\n\n--000000000000a1b2c3\nContent-Type: text/plain; charset="UTF-8"\nContent-Transfer-Encoding: base64\n\n${b64(text)}\n--000000000000a1b2c3\nContent-Type: text/html; charset="UTF-8"\nContent-Transfer-Encoding: base64\n\n${b64(html)}\n--000000000000a1b2c3--\n`;
    const headers = `From: Zhang San <${INSPECTOR}>\nTo: Suiji <r+${TOKEN}@${DOMAIN}>\nSubject: Re: reminder\nMIME-Version: 1.0\n`;
    const m = await parseInboundMail(raw(sesHeaders(), headers + body));
    expect(m.lines).toEqual(BODY_LINES.split('\n'));
    const htmlOnly = await parseInboundMail(raw(sesHeaders(), `${headers}Content-Type: text/html; charset="UTF-8"\nContent-Transfer-Encoding: base64\n\n${b64(html)}\n`));
    expect(htmlOnly.lines).toEqual(BODY_LINES.split('\n'));
  });

  it('a reply to a message built by our own MIME builder keeps the token from Reply-To', async () => {
    const ours = await buildMimeMessage({ from: 'suiji@example.gov.cn', to: [INSPECTOR], replyTo: replyAddress(TOKEN, DOMAIN), subject: '提醒', text: 'x' });
    const { simpleParser } = await import('mailparser');
    const replyTo = (await simpleParser(ours)).replyTo!.value[0]!.address!;
    const m = await parseInboundMail(raw(sesHeaders(), `From: ${INSPECTOR}\nTo: ${replyTo}\nSubject: Re\nContent-Type: text/plain; charset=utf-8\n\n${U1} 1\n`), { inboundDomain: DOMAIN });
    expect(m.replyToken).toBe(TOKEN);
    // Envelope recipients from the SES notification are considered as well.
    const viaEnvelope = await parseInboundMail(raw(sesHeaders(), `From: ${INSPECTOR}\nTo: undisclosed-recipients:;\nSubject: Re\n\n${U1} 1\n`), { inboundDomain: DOMAIN, envelopeRecipients: [replyTo.toUpperCase()] });
    expect(viaEnvelope.replyToken).toBe(TOKEN);
  });
});

function qp(s: string): string {
  return [...Buffer.from(s, 'utf8')].map((b) => (b === 10 ? '\n' : b >= 33 && b <= 126 && b !== 61 ? String.fromCharCode(b) : `=${b.toString(16).toUpperCase().padStart(2, '0')}`)).join('');
}

describe('assessInbound: who may act', () => {
  const body = `Content-Type: text/plain; charset=utf-8\n\n${U1} 1\n`;
  const from = (addr: string) => `From: ${addr}\nTo: r+${TOKEN}@${DOMAIN}\nSubject: Re\n`;

  it('rejects another sender, a wrong token, failed SPF/DKIM, unaligned DKIM, spam, virus, autoresponders', async () => {
    const cases: [string, Buffer, RegExp][] = [
      ['other address', raw(sesHeaders({ dkimDomain: 'example.com' }), from('boss@example.com') + body), /不是该提醒邮件的收件人/],
      ['spf fail', raw(sesHeaders({ spf: 'fail' }), from(INSPECTOR) + body), /SPF 校验未通过（fail）/],
      ['dkim fail', raw(sesHeaders({ dkim: 'fail' }), from(INSPECTOR) + body), /DKIM 签名校验未通过（fail）/],
      ['dkim other domain', raw(sesHeaders({ dkimDomain: 'mailer.example.net' }), from(INSPECTOR) + body), /与发件人域名 qhd\.example\.gov\.cn 不一致/],
      ['dmarc fail', raw(sesHeaders({ dmarc: 'fail' }), from(INSPECTOR) + body), /DMARC/],
      ['spam', raw(sesHeaders({ spam: 'FAIL' }), from(INSPECTOR) + body), /垃圾邮件检测结果为 FAIL/],
      ['virus', raw(sesHeaders({ virus: 'FAIL' }), from(INSPECTOR) + body), /病毒检测结果为 FAIL/],
      ['auto reply', raw(sesHeaders(), `${from(INSPECTOR)}Auto-Submitted: auto-replied\n${body}`), /自动回复/],
      ['out of office subject', raw(sesHeaders(), `From: ${INSPECTOR}\nTo: r+${TOKEN}@${DOMAIN}\nSubject: =?utf-8?B?${b64('自动回复: 休假中')}?=\n${body}`), /自动回复/],
    ];
    for (const [name, mail, reason] of cases) {
      const a = assessInbound(await parseInboundMail(mail), { address: INSPECTOR, token: TOKEN });
      expect(a.ok, name).toBe(false);
      expect(a.reasons.join('；'), name).toMatch(reason);
    }
    const good = await parseInboundMail(raw(sesHeaders(), from(INSPECTOR) + body));
    expect(assessInbound(good, { address: INSPECTOR, token: TOKEN }).ok).toBe(true);
    expect(assessInbound(good, { address: INSPECTOR, token: 'bbbbbbbbbbbbbbbbbbbbbbbbbb' }).reasons).toEqual(['回复地址中的令牌与提醒邮件不符']);
  });

  it('ignores Authentication-Results added by the sender below the SES header, and untrusted authserv-ids', async () => {
    // The sender forged a passing header; SES's own (first) header says fail.
    const forged = raw(sesHeaders({ spf: 'fail', dkim: 'none' }), `Authentication-Results: amazonses.com; spf=pass; dkim=pass header.i=@qhd.example.gov.cn\n${from(INSPECTOR)}${body}`);
    const m = await parseInboundMail(forged);
    expect(m.auth.spf).toBe('fail');
    expect(m.auth.dkim).toBe('none');
    // Without SES headers, a message carrying only a sender-made header is not trusted.
    const noSes = Buffer.from(`Authentication-Results: mx.evil.example; spf=pass; dkim=pass header.d=qhd.example.gov.cn\r\nX-SES-Spam-Verdict: PASS\r\nX-SES-Virus-Verdict: PASS\r\n${from(INSPECTOR).replace(/\n/g, '\r\n')}${body.replace(/\n/g, '\r\n')}`);
    const n = await parseInboundMail(noSes);
    expect(n.auth.authservId).toBeNull();
    expect(assessInbound(n, { address: INSPECTOR, token: TOKEN }).reasons).toContain('邮件缺少可信的发件认证结果（Authentication-Results）');
  });

  it('parses RFC 8601 results with comments and several signatures', () => {
    const r = parseAuthenticationResults('amazonses.com; spf=pass (spfCheck: domain of a.cn; designates x) smtp.mailfrom=a@a.cn; dkim=fail header.d=old.a.cn; dkim=pass header.d=a.cn header.s=s1; dmarc=pass (p=QUARANTINE sp=NONE) header.from=a.cn');
    expect(r.authservId).toBe('amazonses.com');
    expect(r.results.map((x) => `${x.method}=${x.result}`)).toEqual(['spf=pass', 'dkim=fail', 'dkim=pass', 'dmarc=pass']);
    expect(r.results[2]!.props['header.d']).toBe('a.cn');
  });
});

describe('stripQuotedText', () => {
  it('stops at signatures and quote headers, keeps inline text above them', () => {
    expect(stripQuotedText(`a\nb\n-- \nsig`)).toEqual(['a', 'b']);
    expect(stripQuotedText(`a\n\n-----原始邮件-----\n发件人: x`)).toEqual(['a']);
    expect(stripQuotedText(`a\nSent from my iPhone\n\n> x`)).toEqual(['a']);
    expect(stripQuotedText(`a\n发自我的 iPhone`)).toEqual(['a']);
    expect(stripQuotedText(`a\n发自我的华为手机`)).toEqual(['a']);
    expect(stripQuotedText(`\n\na\n> quoted\nb\n2024年4月1日 10:00，随机 <s@x.cn> 写道：\nold`)).toEqual(['a', 'b']);
    expect(stripQuotedText(`a\nFrom: Suiji <s@x.cn>\nSent: Monday`)).toEqual(['a']);
    expect(stripQuotedText('a\r\nb\r\n')).toEqual(['a', 'b']);
  });
});

describe('parseResultLines', () => {
  it('accepts the separators and code forms of the brief and explains each rejected line in Chinese', () => {
    const lowerU2 = U2.toLowerCase();
    const fullWidthU3 = [...U3].map((c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0)).join('');
    const bad17 = U1.slice(0, 17) + (U1[17] === '0' ? '1' : '0');
    const lines = [
      '您好，结果如下：',
      `${U1} 1`,
      '',
      `${lowerU2},A,B 已责令限期改正`,
      `${fullWidthU3}　E、Ｄ　现场已整改`,
      `${bad17} 1`,
      `${makeUscc(4)} X`,
      `${makeUscc(5)}`,
      `${U1} 1`,
      `${makeUscc(6)} 1 OK`,
      `${makeUscc(7)}；10；已吊销营业执照，备注：见附件`,
      '91130302MA0C7XXXXK 1',
    ];
    const r = parseResultLines(lines, CODES);
    expect(r.map((x) => x.lineNo)).toEqual([2, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    const ok = r.filter((x) => !isLineError(x)) as ParsedResultLine[];
    expect(ok.map((x) => [x.uscc, x.codes, x.remark])).toEqual([
      [U1, ['1'], ''],
      [U2, ['A', 'B'], '已责令限期改正'],
      [U3, ['E', 'D'], '现场已整改'],
      [makeUscc(6), ['1'], 'OK'],
      [makeUscc(7), ['10'], '已吊销营业执照，备注：见附件'],
    ]);
    const errors = Object.fromEntries(r.filter(isLineError).map((e) => [e.lineNo, e.error]));
    expect(errors[6]).toMatch(/^统一社会信用代码“.+”有误：第 18 位校验码错误/);
    expect(errors[7]).toBe(`结果代码“X”不在本部门的结果表述清单中（可用：${CODES.join('、')}）`);
    expect(errors[8]).toMatch(/^缺少检查结果代码/);
    expect(errors[9]).toBe(`统一社会信用代码 ${U1} 在第 2 行已出现，本行未处理`);
    expect(errors[12]).toMatch(/有误/);
  });

  it('a line\'s codes are checked against the department list it is given', () => {
    const r = parseResultLines([`${U1} A`], ['1', '2']);
    expect(isLineError(r[0]!) && r[0].error).toMatch(/“A”不在本部门/);
    // Check digit helper sanity: the generated codes are valid.
    expect(U1[17]).toBe(usccCheckChar(U1.slice(0, 17)));
  });
});

describe('reply tokens', () => {
  it('are 26 base32 characters, unique, and round-trip through the address', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 200; i++) {
      const t = newReplyToken();
      expect(isReplyToken(t)).toBe(true);
      seen.add(t);
      expect(replyTokenOf(replyAddress(t, DOMAIN), DOMAIN)).toBe(t);
    }
    expect(seen.size).toBe(200);
    expect(replyTokenOf(`R+${TOKEN.toUpperCase()}@${DOMAIN.toUpperCase()}`, DOMAIN)).toBe(TOKEN);
    expect(replyTokenOf(`r+${TOKEN}@other.example`, DOMAIN)).toBeNull();
    expect(replyTokenOf(`x+${TOKEN}@${DOMAIN}`)).toBeNull();
    expect(() => replyAddress('short', DOMAIN)).toThrow();
  });
});
