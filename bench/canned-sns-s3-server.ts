/**
 * The ceiling for SNS and S3: an HTTP server that reads each request and answers SNS Publish (query XML) and
 * S3 PutObject with fixed, valid responses, doing no work. Run: tsx bench/canned-sns-s3-server.ts
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

const PUBLISH =
  '<?xml version="1.0"?>\n<PublishResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><PublishResult>' +
  '<MessageId>3d7a6f4e-1c2b-4d5e-8f90-a1b2c3d4e5f6</MessageId></PublishResult>' +
  '<ResponseMetadata><RequestId>canned</RequestId></ResponseMetadata></PublishResponse>';

if (require.main === module) {
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      if (req.method === 'PUT') {
        res.writeHead(200, {
          etag: '"d41d8cd98f00b204e9800998ecf8427e"',
          'content-length': 0,
          'x-amz-request-id': 'CANNED',
        });
        res.end();
        return;
      }
      res.writeHead(200, { 'content-type': 'text/xml', 'content-length': Buffer.byteLength(PUBLISH) });
      res.end(PUBLISH);
    });
  });
  server.keepAliveTimeout = 65_000;
  server.listen(0, '127.0.0.1', () => {
    console.log(`listening on http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  });
  process.on('SIGTERM', () => server.close(() => process.exit(0)));
  process.on('SIGINT', () => server.close(() => process.exit(0)));
}
