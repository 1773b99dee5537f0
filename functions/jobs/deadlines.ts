// Daily deadline job (EventBridge Scheduler, 08:00 Asia/Shanghai): reminders and escalations,
// one digest per person per day. See shared/jobs/deadlines.ts.
import { lambda } from '../../shared/lambda/wrap.js';
import { maskEmail } from '../../shared/lambda/redact.js';
import { jobDay, runDeadlineJob, type JobEvent } from '../../shared/jobs/deadlines.js';

export const handler = lambda('suiji-job-deadlines', async (event: JobEvent) => {
  const summary = await runDeadlineJob(jobDay(event));
  // The log gets the counts and masked addresses; the return value (no log) keeps them whole.
  console.log(JSON.stringify({ job: 'deadlines', ...summary, undeliverable: summary.undeliverable.map(maskEmail) }));
  return summary;
});
