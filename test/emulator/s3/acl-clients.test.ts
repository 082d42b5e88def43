/**
 * ACLs through the AWS CLIs (v1 and v2.9) and boto3: `aws s3 cp --acl` then get-object-acl, and boto3 setting a
 * canned bucket ACL and reading its grants. The SDK tests of the same behaviour are in acl.test.ts; these are in
 * the long tier (test/long-suites.js) for the CLIs' Python start-up.
 */
import { CreateBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { AWS_CLIS, awsCli, boto3 } from '../../helpers/aws-clients';
import { type S3TestEmulator, startS3TestEmulator } from './s3-fixture';

let t: S3TestEmulator;
let owner: string;
beforeAll(async () => {
  t = await startS3TestEmulator();
  owner = t.emulator.s3.ownerId;
  await t.s3.send(new CreateBucketCommand({ Bucket: 'writer', ObjectOwnership: 'ObjectWriter' }));
});
afterAll(async () => {
  await t.stop();
});

const ALL_USERS = 'http://acs.amazonaws.com/groups/global/AllUsers';

describe.each(AWS_CLIS)('%s', (name, command) => {
  it('copies an object with --acl and reads its ACL with get-object-acl', async () => {
    // Prepare
    const key = `cli-${name.replace(/\W/g, '')}`;
    await t.s3.send(new PutObjectCommand({ Bucket: 'writer', Key: `${key}-source`, Body: 'x' }));
    // Act
    await awsCli(
      command,
      t.emulator.endpoint,
      's3',
      'cp',
      `s3://writer/${key}-source`,
      `s3://writer/${key}`,
      '--acl',
      'public-read',
      '--quiet',
    );
    const acl = (await awsCli(
      command,
      t.emulator.endpoint,
      's3api',
      'get-object-acl',
      '--bucket',
      'writer',
      '--key',
      key,
    )) as { Grants: unknown[] };
    // Assess
    expect(acl.Grants).toEqual([
      { Grantee: { Type: 'CanonicalUser', ID: owner }, Permission: 'FULL_CONTROL' },
      { Grantee: { Type: 'Group', URI: ALL_USERS }, Permission: 'READ' },
    ]);
  });
});

test('boto3 sets a canned bucket ACL and reads its grants', async () => {
  // Act
  const ran = await boto3(
    's3 = boto3.client("s3", endpoint_url=sys.argv[1])\n' +
      's3.create_bucket(Bucket="boto3-acl", ObjectOwnership="ObjectWriter")\n' +
      's3.put_bucket_acl(Bucket="boto3-acl", ACL="authenticated-read")\n' +
      'print(",".join(g["Permission"] + ":" + g["Grantee"]["Type"] for g in s3.get_bucket_acl(Bucket="boto3-acl")["Grants"]))',
    t.emulator.endpoint,
  );
  if (ran === undefined) return console.log('boto3 is not on this machine: skipped');
  // Assess
  expect(ran.trim()).toBe('FULL_CONTROL:CanonicalUser,READ:Group');
});
