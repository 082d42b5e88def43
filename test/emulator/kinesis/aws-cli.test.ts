/**
 * Kinesis through the AWS CLIs (botocore, not the JavaScript SDK): create-stream, put-record (raw data on v2 with
 * `--cli-binary-format raw-in-base64-out`), get-shard-iterator and get-records, and a missing stream's error.
 */
import { AWS_CLIENT_ENVIRONMENT, AWS_CLIS, awsCli, run } from '../../helpers/aws-clients';
import { startTestEmulator, type TestEmulator } from '../../helpers/emulator';

let t: TestEmulator;
beforeAll(async () => {
  t = await startTestEmulator();
});
afterAll(async () => {
  await t.stop();
});

describe.each(AWS_CLIS)('%s', (name, command) => {
  test('create-stream, put-record, get-shard-iterator, get-records; a missing stream is ResourceNotFoundException', async () => {
    // Prepare
    const stream = `cli-${name.replace(/\W/g, '')}`;
    const cli = (...args: string[]) =>
      awsCli(command, t.emulator.endpoint, 'kinesis', ...args) as Promise<Record<string, any>>;
    // v2 reads blobs as base64 unless told otherwise; v1 takes them raw
    const raw = name.includes('2') ? ['--cli-binary-format', 'raw-in-base64-out'] : [];
    // Act
    // a Python start-up each: the independent calls at once
    const [, missing] = await Promise.all([
      cli('create-stream', '--stream-name', stream, '--shard-count', '1'),
      run(
        command,
        [
          '--endpoint-url',
          t.emulator.endpoint,
          'kinesis',
          'describe-stream-summary',
          '--stream-name',
          'nope',
        ],
        { env: AWS_CLIENT_ENVIRONMENT },
      ).then(
        () => ({ failed: false, stderr: '' }),
        (error: { stderr: string }) => ({ failed: true, stderr: error.stderr }),
      ),
    ]);
    const put = await cli(
      'put-record',
      '--stream-name',
      stream,
      '--partition-key',
      'k',
      '--data',
      'hello',
      ...raw,
    );
    const iterator = await cli(
      'get-shard-iterator',
      '--stream-name',
      stream,
      '--shard-id',
      'shardId-000000000000',
      '--shard-iterator-type',
      'TRIM_HORIZON',
    );
    const got = await cli('get-records', '--shard-iterator', iterator.ShardIterator);
    // Assess
    expect(put).toMatchObject({
      ShardId: 'shardId-000000000000',
      SequenceNumber: expect.stringMatching(/^\d{56}$/),
    });
    expect(got.Records).toHaveLength(1);
    expect(Buffer.from(got.Records[0].Data, 'base64').toString()).toBe('hello');
    expect(missing.failed).toBe(true);
    expect(missing.stderr).toContain('ResourceNotFoundException');
  });
});
