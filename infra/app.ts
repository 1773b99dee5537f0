/**
 * The CDK app of cdk.json: `npm run synth` (offline; esbuild bundles each Lambda, no Docker)
 * and `cdk deploy --all -c mailDomain=<domain>`. cdk-nag's AwsSolutions checks run on every
 * synthesis; an unsuppressed finding is reported by the CDK CLI as an error or warning.
 */
import { buildApp } from './build.js';

const { app } = buildApp({ nag: true });
app.synth();
