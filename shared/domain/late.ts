/**
 * When a task is launched too late (issue 11: a December launch of a task whose window ended in
 * September): after its draw date, or after its inspection window. Such a task starts only with
 * new dates — a plan adjustment, or a late launch a leader approved — so that no deadline is
 * overdue at the draw and the check dates fall in a window that is still open.
 */

export interface TaskDates {
  drawDate: string;
  window: { start: string; end: string };
}

/** Why launching on `today` is too late for these dates (Chinese), or undefined when it is not. */
export function launchTooLate(d: TaskDates, today: string): string | undefined {
  if (today <= d.drawDate && today <= d.window.end) return undefined;
  const parts = [`抽取日期（${d.drawDate}）已过`];
  if (today > d.window.end) parts.push(`抽查时间（${d.window.start} 至 ${d.window.end}）已结束`);
  return parts.join('，');
}

/** What is wrong with new dates for a late launch decided on `today` (per field; empty when fine). */
export function newDatesProblems(d: TaskDates, today: string): { field: string; message: string }[] {
  const out: { field: string; message: string }[] = [];
  if (d.drawDate < today) out.push({ field: 'drawDate', message: `新的抽取日期（${d.drawDate}）不能早于今天（${today}）` });
  if (d.window.end < d.window.start) out.push({ field: 'window.end', message: `抽查时间的结束日期（${d.window.end}）早于开始日期（${d.window.start}）` });
  if (d.drawDate > d.window.end) out.push({ field: 'drawDate', message: `新的抽取日期（${d.drawDate}）晚于抽查时间的结束日期（${d.window.end}）` });
  return out;
}

/** A task's dates in force: those of its approved late launch, else its plan task's. */
export function effectiveDates<T extends TaskDates>(planTask: T, lateLaunch: TaskDates | undefined): T {
  return lateLaunch ? { ...planTask, drawDate: lateLaunch.drawDate, window: { start: lateLaunch.window.start, end: lateLaunch.window.end } } : planTask;
}
