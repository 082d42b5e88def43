/**
 * Generated requests to every emulated CloudWatch Logs operation through the real SDK client: never a 5xx, never
 * slow, the server stays responsive (test/helpers/wire-fuzz.ts). Names aim mostly at groups and streams that
 * exist; filter patterns mix valid syntax with hostile text.
 */
import * as logs from '@aws-sdk/client-cloudwatch-logs';
import fc from 'fast-check';
import { LOGS_OPERATIONS } from '../../../lib/emulator/protocol/logs';
import { TEST_CREDENTIALS } from '../../helpers/emulator';
import { fuzzSdkOperations, stringArbitrary, useFuzzEmulator } from '../../helpers/wire-fuzz';

const fuzz = useFuzzEmulator('wire fuzz, CloudWatch Logs');
const PROTOCOL = 'aws-json-1.1 (CloudWatch Logs)';
const NOW = Date.now();

const NAMES = [
  '/app/a',
  'web-1',
  '/aws/lambda/fuzz',
  'arn:aws:logs:us-east-1:000000000000:log-group:/app/a',
  'x',
];
const PATTERNS = [
  'ERROR',
  '?ERROR ?WARN -DEBUG',
  '"two words"',
  '{ $.a = 1 }',
  '{ ($.a > 1 || $.b = "x*") && $.c.d[0] IS NULL }',
  `{ ${'('.repeat(50)}$.a = 1${')'.repeat(50)} }`,
  `{ $.s = "${'a*'.repeat(300)}" }`,
  '[ip, user]',
  '%.*%',
  '{ $.a = ',
];

const STRINGS = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...NAMES) },
  { weight: 2, arbitrary: fc.constantFrom(...PATTERNS) },
  { weight: 2, arbitrary: stringArbitrary(fuzz.known) },
);

const NUMBERS = fc.oneof(
  fc.integer({ min: -5, max: 200 }),
  fc.constantFrom(0, 1, 7, 3653, 10_000, 10_001, 2 ** 31, 1e300, 0.5, -1, NOW, NOW - 86_400_000, NOW + 1e10),
);

test('generated requests: never a 5xx, never slow, the server stays responsive', async () => {
  // Prepare
  const emulator = fuzz.emulator();
  if (!emulator.logs.logGroup('/app/a')) {
    emulator.logs.createLogGroup({ logGroupName: '/app/a' });
    emulator.logs.createLogStream({ logGroupName: '/app/a', logStreamName: 'web-1' });
  }
  emulator.logs.ingest('/app/a', 'web-1', ['ERROR x', '{"a":2,"b":"xy","c":{"d":[null]}}']);
  const client = new logs.CloudWatchLogsClient({
    endpoint: emulator.endpoint,
    region: 'us-east-1',
    credentials: TEST_CREDENTIALS,
    maxAttempts: 1,
  });
  // Act & Assess
  await fuzzSdkOperations(fuzz, {
    protocol: PROTOCOL,
    client,
    sdkModule: logs,
    operations: LOGS_OPERATIONS,
    leaves: { strings: STRINGS, numbers: NUMBERS },
    seed: 43,
  });
  expect(fuzz.requests(PROTOCOL)).toBeGreaterThan(100);
});
