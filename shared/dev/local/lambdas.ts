/**
 * The Lambda functions of a synthesized template, run in-process. Each AWS::Lambda::Function
 * carries Metadata `suiji:entry` (its source file, relative to the repository root); invoking a
 * function dynamic-imports that module (tsx or vitest compile it) — or, after `bundle()`, the
 * function's bundle as deployed (infra/bundling.ts) — and calls its handler with a
 * realistic Lambda context, inside the function's own environment variables taken from the
 * template (intrinsics resolved to local values). Errors surface like Lambda reports them:
 * `errorType` is the error's `name`, so Step Functions Retry/Catch match on it.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomBytes, randomUUID } from 'node:crypto';
import { isAbsolute, join, resolve as resolvePath } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Context } from 'aws-lambda';
import { bundleFunction } from '../../../infra/bundling.js';

/** The part of a CloudFormation template the local platform reads. */
export interface LocalTemplate {
  Resources: Record<string, { Type: string; Properties?: Record<string, unknown>; Metadata?: Record<string, unknown> }>;
  Parameters?: Record<string, { Default?: unknown }>;
  Outputs?: Record<string, unknown>;
}

export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const ENTRY_METADATA = 'suiji:entry';

// ---------------------------------------------------------------------------------------------
// Intrinsic functions → local values
// ---------------------------------------------------------------------------------------------

export interface IntrinsicOptions {
  /** Region of the local ARNs (default AWS_REGION or cn-north-1). */
  region?: string;
  account?: string;
  stackName?: string;
  /** Value of `Ref` for a logical id, e.g. `{ SuijiTable: 'SuijiTable', Blobs: '/path/to/folder' }`. */
  refs?: Record<string, string>;
  /** Value of `Fn::GetAtt`, keyed `LogicalId.Attribute`. */
  attributes?: Record<string, string>;
  /** Other stacks' templates whose exported Outputs `Fn::ImportValue` reads (e.g. the data stack). */
  imports?: LocalTemplate[];
  /** `Ref` by resource type before the default (e.g. every AWS::S3::Bucket → the local blob folder). */
  resolveRef?: (logicalId: string, resourceType: string) => string | undefined;
  /** Fallback for other `Fn::GetAtt`s, by resource type (e.g. an HTTP API's ApiEndpoint → the local URL). */
  resolveAttribute?: (logicalId: string, attribute: string, resourceType: string) => string | undefined;
}

/** Property that names a resource physically, per type (else the logical id is the name). */
const NAME_PROPERTY: Record<string, string> = {
  'AWS::Lambda::Function': 'FunctionName',
  'AWS::DynamoDB::Table': 'TableName',
  'AWS::DynamoDB::GlobalTable': 'TableName',
  'AWS::StepFunctions::StateMachine': 'StateMachineName',
  'AWS::S3::Bucket': 'BucketName',
  'AWS::Scheduler::Schedule': 'Name',
  'AWS::Scheduler::ScheduleGroup': 'Name',
  'AWS::Events::Rule': 'Name',
  'AWS::SES::ConfigurationSet': 'Name',
  'AWS::SES::ReceiptRuleSet': 'RuleSetName',
  'AWS::IAM::Role': 'RoleName',
  'AWS::SQS::Queue': 'QueueName',
  'AWS::SNS::Topic': 'TopicName',
  'AWS::Logs::LogGroup': 'LogGroupName',
};

/** Resource types whose `Ref` is the ARN rather than the name. */
const REF_IS_ARN = new Set(['AWS::StepFunctions::StateMachine', 'AWS::SNS::Topic', 'AWS::Scheduler::Schedule']);

/**
 * Resolves Ref / Fn::GetAtt / Fn::Join / Fn::Sub / Fn::Select / Fn::Split and pseudo parameters
 * of one template to the values the local platform uses. Physical names follow the rule of
 * `createTablesFromTemplate`: the name property when the template sets one, else the logical id.
 */
export class Intrinsics {
  readonly region: string;
  readonly account: string;
  readonly partition: string;
  readonly urlSuffix: string;
  readonly stackName: string;
  private readonly resolving = new Set<string>();

  constructor(
    readonly template: LocalTemplate,
    private readonly opts: IntrinsicOptions = {},
  ) {
    this.region = opts.region ?? process.env.AWS_REGION ?? 'cn-north-1';
    this.account = opts.account ?? '000000000000';
    this.partition = this.region.startsWith('cn-') ? 'aws-cn' : 'aws';
    this.urlSuffix = this.partition === 'aws-cn' ? 'amazonaws.com.cn' : 'amazonaws.com';
    this.stackName = opts.stackName ?? 'SuijiLocal';
  }

  private resource(logicalId: string) {
    const r = this.template.Resources[logicalId];
    if (!r) throw new Error(`template has no resource "${logicalId}"`);
    return r;
  }

  physicalName(logicalId: string): string {
    const r = this.resource(logicalId);
    const prop = NAME_PROPERTY[r.Type];
    const raw = prop ? r.Properties?.[prop] : undefined;
    if (raw === undefined) return logicalId;
    if (this.resolving.has(logicalId)) throw new Error(`circular name of ${logicalId}`);
    this.resolving.add(logicalId);
    try {
      return String(this.resolve(raw));
    } finally {
      this.resolving.delete(logicalId);
    }
  }

  arn(logicalId: string): string {
    const r = this.resource(logicalId);
    const name = this.physicalName(logicalId);
    const { partition: p, region: reg, account: a } = this;
    switch (r.Type) {
      case 'AWS::Lambda::Function':
        return `arn:${p}:lambda:${reg}:${a}:function:${name}`;
      case 'AWS::DynamoDB::Table':
      case 'AWS::DynamoDB::GlobalTable':
        return `arn:${p}:dynamodb:${reg}:${a}:table/${name}`;
      case 'AWS::StepFunctions::StateMachine':
        return `arn:${p}:states:${reg}:${a}:stateMachine:${name}`;
      case 'AWS::S3::Bucket':
        return `arn:${p}:s3:::${name}`;
      case 'AWS::IAM::Role':
        return `arn:${p}:iam::${a}:role/${name}`;
      case 'AWS::SQS::Queue':
        return `arn:${p}:sqs:${reg}:${a}:${name}`;
      case 'AWS::SNS::Topic':
        return `arn:${p}:sns:${reg}:${a}:${name}`;
      case 'AWS::Scheduler::Schedule': {
        const group = r.Properties?.GroupName ? String(this.resolve(r.Properties.GroupName)) : 'default';
        return `arn:${p}:scheduler:${reg}:${a}:schedule/${group}/${name}`;
      }
      case 'AWS::Events::Rule':
        return `arn:${p}:events:${reg}:${a}:rule/${name}`;
      case 'AWS::Logs::LogGroup':
        return `arn:${p}:logs:${reg}:${a}:log-group:${name}:*`;
      default: {
        const service = (r.Type.split('::')[1] ?? 'local').toLowerCase();
        return `arn:${p}:${service}:${reg}:${a}:${name}`;
      }
    }
  }

  ref(name: string): unknown {
    switch (name) {
      case 'AWS::Region':
        return this.region;
      case 'AWS::AccountId':
        return this.account;
      case 'AWS::Partition':
        return this.partition;
      case 'AWS::URLSuffix':
        return this.urlSuffix;
      case 'AWS::StackName':
        return this.stackName;
      case 'AWS::StackId':
        return `arn:${this.partition}:cloudformation:${this.region}:${this.account}:stack/${this.stackName}/local`;
      case 'AWS::NotificationARNs':
        return [];
      case 'AWS::NoValue':
        return NO_VALUE;
    }
    if (this.opts.refs?.[name] !== undefined) return this.opts.refs[name];
    const param = this.template.Parameters?.[name];
    if (param) {
      if (param.Default === undefined) throw new Error(`template parameter ${name} has no default; pass it in refs`);
      return param.Default;
    }
    const r = this.resource(name);
    const hooked = this.opts.resolveRef?.(name, r.Type);
    if (hooked !== undefined) return hooked;
    return REF_IS_ARN.has(r.Type) ? this.arn(name) : this.physicalName(name);
  }

  getAtt(logicalId: string, attribute: string): string {
    const key = `${logicalId}.${attribute}`;
    if (this.opts.attributes?.[key] !== undefined) return this.opts.attributes[key];
    const r = this.resource(logicalId);
    if (attribute === 'Arn') return this.arn(logicalId);
    if (attribute === 'Name' || attribute === 'QueueName' || attribute === 'TopicName') return this.physicalName(logicalId);
    if (r.Type === 'AWS::SQS::Queue' && attribute === 'QueueUrl') {
      return `https://sqs.${this.region}.${this.urlSuffix}/${this.account}/${this.physicalName(logicalId)}`;
    }
    if (r.Type === 'AWS::DynamoDB::Table' && attribute === 'StreamArn') return `${this.arn(logicalId)}/stream/local`;
    const hooked = this.opts.resolveAttribute?.(logicalId, attribute, r.Type);
    if (hooked !== undefined) return hooked;
    throw new Error(`cannot resolve Fn::GetAtt ${key} (${r.Type}) locally: pass it in the "attributes" or "resolveAttribute" option`);
  }

  /** Deep-resolve every intrinsic in a template value. */
  resolve(value: unknown): unknown {
    const out = this.resolveInner(value);
    return out === NO_VALUE ? undefined : out;
  }

  private resolveInner(value: unknown): unknown {
    if (Array.isArray(value)) return value.map((v) => this.resolveInner(v)).filter((v) => v !== NO_VALUE);
    if (value === null || typeof value !== 'object') return value;
    const obj = value as Record<string, unknown>;
    const keys = Object.keys(obj);
    if (keys.length === 1) {
      const k = keys[0]!;
      const arg = obj[k];
      switch (k) {
        case 'Ref':
          return this.ref(String(arg));
        case 'Fn::GetAtt': {
          const [id, ...attr] = Array.isArray(arg) ? (arg as string[]) : String(arg).split('.');
          return this.getAtt(String(id), attr.join('.'));
        }
        case 'Fn::Join': {
          const [sep, parts] = arg as [string, unknown[]];
          const resolved = this.resolveInner(parts);
          if (!Array.isArray(resolved)) throw new Error('Fn::Join expects a list');
          return resolved.map((p) => (typeof p === 'string' ? p : JSON.stringify(p))).join(sep);
        }
        case 'Fn::Select': {
          const [index, list] = arg as [unknown, unknown];
          const arr = this.resolveInner(list);
          if (!Array.isArray(arr)) throw new Error('Fn::Select expects a list');
          return arr[Number(this.resolveInner(index))];
        }
        case 'Fn::Split': {
          const [sep, str] = arg as [string, unknown];
          return String(this.resolveInner(str)).split(sep);
        }
        case 'Fn::Sub':
          return this.sub(arg);
        case 'Fn::ImportValue':
          return this.importValue(String(this.resolveInner(arg)));
        case 'Fn::If':
        case 'Fn::GetAZs':
        case 'Fn::FindInMap':
        case 'Fn::Base64':
        case 'Fn::Cidr':
          throw new Error(`intrinsic ${k} is not supported by the local platform`);
      }
    }
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(obj)) {
      const r = this.resolveInner(v);
      if (r !== NO_VALUE) out[k] = r;
    }
    return out;
  }

  private importValue(name: string): unknown {
    for (const t of this.opts.imports ?? []) {
      const other = new Intrinsics(t, { ...this.opts, imports: [] });
      for (const out of Object.values(t.Outputs ?? {}) as { Value: unknown; Export?: { Name: unknown } }[]) {
        if (out.Export && other.resolve(out.Export.Name) === name) return other.resolve(out.Value);
      }
    }
    throw new Error(`Fn::ImportValue ${name}: no such export in the templates passed as "imports"`);
  }

  private sub(arg: unknown): string {
    const [text, vars] = Array.isArray(arg) ? (arg as [string, Record<string, unknown>]) : [String(arg), {}];
    return text.replace(/\$\{(!?)([^}]+)\}/g, (_m, bang: string, name: string) => {
      if (bang) return `\${${name}}`;
      if (vars && name in vars) return String(this.resolveInner(vars[name]));
      if (name.includes('.') && !name.startsWith('AWS::')) {
        const [id, ...attr] = name.split('.');
        return this.getAtt(id!, attr.join('.'));
      }
      return String(this.ref(name));
    });
  }
}

const NO_VALUE = Symbol('AWS::NoValue');

// ---------------------------------------------------------------------------------------------
// Functions
// ---------------------------------------------------------------------------------------------

export interface LocalFunction {
  logicalId: string;
  /** Physical function name (FunctionName, else the logical id). */
  name: string;
  arn: string;
  /** Absolute path of the handler module. */
  entry: string;
  /** Export called as the handler (from `Handler: file.export`). */
  exportName: string;
  timeoutSeconds: number;
  memoryMb: number;
  environment: Record<string, string>;
}

/** A function error as the Lambda service reports it (InvokeCommand FunctionError payload). */
export class LambdaFunctionError extends Error {
  readonly errorType: string;
  readonly errorMessage: string;
  readonly trace: string[];
  constructor(errorType: string, errorMessage: string, trace: string[] = [], readonly functionName = '') {
    super(errorMessage);
    this.name = errorType;
    this.errorType = errorType;
    this.errorMessage = errorMessage;
    this.trace = trace;
  }
  /** The JSON payload Lambda returns for a failed invocation; Step Functions uses it as `Cause`. */
  get payload(): { errorType: string; errorMessage: string; trace: string[] } {
    return { errorType: this.errorType, errorMessage: this.errorMessage, trace: this.trace };
  }
}

/** Errors of the Lambda service itself (not of the function code), named like the SDK's. */
export class LambdaServiceError extends Error {
  constructor(name: string, message: string) {
    super(message);
    this.name = name;
  }
}

export interface LocalLambdasOptions extends IntrinsicOptions {
  /** Repository root that `suiji:entry` paths are relative to. */
  root?: string;
  /** Extra variables every function sees (after its template Environment), e.g. local endpoints. */
  extraEnvironment?: Record<string, string>;
  /** Fail an invocation that outlives the function's Timeout like Lambda does (default: only warn). */
  enforceTimeout?: boolean;
  log?: (line: string) => void;
}

type Handler = (event: unknown, context: Context, callback?: (err?: unknown, result?: unknown) => void) => unknown;

/**
 * Each invocation runs inside its function's environment: process.env is replaced (once) by a
 * view that reads the current invocation's variables first, through AsyncLocalStorage, so two
 * functions running concurrently each see their own Environment, as in Lambda.
 */
const envScope = new AsyncLocalStorage<Record<string, string>>();
let envViewInstalled = false;
function installEnvView(): void {
  if (envViewInstalled) return;
  envViewInstalled = true;
  const base = process.env;
  const scoped = (k: string | symbol): Record<string, string> | undefined => {
    const s = envScope.getStore();
    return typeof k === 'string' && s && Object.prototype.hasOwnProperty.call(s, k) ? s : undefined;
  };
  process.env = new Proxy(base, {
    get: (t, k) => scoped(k)?.[k as string] ?? Reflect.get(t, k),
    has: (t, k) => scoped(k) !== undefined || Reflect.has(t, k),
    set: (t, k, v) => {
      const s = scoped(k);
      if (s) s[k as string] = String(v);
      else Reflect.set(t, k, String(v));
      return true;
    },
    deleteProperty: (t, k) => {
      const s = scoped(k);
      if (s) return delete s[k as string];
      return Reflect.deleteProperty(t, k);
    },
    ownKeys: (t) => {
      const keys = new Set(Reflect.ownKeys(t));
      for (const k of Object.keys(envScope.getStore() ?? {})) keys.add(k);
      return [...keys];
    },
    getOwnPropertyDescriptor: (t, k) => {
      const s = scoped(k);
      if (s) return { value: s[k as string], writable: true, enumerable: true, configurable: true };
      return Reflect.getOwnPropertyDescriptor(t, k);
    },
  });
}

export class LocalLambdas {
  readonly intrinsics: Intrinsics;
  private readonly byLogicalId = new Map<string, LocalFunction>();
  private readonly byName = new Map<string, LocalFunction>();
  /** Functions without `suiji:entry` (CDK's own custom-resource providers): not runnable locally. */
  private readonly foreign = new Set<string>();
  /** Functions whose environment could not be resolved, with the reason. */
  private readonly broken = new Map<string, string>();
  /** Per-function environment, kept across invocations like a warm container's. */
  private readonly envs = new Map<string, Record<string, string>>();
  /** Bundled handler modules by logical id (see bundle()). */
  private readonly bundles = new Map<string, string>();
  private readonly log: (line: string) => void;

  constructor(
    readonly template: LocalTemplate,
    private readonly opts: LocalLambdasOptions = {},
  ) {
    this.intrinsics = new Intrinsics(template, opts);
    this.log = opts.log ?? ((l) => console.warn(l));
    const root = opts.root ?? REPO_ROOT;
    for (const [logicalId, res] of Object.entries(template.Resources)) {
      if (res.Type !== 'AWS::Lambda::Function') continue;
      const entry = res.Metadata?.[ENTRY_METADATA];
      const name = this.intrinsics.physicalName(logicalId);
      if (typeof entry !== 'string') {
        this.foreign.add(logicalId);
        this.foreign.add(name);
        continue;
      }
      const p = res.Properties ?? {};
      const handler = typeof p.Handler === 'string' ? p.Handler : 'index.handler';
      const vars = ((p.Environment as { Variables?: unknown } | undefined)?.Variables ?? {}) as Record<string, unknown>;
      const environment: Record<string, string> = {};
      // A variable that cannot be resolved makes only its function unusable (reported by problems()).
      let problem: string | undefined;
      for (const [k, raw] of Object.entries(vars)) {
        try {
          const v = this.intrinsics.resolve(raw);
          if (v !== undefined) environment[k] = typeof v === 'string' ? v : JSON.stringify(v);
        } catch (e) {
          problem = `${logicalId}: environment variable ${k}: ${(e as Error).message}`;
        }
      }
      if (problem) this.broken.set(logicalId, problem);
      const fn: LocalFunction = {
        logicalId,
        name,
        arn: this.intrinsics.arn(logicalId),
        entry: isAbsolute(entry) ? entry : resolvePath(root, entry),
        exportName: handler.slice(handler.lastIndexOf('.') + 1),
        timeoutSeconds: typeof p.Timeout === 'number' ? p.Timeout : 3,
        memoryMb: typeof p.MemorySize === 'number' ? p.MemorySize : 128,
        environment,
      };
      this.byLogicalId.set(logicalId, fn);
      this.byName.set(name, fn);
    }
  }

  functions(): LocalFunction[] {
    return [...this.byLogicalId.values()];
  }

  /** What keeps a function from running locally (unresolvable environment), one line each. */
  problems(): string[] {
    return [...this.broken.values()];
  }

  /** Find a function by logical id, name, full or partial ARN (a qualifier is ignored). */
  find(ref: string): LocalFunction {
    let key = ref;
    const m = /^arn:[\w-]+:lambda:[\w-]*:\d*:function:([^:]+)(?::.+)?$/.exec(ref);
    if (m) key = m[1]!;
    else if (/^[^:]+:[^:]+$/.test(ref) && !this.byName.has(ref)) key = ref.split(':')[0]!; // name:qualifier
    const fn = this.byLogicalId.get(key) ?? this.byName.get(key);
    if (fn) return fn;
    if (this.foreign.has(key)) {
      throw new LambdaServiceError('ResourceNotFoundException', `function ${key} has no "${ENTRY_METADATA}" metadata and cannot run locally`);
    }
    throw new LambdaServiceError('ResourceNotFoundException', `Function not found: ${ref}`);
  }

  /**
   * Bundles every function the way its asset is bundled for deployment, into dir/<logical id>,
   * and from then on runs the bundles instead of the sources. `dir` must lie inside the
   * repository: the bundles import the AWS SDK from its node_modules, as Lambda's runtime provides it.
   */
  async bundle(dir: string): Promise<void> {
    const fns = this.functions();
    const built = await Promise.all(fns.map((fn) => bundleFunction(fn.entry, join(dir, fn.logicalId))));
    fns.forEach((fn, i) => this.bundles.set(fn.logicalId, built[i]!.index));
  }

  private async load(fn: LocalFunction): Promise<Handler> {
    const file = this.bundles.get(fn.logicalId) ?? fn.entry;
    const mod = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
    const h = mod[fn.exportName];
    if (typeof h !== 'function') {
      throw new LambdaServiceError('Runtime.HandlerNotFound', `${file} does not export "${fn.exportName}"`);
    }
    return h as Handler;
  }

  /** The variables a function sees in Lambda: the runtime's, then its template Environment. */
  environmentOf(fn: LocalFunction): Record<string, string> {
    let env = this.envs.get(fn.logicalId);
    if (!env) {
      env = {
        AWS_REGION: this.intrinsics.region,
        AWS_DEFAULT_REGION: this.intrinsics.region,
        AWS_LAMBDA_FUNCTION_NAME: fn.name,
        AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
        AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(fn.memoryMb),
        AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${fn.name}`,
        AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x',
        _HANDLER: `index.${fn.exportName}`,
        ...fn.environment,
        ...(this.opts.extraEnvironment ?? {}),
      };
      this.envs.set(fn.logicalId, env);
    }
    return env;
  }

  /**
   * Invoke synchronously (RequestResponse). Resolves with the handler's result after a JSON
   * round trip (what crosses the wire in Lambda); rejects with LambdaFunctionError for errors of
   * the function code, LambdaServiceError when the function cannot be found or loaded.
   */
  async invoke(ref: string, event: unknown): Promise<unknown> {
    const fn = this.find(ref);
    const broken = this.broken.get(fn.logicalId);
    if (broken) throw new LambdaServiceError('InvalidParameterValueException', broken);
    installEnvView();
    // init (the module's top-level code) sees the function's environment too, as in Lambda
    const handler = await envScope.run(this.environmentOf(fn), () => this.load(fn));
    const payload = JSON.parse(JSON.stringify(event ?? null)) as unknown;
    const requestId = randomUUID();
    const started = Date.now();
    const deadline = started + fn.timeoutSeconds * 1000;
    const day = new Date(started).toISOString().slice(0, 10).replaceAll('-', '/');
    const context: Context = {
      callbackWaitsForEmptyEventLoop: true,
      functionName: fn.name,
      functionVersion: '$LATEST',
      invokedFunctionArn: fn.arn,
      memoryLimitInMB: String(fn.memoryMb),
      awsRequestId: requestId,
      logGroupName: `/aws/lambda/${fn.name}`,
      logStreamName: `${day}/[$LATEST]${randomBytes(16).toString('hex')}`,
      getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
      done: () => undefined,
      fail: () => undefined,
      succeed: () => undefined,
    };
    const env = { ...this.environmentOf(fn), _X_AMZN_TRACE_ID: `Root=1-${Math.floor(started / 1000).toString(16)}-${randomBytes(12).toString('hex')}` };
    const run = (): Promise<unknown> =>
      new Promise<unknown>((resolve, reject) => {
        const callback = (err?: unknown, result?: unknown): void => (err ? reject(err) : resolve(result));
        try {
          const r = handler(payload, context, callback);
          if (r && typeof (r as Promise<unknown>).then === 'function') (r as Promise<unknown>).then(resolve, reject);
          else if (handler.length < 3) resolve(r);
        } catch (e) {
          reject(e);
        }
      });
    let timer: NodeJS.Timeout | undefined;
    try {
      const work = envScope.run(env, run);
      const result = this.opts.enforceTimeout
        ? await Promise.race([
            work,
            new Promise<never>((_, reject) => {
              timer = setTimeout(
                () => reject(new LambdaFunctionError('Sandbox.Timedout', `Task timed out after ${fn.timeoutSeconds.toFixed(2)} seconds`)),
                fn.timeoutSeconds * 1000,
              );
            }),
          ])
        : await work;
      return result === undefined ? null : (JSON.parse(JSON.stringify(result)) as unknown);
    } catch (e) {
      if (e instanceof LambdaFunctionError) throw e;
      throw toFunctionError(e, fn.name);
    } finally {
      if (timer) clearTimeout(timer);
      const took = Date.now() - started;
      if (took > fn.timeoutSeconds * 1000 && !this.opts.enforceTimeout) {
        this.log(`[lambda] ${fn.logicalId} ran ${took} ms, longer than its Timeout of ${fn.timeoutSeconds} s (AWS would have stopped it)`);
      }
    }
  }
}

function toFunctionError(e: unknown, functionName: string): LambdaFunctionError {
  if (e instanceof Error) {
    const trace = (e.stack ?? '').split('\n').map((l) => l.trim()).filter(Boolean);
    return new LambdaFunctionError(e.name || 'Error', e.message, trace, functionName);
  }
  return new LambdaFunctionError(typeof e === 'string' ? 'string' : 'Error', typeof e === 'string' ? e : JSON.stringify(e), [], functionName);
}

/**
 * Diagnostics for benchmarks and the demo: wall milliseconds spent in each function (by logical
 * id, and by `stage` for the callback function), accumulated from now on.
 */
export function timeInvocations(lambdas: LocalLambdas): Map<string, number> {
  const ms = new Map<string, number>();
  const invoke = lambdas.invoke.bind(lambdas);
  lambdas.invoke = async (ref: string, event: unknown) => {
    const t0 = performance.now();
    try {
      return await invoke(ref, event);
    } finally {
      const stage = (event as { stage?: unknown } | null)?.stage;
      const k = `${ref.split(':').pop()!.replace(/[0-9A-F]{8}$/, '')}${typeof stage === 'string' ? ` (${stage})` : ''}`;
      ms.set(k, (ms.get(k) ?? 0) + performance.now() - t0);
    }
  };
  return ms;
}
