/**
 * CloudWatch metrics from Lambda without an API call: one line in the Embedded Metric Format
 * on stdout, which CloudWatch Logs turns into a metric. Written to stdout directly (not through
 * console.log, whose Lambda text-format prefix would hide the JSON).
 */
export const METRICS_NAMESPACE = 'Suiji';

/**
 * Lifecycle executions that end in a Fail state because a person decided so (plan rejected or
 * invalid, no witnesses, ceremony aborted, draw infeasible): RecordFailure counts them, and the
 * failed-execution alarm subtracts them from Step Functions' ExecutionsFailed.
 */
export const LIFECYCLE_HUMAN_OUTCOMES = 'LifecycleHumanOutcomes';

/** The EMF document for one count (exported for the test). */
export function emfCount(metricName: string, value: number, at: Date, properties: Record<string, string> = {}): Record<string, unknown> {
  return {
    _aws: { Timestamp: at.getTime(), CloudWatchMetrics: [{ Namespace: METRICS_NAMESPACE, Dimensions: [[]], Metrics: [{ Name: metricName, Unit: 'Count' }] }] },
    ...properties,
    [metricName]: value,
  };
}

export function emitCount(metricName: string, value = 1, properties: Record<string, string> = {}): void {
  process.stdout.write(`${JSON.stringify(emfCount(metricName, value, new Date(), properties))}\n`);
}
