/**
 * The local platform: everything AWS runs, on one machine, from the synthesized templates.
 *
 *   DynamoDB Local  ← tables of the data stack template (data under <dataDir>/dynamodb)
 *   SES emulator    ← every mail, with its web inbox (inbox kept under <dataDir>)
 *   Lambdas         ← each AWS::Lambda::Function of the app template, run in-process from its
 *                     `suiji:entry` source with its own Environment (LocalLambdas); with
 *                     `bundled` (SUIJI_BUNDLED=1) from its bundle, built as for deployment
 *   Step Functions  ← the state machine definition of the app template (aws-local-stepfunctions
 *                     with task tokens and durable executions), on loopback with the SFN API
 *   HTTP API        ← ROUTES → the API Lambda, like API Gateway with the JWT authorizer
 *   schedules       ← the Scheduler schedules of the template (optional here; npm start runs them)
 *
 * `mode: 'cn'` (SUIJI_MODE=cn) runs the aws-cn stack instead (`-c region=cn-north-1`): mail out
 * over the local SMTP server, replies polled from dovecot over IMAP by the template's schedule,
 * credentials in a local Secrets Manager, SPF/DKIM/DMARC from a loopback DNS, and the built-in
 * sign-in (password + TOTP) whose tokens the local server verifies against the API's JWKS,
 * as API Gateway does (china.ts).
 *
 * Used by `npm start`, the integration tests and the fast-forward demo.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { Server } from 'node:http';
import { synthLocalTemplates, type CfnTemplate } from './template.js';
import { createTablesFromTemplate, freePort, startDynamo, type LocalDynamo } from './dynamo.js';
import { startLocalSes, type LocalSes } from './ses.js';
import { LocalLambdas, REPO_ROOT } from './lambdas.js';
import { LocalStepFunctions } from './sfn.js';
import { startSfnServer, type SfnServer } from './sfn-server.js';
import { startLocalApi, type LocalRouteHandler } from './server.js';
import { startLambdaServer, type LambdaServer } from './lambda-server.js';
import { putBlob, verifyLocalUpload } from '../../blobs.js';
import { resetLambdaClient } from '../../lambda/invoke.js';
import { devLogin, devStaff, principalForEmail } from './devlogin.js';
import { claimsOf, issueDevToken, setDevSecret } from '../devauth.js';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { startChinaServices, type ChinaServices } from './china.js';
import { BUILTIN_AUDIENCE, BUILTIN_ISSUER_PATH } from '../../auth/constants.js';
import { signJwt } from '../../auth/signer.js';
import { now } from '../../clock.js';
import { resetConfig } from '../../config.js';
import { resetDdb } from '../../store/db.js';
import { redriveStalledSteps, resetSfn } from '../../lifecycle/callbacks.js';
import { resetSes } from '../../mail/send.js';
import type { APIGatewayProxyResultV2, Context } from 'aws-lambda';
import type { ApiEvent, Principal } from '../../http/core.js';
import { SESSION_MINUTES } from '../../auth/builtin.js';

// Locally Node 20 is fine for the pinned SDK; its notice about future versions is noise here.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

export interface PlatformOptions {
  /** Keep data here (survives restarts); without it everything is temporary. */
  dataDir?: string;
  ports?: { api?: number; dynamo?: number; ses?: number; sfn?: number };
  /** Pause before Step Functions retries (ms) instead of real back-off. */
  retryDelayMs?: number;
  /** Extra environment for every function (e.g. POWERTOOLS_LOG_LEVEL for a quiet demo). */
  environment?: Record<string, string>;
  /**
   * Run the functions' bundles, built with the deployment's bundling (infra/bundling.ts) into
   * .local/bundles/<pid>, instead of their TypeScript sources. Default: SUIJI_BUNDLED=1.
   */
  bundled?: boolean;
  /** `global` (SES emulator, dev sign-in; the default) or `cn` (SMTP, IMAP, built-in sign-in). Default: SUIJI_MODE. */
  mode?: PlatformMode;
  log?: (line: string) => void;
}

export type PlatformMode = 'global' | 'cn';

/** SUIJI_MODE=cn → the China mode; anything else but empty is a mistake worth saying. */
export function modeFromEnv(v = process.env.SUIJI_MODE): PlatformMode {
  if (!v || v === 'global') return 'global';
  if (v === 'cn') return 'cn';
  throw new Error(`SUIJI_MODE must be global or cn, not "${v}"`);
}

export interface Platform {
  mode: PlatformMode;
  /** China mode: the local SMTP, IMAP, Secrets Manager and DNS servers. */
  china?: ChinaServices;
  apiUrl: string;
  inboxUrl: string;
  dynamo: LocalDynamo;
  ses: LocalSes;
  sfn: LocalStepFunctions;
  lambdas: LocalLambdas;
  stateMachineArn: string;
  tableName: string;
  blobDir: string;
  dataDir: string;
  /** Resolves when the asynchronous invocations started so far (e.g. import runs) have ended. */
  lambdasIdle(): Promise<void>;
  /** Run a function of the template by (part of) its logical id, e.g. 'JobDeadlines'. */
  invoke(logicalIdPrefix: string, event: unknown): Promise<unknown>;
  /**
   * A token for a registered staff member: a dev token, or in the China mode one signed by the
   * built-in sign-in's key with the same claims (what POST /auth/sign-in issues, without the
   * password and TOTP: for tests and tooling).
   */
  tokenFor(email: string): Promise<string>;
  stop(): Promise<void>;
}

export async function startPlatform(opts: PlatformOptions = {}): Promise<Platform> {
  const log = opts.log ?? (() => undefined);
  const dataDir = opts.dataDir ?? join(mkdtemp(), 'suiji');
  mkdirSync(dataDir, { recursive: true });
  const blobDir = join(dataDir, 'blobs');
  mkdirSync(blobDir, { recursive: true });

  const ports = {
    api: opts.ports?.api ?? (await freePort()),
    dynamo: opts.ports?.dynamo ?? (await freePort()),
    ses: opts.ports?.ses ?? (await freePort()),
    sfn: opts.ports?.sfn ?? (await freePort()),
  };
  const apiUrl = `http://127.0.0.1:${ports.api}`;

  // Dev-token secret kept across restarts, so a signed-in CLI stays signed in.
  const secretFile = join(dataDir, 'dev-secret');
  if (!existsSync(secretFile)) writeFileSync(secretFile, randomBytes(32).toString('hex'), { mode: 0o600 });
  setDevSecret(Buffer.from(readFileSync(secretFile, 'utf8'), 'hex'));

  const mode = opts.mode ?? modeFromEnv();
  const t0 = Date.now();
  const templates = synthLocalTemplates(undefined, mode === 'cn' ? { region: 'cn-north-1' } : undefined);
  log(`synthesized the CDK app in ${Date.now() - t0} ms`);

  const dynamo = await startDynamo({ port: ports.dynamo, ...(opts.dataDir ? { dataDir: join(dataDir, 'dynamodb') } : {}) });
  const tables = await createTablesFromTemplate(dynamo.endpoint, templates.data);
  const tableName = Object.values(tables)[0]!;
  const ses = await startLocalSes({ port: ports.ses, persistFile: join(dataDir, 'inbox.jsonl') });

  const china = mode === 'cn' ? await startChinaServices({ dataDir, inboundDomain: 'reply.example.gov.cn', log }) : undefined;
  if (china) log(`China mode: SMTP 127.0.0.1:${china.smtp.port}, IMAP 127.0.0.1:${china.dovecot.port} (mailboxes reply, outbox), built-in sign-in`);

  const sfnEndpoint = `http://127.0.0.1:${ports.sfn}`;
  const localEnv: Record<string, string> = {
    SUIJI_LOCAL: '1',
    TABLE_NAME: tableName,
    BLOB_BUCKET: blobDir,
    PUBLIC_BASE_URL: apiUrl,
    AWS_REGION: 'cn-north-1',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
    AWS_ENDPOINT_URL_SESV2: ses.endpoint,
    AWS_ENDPOINT_URL_SFN: sfnEndpoint,
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    // signs the local stand-ins for presigned S3 uploads (shared/blobs.ts)
    SUIJI_LOCAL_BLOB_SECRET: randomBytes(32).toString('hex'),
    ...(china ? { ...china.env, AUTH_MODE: 'builtin', AUTH_ISSUER: `${apiUrl}${BUILTIN_ISSUER_PATH}`, AUTH_AUDIENCE: BUILTIN_AUDIENCE } : {}),
    ...(opts.environment ?? {}),
  };
  const appTemplate = inlineImports(templates.app, templates.data, { 'AWS::DynamoDB::Table': tableName, 'AWS::S3::Bucket': blobDir });
  // The local server is the HTTP API: its endpoint stands for the API's ApiEndpoint attribute.
  const attributes: Record<string, string> = {};
  for (const [id, r] of Object.entries(appTemplate.Resources)) if (r.Type === 'AWS::ApiGatewayV2::Api') attributes[`${id}.ApiEndpoint`] = apiUrl;
  const lambdas = new LocalLambdas(appTemplate, { extraEnvironment: localEnv, attributes, log });
  const bundleDir = (opts.bundled ?? process.env.SUIJI_BUNDLED === '1') ? join(REPO_ROOT, '.local', 'bundles', String(process.pid)) : undefined;
  if (bundleDir) {
    const t1 = Date.now();
    await lambdas.bundle(bundleDir);
    log(`bundled ${lambdas.functions().length} functions as deployed in ${Date.now() - t1} ms (${bundleDir})`);
  }
  // The Lambda Invoke API (asynchronous invocations between functions: the API starts import runs).
  const lambdaServer: LambdaServer = await startLambdaServer(lambdas, { log, retryDelayMs: opts.retryDelayMs ?? 1000 });
  localEnv.AWS_ENDPOINT_URL_LAMBDA = lambdaServer.endpoint;
  const sfn = new LocalStepFunctions({ template: appTemplate, lambdas, log, ...(opts.retryDelayMs !== undefined ? { retryDelayMs: opts.retryDelayMs } : {}) });
  const stateMachineArn = sfn.machines[0]!.arn;
  localEnv.STATE_MACHINE_ARN = stateMachineArn;
  // Code that runs outside a Lambda (the demo driver, sample loading, tests) sees the same.
  Object.assign(process.env, localEnv);
  resetConfig();
  resetDdb();
  resetSfn();
  resetSes();
  resetLambdaClient();
  const sfnServer: SfnServer = await startSfnServer(sfn, { port: ports.sfn });

  const fnByPrefix = (prefix: string): string => {
    const f = lambdas.functions().find((x) => x.logicalId.startsWith(prefix));
    if (!f) throw new Error(`no function ${prefix}* in the template`);
    return f.logicalId;
  };
  const apiFn = fnByPrefix('Api');
  const localRoutes: Record<string, LocalRouteHandler> = {
    // The China mode signs in with the built-in sign-in only.
    ...(china ? {} : { 'POST /auth/dev-login': devLogin, 'GET /auth/dev-staff': devStaff }),
    // What S3 does with a presigned PUT: the signature and expiry checked, the object stored.
    'PUT /local/blobs/{key+}': async ({ body, query, params }) => {
      const key = (params.key ?? '').split('/').map(decodeURIComponent).join('/');
      if (!key.startsWith('imports/') || !verifyLocalUpload(key, query.get('expires') ?? '', query.get('signature') ?? '', now().getTime())) {
        return { status: 403, text: 'AccessDenied: the upload URL is invalid or has expired' };
      }
      await putBlob(key, body);
      return { status: 200, text: '' };
    },
    'POST /local/inbound-mail': async ({ body }) => {
      if (china) {
        // Through the reply mailbox's MX into dovecot, then the poll (as its schedule would).
        await china.deliverReply(body);
        return { status: 200, json: await lambdas.invoke(fnByPrefix('MailImapPoll'), { schedule: 'local' }) };
      }
      const r = await lambdas.invoke(fnByPrefix('MailInbound'), { local: true, raw: body.toString('base64') });
      return { status: 200, json: r };
    },
  };
  const verifyToken = china ? builtinVerifier(apiUrl) : undefined;
  const api: Server = await startLocalApi({
    port: ports.api,
    apiHandler: (event: ApiEvent, _ctx: Context) => lambdas.invoke(apiFn, event) as Promise<APIGatewayProxyResultV2>,
    localRoutes,
    ...(verifyToken ? { verifyToken } : {}),
  });

  const resumed = await sfn.resumeAll();
  if (resumed.resumed.length || resumed.waiting.length) log(`resumed ${resumed.resumed.length} running and ${resumed.waiting.length} waiting executions`);
  if (resumed.waiting.length) {
    // A parked execution whose human step the stored state already satisfies (the request that
    // stored the last result was killed before resuming it, or DynamoDB failed under it) moves
    // on now, as the recovery job (functions/jobs/recover.ts) would within a minute. A claim the
    // killed request left on the token is honoured until its lease ends; the job takes it then.
    const r = await redriveStalledSteps().catch((e: Error) => ({ error: e.message, resumed: [] as string[] }));
    if (r.resumed.length || 'error' in r) log(`re-driven from stored state: ${JSON.stringify(r)}`);
  }
  sfn.startTimers();

  return {
    mode,
    ...(china ? { china } : {}),
    apiUrl,
    inboxUrl: ses.endpoint,
    dynamo,
    ses,
    sfn,
    lambdas,
    stateMachineArn,
    tableName,
    blobDir,
    dataDir,
    invoke: (prefix, event) => lambdas.invoke(fnByPrefix(prefix), event),
    lambdasIdle: () => lambdaServer.idle(),
    tokenFor: async (email) => {
      const p = await principalForEmail(email);
      if (!p) throw new Error(`no registered staff member ${email}`);
      return china ? issueBuiltinToken(p) : issueDevToken(p);
    },
    stop: async () => {
      await new Promise<void>((r) => {
        api.close(() => r());
        api.closeAllConnections();
      });
      await sfn.close();
      await sfnServer.close();
      await lambdaServer.close();
      await ses.stop();
      await china?.stop();
      await dynamo.stop();
      if (bundleDir) rmSync(bundleDir, { recursive: true, force: true });
    },
  };
}

/**
 * Cross-stack references (`Fn::ImportValue` of the data stack's exports) resolved to their local
 * values: the table's name, the blob folder, or a local ARN, so the app template stands alone.
 */
function inlineImports(app: CfnTemplate, data: CfnTemplate, byType: Record<string, string>): CfnTemplate {
  const exportsByName = new Map<string, unknown>();
  for (const o of Object.values((data.Outputs ?? {}) as Record<string, { Value: unknown; Export?: { Name?: string } }>)) {
    if (o.Export?.Name) exportsByName.set(o.Export.Name, o.Value);
  }
  const valueOf = (v: unknown): unknown => {
    const ref = (v as { Ref?: string }).Ref;
    const att = (v as { 'Fn::GetAtt'?: [string, string] })['Fn::GetAtt'];
    const id = ref ?? att?.[0];
    const type = id ? data.Resources[id]?.Type : undefined;
    if (ref && type && byType[type]) return byType[type];
    if (id) return `arn:aws:${(type ?? 'AWS::Local::X').split('::')[1]!.toLowerCase()}:cn-north-1:000000000000:${id}`;
    return v;
  };
  const walk = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === 'object') {
      const imp = (v as Record<string, unknown>)['Fn::ImportValue'];
      if (typeof imp === 'string' && exportsByName.has(imp)) return valueOf(exportsByName.get(imp));
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
    }
    return v;
  };
  return walk(app) as CfnTemplate;
}

/** What API Gateway's JWT authorizer does with the stack as its own issuer: JWKS, issuer, audience, expiry (by the platform's clock). */
function builtinVerifier(apiUrl: string): (token: string) => Promise<Record<string, string | string[]> | undefined> {
  const issuer = `${apiUrl}${BUILTIN_ISSUER_PATH}`;
  const jwks = createRemoteJWKSet(new URL(`${issuer}/jwks.json`));
  return async (token) => {
    try {
      const { payload } = await jwtVerify(token, jwks, { issuer, audience: BUILTIN_AUDIENCE, algorithms: ['RS256'], currentDate: now() });
      return payload as unknown as Record<string, string | string[]>;
    } catch {
      return undefined;
    }
  };
}

function mkdtemp(): string {
  const dir = join(process.env.TMPDIR ?? '/tmp', `suiji-${process.pid}-${randomBytes(4).toString('hex')}`);
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** A built-in sign-in token for a principal, as POST /auth/sign-in issues it (same claims, same key, same lifetime). */
async function issueBuiltinToken(p: Principal): Promise<string> {
  const iat = Math.floor(now().getTime() / 1000);
  return signJwt({ ...claimsOf(p), iss: process.env.AUTH_ISSUER, aud: BUILTIN_AUDIENCE, iat, exp: iat + SESSION_MINUTES * 60 });
}
