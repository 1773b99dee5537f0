/**
 * cdk-nag (v3) for Suiji.
 *
 * cdk-nag 3 runs as a CDK validation plugin at synthesis and replaced v2's `NagSuppressions`
 * with CDK's `Validations.of(construct).acknowledge({ id, reason })`: a whole rule is
 * acknowledged as `AwsSolutions-S1`, one finding of a rule as `AwsSolutions-IAM5[<finding>]`
 * (v2's `appliesTo`). Finding ids embed resolved values — logical ids, and for a bucket of the
 * data stack its CloudFormation export name — which are only known after synthesis has resolved
 * cross-stack references. `acknowledgeFindings` therefore takes patterns (v2's `appliesTo`
 * regex): `SuijiNagChecks` runs the AwsSolutions pack at validation time, acknowledges the
 * findings a pattern matches under the construct it was registered on (with its reason), and
 * reports everything else. Every acknowledgment carries a reason.
 */
import { Validations, type IPolicyValidationContext, type IPolicyValidationPlugin, type PolicyValidationPluginReport } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';

/** Acknowledge rule `id` (e.g. 'S1' for AwsSolutions-S1) on a construct and everything below it. */
export function acknowledge(scope: IConstruct, id: string, reason: string): void {
  Validations.of(scope).acknowledge({ id: `AwsSolutions-${id}`, reason });
}

interface FindingAcknowledgment {
  scope: IConstruct;
  rule: string;
  findings: readonly RegExp[];
  reason: string;
}

const registry = new WeakMap<IConstruct, FindingAcknowledgment[]>();

/**
 * Acknowledge the findings of rule `id` (e.g. 'IAM5') whose finding text (e.g.
 * `Resource::<Bucket.Arn>/draws/*`) matches one of `findings`, on resources under `scope`.
 */
export function acknowledgeFindings(scope: IConstruct, id: string, findings: readonly RegExp[], reason: string): void {
  const root = scope.node.root;
  const list = registry.get(root) ?? [];
  list.push({ scope, rule: `AwsSolutions-${id}`, findings, reason });
  registry.set(root, list);
}

const FINDING = /^(AwsSolutions-[A-Za-z0-9]+)\[(.*)\]$/s;

function applyFindingAcknowledgments(root: IConstruct, report: PolicyValidationPluginReport): boolean {
  const acks = registry.get(root) ?? [];
  if (!acks.length) return false;
  const byPath = new Map(root.node.findAll().map((c) => [c.node.path, c] as const));
  let added = false;
  for (const violation of report.violations) {
    const m = FINDING.exec(violation.ruleName);
    if (!m) continue;
    const [, rule, finding] = m as unknown as [string, string, string];
    for (const resource of violation.violatingResources) {
      const path = resource.constructPath ?? '';
      const ack = acks.find(
        (a) => a.rule === rule && (path === a.scope.node.path || path.startsWith(`${a.scope.node.path}/`)) && a.findings.some((re) => re.test(finding)),
      );
      const construct = byPath.get(path);
      if (ack && construct) {
        Validations.of(construct).acknowledge({ id: violation.ruleName, reason: ack.reason });
        added = true;
      }
    }
  }
  return added;
}

/** The AwsSolutions checks with Suiji's pattern acknowledgments; the report lists what is left. */
export function runNag(root: IConstruct, verbose = false): PolicyValidationPluginReport {
  const checks = new AwsSolutionsChecks(undefined, { verbose });
  const first = checks.validateScope(root);
  return applyFindingAcknowledgments(root, first) ? checks.validateScope(root) : first;
}

/** Validation plugin: `Validations.of(app).addPlugins(new SuijiNagChecks())`. */
export class SuijiNagChecks implements IPolicyValidationPlugin {
  // The pack's own name, so rule ids stay `AwsSolutions-…` in the validation report.
  readonly name = 'AwsSolutions';
  constructor(private readonly options: { verbose?: boolean } = {}) {}

  validate(context: IPolicyValidationContext): PolicyValidationPluginReport {
    return runNag(context.appConstruct, this.options.verbose ?? false);
  }
}
