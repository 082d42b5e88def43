/**
 * Multipart copies by real clients: boto3's s3.copy and `aws s3 cp s3://… s3://…` (AWS CLI v1 and v2.9) of a 20 MiB
 * object, past their 8 MiB multipart threshold, so they go up as UploadPartCopy parts. The SDK tests of
 * UploadPartCopy are in upload-part-copy.test.ts; these are in the long tier (test/long-suites.js) for the CLIs'
 * Python start-up.
 */
import type { Readable } from 'node:stream';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { AWS_CLIS, awsCli, boto3 } from '../../helpers/aws-clients';
import type { S3TestEmulator } from './s3-fixture';
import { md5OfStream, SOURCE_MD5, startUploadPartCopyEmulator } from './upload-part-copy-fixture';

let t: S3TestEmulator;
beforeAll(async () => {
  t = await startUploadPartCopyEmulator();
});
afterAll(async () => {
  await t.stop();
});

describe('multipart copies by real clients', () => {
  it('boto3 s3.copy of a 20 MiB object (multipart copy past 8 MiB)', async () => {
    // Act
    const ran = await boto3(
      'from botocore.config import Config\n' +
        's = boto3.client("s3", endpoint_url=sys.argv[1], config=Config(s3={"addressing_style": "path"}))\n' +
        's.copy({"Bucket": "source", "Key": "big"}, "target", "boto3-copy")\n' +
        'print("ok")',
      t.emulator.endpoint,
    );
    if (ran === undefined) return console.log('boto3 is not on this machine: skipped');
    const got = await t.s3.send(new GetObjectCommand({ Bucket: 'target', Key: 'boto3-copy' }));
    // Assess
    expect(got.ETag).toMatch(/-3"$/); // 8 + 8 + 4 MiB: it went up as copied parts
    expect(await md5OfStream(got.Body as Readable)).toBe(SOURCE_MD5);
  });

  it.each(AWS_CLIS)('%s `aws s3 cp s3://… s3://…` of a 20 MiB object', async (name, command) => {
    // Prepare
    const key = `cli-${name.replace(/\W+/g, '-')}`;
    // Act
    await awsCli(
      command,
      t.emulator.endpoint,
      's3',
      'cp',
      's3://source/big',
      `s3://target/${key}`,
      '--only-show-errors',
    );
    const got = await t.s3.send(new GetObjectCommand({ Bucket: 'target', Key: key }));
    // Assess
    expect(got.ETag).toMatch(/-\d+"$/);
    expect(await md5OfStream(got.Body as Readable)).toBe(SOURCE_MD5);
  });
});
