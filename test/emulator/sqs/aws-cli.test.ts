import { execFile, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import { startTestEmulator, type TestEmulator } from '../../helpers/emulator';

const run = promisify(execFile);
// Optional: the AWS CLI (botocore checks the MD5 digests of everything it receives), when the machine has one
const hasAwsCli = spawnSync('aws', ['--version'], { encoding: 'utf8' }).status === 0;
const describeWithCli = hasAwsCli ? describe : describe.skip;

let t: TestEmulator;
beforeAll(async () => {
  t = await startTestEmulator();
});
afterAll(async () => {
  await t?.stop();
});

async function aws(...args: string[]): Promise<unknown> {
  const { stdout } = await run(
    'aws',
    ['--endpoint-url', t.emulator.endpoint, '--output', 'json', 'sqs', ...args],
    {
      env: {
        ...process.env,
        AWS_ACCESS_KEY_ID: 'AKIAEMULATOR',
        AWS_SECRET_ACCESS_KEY: 'emulator-secret',
        AWS_DEFAULT_REGION: 'us-east-1',
        AWS_CONFIG_FILE: '/dev/null',
        AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
      },
    },
  );
  return stdout.trim() === '' ? undefined : JSON.parse(stdout);
}

describeWithCli('the AWS CLI against the emulator', () => {
  it('creates a queue, sends with attributes and receives, digests verified by botocore', async () => {
    // Act
    const created = (await aws('create-queue', '--queue-name', 'from-cli')) as { QueueUrl: string };
    await aws(
      'send-message',
      '--queue-url',
      created.QueueUrl,
      '--message-body',
      'hello from the CLI',
      '--message-attributes',
      '{"kind":{"DataType":"String","StringValue":"greeting"},"n":{"DataType":"Number","StringValue":"7"}}',
    );
    const received = (await aws(
      'receive-message',
      '--queue-url',
      created.QueueUrl,
      '--message-attribute-names',
      'All',
    )) as { Messages: { Body: string; MessageAttributes: Record<string, unknown> }[] };
    // Assess
    expect(created.QueueUrl).toBe(`${t.emulator.endpoint}/000000000000/from-cli`);
    expect(received.Messages[0].Body).toBe('hello from the CLI');
    expect(Object.keys(received.Messages[0].MessageAttributes).sort()).toEqual(['kind', 'n']);
  });
});
