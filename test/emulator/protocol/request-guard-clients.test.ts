/**
 * The AWS CLIs (v1 and v2.9) and boto3 through the request guard: each creates a queue at localhost, a Host the guard
 * must recognize by name, so the guard passes real AWS clients through. The SDK and raw-request tests of the guard
 * are in request-guard.test.ts; these are in the long tier (test/long-suites.js) for the CLIs' Python start-up.
 */
import { ManualClock } from '../../../lib/emulator/clock';
import { type Emulator, startEmulator } from '../../../lib/emulator/emulator';
import { AWS_CLIS, awsCli, boto3 } from '../../helpers/aws-clients';

describe('the AWS CLIs and boto3 through the guard', () => {
  let emu: Emulator;
  beforeAll(async () => {
    emu = await startEmulator({ port: 0, clock: new ManualClock() });
  });
  afterAll(async () => {
    await emu.stop();
  });
  // at localhost: a Host the guard must recognize by name (127.0.0.1 is what every other CLI test uses)
  const endpoint = () => emu.endpoint.replace('127.0.0.1', 'localhost');

  test.each(AWS_CLIS)('%s creates a queue at localhost', async (name, command) => {
    // Act
    const queue = `guarded-${name.replace(/\W/g, '')}`;
    const created = (await awsCli(command, endpoint(), 'sqs', 'create-queue', '--queue-name', queue)) as {
      QueueUrl: string;
    };
    // Assess
    expect(created.QueueUrl).toContain(`/000000000000/${queue}`);
  });

  test('boto3 creates a queue and sends to it at localhost', async () => {
    // Act
    const printed = await boto3(
      's = boto3.client("sqs", endpoint_url=sys.argv[1])\n' +
        'u = s.create_queue(QueueName="guarded-boto3")["QueueUrl"]\n' +
        's.send_message(QueueUrl=u, MessageBody="hi")\nprint(u)',
      endpoint(),
    );
    if (printed === undefined) return console.log('boto3 is not on this machine: skipped');
    // Assess
    expect(printed).toContain('/000000000000/guarded-boto3');
  });
});
