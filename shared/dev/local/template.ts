/**
 * Synthesize the CDK app in-process (no bundling) and hand the local platform the templates
 * it runs: tables come from the data stack, the state machine definition, functions and
 * schedules from the app stack. This is the same synthesis `cdk synth` performs.
 */
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApp } from '../../../infra/build.js';

export type CfnResource = { Type: string; Properties?: Record<string, unknown>; Metadata?: Record<string, unknown> };
export interface CfnTemplate {
  Resources: Record<string, CfnResource>;
  Outputs?: Record<string, unknown>;
}

export interface LocalTemplates {
  data: CfnTemplate;
  app: CfnTemplate;
  /** Both stacks' resources, for look-ups that do not care which stack holds them. */
  all: CfnTemplate;
}

const cached = new Map<string, LocalTemplates>();

/**
 * `context` as `-c` would give it: `{ region: 'cn-north-1' }` synthesizes the aws-cn stack
 * (SMTP, IMAP poll, built-in sign-in) that the local platform's China mode runs.
 */
export function synthLocalTemplates(outdir?: string, context?: Record<string, unknown>): LocalTemplates {
  const cacheKey = JSON.stringify(context ?? {});
  const hit = cached.get(cacheKey);
  if (hit && !outdir) return hit;
  const dir = outdir ?? mkdtempSync(join(tmpdir(), 'suiji-synth-'));
  const { app, dataStack, appStack } = buildApp({ local: true, outdir: dir, ...(context ? { context } : {}) });
  const assembly = app.synth();
  const read = (stackName: string): CfnTemplate => {
    const file = readdirSync(assembly.directory).find((f) => f === `${stackName}.template.json`);
    if (!file) throw new Error(`template of ${stackName} not found in ${assembly.directory}`);
    return JSON.parse(readFileSync(join(assembly.directory, file), 'utf8')) as CfnTemplate;
  };
  const data = read(dataStack.artifactId);
  const appT = read(appStack.artifactId);
  const out = { data, app: appT, all: { Resources: { ...data.Resources, ...appT.Resources } } };
  if (!outdir) cached.set(cacheKey, out);
  return out;
}
