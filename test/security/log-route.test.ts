/**
 * Link ids never reach a log (issue 12, 3): the API Lambda logs a failed request with its route
 * template, not its path. Here a link request fails inside (no table configured) and the log line
 * the Powertools logger writes names `GET /l/{linkId}` and not the id.
 */
import { describe, expect, it } from 'vitest';
import type { Context } from 'aws-lambda';
import { captureOutput } from '../helpers/capture.js';

describe('the API log of a failed link request', () => {
  it('carries the route template, never the link id', async () => {
    delete process.env.TABLE_NAME;
    const { handler } = await import('../../functions/api/handler.js');
    const linkId = 'Zq3vX9mLk2PwR7tY8uBn4c';
    const event = {
      version: '2.0',
      routeKey: 'GET /l/{linkId}',
      rawPath: `/l/${linkId}`,
      rawQueryString: '',
      headers: {},
      pathParameters: { linkId },
      requestContext: { http: { method: 'GET', path: `/l/${linkId}`, sourceIp: '203.0.113.9' }, routeKey: 'GET /l/{linkId}', requestId: 'r1' },
      isBase64Encoded: false,
    };
    const context = { functionName: 'Api', functionVersion: '1', invokedFunctionArn: 'arn:aws-cn:lambda:cn-north-1:1:function:Api', memoryLimitInMB: '512', awsRequestId: 'req-1', getRemainingTimeInMillis: () => 1000 } as unknown as Context;
    let status = 0;
    const out = await captureOutput(async () => {
      const r = (await handler(event as never, context)) as { statusCode: number };
      status = r.statusCode;
    });
    expect(status).toBe(500);
    const line = out.split('\n').map((l) => l.trim()).filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.level === 'ERROR');
    expect(line).toMatchObject({ message: 'unhandled error', route: 'GET /l/{linkId}' });
    expect(out).not.toContain(linkId);
    expect(out).not.toContain(linkId.slice(0, 8));
  });
});
