// ValidatePlan: the task is in a published plan and still passes its department's rules.
import { lambda } from '../../shared/lambda/wrap.js';
import { validateStage, type LifecycleInput } from '../../shared/lifecycle/stages.js';

export const handler = lambda('suiji-lifecycle-validate', (event: LifecycleInput) => validateStage(event));
