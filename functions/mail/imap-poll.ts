// The reply mailbox over IMAP, where SES does not receive mail (the AWS China regions): run on a
// schedule (every few minutes); replies and bounces are handled as SES-received ones. See
// shared/mail/imap.ts.
import { lambda } from '../../shared/lambda/wrap.js';
import { pollMailbox } from '../../shared/mail/imap.js';

export const handler = lambda('suiji-mail-imap-poll', async () => pollMailbox());
