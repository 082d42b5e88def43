/**
 * Generated requests to every emulated Kinesis operation through the real SDK client: never a 5xx, never slow,
 * the server stays responsive (test/helpers/wire-fuzz.ts). Names aim mostly at a stream and shards that exist.
 */
import * as kinesis from '@aws-sdk/client-kinesis';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import fc from 'fast-check';
import { KINESIS_OPERATIONS } from '../../../lib/emulator/protocol/kinesis';
import { TEST_CREDENTIALS } from '../../helpers/emulator';
import { fuzzSdkOperations, stringArbitrary, useFuzzEmulator } from '../../helpers/wire-fuzz';

const fuzz = useFuzzEmulator('wire fuzz, Kinesis');

const STRINGS = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom('fuzzed', 'shardId-000000000000', 'shardId-000000000001', '1') },
  { weight: 2, arbitrary: stringArbitrary(fuzz.known) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      'arn:aws:kinesis:us-east-1:000000000000:stream/fuzzed',
      'TRIM_HORIZON',
      'AT_SEQUENCE_NUMBER',
      'UNIFORM_SCALING',
      'KMS',
      '170141183460469231731687303715884105728',
      '340282366920938463463374607431768211456',
      '4900000000000000000000000000000000000000010000000000000000',
    ),
  },
);

const NUMBERS = fc.oneof(
  fc.integer({ min: -5, max: 200 }),
  fc.constantFrom(0, 24, 8760, 8761, 10_000, 100_000, 2 ** 31, 1e300, 0.5, -1),
);

test('generated requests, aws-json-1.1 (Kinesis): never a 5xx, never slow, the server stays responsive', async () => {
  // Prepare
  const emulator = fuzz.emulator();
  emulator.kinesis.createStream({ StreamName: 'fuzzed', ShardCount: 2 });
  const client = new kinesis.KinesisClient({
    endpoint: emulator.endpoint,
    region: 'us-east-1',
    credentials: TEST_CREDENTIALS,
    maxAttempts: 1,
    requestHandler: new NodeHttpHandler(),
  });
  // Act & Assess
  await fuzzSdkOperations(fuzz, {
    protocol: 'kinesis',
    client,
    sdkModule: kinesis,
    operations: KINESIS_OPERATIONS,
    leaves: { strings: STRINGS, numbers: NUMBERS },
    seed: 19,
  });
  expect(fuzz.requests('kinesis')).toBeGreaterThan(100);
});
