/**
 * Wire fuzz, generated requests: any operation of the real SDK clients (AWS JSON 1.0, query, REST-XML,
 * REST-JSON), its input built from the operation's own Smithy schema as the SDK ships it (member names and
 * types), the values drawn from existing names, edge values and hostile strings (1 MiB values, deep nesting,
 * quadratic-regex bait, bad percent-encoding, timestamps 1970-2100). See test/helpers/wire-fuzz.ts.
 */
import * as autoscaling from '@aws-sdk/client-auto-scaling';
import * as cloudwatch from '@aws-sdk/client-cloudwatch';
import * as lambda from '@aws-sdk/client-lambda';
import * as s3 from '@aws-sdk/client-s3';
import * as sns from '@aws-sdk/client-sns';
import * as sqs from '@aws-sdk/client-sqs';
import { NormalizedSchema } from '@smithy/core/schema';
import fc from 'fast-check';
import { TEST_CREDENTIALS } from '../../helpers/emulator';
import { assertFuzz, BURST, stringArbitrary, useFuzzEmulator } from '../../helpers/wire-fuzz';

const fuzz = useFuzzEmulator('wire fuzz, generated requests');
const { known } = fuzz;

const numberArbitrary = fc.oneof(
  fc.integer({ min: -5, max: 30 }),
  fc.constantFrom(-1, 0, 1, 60, 2 ** 31, 2 ** 53, 1e7, 10_000_000, -(2 ** 31), 0.5, 1e300),
);

const dateArbitrary = fc.oneof(
  fc.date({ min: new Date(0), max: new Date('2100-01-01T00:00:00Z'), noInvalidDate: true }),
  fc.constantFrom(new Date(0), new Date('2100-01-01T00:00:00Z'), new Date('2026-11-30T10:00:00Z')),
);

const USUAL_VALUES: Record<string, () => fc.Arbitrary<unknown>> = {
  Bucket: () => fc.constant('fuzz'),
  Key: () => fc.constantFrom('key', 'a b+c%d', 'ünï/../x', 'nested/key.json'),
  FunctionName: () => fc.constant('fuzz'),
  QueueUrl: () => fc.constantFrom(0, 1).map((i) => (i === 0 ? known.queueUrl : known.fifoUrl)),
  TopicArn: () => fc.constant(0).map(() => known.topicArn),
};

/** An input for a schema, depth-bounded so generation itself stays small. */
function arbitraryFor(schema: NormalizedSchema, depth: number): fc.Arbitrary<unknown> {
  if (depth > 4) return fc.constant(undefined);
  if (schema.isStructSchema() || schema.isUnionSchema()) {
    const members: Record<string, fc.Arbitrary<unknown>> = {};
    for (const [name, member] of schema.structIterator()) {
      const usual = USUAL_VALUES[name];
      const generated = arbitraryFor(member, depth + 1);
      // names that must resolve (a bucket in the path, a function) are mostly the existing ones
      members[name] = usual
        ? fc.oneof({ weight: 3, arbitrary: usual() }, { weight: 1, arbitrary: generated })
        : generated;
    }
    return fc.record(members, { requiredKeys: [] });
  }
  if (schema.isListSchema()) {
    return fc.array(arbitraryFor(schema.getValueSchema(), depth + 1), { maxLength: 4 });
  }
  if (schema.isMapSchema()) {
    return fc.dictionary(
      fc.oneof(
        fc.string({ maxLength: 12 }),
        fc.constantFrom('All', 'DelaySeconds', 'Policy', 'FilterPolicy'),
      ),
      arbitraryFor(schema.getValueSchema(), depth + 1),
      { maxKeys: 3 },
    );
  }
  if (schema.isBlobSchema()) return fc.uint8Array({ maxLength: 64 });
  if (schema.isTimestampSchema()) return dateArbitrary;
  if (schema.isBooleanSchema()) return fc.boolean();
  if (schema.isNumericSchema() || schema.isBigIntegerSchema() || schema.isBigDecimalSchema())
    return numberArbitrary;
  if (schema.isDocumentSchema()) return fc.jsonValue({ maxDepth: 3 });
  return stringArbitrary(known);
}
// ---- generated requests through the real SDK clients ----------------------------------------------------------

interface SdkTarget {
  readonly protocol: string;
  readonly module: Record<string, unknown>;
  readonly client: (endpoint: string) => {
    send(command: unknown, options?: unknown): Promise<unknown>;
    destroy(): void;
  };
}

const clientConfig = (endpoint: string) => ({
  endpoint,
  region: 'us-east-1',
  credentials: TEST_CREDENTIALS,
  maxAttempts: 1,
  disableHostPrefix: true,
});

const SDK_TARGETS: readonly SdkTarget[] = [
  { protocol: 'aws-json-1.0 (SQS)', module: sqs, client: (e) => new sqs.SQSClient(clientConfig(e)) },
  {
    protocol: 'aws-json-1.0 (CloudWatch)',
    module: cloudwatch,
    client: (e) => new cloudwatch.CloudWatchClient(clientConfig(e)),
  },
  { protocol: 'query (SNS)', module: sns, client: (e) => new sns.SNSClient(clientConfig(e)) },
  {
    protocol: 'query (Auto Scaling)',
    module: autoscaling,
    client: (e) => new autoscaling.AutoScalingClient(clientConfig(e)),
  },
  {
    protocol: 'rest-xml (S3)',
    module: s3,
    client: (e) =>
      new s3.S3Client({
        ...clientConfig(e),
        forcePathStyle: true,
        requestChecksumCalculation: 'WHEN_REQUIRED',
      }),
  },
  { protocol: 'rest-json (Lambda)', module: lambda, client: (e) => new lambda.LambdaClient(clientConfig(e)) },
];

interface Operation {
  readonly name: string;
  readonly command: new (input: unknown) => unknown;
  readonly input: fc.Arbitrary<unknown>;
}

function operationsOf(target: SdkTarget): Operation[] {
  const operations: Operation[] = [];
  for (const [exported, value] of Object.entries(target.module)) {
    if (!exported.endsWith('Command') || typeof value !== 'function') continue;
    const name = exported.slice(0, -'Command'.length);
    // the operation schema: [9, namespace, name, traits, input, output]
    const schema = target.module[`${name}$`] as unknown[] | undefined;
    if (!Array.isArray(schema) || schema[0] !== 9) continue;
    // streaming operations hold a connection open by design; they are tested on their own
    if (/Stream|SelectObjectContent|WriteGetObjectResponse/.test(name)) continue;
    const input = typeof schema[4] === 'function' ? (schema[4] as () => unknown)() : schema[4];
    operations.push({
      name,
      command: value as Operation['command'],
      input: arbitraryFor(NormalizedSchema.of(input as never), 0),
    });
  }
  return operations;
}

/** Runs `send`, moving the emulator's clock while it waits (a long poll ends when its wait is over). */ async function sdkStatus(
  send: () => Promise<unknown>,
): Promise<number | undefined> {
  try {
    const output = (await send()) as { Body?: { transformToByteArray?: () => Promise<unknown> } };
    // a streamed body (GetObject) holds its socket until it is read
    await output?.Body?.transformToByteArray?.();
    return 200;
  } catch (error) {
    return (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  }
}
describe.each(SDK_TARGETS.map((t) => [t.protocol, t] as const))(
  'generated requests, %s',
  (protocol, target) => {
    test('never a 5xx (but documented 501s), never slow, the server stays responsive', async () => {
      // Prepare
      const client = target.client(fuzz.emulator().endpoint);
      const operations = operationsOf(target);
      expect(operations.length).toBeGreaterThan(5);
      const byName = new Map(operations.map((op) => [op.name, op]));
      const request = fc.oneof(
        ...operations.map((op) => op.input.map((input) => ({ name: op.name, input }))),
      );
      let sent = 0;
      // Act & Assess
      try {
        await assertFuzz(
          fc.asyncProperty(request, async ({ name, input }) => {
            const op = byName.get(name)!;
            let command: unknown;
            try {
              command = new op.command(input);
            } catch {
              return;
            }
            const { status, ms } = await fuzz.timed(() => sdkStatus(() => client.send(command)));
            fuzz.record(protocol, status, ms, `${op.name} ${JSON.stringify(input)?.slice(0, 300)}`);
            if (++sent % BURST === 0) await fuzz.healthWithin100ms();
          }),
          11,
        );
        await fuzz.emulator().idle();
        await fuzz.healthWithin100ms();
      } finally {
        client.destroy();
      }
      expect(fuzz.requests(protocol)).toBeGreaterThan(100);
    });
  },
);
