/**
 * ListMultipartUploads through the SDK: uploads by key then initiation, paged by key and upload-id markers, grouped
 * by a delimiter. The AWS CLI and boto3 tests are in multipart-listing-clients.test.ts (the long tier).
 */
import {
  CreateMultipartUploadCommand,
  ListMultipartUploadsCommand,
  type ListMultipartUploadsCommandOutput,
} from '@aws-sdk/client-s3';
import { rawRequest } from '../../helpers/raw-http';
import { type MultipartListingEmulator, startMultipartListingEmulator } from './multipart-listing-fixture';

let t: MultipartListingEmulator;
/** Upload ids in the order AWS lists them: by key, then by initiation. */
let expected: readonly string[];
beforeAll(async () => {
  t = await startMultipartListingEmulator();
  expected = t.expected;
});
afterAll(async () => {
  await t.stop();
});

async function allPages(
  input: { MaxUploads?: number; Delimiter?: string; Prefix?: string } = {},
): Promise<ListMultipartUploadsCommandOutput[]> {
  const pages: ListMultipartUploadsCommandOutput[] = [];
  let KeyMarker: string | undefined;
  let UploadIdMarker: string | undefined;
  do {
    const page = await t.s3.send(
      new ListMultipartUploadsCommand({ Bucket: 'pending', ...input, KeyMarker, UploadIdMarker }),
    );
    pages.push(page);
    KeyMarker = page.NextKeyMarker;
    UploadIdMarker = page.NextUploadIdMarker;
  } while (pages[pages.length - 1].IsTruncated && pages.length < 20);
  return pages;
}

describe('ListMultipartUploads', () => {
  it('lists every upload by key then initiation, and pages over more than max-uploads', async () => {
    // Act
    const whole = await t.s3.send(new ListMultipartUploadsCommand({ Bucket: 'pending' }));
    const pages = await allPages({ MaxUploads: 2 });
    // Assess
    expect(whole).toMatchObject({ Bucket: 'pending', MaxUploads: 1000, IsTruncated: false });
    expect(whole.Uploads?.map((u) => u.UploadId)).toEqual(expected);
    expect(whole.Uploads?.[0]).toMatchObject({
      Key: 'a',
      StorageClass: 'STANDARD',
      Owner: { ID: t.emulator.s3.ownerId },
      Initiator: { ID: t.emulator.s3.ownerId },
    });
    expect(whole.Uploads?.[1].Initiated?.getTime()).toBeLessThan(whole.Uploads![2].Initiated!.getTime());
    expect(pages.map((p) => [p.IsTruncated, p.Uploads?.length])).toEqual([
      [true, 2],
      [true, 2],
      [false, 2],
    ]);
    expect(pages[0]).toMatchObject({ NextKeyMarker: 'b', NextUploadIdMarker: expected[1] });
    expect(pages.flatMap((p) => p.Uploads?.map((u) => u.UploadId))).toEqual(expected);
  });

  it('groups keys under a delimiter as CommonPrefixes, within a prefix, and starts after a key-marker', async () => {
    // Act
    const grouped = await allPages({ Delimiter: '/', MaxUploads: 3 });
    const inDir = await t.s3.send(new ListMultipartUploadsCommand({ Bucket: 'pending', Prefix: 'dir/' }));
    const afterB = await t.s3.send(new ListMultipartUploadsCommand({ Bucket: 'pending', KeyMarker: 'b' }));
    // Assess
    expect(grouped.flatMap((p) => p.Uploads?.map((u) => u.Key) ?? [])).toEqual(['a', 'b', 'b', 'c']);
    expect(grouped.flatMap((p) => p.CommonPrefixes?.map((c) => c.Prefix) ?? [])).toEqual(['dir/']);
    expect(grouped[0]).toMatchObject({ IsTruncated: true, NextKeyMarker: 'b' });
    expect(inDir.Uploads?.map((u) => u.Key)).toEqual(['dir/x', 'dir/y']);
    expect(inDir.Prefix).toBe('dir/');
    expect(afterB.Uploads?.map((u) => u.Key)).toEqual(['c', 'dir/x', 'dir/y']);
  });

  it('refuses a max-uploads out of range, serves a larger one at 1,000, and url-encodes keys when asked', async () => {
    // Prepare
    await t.s3.send(new CreateMultipartUploadCommand({ Bucket: 'pending', Key: 'with space/ü' }));
    const url = (query: string) => `${t.emulator.endpoint}/pending?uploads&${query}`;
    // Act
    const negative = await rawRequest(url('max-uploads=-1'), { method: 'GET' });
    const text = await rawRequest(url('max-uploads=many'), { method: 'GET' });
    const large = await t.s3.send(new ListMultipartUploadsCommand({ Bucket: 'pending', MaxUploads: 5000 }));
    const encoded = await t.s3.send(
      new ListMultipartUploadsCommand({ Bucket: 'pending', Prefix: 'with', EncodingType: 'url' }),
    );
    // Assess
    expect([negative.status, text.status]).toEqual([400, 400]);
    expect(negative.body).toContain('Argument max-uploads must be an integer between 0 and 2147483647');
    expect(text.body).toContain('<Code>InvalidArgument</Code>');
    expect(large.MaxUploads).toBe(1000);
    expect(encoded.Uploads?.map((u) => u.Key)).toEqual(['with+space/%C3%BC']);
  });
});
