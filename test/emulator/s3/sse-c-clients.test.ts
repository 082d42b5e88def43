/**
 * SSE-C through the AWS CLIs (v1 and v2.9) and boto3: head-object with --sse-customer-key, and boto3 writing and
 * reading an object with SSECustomerKey. The SDK tests of the same behaviour are in sse-c.test.ts; these are in
 * the long tier (test/long-suites.js) for the CLIs' Python start-up.
 */
import { CreateBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { AWS_CLIS, awsCli, boto3 } from '../../helpers/aws-clients';
import { type S3TestEmulator, startS3TestEmulator } from './s3-fixture';
import { KEY, md5Of, sseC } from './sse-c-fixture';

let t: S3TestEmulator;
beforeAll(async () => {
  t = await startS3TestEmulator();
  await t.s3.send(new CreateBucketCommand({ Bucket: 'secret' }));
});
afterAll(async () => {
  await t.stop();
});

describe.each(AWS_CLIS)('%s', (name, command) => {
  it('puts and heads an object with --sse-customer-key', async () => {
    // Prepare
    const key = `cli-${name.replace(/\W/g, '')}`;
    await t.s3.send(new PutObjectCommand({ Bucket: 'secret', Key: key, Body: 'cli', ...sseC(KEY) }));
    // Act
    const head = (await awsCli(
      command,
      t.emulator.endpoint,
      's3api',
      'head-object',
      '--bucket',
      'secret',
      '--key',
      key,
      '--sse-customer-algorithm',
      'AES256',
      '--sse-customer-key',
      KEY,
    )) as { SSECustomerAlgorithm: string; SSECustomerKeyMD5: string; ContentLength: number };
    // Assess
    expect(head).toMatchObject({
      SSECustomerAlgorithm: 'AES256',
      SSECustomerKeyMD5: md5Of(KEY),
      ContentLength: 3,
    });
  });
});

test('boto3 writes and reads an object with SSECustomerKey', async () => {
  // Act
  const ran = await boto3(
    's3 = boto3.client("s3", endpoint_url=sys.argv[1])\n' +
      's3.put_object(Bucket="secret", Key="boto3", Body=b"py", SSECustomerAlgorithm="AES256", SSECustomerKey=sys.argv[2])\n' +
      'r = s3.get_object(Bucket="secret", Key="boto3", SSECustomerAlgorithm="AES256", SSECustomerKey=sys.argv[2])\n' +
      'print(r["Body"].read().decode(), r["SSECustomerKeyMD5"])',
    t.emulator.endpoint,
    KEY,
  );
  if (ran === undefined) return console.log('boto3 is not on this machine: skipped');
  // Assess
  expect(ran.trim()).toBe(`py ${md5Of(KEY)}`);
});
