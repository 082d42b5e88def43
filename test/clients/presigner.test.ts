/**
 * @aws-sdk/s3-request-presigner as applications use it: the server signs a URL with a default S3 client, a
 * browser or another service uses it with plain `fetch`. The presigner hoists the request's `x-amz-*` headers into
 * the query string, and S3 reads them back as headers.
 */
import { crc32 } from 'node:zlib';
import {
  CreateBucketCommand,
  GetObjectAclCommand,
  GetObjectCommand,
  GetObjectTaggingCommand,
  HeadObjectCommand,
  PutObjectCommand,
  UploadPartCommand,
  CreateMultipartUploadCommand,
  CompleteMultipartUploadCommand,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { awsErrorOf } from '../helpers/emulator';
import { type S3TestEmulator, startS3TestEmulator } from '../emulator/s3/s3-fixture';

let t: S3TestEmulator;
beforeEach(async () => {
  t = await startS3TestEmulator();
  await t.s3.send(new CreateBucketCommand({ Bucket: 'uploads' }));
});
afterEach(async () => {
  await t.stop();
});

const crc32Base64 = (data: string | Buffer) => {
  const out = Buffer.alloc(4);
  out.writeUInt32BE(crc32(data));
  return out.toString('base64');
};
/** The S3 error code and message of an XML error body. */
const errorOf = (xml: string) => ({
  code: /<Code>([^<]*)<\/Code>/.exec(xml)?.[1],
  message: /<Message>([^<]*)<\/Message>/.exec(xml)?.[1],
});

describe('presigned GET', () => {
  it('serves the object to fetch, with the checksum the default client asks for in the query', async () => {
    // Prepare
    await t.s3.send(
      new PutObjectCommand({ Bucket: 'uploads', Key: 'report.txt', Body: 'quarterly numbers' }),
    );
    const url = await getSignedUrl(t.s3, new GetObjectCommand({ Bucket: 'uploads', Key: 'report.txt' }), {
      expiresIn: 300,
    });
    // Act
    const response = await fetch(url);
    // Assess
    expect(new URL(url).searchParams.get('x-amz-checksum-mode')).toBe('ENABLED');
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('quarterly numbers');
    expect(response.headers.get('x-amz-checksum-crc32')).toBe(crc32Base64('quarterly numbers'));
    expect(response.headers.get('x-amz-checksum-type')).toBe('FULL_OBJECT');
  });

  it('honours the response-* overrides signed into the URL', async () => {
    // Prepare
    await t.s3.send(new PutObjectCommand({ Bucket: 'uploads', Key: 'a.csv', Body: 'x,y' }));
    const url = await getSignedUrl(
      t.s3,
      new GetObjectCommand({
        Bucket: 'uploads',
        Key: 'a.csv',
        ResponseContentDisposition: 'attachment; filename="a.csv"',
        ResponseContentType: 'text/csv',
      }),
      { expiresIn: 300 },
    );
    // Act
    const response = await fetch(url);
    // Assess
    expect(response.status).toBe(200);
    expect(response.headers.get('content-disposition')).toBe('attachment; filename="a.csv"');
    expect(response.headers.get('content-type')).toBe('text/csv');
  });
});

describe('presigned PUT', () => {
  it('stores the body with the metadata, content type and checksum signed into the URL', async () => {
    // Prepare
    const body = 'an uploaded photo';
    const url = await getSignedUrl(
      t.s3,
      new PutObjectCommand({
        Bucket: 'uploads',
        Key: 'photos/cat.jpg',
        Metadata: { owner: 'ada', album: 'pets' },
        StorageClass: 'STANDARD',
        ChecksumCRC32: crc32Base64(body),
      }),
      { expiresIn: 300 },
    );
    // Act
    const response = await fetch(url, { method: 'PUT', body });
    const head = await t.s3.send(
      new HeadObjectCommand({ Bucket: 'uploads', Key: 'photos/cat.jpg', ChecksumMode: 'ENABLED' }),
    );
    // Assess
    const query = new URL(url).searchParams;
    expect(query.get('x-amz-meta-owner')).toBe('ada');
    expect(query.get('x-amz-checksum-crc32')).toBe(crc32Base64(body));
    expect(response.status).toBe(200);
    expect(response.headers.get('x-amz-checksum-crc32')).toBe(crc32Base64(body));
    expect(head.Metadata).toEqual({ owner: 'ada', album: 'pets' });
    expect(head.ChecksumCRC32).toBe(crc32Base64(body));
    expect(head.ContentLength).toBe(body.length);
  });

  it('tags the object with the tagging signed into the URL', async () => {
    // Prepare
    const url = await getSignedUrl(
      t.s3,
      new PutObjectCommand({ Bucket: 'uploads', Key: 'tagged.txt', Tagging: 'team=media&review=pending' }),
      { expiresIn: 300 },
    );
    // Act
    const response = await fetch(url, { method: 'PUT', body: 'x' });
    const tagging = await t.s3.send(new GetObjectTaggingCommand({ Bucket: 'uploads', Key: 'tagged.txt' }));
    // Assess
    expect(new URL(url).searchParams.get('x-amz-tagging')).toBe('team=media&review=pending');
    expect(response.status).toBe(200);
    expect(tagging.TagSet).toEqual([
      { Key: 'team', Value: 'media' },
      { Key: 'review', Value: 'pending' },
    ]);
  });

  it('refuses a body that does not match the checksum in the URL with BadDigest, and stores nothing', async () => {
    // Prepare
    const url = await getSignedUrl(
      t.s3,
      new PutObjectCommand({
        Bucket: 'uploads',
        Key: 'signed.bin',
        ChecksumCRC32: crc32Base64('the real bytes'),
      }),
      { expiresIn: 300 },
    );
    // Act
    const response = await fetch(url, { method: 'PUT', body: 'tampered bytes' });
    // Assess
    expect(response.status).toBe(400);
    expect(errorOf(await response.text())).toEqual({
      code: 'BadDigest',
      message: 'The CRC32 you specified did not match the calculated checksum.',
    });
    expect(
      (await awsErrorOf(t.s3.send(new HeadObjectCommand({ Bucket: 'uploads', Key: 'signed.bin' })))).status,
    ).toBe(404);
  });

  it('accepts any body on a default client URL (it signs the empty body checksum) and stores the real checksum', async () => {
    // Prepare: with no checksum given, the default client signs x-amz-checksum-crc32 of the empty body it holds
    const url = await getSignedUrl(t.s3, new PutObjectCommand({ Bucket: 'uploads', Key: 'plain.txt' }), {
      expiresIn: 300,
    });
    // Act
    const response = await fetch(url, { method: 'PUT', body: 'hello from a browser' });
    const head = await t.s3.send(
      new HeadObjectCommand({ Bucket: 'uploads', Key: 'plain.txt', ChecksumMode: 'ENABLED' }),
    );
    // Assess
    expect(new URL(url).searchParams.get('x-amz-checksum-crc32')).toBe('AAAAAA==');
    expect(response.status).toBe(200);
    expect(head.ChecksumCRC32).toBe(crc32Base64('hello from a browser'));
  });

  it('refuses a storage class signed into the URL that the emulator does not keep, naming the header', async () => {
    // Prepare
    const url = await getSignedUrl(
      t.s3,
      new PutObjectCommand({ Bucket: 'uploads', Key: 'cold.txt', StorageClass: 'GLACIER' }),
      { expiresIn: 300 },
    );
    // Act
    const response = await fetch(url, { method: 'PUT', body: 'cold' });
    // Assess: read from the query, not dropped
    expect(response.status).toBe(501);
    const text = await response.text();
    expect(errorOf(text).code).toBe('NotImplemented');
    expect(text).toContain('x-amz-storage-class');
  });

  it('reads a canned ACL from the URL: refused where the bucket disallows ACLs, applied where it allows them', async () => {
    // Prepare: new buckets enforce bucket-owner ownership (ACLs disabled), as on AWS; a second one allows ACLs
    await t.s3.send(new CreateBucketCommand({ Bucket: 'shared', ObjectOwnership: 'BucketOwnerPreferred' }));
    const presign = (Bucket: string) =>
      getSignedUrl(t.s3, new PutObjectCommand({ Bucket, Key: 'shared.txt', ACL: 'public-read' }), {
        expiresIn: 300,
      });
    // Act
    const refused = await fetch(await presign('uploads'), { method: 'PUT', body: 'shared' });
    const applied = await fetch(await presign('shared'), { method: 'PUT', body: 'shared' });
    const acl = await t.s3.send(new GetObjectAclCommand({ Bucket: 'shared', Key: 'shared.txt' }));
    // Assess
    expect(refused.status).toBe(400);
    expect(errorOf(await refused.text())).toEqual({
      code: 'AccessControlListNotSupported',
      message: 'The bucket does not allow ACLs',
    });
    expect(applied.status).toBe(200);
    expect(acl.Grants).toContainEqual({
      Grantee: { Type: 'Group', URI: 'http://acs.amazonaws.com/groups/global/AllUsers' },
      Permission: 'READ',
    });
  });

  it('lets a header the request carries win over the same header in the query', async () => {
    // Prepare
    const url = await getSignedUrl(
      t.s3,
      new PutObjectCommand({ Bucket: 'uploads', Key: 'both.txt', Metadata: { source: 'query' } }),
      { expiresIn: 300 },
    );
    // Act
    const response = await fetch(url, {
      method: 'PUT',
      body: 'x',
      headers: { 'x-amz-meta-source': 'header' },
    });
    const head = await t.s3.send(new HeadObjectCommand({ Bucket: 'uploads', Key: 'both.txt' }));
    // Assess
    expect(response.status).toBe(200);
    expect(head.Metadata).toEqual({ source: 'header' });
  });

  it('reads x-amz-* query parameters as headers only in a presigned request', async () => {
    // Act: an unsigned PUT whose query looks like hoisted metadata
    const response = await fetch(`${t.emulator.endpoint}/uploads/unsigned.txt?x-amz-meta-source=query`, {
      method: 'PUT',
      body: 'x',
    });
    const head = await t.s3.send(new HeadObjectCommand({ Bucket: 'uploads', Key: 'unsigned.txt' }));
    // Assess
    expect(response.status).toBe(200);
    expect(head.Metadata).toEqual({});
  });

  it('accepts a default client URL for a body large enough to be spilled to disk (12 MiB)', async () => {
    // Prepare
    const body = Buffer.alloc(12 * 1024 * 1024, 'z');
    const url = await getSignedUrl(t.s3, new PutObjectCommand({ Bucket: 'uploads', Key: 'large.bin' }), {
      expiresIn: 300,
    });
    // Act
    const response = await fetch(url, { method: 'PUT', body });
    const head = await t.s3.send(
      new HeadObjectCommand({ Bucket: 'uploads', Key: 'large.bin', ChecksumMode: 'ENABLED' }),
    );
    // Assess
    expect(response.status).toBe(200);
    expect(head).toMatchObject({ ContentLength: body.length, ChecksumCRC32: crc32Base64(body) });
  });

  it('refuses a query parameter that no header could be (not an HTTP token) and keeps serving', async () => {
    // Prepare
    const url = new URL(
      await getSignedUrl(t.s3, new PutObjectCommand({ Bucket: 'uploads', Key: 'odd.txt' }), {
        expiresIn: 300,
      }),
    );
    url.searchParams.append('x-amz-meta-two words', 'x');
    // Act
    const response = await fetch(url, { method: 'PUT', body: 'x' });
    const after = await fetch(
      await getSignedUrl(t.s3, new PutObjectCommand({ Bucket: 'uploads', Key: 'odd.txt' }), {
        expiresIn: 300,
      }),
      { method: 'PUT', body: 'x' },
    );
    // Assess
    expect(response.status).toBe(400);
    expect(errorOf(await response.text())).toEqual({
      code: 'InvalidArgument',
      message: 'x-amz-meta-two words is not a valid header name.',
    });
    expect(after.status).toBe(200);
  });

  it('refuses a query value no header line could carry (a line break), storing nothing', async () => {
    // Prepare
    const url = new URL(
      await getSignedUrl(t.s3, new PutObjectCommand({ Bucket: 'uploads', Key: 'crlf.txt' }), {
        expiresIn: 300,
      }),
    );
    url.searchParams.append('x-amz-meta-note', 'first\r\nx-injected: yes');
    // Act
    const response = await fetch(url, { method: 'PUT', body: 'x' });
    const head = await t.s3
      .send(new HeadObjectCommand({ Bucket: 'uploads', Key: 'crlf.txt' }))
      .catch((error: { name: string }) => error.name);
    // Assess
    expect(response.status).toBe(400);
    expect(errorOf(await response.text())).toEqual({
      code: 'InvalidArgument',
      message: 'The value of x-amz-meta-note is not a valid header value.',
    });
    expect(head).toBe('NotFound');
  });

  it('uploads the parts of a multipart upload through presigned UploadPart URLs', async () => {
    // Prepare
    const { UploadId } = await t.s3.send(
      new CreateMultipartUploadCommand({ Bucket: 'uploads', Key: 'big.bin', Metadata: { kind: 'video' } }),
    );
    const parts = [Buffer.alloc(5 * 1024 * 1024, 'a'), Buffer.from('the tail')];
    // Act
    const etags: string[] = [];
    for (const [index, part] of parts.entries()) {
      const url = await getSignedUrl(
        t.s3,
        new UploadPartCommand({ Bucket: 'uploads', Key: 'big.bin', UploadId, PartNumber: index + 1 }),
        { expiresIn: 300 },
      );
      const response = await fetch(url, { method: 'PUT', body: part });
      expect(response.status).toBe(200);
      etags.push(response.headers.get('etag') ?? '');
    }
    await t.s3.send(
      new CompleteMultipartUploadCommand({
        Bucket: 'uploads',
        Key: 'big.bin',
        UploadId,
        MultipartUpload: { Parts: etags.map((ETag, i) => ({ ETag, PartNumber: i + 1 })) },
      }),
    );
    const head = await t.s3.send(new HeadObjectCommand({ Bucket: 'uploads', Key: 'big.bin' }));
    // Assess
    expect(head.ContentLength).toBe(parts[0].length + parts[1].length);
    expect(head.ETag).toMatch(/-2"$/);
    expect(head.Metadata).toEqual({ kind: 'video' });
  });
});
