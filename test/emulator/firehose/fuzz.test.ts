/**
 * Generated requests to every emulated Firehose operation through the real SDK client: never a 5xx, never slow, the
 * server stays responsive (test/helpers/wire-fuzz.ts). Names aim mostly at delivery streams that exist.
 */
import * as firehose from '@aws-sdk/client-firehose';
import fc from 'fast-check';
import { FIREHOSE_OPERATIONS } from '../../../lib/emulator/protocol/firehose';
import { TEST_CREDENTIALS } from '../../helpers/emulator';
import { fuzzSdkOperations, stringArbitrary, useFuzzEmulator } from '../../helpers/wire-fuzz';

const fuzz = useFuzzEmulator('wire fuzz, Firehose');

const STRINGS = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom('clicks', 'other', 'missing') },
  { weight: 2, arbitrary: stringArbitrary(fuzz.known) },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      'arn:aws:iam::000000000000:role/r',
      'arn:aws:s3:::archive',
      'arn:aws:kinesis:us-east-1:000000000000:stream/s',
      'arn:aws:lambda:us-east-1:000000000000:function:f',
      'DirectPut',
      'KinesisStreamAsSource',
      'Lambda',
      'LambdaArn',
      'GZIP',
      'p/!{timestamp:yyyy}/',
      '!{firehose:error-output-type}',
      '!{',
    ),
  },
);

const NUMBERS = fc.oneof(
  fc.integer({ min: -5, max: 1000 }),
  fc.constantFrom(0, 1, 128, 129, 900, 901, 2 ** 31, 1e300, 0.5, -1),
);

test('generated requests, aws-json-1.1 (Firehose): never a 5xx, never slow, the server stays responsive', async () => {
  // Prepare
  const emulator = fuzz.emulator();
  emulator.s3.createBucket('archive');
  for (const name of ['clicks', 'other']) {
    emulator.firehose.createDeliveryStream({
      DeliveryStreamName: name,
      ExtendedS3DestinationConfiguration: {
        RoleARN: 'arn:aws:iam::000000000000:role/r',
        BucketARN: 'arn:aws:s3:::archive',
      },
    });
  }
  const client = new firehose.FirehoseClient({
    endpoint: emulator.endpoint,
    region: 'us-east-1',
    credentials: TEST_CREDENTIALS,
    maxAttempts: 1,
  });
  // Act & Assess
  await fuzzSdkOperations(fuzz, {
    protocol: 'Firehose',
    client,
    sdkModule: firehose,
    operations: FIREHOSE_OPERATIONS,
    leaves: { strings: STRINGS, numbers: NUMBERS },
    seed: 43,
  });
  expect(fuzz.requests('Firehose')).toBeGreaterThan(100);
});
