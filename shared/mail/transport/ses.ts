/** SES v2 `SendEmail` with `Content.Raw`, through nodemailer's SES transport. */
import { SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import { createTransport } from 'nodemailer';
import { config } from '../../config.js';
import type { MailTransport } from './index.js';

const THROTTLED = new Set(['TooManyRequestsException', 'ThrottlingException', 'LimitExceededException', 'SendingPausedException']);
/** Transport failures worth another attempt (the message was not accepted). */
const TRANSIENT = new Set(['TimeoutError', 'ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'NetworkingError', 'RequestTimeout', 'InternalFailure', 'ServiceUnavailable']);

export function sesTransport(): MailTransport {
  // Retries are send.ts's (with the mail log), so the SDK makes one attempt.
  const sesClient = new SESv2Client({ maxAttempts: 1 });
  const t = createTransport({ SES: { sesClient, SendEmailCommand } });
  return {
    name: 'ses',
    keepsMessageId: false,
    async send(m) {
      const info = await t.sendMail({
        envelope: { from: m.from, to: m.to },
        raw: m.raw,
        ses: {
          ConfigurationSetName: config().sesConfigurationSet,
          EmailTags: [{ Name: 'kind', Value: m.kind.replace(/[^A-Za-z0-9_-]/g, '_') }],
        },
      });
      return { messageId: String(info.response ?? info.messageId), rejected: [] };
    },
    retryable(e) {
      const name = (e as { name?: string }).name ?? '';
      const code = (e as { code?: string }).code ?? '';
      return THROTTLED.has(name) || TRANSIENT.has(name) || TRANSIENT.has(code);
    },
    close() {
      t.close();
      sesClient.destroy();
    },
  };
}
