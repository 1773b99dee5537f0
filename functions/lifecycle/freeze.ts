// FreezePool: freeze and fingerprint the candidate pool before any secret is revealed.
import { lambda } from '../../shared/lambda/wrap.js';
import { freezeStage, prepareDrawThreads } from '../../shared/lifecycle/draw-stage.js';

// Init: start the helper thread (second vCPU at 3,008 MB) and warm the draw code.
prepareDrawThreads();

export const handler = lambda('suiji-lifecycle-freeze', (event: { taskId: string }) => freezeStage(event));
