/**
 * cdk-nag AwsSolutions: synthesis with the checks as a validation plugin succeeds (it throws on
 * any unacknowledged finding, error or warning), nothing is left over, and every
 * acknowledgment is specific and says why.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Validations } from 'aws-cdk-lib';
import { runNag } from '../../infra/nag.js';
import { synth } from './synth.js';

const s = synth({ nag: true });
const app = s.built.app;

function acknowledgments(): { path: string; id: string; reason: string }[] {
  return app.node.findAll().flatMap((c) =>
    c.node.metadata
      .filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY && m.data)
      .flatMap((m) => Object.entries(m.data as Record<string, unknown>).map(([id, r]) => ({ path: c.node.path, id: id.replace(/^annotation::/i, ''), reason: typeof r === 'string' ? r : JSON.stringify(r) }))),
  );
}

describe('cdk-nag AwsSolutions', () => {
  it('leaves no unacknowledged error or warning', () => {
    const report = runNag(app, true);
    const left = report.violations.map((v) => `${v.severity} ${v.ruleName} at ${v.violatingResources.map((r) => r.constructPath).join(', ')}: ${v.description}`);
    expect(left).toEqual([]);
    expect(report.success).toBe(true);
  });

  it('ran as part of the synthesis, which wrote a clean validation report', () => {
    const file = join(app.outdir, 'validation-report.json');
    if (existsSync(file)) {
      const report = JSON.parse(readFileSync(file, 'utf8')) as { pluginReports: { summary?: { status?: string }; violations?: unknown[] }[] };
      for (const p of report.pluginReports) expect(p.violations ?? [], JSON.stringify(p.summary)).toEqual([]);
    }
  });

  it('acknowledges findings specifically and always with a reason', () => {
    const acks = acknowledgments();
    expect(acks.length).toBeGreaterThan(0);
    for (const a of acks) {
      expect(a.id, a.path).toMatch(/^AwsSolutions-[A-Z0-9]+(\[.+\])?$/);
      expect(a.reason.length, `${a.path} ${a.id}`).toBeGreaterThanOrEqual(40);
      // Wildcard findings are acknowledged one by one, never the whole rule.
      if (/^AwsSolutions-IAM[45]/.test(a.id)) expect(a.id, a.path).toMatch(/\[.+\]$/);
    }
    // No wildcard acknowledgment for the DynamoDB table: its grants name the table and indexes.
    expect(acks.filter((a) => /IAM5\[.*Table/.test(a.id))).toEqual([]);
  });
});
