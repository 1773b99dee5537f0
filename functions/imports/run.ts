// Asynchronous import run, invoked by the API's start (InvocationType Event): validates the
// uploaded file completely, then writes it from the run's cursor. See shared/import/job.ts.
import { lambda } from '../../shared/lambda/wrap.js';
import { executeImportRun, type ImportRunEvent } from '../../shared/import/job.js';

export const handler = lambda('suiji-import-run', async (event: ImportRunEvent, context) => {
  // The claim on the run ends with this invocation's deadline: a retry after a timeout takes over.
  const result = await executeImportRun(event, { remainingMs: () => context.getRemainingTimeInMillis() });
  console.log(JSON.stringify({ importRun: event.id, dept: event.dept, result }));
  return { result };
});
