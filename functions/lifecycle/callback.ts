// Callback states (WAIT_FOR_TASK_TOKEN): keep the token, notify, resume at once if already done.
import { lambda } from '../../shared/lambda/wrap.js';
import { callbackStage, type LifecycleInput } from '../../shared/lifecycle/stages.js';
import type { CallbackStage } from '../../shared/store/tasks.js';

export const handler = lambda('suiji-lifecycle-callback', (event: LifecycleInput & { stage: CallbackStage; taskToken: string }) => callbackStage(event));
