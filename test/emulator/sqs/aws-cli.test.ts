import { awsCli, installed } from '../../helpers/aws-clients';
import { startTestEmulator, type TestEmulator } from '../../helpers/emulator';

// Optional: the AWS CLI (botocore checks the MD5 digests of everything it receives), when the machine has one
const hasAwsCli = installed('aws');
const describeWithCli = hasAwsCli ? describe : describe.skip;

let t: TestEmulator;
beforeAll(async () => {
  t = await startTestEmulator();
});
afterAll(async () => {
  await t?.stop();
});

function aws(...args: string[]): Promise<unknown> {
  return awsCli('aws', t.emulator.endpoint, 'sqs', ...args);
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
