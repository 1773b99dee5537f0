// Daily reports job (EventBridge Scheduler, 08:30 Asia/Shanghai): liaison reminders and
// leadership summaries when each department's profile says so. See shared/jobs/reports.ts.
import { lambda } from '../../shared/lambda/wrap.js';
import { jobDay, type JobEvent } from '../../shared/jobs/deadlines.js';
import { runReportsJob } from '../../shared/jobs/reports.js';

export const handler = lambda('suiji-job-reports', async (event: JobEvent) => {
  const summary = await runReportsJob(jobDay(event));
  console.log(JSON.stringify({ job: 'reports', ...summary }));
  return summary;
});
