import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Stack } from 'aws-cdk-lib';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { CloudAssemblyError, readCloudAssembly } from '../../../lib/emulator/deploy/cloud-assembly';
import { testApp } from '../../helpers/cdk';
import { testAssembly, TEST_ASSEMBLY_TIMEOUT_MS } from '../../helpers/test-assembly';

describe('readCloudAssembly', () => {
  const outdir = mkdtempSync(path.join(tmpdir(), 'decoupled-assembly-'));
  afterAll(() => rmSync(outdir, { recursive: true, force: true }));

  test(
    "reads the app's stacks with their names, templates and the asset of every Lambda function",
    async () => {
      // Prepare: the app as synthesized once for this run (test/global-setup.ts)
      const directory = await testAssembly();

      // Act
      const stacks = readCloudAssembly(directory);

      // Assess
      expect(stacks.map((s) => [s.id, s.stackName])).toEqual([
        ['QueueBasics', 'decoupled-sandbox-queue-basics'],
        ['Pipeline', 'decoupled-sandbox-pipeline'],
        ['FanOut', 'decoupled-sandbox-fan-out'],
        ['WorkerFleet', 'decoupled-sandbox-worker-fleet'],
        ['Streams', 'decoupled-sandbox-streams'],
        ['RequestResponse', 'decoupled-sandbox-request-response'],
      ]);
      const pipeline = stacks[1];
      const codeKeys = Object.values(pipeline.template.Resources)
        .filter((r) => r.Type === 'AWS::Lambda::Function')
        .map((r) => (r.Properties?.Code as { S3Key?: string }).S3Key)
        .filter((key) => key !== undefined);
      expect(codeKeys.length).toBeGreaterThanOrEqual(3);
      for (const key of codeKeys)
        expect(existsSync(pipeline.assets.get(key as string) ?? '/nonexistent')).toBe(true);
    },
    TEST_ASSEMBLY_TIMEOUT_MS,
  );

  test('orders stacks after the stacks they depend on', () => {
    const app = testApp();
    const producer = new Stack(app, 'Shared');
    const queue = new sqs.Queue(producer, 'Q');
    const consumer = new Stack(app, 'AConsumer');
    new sqs.Queue(consumer, 'R', { deadLetterQueue: { queue, maxReceiveCount: 3 } });

    const stacks = readCloudAssembly(app.synth().directory);

    expect(stacks.map((s) => s.id)).toEqual(['Shared', 'AConsumer']);
    expect(JSON.stringify(stacks[1].template)).toContain('"Fn::GetStackOutput":{"StackName":"Shared"');
  });

  test('a directory without a manifest says to synthesize first', () => {
    expect(() => readCloudAssembly(outdir)).toThrow(
      new CloudAssemblyError(
        `No cloud assembly in ${outdir}: manifest.json is missing (run 'npx cdk synth' first)`,
      ),
    );
  });

  test('a corrupt manifest names the file', () => {
    writeFileSync(path.join(outdir, 'manifest.json'), '{ not json');

    expect(() => readCloudAssembly(outdir)).toThrow(`Cannot read ${path.join(outdir, 'manifest.json')}:`);
  });
});
