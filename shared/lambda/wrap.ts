/**
 * Wrap a plain async function as a Lambda handler with middy and Powertools logging. Errors
 * keep their name: Step Functions matches Catch/Retry on it (e.g. DrawInfeasible).
 */
import middy from '@middy/core';
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { Context } from 'aws-lambda';

export function lambda<E, R>(serviceName: string, fn: (event: E, context: Context) => Promise<R>) {
  const logger = new Logger({ serviceName });
  const base = async (event: E, context: Context): Promise<R> => {
    try {
      return await fn(event, context);
    } catch (e) {
      logger.error('handler failed', e as Error);
      throw e;
    }
  };
  return middy(base).use(injectLambdaContext(logger, { resetKeys: true }));
}
