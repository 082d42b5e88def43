/**
 * Wire fuzz, mutated requests: raw HTTP with each protocol's framing (JSON targets, query forms, REST paths and
 * headers) and broken bodies, encodings, ranges and percent-encoding. See test/helpers/wire-fuzz.ts.
 */
import { Agent, request as httpRequest } from 'node:http';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import {
  assertFuzz,
  BURST,
  HOSTILE_STRINGS,
  MIB,
  stringArbitrary,
  useFuzzEmulator,
} from '../../helpers/wire-fuzz';

const fuzz = useFuzzEmulator('wire fuzz, mutated requests');
/** One kept-alive connection, as AWS clients use: a refusal that closes it opens the next. */
const KEEP_ALIVE = new Agent({ keepAlive: true, maxSockets: 1 });
afterAll(() => KEEP_ALIVE.destroy());

interface RawRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: Buffer;
}

function rawSend(request: RawRequest): Promise<number | undefined> {
  return new Promise((resolve) => {
    const req = httpRequest(
      `${fuzz.emulator().endpoint}${request.path}`,
      {
        method: request.method,
        headers: { ...request.headers, 'content-length': String(request.body.length) },
        agent: KEEP_ALIVE,
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode));
        res.on('error', () => resolve(res.statusCode));
      },
    );
    // a request line Node's client refuses to send is not a request to the emulator
    req.on('error', () => resolve(undefined));
    req.end(request.body);
  });
}

const bodyArbitrary: fc.Arbitrary<Buffer> = fc.oneof(
  fc.uint8Array({ maxLength: 256 }).map((b) => Buffer.from(b)),
  fc.json({ maxDepth: 4 }).map((s) => Buffer.from(s)),
  fc.constantFrom(...HOSTILE_STRINGS).map((make) => Buffer.from(make())),
  fc.json({ maxDepth: 3 }).map((s) => Buffer.from(s.slice(0, Math.max(0, s.length - 2)))),
  fc
    .dictionary(
      fc.constantFrom('Action', 'Version', 'QueueUrl', 'TopicArn', 'MessageBody', 'Message', 'Expression'),
      stringArbitrary(fuzz.known),
      { maxKeys: 4 },
    )
    .map((form) => Buffer.from(new URLSearchParams(form).toString())),
  fc.constant(gzipSync(Buffer.alloc(8 * MIB))),
);

const pathArbitrary = fc.oneof(
  fc.constantFrom('/', '/fuzz', '/fuzz/key', '/000000000000/fuzz', '/2015-03-31/functions/fuzz/invocations'),
  fc.constantFrom(
    '/2015-03-31/functions/%/invocations',
    '/fuzz/%E0%A4%A',
    '/%',
    '/fuzz/..%2F..%2Fetc',
    '/fuzz?uploads',
    '/fuzz/k?tagging&uploadId=x&partNumber=99999999',
  ),
  fc.string({ maxLength: 30 }).map((s) => `/${encodeURIComponent(s)}`),
);

const RAW_PROTOCOLS: readonly { protocol: string; headers: fc.Arbitrary<Record<string, string>> }[] = [
  {
    protocol: 'aws-json (raw)',
    headers: fc.record({
      'content-type': fc.constantFrom(
        'application/x-amz-json-1.0',
        'application/x-amz-json-1.1',
        'application/json',
      ),
      'x-amz-target': fc.oneof(
        fc.constantFrom(
          'AmazonSQS.SendMessage',
          'AmazonSQS.ReceiveMessage',
          'GraniteServiceVersion20100801.GetMetricData',
          'GraniteServiceVersion20100801.SetAlarmState',
        ),
        fc.string({ maxLength: 20 }),
      ),
    }),
  },
  {
    protocol: 'query (raw)',
    headers: fc.record(
      {
        'content-type': fc.constantFrom(
          'application/x-www-form-urlencoded',
          'application/x-www-form-urlencoded; charset=utf-8',
        ),
        'content-encoding': fc.constantFrom('gzip', 'identity', 'deflate'),
      },
      { requiredKeys: ['content-type'] },
    ),
  },
  {
    protocol: 'rest (raw)',
    headers: fc.record(
      {
        'content-type': fc.constantFrom(
          'application/xml',
          'application/json',
          'text/plain',
          'application/octet-stream',
        ),
        range: fc.constantFrom(
          'bytes=0-',
          'bytes=-1',
          'bytes=99999999999999999999-',
          'bytes=5-1',
          'chars=1-2',
        ),
        'x-amz-copy-source': fc.constantFrom('fuzz/key', '%', '/fuzz/%E0'),
        'content-md5': fc.constantFrom('', 'AAAA', '%%%%'),
        'x-amz-invocation-type': fc.constantFrom('Event', 'DryRun', 'RequestResponse', 'Bogus'),
      },
      { requiredKeys: [] },
    ),
  },
];

describe.each(RAW_PROTOCOLS.map((p) => [p.protocol, p] as const))(
  'mutated requests, %s',
  (protocol, spec) => {
    test('never a 5xx (but documented 501s), never slow, the server stays responsive', async () => {
      // Prepare
      const request = fc.record({
        method: fc.constantFrom('POST', 'GET', 'PUT', 'DELETE', 'HEAD'),
        path: pathArbitrary,
        headers: spec.headers,
        body: bodyArbitrary,
      });
      let sent = 0;
      // Act & Assess
      await assertFuzz(
        fc.asyncProperty(request, async (raw) => {
          const { status, ms } = await fuzz.timed(() => rawSend(raw));
          fuzz.record(
            protocol,
            status,
            ms,
            `${raw.method} ${raw.path} ${JSON.stringify(raw.headers)} ${raw.body.subarray(0, 200).toString()}`,
          );
          if (++sent % BURST === 0) await fuzz.healthWithin100ms();
        }),
        12,
      );
      await fuzz.emulator().idle();
      await fuzz.healthWithin100ms();
      expect(fuzz.requests(protocol)).toBeGreaterThan(100);
    });
  },
);
