// Daily deadline job (EventBridge Scheduler, 08:00 Asia/Shanghai): reminders and escalations,
// one digest per person per day. See shared/jobs/deadlines.ts.
import { lambda } from '../../shared/lambda/wrap.js';
import { jobDay, runDeadlineJob, type JobEvent } from '../../shared/jobs/deadlines.js';

export const handler = lambda('suiji-job-deadlines', async (event: JobEvent) => {
  const summary = await runDeadlineJob(jobDay(event));
  console.log(JSON.stringify({ job: 'deadlines', ...summary }));
  return summary;
});
