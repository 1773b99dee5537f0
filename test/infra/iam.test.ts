/**
 * Least privilege, read from the synthesized policies: who may resume the lifecycle, who may
 * send mail, that no function holds a service-wide wildcard or can scan the table, and that
 * every handler file in functions/ is deployed exactly once.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BLOB_PREFIX, FUNCTIONS, functionsFor } from '../../infra/functions.js';
import { asArray, resourcesOf, statementsByRole, synth, type Resource } from './synth.js';

const s = synth();
const roles = statementsByRole(s.appJson);

/** Deployed Suiji functions (those with suiji:entry), by function id. */
const fns = new Map(
  functionsFor('global').map((spec) => {
    const found = resourcesOf(s.appJson, 'AWS::Lambda::Function').filter(([, r]) => r.Metadata?.['suiji:entry'] === spec.entry);
    expect(found, spec.entry).toHaveLength(1);
    const [logicalId, resource] = found[0]!;
    return [spec.id, { logicalId, resource, statements: roles.get(resource.Properties!.Role['Fn::GetAtt'][0]) ?? [] }] as const;
  }),
);

const actionsOf = (statements: any[]): string[] => statements.filter((st) => st.Effect === 'Allow').flatMap((st) => asArray<string>(st.Action));
const holders = (action: string): string[] =>
  [...fns].filter(([, f]) => actionsOf(f.statements).includes(action)).map(([id]) => id).sort();

function handlerFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return handlerFiles(p);
    if (!e.name.endsWith('.ts')) return [];
    return /export\s+(const|async\s+function|function)\s+handler\b/.test(readFileSync(p, 'utf8')) ? [relative(process.cwd(), p)] : [];
  });
}

describe('functions', () => {
  it('deploys every handler file of functions/ exactly once, with its entry in the metadata', () => {
    const deployed = resourcesOf(s.appJson, 'AWS::Lambda::Function')
      .map(([, r]) => r.Metadata?.['suiji:entry'] as string | undefined)
      .filter((e): e is string => Boolean(e));
    expect(deployed.sort()).toEqual(functionsFor('global').map((f) => f.entry).sort());
    // Every handler file is a function of infra/functions.ts (the IMAP poll is deployed in aws-cn only).
    expect(FUNCTIONS.map((f) => f.entry).sort()).toEqual(handlerFiles('functions').sort());
  });

  it('runs on Node.js 22, arm64, with the shared environment', () => {
    for (const [id, f] of fns) {
      const p = f.resource.Properties!;
      expect(p.Runtime, id).toBe('nodejs22.x');
      expect(p.Architectures, id).toEqual(['arm64']);
      const env = p.Environment.Variables;
      for (const v of ['TABLE_NAME', 'BLOB_BUCKET', 'MAIL_FROM', 'MAIL_INBOUND_DOMAIN', 'SES_CONFIGURATION_SET', 'PUBLIC_BASE_URL', 'POWERTOOLS_SERVICE_NAME']) {
        expect(env[v], `${id} ${v}`).toBeDefined();
      }
      expect(env.NODE_OPTIONS).toBe('--enable-source-maps');
    }
    // Only the functions that start or resume executions know the state machine.
    expect([...fns].filter(([, f]) => f.resource.Properties!.Environment.Variables.STATE_MACHINE_ARN).map(([id]) => id).sort()).toEqual(
      ['Api', 'JobRecover', 'LifecycleCallback', 'MailInbound'],
    );
  });

  it('sends failed asynchronous events of jobs and mail functions to a dead-letter queue', () => {
    const configs = resourcesOf(s.appJson, 'AWS::Lambda::EventInvokeConfig');
    for (const id of ['JobDeadlines', 'JobReports', 'JobRecover', 'MailInbound', 'MailEvents', 'ImportRun']) {
      const f = fns.get(id as never)!;
      expect(f.resource.Properties!.DeadLetterConfig?.TargetArn, id).toBeDefined();
      expect(configs.some(([, c]) => c.Properties!.FunctionName.Ref === f.logicalId), id).toBe(true);
    }
  });
});

describe('least privilege', () => {
  it('grants no service-wide or global wildcard action to any role', () => {
    for (const [role, statements] of roles) {
      for (const a of actionsOf(statements)) {
        expect(a, role).not.toMatch(/^(\*|[a-z0-9-]+:\*)$/);
      }
    }
  });

  it('never allows a table scan (every access pattern is a key or index query)', () => {
    for (const [role, statements] of roles) expect(actionsOf(statements), role).not.toContain('dynamodb:Scan');
  });

  it('lets only the API, the callback stage, reply-by-mail and the recovery job resume an execution; only the API starts one', () => {
    expect(holders('states:SendTaskSuccess')).toEqual(['Api', 'JobRecover', 'LifecycleCallback', 'MailInbound']);
    expect(holders('states:SendTaskFailure')).toEqual(['Api', 'JobRecover', 'LifecycleCallback', 'MailInbound']);
    expect(holders('states:StartExecution')).toEqual(['Api']);
    expect(holders('states:GetExecutionHistory')).toEqual(['Api']);
    // the recovery job lists the running executions of the one state machine, nothing more
    expect(holders('states:ListExecutions')).toEqual(['JobRecover']);
    // The report job in particular has nothing to do with Step Functions.
    expect(actionsOf(fns.get('JobReports')!.statements).filter((a) => a.startsWith('states:'))).toEqual([]);
  });

  it('lets only the API invoke another function, and only the import run and the recovery job (named in its environment)', () => {
    expect(holders('lambda:InvokeFunction')).toEqual(['Api']);
    const invoke = fns.get('Api')!.statements.filter((st) => asArray<string>(st.Action).includes('lambda:InvokeFunction'));
    const importRun = fns.get('ImportRun')!.logicalId;
    const recover = fns.get('JobRecover')!.logicalId;
    // the recovery job: a stored result's confirmation mail, sent after the answer
    expect(invoke.flatMap((st) => asArray(st.Resource))).toEqual([{ 'Fn::GetAtt': [importRun, 'Arn'] }, { 'Fn::GetAtt': [recover, 'Arn'] }]);
    expect(fns.get('Api')!.resource.Properties!.Environment.Variables.IMPORT_RUN_FUNCTION).toEqual({ Ref: importRun });
    expect(fns.get('Api')!.resource.Properties!.Environment.Variables.JOB_RECOVER_FUNCTION).toEqual({ Ref: recover });
    // The import run writes the registries and reads its upload; it starts nothing and sends nothing.
    expect(actionsOf(fns.get('ImportRun')!.statements).filter((a) => /^(states|ses|lambda):/.test(a))).toEqual([]);
  });

  it('scopes mail sending to the domain identity and the configuration set', () => {
    const identity = resourcesOf(s.appJson, 'AWS::SES::EmailIdentity')[0]![0];
    const configSet = resourcesOf(s.appJson, 'AWS::SES::ConfigurationSet')[0]![0];
    for (const [id, f] of fns) {
      for (const st of f.statements.filter((x) => asArray<string>(x.Action).some((a) => a.startsWith('ses:')))) {
        const resources = JSON.stringify(st.Resource);
        expect(asArray(st.Resource), id).toHaveLength(2);
        expect(resources, id).toContain(`{"Ref":"${identity}"}`);
        expect(resources, id).toContain(`{"Ref":"${configSet}"}`);
      }
    }
    // The draw stages send nothing.
    for (const id of ['LifecycleValidate', 'LifecycleFreeze', 'LifecycleDraw'] as const) {
      expect(actionsOf(fns.get(id)!.statements).filter((a) => a.startsWith('ses:')), id).toEqual([]);
    }
  });

  it('limits object access to each function’s own key prefixes of the blob bucket', () => {
    const allowed: Record<string, string[]> = {
      Api: ['draws/', 'imports/'],
      ImportRun: ['imports/'],
      LifecycleFreeze: ['draws/'],
      LifecycleDraw: ['draws/'],
      MailInbound: ['inbound/'],
    };
    for (const [id, f] of fns) {
      const objectStatements = f.statements.filter((st) => asArray<string>(st.Action).some((a) => /^s3:(Get|Put|Delete)Object/.test(a)));
      const prefixes = objectStatements.flatMap((st) =>
        asArray<Resource | any>(st.Resource).map((r) => {
          const tail = r['Fn::Join']?.[1].at(-1) as string;
          expect(tail, `${id}: object resources end in /<prefix>*`).toMatch(/^\/[a-z]+\/\*$/);
          return tail.slice(1, -1);
        }),
      );
      expect(new Set(prefixes), id).toEqual(new Set(allowed[id] ?? []));
    }
    // The mail-in function only reads.
    expect(actionsOf(fns.get('MailInbound')!.statements).filter((a) => a.startsWith('s3:Put'))).toEqual([]);
  });

  it('lets a function list the blob bucket only under the prefixes it reads', () => {
    for (const spec of functionsFor('global')) {
      const f = fns.get(spec.id)!;
      const listing = f.statements.filter((st) => asArray<string>(st.Action).includes('s3:ListBucket'));
      const reads = ((spec as { blobs?: { read?: readonly string[] } }).blobs?.read ?? []).map((p) => `${BLOB_PREFIX[p as keyof typeof BLOB_PREFIX]}*`);
      if (!reads.length) {
        expect(listing, spec.id).toEqual([]);
        continue;
      }
      expect(listing, spec.id).toHaveLength(1);
      expect(listing[0].Condition, spec.id).toEqual({ StringLike: { 's3:prefix': reads } });
    }
  });
});
