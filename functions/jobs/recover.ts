// Recovery job (EventBridge Scheduler, every minute): what requests left undone because a part
// failed is done from stored state — owed confirmation mails sent (shared/usecases/confirmations.ts)
// and lifecycle steps whose condition already holds resumed (shared/lifecycle/callbacks.ts).
import { lambda } from '../../shared/lambda/wrap.js';
import { drainOwedConfirmations } from '../../shared/usecases/confirmations.js';
import { redriveStalledSteps } from '../../shared/lifecycle/callbacks.js';

export const handler = lambda('suiji-job-recover', async (_event: unknown, context) => {
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
