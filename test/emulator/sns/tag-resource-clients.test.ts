import { CreateTopicCommand, ListTagsForResourceCommand, SNSClient } from '@aws-sdk/client-sns';
import { AWS_CLIS, awsCli, boto3 } from '../../helpers/aws-clients';
import { startTestEmulator, type TestEmulator, TEST_CREDENTIALS } from '../../helpers/emulator';

let t: TestEmulator;
let sns: SNSClient;
beforeAll(async () => {
  t = await startTestEmulator();
  sns = new SNSClient({ endpoint: t.emulator.endpoint, region: 'us-east-1', credentials: TEST_CREDENTIALS });
});
afterAll(async () => {
  sns.destroy();
  await t.stop();
});

// AWS always sends the empty <TagResourceResult/>: botocore refuses a reply without it
describe.each(AWS_CLIS)('%s tags and untags a topic', (name, command) => {
  test('tag-resource, then untag-resource', async () => {
    // Prepare
    const { TopicArn } = await sns.send(
      new CreateTopicCommand({ Name: `tagged-${name.replace(/\W/g, '')}` }),
    );
    // Act
    await awsCli(
      command,
      t.emulator.endpoint,
      'sns',
      'tag-resource',
      '--resource-arn',
      TopicArn!,
      '--tags',
      'Key=team,Value=a',
      'Key=tier,Value=b',
    );
    const tagged = await sns.send(new ListTagsForResourceCommand({ ResourceArn: TopicArn }));
    await awsCli(
      command,
      t.emulator.endpoint,
      'sns',
      'untag-resource',
      '--resource-arn',
      TopicArn!,
      '--tag-keys',
      'tier',
    );
    const untagged = await sns.send(new ListTagsForResourceCommand({ ResourceArn: TopicArn }));
    // Assess
    expect(tagged.Tags).toEqual([
      { Key: 'team', Value: 'a' },
      { Key: 'tier', Value: 'b' },
    ]);
    expect(untagged.Tags).toEqual([{ Key: 'team', Value: 'a' }]);
  });
});

test('boto3 tags and untags a topic', async () => {
  // Prepare
  const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: 'tagged-boto3' }));
  // Act
  const ran = await boto3(
    's = boto3.client("sns", endpoint_url=sys.argv[1])\n' +
      's.tag_resource(ResourceArn=sys.argv[2], Tags=[{"Key": "team", "Value": "a"}, {"Key": "tier", "Value": "b"}])\n' +
      's.untag_resource(ResourceArn=sys.argv[2], TagKeys=["tier"])',
    t.emulator.endpoint,
    TopicArn!,
  );
  if (ran === undefined) return console.log('boto3 is not on this machine: skipped');
  const tags = await sns.send(new ListTagsForResourceCommand({ ResourceArn: TopicArn }));
  // Assess
  expect(tags.Tags).toEqual([{ Key: 'team', Value: 'a' }]);
});
