/**
 * Performance marks for the console bench (test/bench/console.ts): the time from a person's act
 * to its result on screen, measured inside the page. "Painted" is the first task after the next
 * animation frame, by when the browser has rendered the frame holding the new rows. Marks cost
 * nothing worth counting and stay in the build.
 */
import { nextTick } from 'vue';

/** The act starts (call in the click handler). */
export function actStarted(name: string): void {
  performance.clearMarks(`${name}:start`);
  performance.mark(`${name}:start`);
}

/** After the state the act produced is set: measure `name` once that frame is painted. */
export async function actPainted(name: string): Promise<void> {
  if (!performance.getEntriesByName(`${name}:start`, 'mark').length) return;
  await nextTick();
  requestAnimationFrame(() =>
    setTimeout(() => {
      performance.measure(name, `${name}:start`);
      performance.clearMarks(`${name}:start`);
    }, 0),
  );
}

/** Resolves once the state set so far is painted: marks `name` then (its startTime is ms since the page was opened). */
export async function screenPainted(name: string): Promise<void> {
  await nextTick();
  await new Promise<void>((r) => requestAnimationFrame(() => setTimeout(r, 0)));
  performance.mark(name);
}
