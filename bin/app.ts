#!/usr/bin/env -S npx tsx
import * as path from 'node:path';
import { App } from 'aws-cdk-lib';
import { useCachedTemplateValidation } from '../lib/build-cache/template-validation';
import { buildApp } from '../lib/decoupled-app';
import { recordCliSynthesis } from '../lib/local/synthesis';
import { ValidationError } from '../lib/validation';

const ROOT = path.join(__dirname, '..');

try {
  // the CloudFormation validation report comes from the checkout's cache when the templates are unchanged
  const app = new App();
  useCachedTemplateValidation(app, ROOT);
  buildApp(app);
  // run by the CDK CLI (cdk synth, npm run synth): recorded, so the next npm start reuses this cdk.out
  if (process.env.CDK_OUTDIR !== undefined) {
    const assembly = app.synth();
    recordCliSynthesis(ROOT, assembly.directory, app.node.getAllContext());
  }
} catch (error) {
  // Invalid config or props: the message lists every problem; a stack trace would only bury it.
  if (!(error instanceof ValidationError)) throw error;
  console.error(error.message);
  process.exitCode = 1;
}
