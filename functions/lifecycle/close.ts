// CloseTask, and RecordFailure (with `failure`): the task record shows how the lifecycle ended.
import { lambda } from '../../shared/lambda/wrap.js';
import { closeStage, type LifecycleInput } from '../../shared/lifecycle/stages.js';

export const handler = lambda('suiji-lifecycle-close', (event: LifecycleInput & { failure?: { Error?: string; Cause?: string } }) => closeStage(event));
