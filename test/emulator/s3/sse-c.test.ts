/**
 * SSE-C through the SDK: customer keys validated as S3 does, only their MD5 kept, and the same key required to
 * read. The AWS CLI and boto3 tests are in sse-c-clients.test.ts (the long tier).
 */
import {
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { awsErrorOf } from '../../helpers/emulator';
import { rawRequest } from '../../helpers/raw-http';
import { type S3TestEmulator, startS3TestEmulator } from './s3-fixture';
import { KEY, md5Of, OTHER_KEY, sseC } from './sse-c-fixture';

let t: S3TestEmulator;
beforeAll(async () => {
  t = await startS3TestEmulator();
  await t.s3.send(new CreateBucketCommand({ Bucket: 'secret' }));
});
afterAll(async () => {
  await t.stop();
});

describe('an object written with a customer key', () => {
  beforeAll(async () => {
    await t.s3.send(new PutObjectCommand({ Bucket: 'secret', Key: 'k', Body: 'classified', ...sseC(KEY) }));
  });

  it('echoes the algorithm and key MD5, and is read with the same key', async () => {
    // Act
    const got = await t.s3.send(new GetObjectCommand({ Bucket: 'secret', Key: 'k', ...sseC(KEY) }));
    const head = await t.s3.send(new HeadObjectCommand({ Bucket: 'secret', Key: 'k', ...sseC(KEY) }));
    // Assess
    expect(await got.Body?.transformToString()).toBe('classified');
    expect(got).toMatchObject({ SSECustomerAlgorithm: 'AES256', SSECustomerKeyMD5: md5Of(KEY) });
    expect(got.ServerSideEncryption).toBeUndefined();
    expect(head).toMatchObject({ SSECustomerAlgorithm: 'AES256', SSECustomerKeyMD5: md5Of(KEY) });
  });

  it('is 400 InvalidRequest without a key and 403 AccessDenied with another', async () => {
    // Act
    const none = await awsErrorOf(t.s3.send(new GetObjectCommand({ Bucket: 'secret', Key: 'k' })));
    const other = await awsErrorOf(
      t.s3.send(new GetObjectCommand({ Bucket: 'secret', Key: 'k', ...sseC(OTHER_KEY) })),
    );
    // Assess
    expect(none).toMatchObject({
      name: 'InvalidRequest',
      status: 400,
      message:
        'The object was stored using a form of Server Side Encryption. The correct parameters must be provided to retrieve the object.',
    });
    expect(other).toMatchObject({
      name: 'AccessDenied',
      status: 403,
      message:
        'Requests specifying Server Side Encryption with Customer provided keys must provide the correct secret key.',
    });
  });

  it('is copied with its key as the copy source key, to a copy under another key', async () => {
    // Act
    const refused = await awsErrorOf(
      t.s3.send(new CopyObjectCommand({ Bucket: 'secret', Key: 'copy', CopySource: 'secret/k' })),
    );
    const copied = await t.s3.send(
      new CopyObjectCommand({
        Bucket: 'secret',
        Key: 'copy',
        CopySource: 'secret/k',
        CopySourceSSECustomerAlgorithm: 'AES256',
        CopySourceSSECustomerKey: KEY,
        ...sseC(OTHER_KEY),
      }),
    );
    const read = await t.s3.send(new GetObjectCommand({ Bucket: 'secret', Key: 'copy', ...sseC(OTHER_KEY) }));
    // Assess
    expect(refused).toMatchObject({ name: 'InvalidRequest', status: 400 });
    expect(copied.SSECustomerKeyMD5).toBe(md5Of(OTHER_KEY));
    expect(await read.Body?.transformToString()).toBe('classified');
  });
});

describe('customer key headers', () => {
  const put = (headers: Record<string, string>) =>
    rawRequest(`${t.emulator.endpoint}/secret/raw`, { method: 'PUT', headers, body: 'x' });
  const key = Buffer.from(KEY).toString('base64');

  it('are validated as S3 does: AES256, a 256-bit key, its MD5', async () => {
    // Act
    const algorithm = await put({
      'x-amz-server-side-encryption-customer-algorithm': 'AES128',
      'x-amz-server-side-encryption-customer-key': key,
      'x-amz-server-side-encryption-customer-key-md5': md5Of(KEY),
    });
    const short = Buffer.from('short').toString('base64');
    const shortKey = await put({
      'x-amz-server-side-encryption-customer-algorithm': 'AES256',
      'x-amz-server-side-encryption-customer-key': short,
      'x-amz-server-side-encryption-customer-key-md5': md5Of('short'),
    });
    const wrongMd5 = await put({
      'x-amz-server-side-encryption-customer-algorithm': 'AES256',
      'x-amz-server-side-encryption-customer-key': key,
      'x-amz-server-side-encryption-customer-key-md5': md5Of(OTHER_KEY),
    });
    const noKey = await put({ 'x-amz-server-side-encryption-customer-algorithm': 'AES256' });
    const stored = await rawRequest(`${t.emulator.endpoint}/secret/raw`, { method: 'HEAD' });
    // Assess
    expect([algorithm.status, algorithm.body]).toEqual([
      400,
      expect.stringContaining('<Code>InvalidEncryptionAlgorithmError</Code>'),
    ]);
    expect(shortKey.body).toContain('The secret key was invalid for the specified algorithm.');
    expect(wrongMd5.body).toContain(
      'The calculated MD5 hash of the key did not match the hash that was provided.',
    );
    expect(noKey.body).toContain('must provide an appropriate secret key.');
    expect([shortKey.status, wrongMd5.status, noKey.status]).toEqual([400, 400, 400]);
    // nothing was stored by the refused requests
    expect(stored.status).toBe(404);
  });

  it('on an object stored without a key are refused', async () => {
    // Prepare
    await t.s3.send(new PutObjectCommand({ Bucket: 'secret', Key: 'plain', Body: 'open' }));
    // Act
    const error = await awsErrorOf(
      t.s3.send(new GetObjectCommand({ Bucket: 'secret', Key: 'plain', ...sseC(KEY) })),
    );
    // Assess
    expect(error).toMatchObject({ name: 'InvalidRequest', status: 400 });
  });
});

describe('a multipart upload with a customer key', () => {
  it('needs the key on every part, and the object is read with it', async () => {
    // Prepare
    const { UploadId, SSECustomerKeyMD5 } = await t.s3.send(
      new CreateMultipartUploadCommand({ Bucket: 'secret', Key: 'multi', ...sseC(KEY) }),
    );
    // Act
    const bare = await awsErrorOf(
      t.s3.send(
        new UploadPartCommand({ Bucket: 'secret', Key: 'multi', UploadId, PartNumber: 1, Body: 'part' }),
      ),
    );
    const part = await t.s3.send(
      new UploadPartCommand({
        Bucket: 'secret',
        Key: 'multi',
        UploadId,
        PartNumber: 1,
        Body: 'part',
        ...sseC(KEY),
      }),
    );
    await t.s3.send(
      new CompleteMultipartUploadCommand({
        Bucket: 'secret',
        Key: 'multi',
        UploadId,
        MultipartUpload: { Parts: [{ PartNumber: 1, ETag: part.ETag }] },
      }),
    );
    const read = await t.s3.send(new GetObjectCommand({ Bucket: 'secret', Key: 'multi', ...sseC(KEY) }));
    const unkeyed = await awsErrorOf(t.s3.send(new HeadObjectCommand({ Bucket: 'secret', Key: 'multi' })));
    // Assess
    expect(SSECustomerKeyMD5).toBe(md5Of(KEY));
    expect(bare).toMatchObject({ name: 'InvalidRequest', status: 400 });
    expect(part.SSECustomerKeyMD5).toBe(md5Of(KEY));
    expect(await read.Body?.transformToString()).toBe('part');
    expect(unkeyed.status).toBe(400);
  });
});
