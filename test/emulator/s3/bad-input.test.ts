import { createHash } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { CreateBucketCommand, ListBucketsCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { DeliveryTracker } from '../../../lib/emulator/event-delivery';
import { DEFAULT_MAX_OBJECT_BYTES, S3Service } from '../../../lib/emulator/s3/service';
import { awsErrorOf } from '../../helpers/emulator';
import { type S3TestEmulator, startS3TestEmulator } from './s3-fixture';

let t: S3TestEmulator;
beforeAll(async () => {
  t = await startS3TestEmulator();
  await t.s3.send(new CreateBucketCommand({ Bucket: 'sturdy' }));
});
afterAll(async () => {
  await t.stop();
});

const SIGNED = {
  authorization:
    'AWS4-HMAC-SHA256 Credential=AKIAEMULATOR/20260101/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=00',
};

function raw(
  method: string,
  path: string,
  body: string | Buffer = '',
  headers: Record<string, string> = {},
): Promise<{ status: number; body: string; headers: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      `${t.emulator.endpoint}${path}`,
      { method, headers: { ...SIGNED, ...headers } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            body: Buffer.concat(chunks).toString('utf8'),
            headers: res.headers,
          }),
        );
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const codeOf = (xml: string) => /<Code>([^<]*)<\/Code>/.exec(xml)?.[1];

describe('bad input gets an S3-shaped 4xx, and the server keeps serving', () => {
  afterEach(async () => {
    // the server still answers a well-formed request
    const { Buckets } = await t.s3.send(new ListBucketsCommand({}));
    expect(Buckets?.map((b) => b.Name)).toContain('sturdy');
  });

  it.each([
    ['<Delete><Object><Key>a</Key></Object>', 'unclosed'],
    ['<Delete><Object><Key>a</Object></Key></Delete>', 'mismatched'],
    ['not xml at all', 'text'],
    ['<!DOCTYPE x [<!ENTITY a "b">]><Delete/>', 'a DTD'],
    ['<Wrong/>', 'the wrong root'],
  ])('malformed DeleteObjects XML (%#: %s) is MalformedXML', async (xml) => {
    // Act
    const response = await raw('POST', '/sturdy?delete', xml, { 'content-md5': md5Base64(xml) });
    // Assess
    expect(response.status).toBe(400);
    expect(codeOf(response.body)).toBe('MalformedXML');
    expect(response.body).toMatch(
      /^<\?xml version="1.0" encoding="UTF-8"\?>\n<Error><Code>MalformedXML<\/Code><Message>The XML you provided was not well-formed or did not validate against our published schema<\/Message><RequestId>[0-9A-F]{16}<\/RequestId><HostId>[^<]+<\/HostId><\/Error>$/,
    );
  });

  it('malformed notification XML is MalformedXML', async () => {
    // Act
    const response = await raw(
      'PUT',
      '/sturdy?notification',
      '<NotificationConfiguration><QueueConfiguration>',
    );
    // Assess
    expect(response.status).toBe(400);
    expect(codeOf(response.body)).toBe('MalformedXML');
  });

  it('DeleteObjects without Content-MD5 or a checksum is InvalidRequest', async () => {
    // Act
    const response = await raw('POST', '/sturdy?delete', '<Delete><Object><Key>a</Key></Object></Delete>');
    // Assess
    expect(response.status).toBe(400);
    expect(response.body).toContain(
      '<Message>Missing required header for this request: Content-MD5</Message>',
    );
  });

  it('an error names the bucket it is about', async () => {
    // Act
    const response = await raw('GET', '/no-such-bucket/key');
    // Assess
    expect(response.status).toBe(404);
    expect(response.body).toContain(
      '<Error><Code>NoSuchBucket</Code><Message>The specified bucket does not exist</Message><BucketName>no-such-bucket</BucketName><RequestId>',
    );
    expect(response.headers['x-amz-request-id']).toMatch(/^[0-9A-F]{16}$/);
  });

  it('a truncated aws-chunked body is IncompleteBody, a bad chunk size InvalidRequest', async () => {
    // Prepare
    const headers = {
      'x-amz-content-sha256': 'STREAMING-UNSIGNED-PAYLOAD-TRAILER',
      'content-encoding': 'aws-chunked',
    };
    // Act
    const truncated = await raw('PUT', '/sturdy/chunked', 'a\r\nshort', headers);
    const badSize = await raw('PUT', '/sturdy/chunked', 'zz\r\nabc\r\n0\r\n\r\n', headers);
    // Assess
    expect([truncated.status, codeOf(truncated.body)]).toEqual([400, 'IncompleteBody']);
    expect([badSize.status, codeOf(badSize.body)]).toEqual([400, 'InvalidRequest']);
  });

  it('decodes signed aws-chunked bodies (chunk signatures) too', async () => {
    // Prepare
    const body = '5;chunk-signature=abc\r\nhello\r\n0;chunk-signature=def\r\n\r\n';
    // Act
    const put = await raw('PUT', '/sturdy/signed', body, {
      'x-amz-content-sha256': 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD',
      'x-amz-decoded-content-length': '5',
    });
    const get = await raw('GET', '/sturdy/signed');
    // Assess
    expect(put.status).toBe(200);
    expect(get.body).toBe('hello');
  });

  it('a payload hash that does not match is XAmzContentSHA256Mismatch', async () => {
    // Act
    const response = await raw('PUT', '/sturdy/k', 'abc', { 'x-amz-content-sha256': '0'.repeat(64) });
    // Assess
    expect([response.status, codeOf(response.body)]).toEqual([400, 'XAmzContentSHA256Mismatch']);
  });

  it('a percent-encoding that does not decode is InvalidURI', async () => {
    // Act
    const response = await raw('GET', '/sturdy/%E0%A4%A');
    // Assess
    expect([response.status, codeOf(response.body)]).toEqual([400, 'InvalidURI']);
  });

  it('an unsupported subresource is NotImplemented, a bad method MethodNotAllowed', async () => {
    // Act
    const accelerate = await raw('GET', '/sturdy?accelerate');
    const post = await raw('POST', '/sturdy/key');
    // Assess
    expect([accelerate.status, codeOf(accelerate.body)]).toEqual([501, 'NotImplemented']);
    expect([post.status, codeOf(post.body)]).toEqual([405, 'MethodNotAllowed']);
  });

  it('an object over the 5 GiB single-request cap is EntityTooLarge, refused on its declared length', async () => {
    // Act: the length is declared, the body never sent
    const response = await raw('PUT', '/sturdy/huge', '', {
      'content-length': String(DEFAULT_MAX_OBJECT_BYTES + 1),
    });
    // Assess
    expect([response.status, codeOf(response.body)]).toEqual([400, 'EntityTooLarge']);
    expect(response.body).toContain(
      '<Message>Your proposed upload exceeds the maximum allowed size</Message>',
    );
  });

  it('a key over 1024 bytes is KeyTooLongError, metadata over 2 KB MetadataTooLarge', async () => {
    // Act
    const key = await awsErrorOf(
      t.s3.send(new PutObjectCommand({ Bucket: 'sturdy', Key: 'k'.repeat(1025), Body: 'x' })),
    );
    const metadata = await awsErrorOf(
      t.s3.send(
        new PutObjectCommand({ Bucket: 'sturdy', Key: 'm', Body: 'x', Metadata: { big: 'v'.repeat(2100) } }),
      ),
    );
    // Assess
    expect(key).toMatchObject({ name: 'KeyTooLongError', status: 400, message: 'Your key is too long' });
    expect(metadata).toMatchObject({ name: 'MetadataTooLarge', status: 400 });
  });
});

describe('the in-memory cap', () => {
  it('refuses an upload past the cap with EntityTooLarge naming the cap', () => {
    // Prepare
    const e = t.emulator;
    const s3 = new S3Service({
      clock: e.clock,
      region: e.region,
      accountId: e.accountId,
      sqs: e.sqs,
      sns: e.sns,
      functions: e.functions,
      deliveries: new DeliveryTracker(),
      maxStoredBytes: 10,
    });
    s3.createBucket('small');
    const context = { requestId: 'R', hostId: 'H', sourceIp: '127.0.0.1' };
    const put = (key: string, size: number) =>
      s3.putObject(
        {
          bucket: 'small',
          key,
          body: Buffer.alloc(size),
          headers: { contentType: 'binary/octet-stream' },
          metadata: {},
        },
        context,
      );
    put('a', 6);
    // Act
    const act = () => put('b', 5);
    // Assess
    expect(act).toThrow(
      'The emulator keeps objects in memory and this upload would take it past its cap of 10 bytes; delete objects or start it with a larger maxStoredBytes.',
    );
    expect(() => put('a', 10)).not.toThrow(); // replacing an object only needs the difference
  });
});

function md5Base64(text: string): string {
  return createHash('md5').update(text).digest('base64');
}
