/** Masking of secrets and addresses in log lines (shared/lambda/redact.ts). */
import { describe, expect, it } from 'vitest';
import { maskAddressesIn, maskEmail, maskRecipient, maskSecret } from '../../shared/lambda/redact.js';

describe('redact', () => {
  it('keeps 4 characters of a secret', () => {
    expect(maskSecret('abcdefghijklmnopqrstuvwxyz')).toBe('abcd…');
    expect(maskSecret(undefined)).toBeUndefined();
    expect(maskSecret('')).toBeUndefined();
  });

  it('keeps the first character and the domain of an address', () => {
    expect(maskEmail('zhang.san@example.gov.cn')).toBe('z***@example.gov.cn');
    expect(maskEmail('not-an-address')).toBe('***');
    expect(maskEmail(null)).toBeUndefined();
  });

  it('masks the token of a reply address and any other recipient', () => {
    expect(maskRecipient('r+abcdefghijklmnopqrstuvwxyz@reply.example.gov.cn')).toBe('r+abcd…@reply.example.gov.cn');
    expect(maskRecipient('R+ABCDEFGHIJKLMNOPQRSTUVWXYZ@reply.example.gov.cn')).toBe('r+ABCD…@reply.example.gov.cn');
    expect(maskRecipient('li.si@example.gov.cn')).toBe('l***@example.gov.cn');
  });

  it('masks every address inside free text', () => {
    expect(maskAddressesIn('发件人“i2.mf@example.gov.cn”不是该提醒邮件的收件人')).toBe('发件人“i***@example.gov.cn”不是该提醒邮件的收件人');
    expect(maskAddressesIn('to r+abcdefghijklmnopqrstuvwxyz@reply.example.gov.cn, cc a@b.cn')).toBe('to r+abcd…@reply.example.gov.cn, cc a***@b.cn');
    expect(maskAddressesIn('SPF 校验未通过（fail）')).toBe('SPF 校验未通过（fail）');
  });
});
