// SES events (configuration-set event destination → SNS → this Lambda): bounces and complaints
// suppress the address, mark the inspector and tell the coordinator. See shared/mail/events.ts.
import { lambda } from '../../shared/lambda/wrap.js';
import { handleSnsRecords } from '../../shared/mail/events.js';

export const handler = lambda('suiji-mail-events', async (event: { Records?: { Sns?: { Message?: string } }[] }) => handleSnsRecords(event.Records ?? []));
