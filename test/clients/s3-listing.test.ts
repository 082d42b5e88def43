/**
 * Listing and bulk deletion at the sizes real buckets have, and keys that need encoding, through the SDK's own
 * paginator and DeleteObjects (both AWS CLIs with such keys: s3-listing-clients.test.ts). The thousands of objects are created in-process: the point here is
 * the listing, not 2,500 PutObject round trips.
 */
import {
  CopyObjectCommand,
  CreateBucketCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  paginateListObjectsV2,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
import { awsErrorOf } from '../helpers/emulator';
import { type S3TestEmulator, startS3TestEmulator } from '../emulator/s3/s3-fixture';

let t: S3TestEmulator;
beforeEach(async () => {
  t = await startS3TestEmulator();
  await t.s3.send(new CreateBucketCommand({ Bucket: 'archive' }));
});
afterEach(async () => {
  await t.stop();
});

const CONTEXT = { requestId: 'TESTSETUP', hostId: 'test-setup', sourceIp: '127.0.0.1' };

/** Stores empty objects under `keys` straight into the service. */
function putInProcess(bucket: string, keys: readonly string[]): void {
  for (const key of keys) {
    t.emulator.s3.putObject(
      { bucket, key, body: Buffer.alloc(0), headers: { contentType: 'text/plain' }, metadata: {} },
      CONTEXT,
    );
  }
}

/** S3 sorts keys by their UTF-8 bytes. */
const byUtf8 = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b));

/** 2,500 keys in five "folders" of 500. */
const MANY_KEYS = ['alpha', 'bravo', 'charlie', 'delta', 'echo'].flatMap((folder) =>
  Array.from({ length: 500 }, (_, i) => `${folder}/item-${String(i).padStart(4, '0')}.json`),
);

describe('ListObjectsV2 paging over 2,500 keys', () => {
  beforeEach(() => putInProcess('archive', MANY_KEYS));

  it.each([1000, 97])(
    'sees every key once and in order with the SDK paginator, %i keys a page',
    async (size) => {
      // Act
      const pages: number[] = [];
      const seen: string[] = [];
      for await (const page of paginateListObjectsV2(
        { client: t.s3, pageSize: size },
        { Bucket: 'archive' },
      )) {
        pages.push(page.KeyCount ?? 0);
        seen.push(...(page.Contents ?? []).map((o) => o.Key as string));
      }
      // Assess
      expect(seen).toEqual([...MANY_KEYS].sort(byUtf8));
      expect(pages).toHaveLength(Math.ceil(MANY_KEYS.length / size));
      expect(pages.slice(0, -1).every((n) => n === size)).toBe(true);
    },
  );

  it('pages the common prefixes of a delimited listing, and a prefix listing after StartAfter', async () => {
    // Act
    const prefixes: string[] = [];
    let pages = 0;
    for await (const page of paginateListObjectsV2(
      { client: t.s3, pageSize: 2 },
      { Bucket: 'archive', Delimiter: '/' },
    )) {
      pages++;
      prefixes.push(...(page.CommonPrefixes ?? []).map((p) => p.Prefix as string));
    }
    const after = await t.s3.send(
      new ListObjectsV2Command({ Bucket: 'archive', Prefix: 'delta/', StartAfter: 'delta/item-0495.json' }),
    );
    // Assess
    expect(prefixes).toEqual(['alpha/', 'bravo/', 'charlie/', 'delta/', 'echo/']);
    expect(pages).toBe(3);
    expect(after.Contents?.map((o) => o.Key)).toEqual([
      'delta/item-0496.json',
      'delta/item-0497.json',
      'delta/item-0498.json',
      'delta/item-0499.json',
    ]);
    expect(after.IsTruncated).toBe(false);
  });
});

describe('DeleteObjects', () => {
  it('deletes 1,000 keys in one call', async () => {
    // Prepare
    const keys = MANY_KEYS.slice(0, 1000);
    putInProcess('archive', keys);
    // Act
    const result = await t.s3.send(
      new DeleteObjectsCommand({ Bucket: 'archive', Delete: { Objects: keys.map((Key) => ({ Key })) } }),
    );
    const left = await t.s3.send(new ListObjectsV2Command({ Bucket: 'archive' }));
    // Assess
    expect(result.Deleted).toHaveLength(1000);
    expect(new Set(result.Deleted?.map((d) => d.Key))).toEqual(new Set(keys));
    expect(result.Errors).toBeUndefined();
    expect(left.KeyCount).toBe(0);
  });

  it('refuses 1,001 keys as AWS does, deleting none', async () => {
    // Prepare
    const keys = MANY_KEYS.slice(0, 1001);
    putInProcess('archive', keys);
    // Act
    const error = await awsErrorOf(
      t.s3.send(
        new DeleteObjectsCommand({ Bucket: 'archive', Delete: { Objects: keys.map((Key) => ({ Key })) } }),
      ),
    );
    const left = await t.s3.send(new ListObjectsV2Command({ Bucket: 'archive', MaxKeys: 1000 }));
    // Assess: AWS answers MalformedXML for more than 1,000 keys
    expect(error).toMatchObject({
      name: 'MalformedXML',
      status: 400,
      message: 'The XML you provided was not well-formed or did not validate against our published schema',
    });
    expect(left.KeyCount).toBe(1000);
    expect(left.IsTruncated).toBe(true);
  });
});

/** Keys that need encoding in a path, a query, XML or a copy source. */
const ODD_KEYS = [
  'with space.txt',
  'plus+sign.txt',
  'percent%41literal.txt',
  '100%.txt',
  'ünïcødé/日本語 ファイル.txt',
  'emoji 🎉/party.txt',
  '../escape.txt',
  'a/../b.txt',
  './dot.txt',
  'question?mark&amp=1#hash.txt',
  'tab\tand\u0001control.txt',
  '<xml> "quoted" \'single\'.txt',
];

/** What botocore does to an `encoding-type=url` key: form decoding (`+` is a space). */
const formDecode = (key: string) => decodeURIComponent(key.replace(/\+/g, ' '));

describe('keys that need encoding', () => {
  it('round-trips each key through PutObject, GetObject and ListObjectsV2, with and without EncodingType url', async () => {
    // Act
    for (const key of ODD_KEYS) {
      await t.s3.send(new PutObjectCommand({ Bucket: 'archive', Key: key, Body: `body of ${key}` }));
    }
    const bodies = await Promise.all(
      ODD_KEYS.map(async (key) => {
        const result = await t.s3.send(new GetObjectCommand({ Bucket: 'archive', Key: key }));
        return (result.Body as { transformToString(): Promise<string> }).transformToString();
      }),
    );
    const plain = await t.s3.send(new ListObjectsV2Command({ Bucket: 'archive' }));
    const encoded = await t.s3.send(new ListObjectsV2Command({ Bucket: 'archive', EncodingType: 'url' }));
    // Assess
    expect(bodies).toEqual(ODD_KEYS.map((key) => `body of ${key}`));
    expect(plain.Contents?.map((o) => o.Key)).toEqual([...ODD_KEYS].sort(byUtf8));
    expect(encoded.EncodingType).toBe('url');
    expect(encoded.Contents?.map((o) => formDecode(o.Key as string))).toEqual([...ODD_KEYS].sort(byUtf8));
    // encoded keys carry nothing XML 1.0 cannot hold; a space and a `+` stay apart (as measured on S3)
    expect(encoded.Contents?.every((o) => /^[\x21-\x7e]+$/.test(o.Key as string))).toBe(true);
    expect(encoded.Contents?.map((o) => o.Key)).toEqual(
      expect.arrayContaining(['with+space.txt', 'plus%2Bsign.txt', '100%25.txt', 'percent%2541literal.txt']),
    );
  });

  it('lists with such a key as Prefix and StartAfter', async () => {
    // Prepare
    putInProcess('archive', ODD_KEYS);
    // Act
    const prefixed = await t.s3.send(new ListObjectsV2Command({ Bucket: 'archive', Prefix: 'ünïcødé/' }));
    const after = await t.s3.send(
      new ListObjectsV2Command({ Bucket: 'archive', StartAfter: 'plus+sign.txt' }),
    );
    // Assess
    expect(prefixed.Contents?.map((o) => o.Key)).toEqual(['ünïcødé/日本語 ファイル.txt']);
    const sorted = [...ODD_KEYS].sort(byUtf8);
    expect(after.Contents?.map((o) => o.Key)).toEqual(sorted.slice(sorted.indexOf('plus+sign.txt') + 1));
  });

  it('copies from each such source key (URL-encoded copy source) to a new key', async () => {
    // Prepare
    for (const key of ODD_KEYS) {
      await t.s3.send(new PutObjectCommand({ Bucket: 'archive', Key: key, Body: `body of ${key}` }));
    }
    // Act
    const copies = await Promise.all(
      ODD_KEYS.map(async (key, i) => {
        const source = `archive/${key.split('/').map(encodeURIComponent).join('/')}`;
        await t.s3.send(
          new CopyObjectCommand({ Bucket: 'archive', Key: `copies/${i} ${key}`, CopySource: source }),
        );
        const result = await t.s3.send(
          new GetObjectCommand({ Bucket: 'archive', Key: `copies/${i} ${key}` }),
        );
        return (result.Body as { transformToString(): Promise<string> }).transformToString();
      }),
    );
    // Assess
    expect(copies).toEqual(ODD_KEYS.map((key) => `body of ${key}`));
  });
});
