/**
 * One in-process synthesis per test file (no bundling, as the local platform does it), with
 * helpers to read the templates. Not a test file itself.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import { buildApp } from '../../infra/build.js';

export type Resource = { Type: string; Properties?: Record<string, any>; Metadata?: Record<string, any>; DeletionPolicy?: string; UpdateReplacePolicy?: string };

export interface Synthesized {
  built: ReturnType<typeof buildApp>;
  data: Template;
  app: Template;
  dataJson: { Resources: Record<string, Resource>; Outputs?: Record<string, any> };
  appJson: { Resources: Record<string, Resource>; Outputs?: Record<string, any> };
}

export function synth(options: { nag?: boolean; context?: Record<string, unknown> } = {}): Synthesized {
  const built = buildApp({ local: true, outdir: mkdtempSync(join(tmpdir(), 'suiji-infra-test-')), ...options });
  built.app.synth();
  const data = Template.fromStack(built.dataStack);
  const app = Template.fromStack(built.appStack);
  return { built, data, app, dataJson: data.toJSON() as Synthesized['dataJson'], appJson: app.toJSON() as Synthesized['appJson'] };
}

/** Resources of a type, as [logicalId, resource]. */
export function resourcesOf(t: { Resources: Record<string, Resource> }, type: string): [string, Resource][] {
  return Object.entries(t.Resources).filter(([, r]) => r.Type === type);
}

/**
 * The state machine definition as JSON: CloudFormation intrinsics inside the Fn::Join become
 * placeholders (`Fn::GetAtt [X, Arn]` → a Lambda ARN ending in the logical id).
 */
export function definitionOf(stateMachine: Resource): any {
  const def = stateMachine.Properties!.DefinitionString;
  const parts: unknown[] = typeof def === 'string' ? [def] : def['Fn::Join'][1];
  const text = parts
    .map((p) => {
      if (typeof p === 'string') return p;
      const o = p as Record<string, any>;
      if (o['Fn::GetAtt']) return `arn:aws:lambda:cn-north-1:123456789012:function:${o['Fn::GetAtt'][0]}`;
      if (o.Ref === 'AWS::Partition') return 'aws';
      if (o.Ref === 'AWS::Region') return 'cn-north-1';
      if (o.Ref === 'AWS::AccountId') return '123456789012';
      throw new Error(`unexpected intrinsic in the definition: ${JSON.stringify(o)}`);
    })
    .join('');
  return JSON.parse(text);
}

/** Every IAM statement attached to a role, by the role's logical id. */
export function statementsByRole(t: { Resources: Record<string, Resource> }): Map<string, any[]> {
  const out = new Map<string, any[]>();
  for (const [, p] of resourcesOf(t, 'AWS::IAM::Policy')) {
    for (const role of p.Properties!.Roles as { Ref: string }[]) {
      const list = out.get(role.Ref) ?? [];
      list.push(...(p.Properties!.PolicyDocument.Statement as any[]));
      out.set(role.Ref, list);
    }
  }
  for (const [id, r] of resourcesOf(t, 'AWS::IAM::Role')) {
    for (const inline of (r.Properties!.Policies ?? []) as { PolicyDocument: { Statement: any[] } }[]) {
      out.set(id, [...(out.get(id) ?? []), ...inline.PolicyDocument.Statement]);
    }
  }
  return out;
}

export const asArray = <T>(v: T | T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
