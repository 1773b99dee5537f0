/**
 * A reply as SES receiving stores it: its verdict headers on top, then the client's message
 * (base64 body). `spf`/`dkim` choose the verdicts; the token goes into `r+<token>@…`.
 */
const b64 = (s: string): string => Buffer.from(s, 'utf8').toString('base64');
const hdr = (s: string): string => `=?UTF-8?B?${b64(s)}?=`;

export function sesReply(o: { from: string; token: string; body: string; spf?: string; dkim?: string; id: string; inReplyTo?: string; inboundDomain?: string }): Buffer {
  const domain = o.from.split('@')[1]!;
  const lines = [
    `Return-Path: <${o.from}>`,
    `Received: from mail.${domain} (mail.${domain} [203.0.113.7]) by inbound-smtp.cn-north-1.amazonaws.com with SMTP id x1; Tue, 10 Mar 2026 03:00:00 +0000 (UTC)`,
    'X-SES-Spam-Verdict: PASS',
    'X-SES-Virus-Verdict: PASS',
    `Received-SPF: ${o.spf ?? 'pass'} (spfCheck: domain of ${domain} designates 203.0.113.7 as permitted sender) client-ip=203.0.113.7;`,
    `Authentication-Results: amazonses.com; spf=${o.spf ?? 'pass'} (spfCheck: domain of ${domain} designates 203.0.113.7 as permitted sender) client-ip=203.0.113.7; envelope-from=${o.from}; dkim=${o.dkim ?? 'pass'} header.i=@${domain}; dmarc=pass header.from=${domain};`,
    `From: ${hdr('检查员')} <${o.from}>`,
    `To: r+${o.token}@${o.inboundDomain ?? 'reply.example.gov.cn'}`,
    `Subject: ${hdr('回复：【双随机】到期提醒：结果录入 4 项')}`,
    `Message-ID: <${o.id}@example.gov.cn>`,
    ...(o.inReplyTo ? [`In-Reply-To: ${o.inReplyTo}`] : []),
    'Date: Tue, 10 Mar 2026 11:00:00 +0800',
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=UTF-8',
    'Content-Transfer-Encoding: base64',
    '',
    b64(o.body.replace(/\n/g, '\r\n')).replace(/.{76}/g, '$&\r\n'),
    '',
  ];
  return Buffer.from(lines.join('\r\n'), 'utf8');
}
