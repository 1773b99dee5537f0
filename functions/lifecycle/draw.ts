// RunDraw: derive the seed from the reveals, select and match, write the record and progress.
import { lambda } from '../../shared/lambda/wrap.js';
import { drawStage } from '../../shared/lifecycle/draw-stage.js';

export const handler = lambda('suiji-lifecycle-draw', (event: { taskId: string }) => drawStage(event));
