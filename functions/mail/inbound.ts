// Inbound mail: the SES receipt rule stores the raw message under inbound/ in the blob bucket and
// S3 invokes this handler; the local platform invokes it with { local: true, raw: <base64> }
// for POST /local/inbound-mail. See shared/mail/inbound.ts.
import { lambda } from '../../shared/lambda/wrap.js';
import { handleInboundMail, handleInboundS3Event, type InboundOutcome, type S3EventLike } from '../../shared/mail/inbound.js';

type Event = S3EventLike | { local: true; raw: string };

export const handler = lambda('suiji-mail-inbound', async (event: Event): Promise<InboundOutcome | InboundOutcome[]> => {
  if ('raw' in event && typeof event.raw === 'string') return handleInboundMail(Buffer.from(event.raw, 'base64'));
  return handleInboundS3Event(event as S3EventLike);
});
