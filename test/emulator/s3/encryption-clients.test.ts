/**
 * Default bucket encryption through the AWS CLIs (v1 and v2.9): put-bucket-encryption and get-bucket-encryption
 * round-trip an aws:kms default, and put-object reports it. The SDK tests of the same behaviour are in
 * encryption.test.ts; these are in the long tier (test/long-suites.js) for the CLIs' Python start-up.
 */
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { AWS_CLIS, awsCli } from '../../helpers/aws-clients';
import { type S3TestEmulator, startS3TestEmulator } from './s3-fixture';

let t: S3TestEmulator;
beforeAll(async () => {
  t = await startS3TestEmulator();
  await t.s3.send(new CreateBucketCommand({ Bucket: 'cli' }));
});
afterAll(async () => {
  await t.stop();
});

describe.each(AWS_CLIS)('%s', (_name, command) => {
  it('puts and reads a bucket default, and put-object reports it', async () => {
    // Act
    await awsCli(
      command,
      t.emulator.endpoint,
      's3api',
      'put-bucket-encryption',
      '--bucket',
      'cli',
      '--server-side-encryption-configuration',
      JSON.stringify({ Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms' } }] }),
    );
    const read = (await awsCli(
      command,
      t.emulator.endpoint,
      's3api',
      'get-bucket-encryption',
      '--bucket',
      'cli',
    )) as {
      ServerSideEncryptionConfiguration: { Rules: Array<{ ApplyServerSideEncryptionByDefault: unknown }> };
    };
    const put = (await awsCli(
      command,
      t.emulator.endpoint,
      's3api',
      'put-object',
      '--bucket',
      'cli',
      '--key',
      'k',
    )) as { ServerSideEncryption: string };

    // Assess
    expect(read.ServerSideEncryptionConfiguration.Rules[0].ApplyServerSideEncryptionByDefault).toEqual({
      SSEAlgorithm: 'aws:kms',
    });
    expect(put.ServerSideEncryption).toBe('aws:kms');
  });
});
