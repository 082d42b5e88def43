import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';
import { CreateTopicCommand, ListTagsForResourceCommand, SNSClient } from '@aws-sdk/client-sns';
import { startTestEmulator, type TestEmulator, TEST_CREDENTIALS } from '../../helpers/emulator';

const run = promisify(execFile);
const ENVIRONMENT = {
  ...process.env,
  AWS_ACCESS_KEY_ID: 'AKIAEMULATOR',
  AWS_SECRET_ACCESS_KEY: 'emulator-secret',
  AWS_DEFAULT_REGION: 'us-east-1',
  AWS_CONFIG_FILE: '/dev/null',
  AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
};

/** `aws` on PATH is AWS CLI v1 here; Debian's AWS CLI v2.9 is /usr/bin/aws; boto3 is the pyenv python3's. */
async function present(command: string, args: string[]): Promise<boolean> {
  if (command.startsWith('/') && !existsSync(command)) return false;
  return run(command, args, { env: ENVIRONMENT }).then(
    () => true,
    () => false,
  );
}

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
describe.each([
  ['AWS CLI v1', 'aws'],
  ['AWS CLI v2.9', '/usr/bin/aws'],
])('%s tags and untags a topic', (name, command) => {
  test('tag-resource, then untag-resource', async () => {
    if (!(await present(command, ['--version'])))
      return console.log(`${name} is not on this machine: skipped`);
    // Prepare
    const { TopicArn } = await sns.send(
      new CreateTopicCommand({ Name: `tagged-${name.replace(/\W/g, '')}` }),
    );
    const cli = (...args: string[]) =>
      run(command, ['--endpoint-url', t.emulator.endpoint, 'sns', ...args], { env: ENVIRONMENT });
    // Act
    await cli('tag-resource', '--resource-arn', TopicArn!, '--tags', 'Key=team,Value=a', 'Key=tier,Value=b');
    const tagged = await sns.send(new ListTagsForResourceCommand({ ResourceArn: TopicArn }));
    await cli('untag-resource', '--resource-arn', TopicArn!, '--tag-keys', 'tier');
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
  if (!(await present('python3', ['-c', 'import boto3'])))
    return console.log('boto3 is not on this machine: skipped');
  // Prepare
  const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: 'tagged-boto3' }));
  // Act
  await run(
    'python3',
    [
      '-c',
      'import boto3,sys; s=boto3.client("sns", endpoint_url=sys.argv[1]); ' +
        's.tag_resource(ResourceArn=sys.argv[2], Tags=[{"Key": "team", "Value": "a"}]); ' +
        's.untag_resource(ResourceArn=sys.argv[2], TagKeys=["none"])',
      t.emulator.endpoint,
      TopicArn!,
    ],
    { env: ENVIRONMENT },
  );
  const tagged = await sns.send(new ListTagsForResourceCommand({ ResourceArn: TopicArn }));
  // Assess
  expect(tagged.Tags).toEqual([{ Key: 'team', Value: 'a' }]);
});
