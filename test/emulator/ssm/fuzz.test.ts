/**
 * Generated requests to every emulated STS and SSM operation through the real SDK clients: never a 5xx, never
 * slow, the server stays responsive (test/helpers/wire-fuzz.ts). Names aim mostly at parameters that exist.
 */
import * as ssm from '@aws-sdk/client-ssm';
import * as sts from '@aws-sdk/client-sts';
import fc from 'fast-check';
import { SSM_OPERATIONS } from '../../../lib/emulator/protocol/ssm';
import { STS_OPERATIONS } from '../../../lib/emulator/protocol/sts';
import { TEST_CREDENTIALS } from '../../helpers/emulator';
import { fuzzSdkOperations, stringArbitrary, useFuzzEmulator } from '../../helpers/wire-fuzz';

const fuzz = useFuzzEmulator('wire fuzz, STS and SSM');

const NAMES = ['/app/a', '/app/a:1', '/app/a:prod', '/app', '/app/b', 'top', '/', 'Parameter', 'prod'];

const STRINGS = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...NAMES) },
  { weight: 2, arbitrary: stringArbitrary(fuzz.known) },
  {
    weight: 1,
    arbitrary: fc.constantFrom('arn:aws:iam::000000000000:role/r', 'session', 'String', 'Equals'),
  },
);

const NUMBERS = fc.oneof(
  fc.integer({ min: -5, max: 200 }),
  fc.constantFrom(0, 900, 3600, 43_200, 129_600, 2 ** 31, 1e300, 0.5, -1),
);

interface Target {
  readonly protocol: string;
  readonly module: Record<string, unknown>;
  readonly operations: readonly string[];
  readonly client: (endpoint: string) => { send(command: unknown): Promise<unknown>; destroy(): void };
}

const config = (endpoint: string) => ({
  endpoint,
  region: 'us-east-1',
  credentials: TEST_CREDENTIALS,
  maxAttempts: 1,
});

const TARGETS: readonly Target[] = [
  {
    protocol: 'query (STS)',
    module: sts,
    operations: STS_OPERATIONS,
    client: (e) => new sts.STSClient(config(e)),
  },
  {
    protocol: 'aws-json-1.1 (SSM)',
    module: ssm,
    operations: SSM_OPERATIONS,
    client: (e) => new ssm.SSMClient(config(e)),
  },
];

describe.each(TARGETS.map((t) => [t.protocol, t] as const))('generated requests, %s', (protocol, target) => {
  test('never a 5xx, never slow, the server stays responsive', async () => {
    // Prepare
    const emulator = fuzz.emulator();
    emulator.ssm.putParameter({ Name: '/app/a', Value: 'v', Type: 'String', Overwrite: true });
    emulator.ssm.putParameter({ Name: 'top', Value: 'v', Type: 'StringList', Overwrite: true });
    const client = target.client(emulator.endpoint);
    // Act & Assess
    await fuzzSdkOperations(fuzz, {
      protocol,
      client,
      sdkModule: target.module,
      operations: target.operations,
      leaves: { strings: STRINGS, numbers: NUMBERS },
      seed: 41,
    });
    expect(fuzz.requests(protocol)).toBeGreaterThan(100);
  });
});
