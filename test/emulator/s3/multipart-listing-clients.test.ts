/**
 * ListMultipartUploads through the AWS CLIs (v1 and v2.9) and boto3: list-multipart-uploads paging one upload at a
 * time, and boto3's paginator listing every upload in AWS's order. The SDK tests of the same behaviour are in
 * multipart-listing.test.ts; these are in the long tier (test/long-suites.js) for the CLIs' Python start-up.
 */
import { AWS_CLIS, awsCli, boto3 } from '../../helpers/aws-clients';
import { type MultipartListingEmulator, startMultipartListingEmulator } from './multipart-listing-fixture';

let t: MultipartListingEmulator;
beforeAll(async () => {
  t = await startMultipartListingEmulator();
});
afterAll(async () => {
  await t.stop();
});

describe.each(AWS_CLIS)('%s', (_name, command) => {
  it('list-multipart-uploads pages through every upload', async () => {
    // Act
    const listed = (await awsCli(
      command,
      t.emulator.endpoint,
      's3api',
      'list-multipart-uploads',
      '--bucket',
      'pending',
      '--prefix',
      'd',
      '--page-size',
      '1',
    )) as { Uploads: { Key: string; UploadId: string }[] };
    // Assess
    expect(listed.Uploads.map((u) => u.Key)).toEqual(['dir/x', 'dir/y']);
  });
});

test('boto3 pages through the uploads with its paginator', async () => {
  // Act
  const ran = await boto3(
    's3 = boto3.client("s3", endpoint_url=sys.argv[1])\n' +
      'pages = s3.get_paginator("list_multipart_uploads").paginate(Bucket="pending", PaginationConfig={"PageSize": 2})\n' +
      'print(",".join(u["UploadId"] for p in pages for u in p.get("Uploads", []) if not u["Key"].startswith("with")))',
    t.emulator.endpoint,
  );
  if (ran === undefined) return console.log('boto3 is not on this machine: skipped');
  // Assess
  expect(ran.trim().split(',')).toEqual(t.expected);
});
