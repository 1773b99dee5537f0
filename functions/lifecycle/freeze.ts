// FreezePool: freeze and fingerprint the candidate pool before any secret is revealed.
import { lambda } from '../../shared/lambda/wrap.js';
import { freezeStage } from '../../shared/lifecycle/draw-stage.js';

export const handler = lambda('suiji-lifecycle-freeze', (event: { taskId: string }) => freezeStage(event));
