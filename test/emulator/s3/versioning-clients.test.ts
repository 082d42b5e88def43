/**
 * S3 versioning through the AWS CLIs (v1 and v2.9) and boto3: put-bucket-versioning and list-object-versions, and
 * boto3 reading an old version by id and deleting every version of a key. The SDK tests of the same behaviour are
 * in versioning.test.ts; these are in the long tier (test/long-suites.js) for the CLIs' Python start-up.
 */
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { AWS_CLIS, awsCli, boto3 } from '../../helpers/aws-clients';
import { type S3TestEmulator, startS3TestEmulator } from './s3-fixture';
import { put, versionedBucket } from './versioning-fixture';

let t: S3TestEmulator;
beforeAll(async () => {
  t = await startS3TestEmulator();
});
afterAll(async () => {
  await t.stop();
});

describe.each(AWS_CLIS)('%s', (name, command) => {
  it('enables versioning and lists object versions', async () => {
    // Prepare
    const bucket = `cli-${name.replace(/\W/g, '').toLowerCase()}`;
    await t.s3.send(new CreateBucketCommand({ Bucket: bucket }));
    // Act
    await awsCli(
      command,
      t.emulator.endpoint,
      's3api',
      'put-bucket-versioning',
      '--bucket',
      bucket,
      '--versioning-configuration',
      'Status=Enabled',
    );
    const v1 = await put(t.s3, bucket, 'k', 'one');
    const v2 = await put(t.s3, bucket, 'k', 'two');
    const listed = (await awsCli(
      command,
      t.emulator.endpoint,
      's3api',
      'list-object-versions',
      '--bucket',
      bucket,
    )) as { Versions: { VersionId: string; IsLatest: boolean }[] };
    // Assess
    expect(t.emulator.s3.getBucketVersioning(bucket)).toBe('Enabled');
    expect(listed.Versions.map((v) => [v.VersionId, v.IsLatest])).toEqual([
      [v2, true],
      [v1, false],
    ]);
  });
});

test('boto3 reads an old version and removes every version of a key', async () => {
  // Prepare
  await versionedBucket(t.s3, 'boto3-versions');
  const v1 = await put(t.s3, 'boto3-versions', 'k', 'old');
  await put(t.s3, 'boto3-versions', 'k', 'new');
  // Act
  const ran = await boto3(
    's3 = boto3.client("s3", endpoint_url=sys.argv[1])\n' +
      'print(s3.get_object(Bucket="boto3-versions", Key="k", VersionId=sys.argv[2])["Body"].read().decode())\n' +
      'for v in s3.list_object_versions(Bucket="boto3-versions")["Versions"]:\n' +
      '    s3.delete_object(Bucket="boto3-versions", Key=v["Key"], VersionId=v["VersionId"])\n' +
      's3.delete_bucket(Bucket="boto3-versions")',
    t.emulator.endpoint,
    v1,
  );
  if (ran === undefined) return console.log('boto3 is not on this machine: skipped');
  // Assess
  expect(ran.trim()).toBe('old');
  expect(t.emulator.s3.bucketNames()).not.toContain('boto3-versions');
});
