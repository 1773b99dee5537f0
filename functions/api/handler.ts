/**
 * The HTTP API Lambda. API Gateway (HTTP API, JWT authorizer) routes every entry of ROUTES here;
 * the local server builds the same events. Routing, roles and department scope: shared/http/core.
 */
import middy from '@middy/core';
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { APIGatewayProxyResultV2, Context } from 'aws-lambda';
import { dispatch, type ApiEvent, type RouteHandler } from '../../shared/http/core.js';
import { registryRoutes } from './routes/registry.js';
import { taskRoutes } from './routes/tasks.js';
import { linkRoutes } from './routes/links.js';
import { publicRoutes } from './routes/public.js';
import { planRoutes } from './routes/plans.js';
import { importRoutes } from './routes/imports.js';
import { consoleRoutes } from './routes/console.js';
import { consoleAssetRoutes } from './routes/console-assets.js';
import { reportRoutes } from './routes/reports.js';
import { signInRoutes } from './routes/signin.js';

const logger = new Logger({ serviceName: 'suiji-api' });

export const routes: Record<string, RouteHandler> = {
  ...registryRoutes,
  ...taskRoutes,
  ...linkRoutes,
  ...publicRoutes,
  ...planRoutes,
  ...importRoutes,
  ...consoleRoutes,
  ...consoleAssetRoutes,
  ...reportRoutes,
  ...signInRoutes,
};

// A failed request is logged with its route template (`GET /l/{linkId}`), never its path: a path
// can carry an e-mail link id, which is a bearer credential (docs/SECURITY.md). The event itself is
// never logged.
const base = async (event: ApiEvent, _context: Context): Promise<APIGatewayProxyResultV2> =>
  dispatch(event, routes, (msg, err) => logger.error(msg, { route: event.routeKey, error: err as Error }));

export const handler = middy(base).use(injectLambdaContext(logger, { resetKeys: true }));
