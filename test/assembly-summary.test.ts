import { describeExpression, formatSummary, summarizeAssembly } from '../lib/assembly-summary';
import { buildApp } from '../lib/decoupled-app';
import { testApp } from './helpers/cdk';

describe('summarizeAssembly', () => {
  const app = testApp();
  buildApp(app);
  const stacks = summarizeAssembly(app.synth());

  test('lists every stack with every resource of its template except CDK metadata', () => {
    const pipeline = stacks.find((s) => s.id === 'Pipeline');

    expect(stacks.map((s) => s.stackName).sort()).toEqual([
      'decoupled-sandbox-fan-out',
      'decoupled-sandbox-pipeline',
      'decoupled-sandbox-queue-basics',
      'decoupled-sandbox-worker-fleet',
    ]);
    expect(pipeline?.resources).toEqual(
      expect.arrayContaining([
        { logicalId: expect.stringMatching(/^WorkQueue[0-9A-F]{8}$/), type: 'AWS::SQS::Queue' },
        { logicalId: expect.stringMatching(/^ConsumerFunction/), type: 'AWS::Lambda::Function' },
        {
          logicalId: expect.stringMatching(/^OrderBucketNotifications/),
          type: 'Custom::S3BucketNotifications',
        },
      ]),
    );
    expect(pipeline?.resources.map((r) => r.type)).not.toContain('AWS::CDK::Metadata');
  });

  test('the printed table has a line per resource and per output', () => {
    const text = formatSummary(stacks);

    for (const stack of stacks) {
      for (const r of stack.resources)
        expect(text).toMatch(new RegExp(`^  ${r.type.replace(/:/g, ':')}\\s+${r.logicalId}$`, 'm'));
      for (const o of stack.outputs) expect(text).toContain(`${o.name}  `);
    }
    expect(text).toMatch(
      /^ {4}WorkQueueUrl\s+Ref WorkQueue[0-9A-F]{8} {2}— Work queue the producer sends orders to$/m,
    );
  });
});

test.each([
  [{ Ref: 'Queue' }, 'Ref Queue'],
  [{ 'Fn::GetAtt': ['Queue', 'Arn'] }, 'GetAtt Queue.Arn'],
  [{ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }]] }, 'Join([, [arn:, Ref AWS::Partition]])'],
  ['plain', 'plain'],
])('describeExpression(%j) is %s', (value, text) => {
  expect(describeExpression(value)).toBe(text);
});
