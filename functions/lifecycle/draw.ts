// RunDraw: derive the seed from the reveals, select and match, write the record and progress.
import { lambda } from '../../shared/lambda/wrap.js';
import { drawStage, prepareDrawThreads } from '../../shared/lifecycle/draw-stage.js';

// Init: start the helper thread (second vCPU at 3,008 MB) and warm the draw code. Exported
// for the test that starts the deployed bundle (test/infra/bundles.test.ts): 2 = the helper ran.
export const drawThreads = prepareDrawThreads();

export const handler = lambda('suiji-lifecycle-draw', (event: { taskId: string }) => drawStage(event));
