// Recovery job (EventBridge Scheduler, every minute): what requests left undone because a part
// failed is done from stored state — owed confirmation mails sent (shared/usecases/confirmations.ts)
// and lifecycle steps whose condition already holds resumed (shared/lifecycle/callbacks.ts).
// The API also invokes it asynchronously with one stored result's confirmation to send
// (`{ confirm }`), so that the inspector's request does not wait for the mail.
import { lambda } from '../../shared/lambda/wrap.js';
import { confirmFormEntry, drainOwedConfirmations, type ConfirmEvent } from '../../shared/usecases/confirmations.js';
import { redriveStalledSteps } from '../../shared/lifecycle/callbacks.js';

export const handler = lambda('suiji-job-recover', async (event: unknown, context) => {
  const confirm = (event as Partial<ConfirmEvent> | undefined)?.confirm;
  if (confirm) {
    // One attempt; a failure leaves it owed for the drain (not an error of this run: no Lambda retry).
    return { job: 'recover', confirm: (await confirmFormEntry(confirm)) ?? 'settled' };
  }
  // Leave time to record the last claim before the function's timeout.
  const deadline = Date.now() + Math.max(5_000, context.getRemainingTimeInMillis() - 30_000);
  // Both parts run even when the other fails; a failure still fails the run (alarm, retry).
  const [mail, steps] = await Promise.allSettled([drainOwedConfirmations({ deadline }), redriveStalledSteps()]);
  const summary = {
    job: 'recover',
    mail: mail.status === 'fulfilled' ? mail.value : { error: String(mail.reason) },
    steps: steps.status === 'fulfilled' ? steps.value : { error: String(steps.reason) },
  };
  console.log(JSON.stringify(summary));
  if (mail.status === 'rejected') throw mail.reason;
  if (steps.status === 'rejected') throw steps.reason;
  return summary;
});
