/**
 * CDK's CloudFormation validation as npm start runs it: deferred to a worker thread when the cache has no report
 * for the templates, its findings filtered by the app's acknowledgments as CDK filters them, and its report cached
 * so that the next synthesis of the same templates is validated from the cache during the synthesis.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { App, CfnMapping, Stack, Validations } from 'aws-cdk-lib';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { CACHE_DIRECTORY_VARIABLE } from '../../lib/build-cache/cache-directory';
import { useCachedTemplateValidation } from '../../lib/build-cache/template-validation';

/** An app with an unreferenced mapping (W7001) in two stacks; the second stack acknowledges it. */
function appWithFindings(outdir: string): App {
  const app = new App({ outdir });
  for (const name of ['Plain', 'Acknowledged']) {
    const stack = new Stack(app, name);
    new sqs.Queue(stack, 'Queue');
    new CfnMapping(stack, 'Unused', { mapping: { key: { value: 'x' } } });
    if (name === 'Acknowledged') {
      Validations.of(stack).acknowledge({
        id: 'CloudFormation-Validate::W7001',
        reason: 'a mapping kept for a later change',
      });
    }
  }
  return app;
}

/** The rules cdk.out's validation-report.json reports violated by CDK's CloudFormation validation. */
function reportedRules(outdir: string): string[] {
  const report = JSON.parse(readFileSync(path.join(outdir, 'validation-report.json'), 'utf8'));
  return report.pluginReports
    .filter((p: { pluginName: string }) => p.pluginName === 'CloudFormation Validate')
    .flatMap((p: { violations: Array<{ ruleName: string }> }) => p.violations.map((v) => v.ruleName));
}

describe('deferred CloudFormation validation', () => {
  let root: string;

  beforeEach(() => {
    root = mkdtempSync(path.join(tmpdir(), 'decoupled-validation-'));
    process.env[CACHE_DIRECTORY_VARIABLE] = path.join(root, 'cache');
  });
  afterEach(() => {
    delete process.env[CACHE_DIRECTORY_VARIABLE];
    rmSync(root, { recursive: true, force: true });
  });

  // (without defer, the validation runs during the synthesis: bin/app.ts under `cdk synth`, test/local/cdk-cli.test.ts)
  test('validates after the synthesis, reports what is not acknowledged, and caches the report', async () => {
    const first = appWithFindings(path.join(root, 'out'));
    const plugin = useCachedTemplateValidation(first, root, { defer: true });
    first.synth({ validateOnSynthesis: true });
    // the synthesis itself did not wait for the engine: nothing reported yet
    expect(reportedRules(path.join(root, 'out'))).toEqual([]);

    const deferred = plugin?.validateDeferred(first);
    const findings = await deferred?.findings;

    expect(findings?.map((f) => [f.ruleName, f.violatingResources.map((r) => r.constructPath)])).toEqual([
      ['W7001', ['Plain']],
    ]);

    // the same templates again (the cache knows templates by content and place): validated from the cache,
    // during the synthesis, and reported as CDK reports it
    const second = appWithFindings(path.join(root, 'out'));
    const again = useCachedTemplateValidation(second, root, { defer: true });
    second.synth({ validateOnSynthesis: true });

    expect(again?.validateDeferred(second)).toBeUndefined();
    expect(reportedRules(path.join(root, 'out'))).toEqual(['W7001']);
  });
});
