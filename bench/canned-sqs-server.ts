/**
 * The ceiling: an HTTP server that answers SQS JSON requests with fixed, valid responses and does no work.
 * What the SDK and HTTP alone cost; the emulator is measured against it. Run: tsx bench/canned-sqs-server.ts
 */
import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Every benchmark message has this body, so the canned digests match what the SDK checks. */
export const BENCH_BODY = 'x'.repeat(100);

const md5 = createHash('md5').update(BENCH_BODY).digest('hex');
const RESPONSES: Record<string, string> = {
  SendMessage: JSON.stringify({ MD5OfMessageBody: md5, MessageId: '3d7a6f4e-1c2b-4d5e-8f90-a1b2c3d4e5f6' }),
  ReceiveMessage: JSON.stringify({
    Messages: Array.from({ length: 10 }, (_, i) => ({
      MessageId: `3d7a6f4e-1c2b-4d5e-8f90-a1b2c3d4e5${String(i).padStart(2, '0')}`,
      ReceiptHandle: `canned-${i}`,
      MD5OfBody: md5,
      Body: BENCH_BODY,
    })),
  }),
  DeleteMessageBatch: JSON.stringify({
    Successful: Array.from({ length: 10 }, (_, i) => ({ Id: `d${i}` })),
    Failed: [],
  }),
  SendMessageBatch: JSON.stringify({
    Successful: Array.from({ length: 10 }, (_, i) => ({
      Id: `e${i}`,
      MessageId: `id-${i}`,
      MD5OfMessageBody: md5,
    })),
    Failed: [],
  }),
};

if (require.main === module) {
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const target = String(req.headers['x-amz-target'] ?? '').replace('AmazonSQS.', '');
      const body = RESPONSES[target] ?? '{}';
      res.writeHead(200, {
        'content-type': 'application/x-amz-json-1.0',
        'content-length': Buffer.byteLength(body),
        'x-amzn-requestid': 'canned',
      });
      res.end(body);
    });
  });
  server.keepAliveTimeout = 65_000;
  server.listen(0, '127.0.0.1', () => {
    console.log(`listening on http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  });
  process.on('SIGTERM', () => server.close(() => process.exit(0)));
  process.on('SIGINT', () => server.close(() => process.exit(0)));
}
