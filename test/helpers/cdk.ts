import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { App, type Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';

/** The context cdk.json gives the real app (feature flags, stage), so tests synthesize what deploys. */
export function projectContext(): Record<string, unknown> {
  const cdkJson = JSON.parse(readFileSync(path.join(__dirname, '..', '..', 'cdk.json'), 'utf8'));
  return cdkJson.context;
}

/**
 * An App with the project's context, for construct and stack tests. Two costs of a real synthesis are left to
 * test/app.test.ts, which synthesizes the real app with both:
 * - Lambda bundling (skipped with an empty bundling-stacks list);
 * - CDK's built-in CloudFormation template validation: its WASM engine takes
 *   about 3 s to start in each test file and 0.3 s per synthesis, more than the rest of a construct test.
 */
export function testApp(context: Record<string, unknown> = {}): App {
  return new App({
    context: { ...projectContext(), 'aws:cdk:bundling-stacks': [], ...context },
    builtinCloudFormationValidation: false,
  });
}

/** A stack's template with asset hashes replaced, so a handler change does not break unrelated snapshots. */
export function normalizedTemplate(stack: Stack): unknown {
  const json = JSON.stringify(Template.fromStack(stack).toJSON());
  return JSON.parse(json.replace(/[0-9a-f]{64}/g, '[ASSET HASH]'));
}

/** Every resource of a type, as [logicalId, resource] pairs. */
export function resourcesOfType(template: Template, type: string): Array<[string, Record<string, any>]> {
  return Object.entries(template.findResources(type));
}
