/**
 * Permissions row of `npm run bench`: SQS send throughput of a function's role session under `--iam enforce`
 * (its SigV4 signature verified, its policies evaluated on each call) against the same sends under `--iam off`,
 * measured in the same run, each on an emulator of its own in this process: the median of 3 alternated rounds
 * after a warm-up round of each.
 * Run alone: tsx bench/iam.ts
 */
import { SQSClient } from '@aws-sdk/client-sqs';
import { startEmulator } from '../lib/emulator/emulator';
import type { IamMode } from '../lib/emulator/iam/authorizer';
import { type Figure, figure } from './figures';
import { sendRate } from './http-workloads';

const ROLE = 'arn:aws:iam::000000000000:role/bench-producer';
const SENDS = 3_000;
const CONCURRENCY = 16;

/** Messages per second sent by the producer role's session (the administrator's keys when permissions are off). */
async function sendsPerSecond(mode: IamMode): Promise<number> {
  const emulator = await startEmulator({ port: 0, iam: mode, requestLog: 'failures' });
  try {
    const { QueueUrl } = emulator.sqs.createQueue({ QueueName: 'iam-bench' });
    const queueArn = `arn:aws:sqs:${emulator.region}:${emulator.accountId}:iam-bench`;
    // the role and its grant, as a deployed template records them
    emulator.iam.policies.register({
      stackName: 'Bench',
      logicalId: 'ProducerRole',
      type: 'AWS::IAM::Role',
      ref: 'bench-producer',
      properties: {},
      attributes: { Arn: ROLE },
    });
    emulator.iam.policies.register({
      stackName: 'Bench',
      logicalId: 'ProducerPolicy',
      type: 'AWS::IAM::Policy',
      ref: 'ProducerPolicy',
      properties: {
        PolicyName: 'ProducerPolicy',
        Roles: ['bench-producer'],
        PolicyDocument: {
          Statement: [
            { Effect: 'Allow', Action: ['sqs:SendMessage', 'sqs:GetQueueAttributes'], Resource: queueArn },
          ],
        },
      },
      attributes: {},
    });
    const session = emulator.iam.credentialsFor(ROLE, 'bench-producer-function');
    const credentials = session
      ? {
          accessKeyId: session.accessKeyId,
          secretAccessKey: session.secretAccessKey,
          sessionToken: session.sessionToken,
        }
      : { accessKeyId: 'bench', secretAccessKey: 'bench' };
    const client = new SQSClient({ endpoint: emulator.endpoint, region: emulator.region, credentials });
    try {
      return await sendRate(client, QueueUrl as string, SENDS, CONCURRENCY);
    } finally {
      client.destroy();
    }
  } finally {
    await emulator.stop();
  }
}

export interface IamBenchResult {
  readonly header: string[];
  readonly rows: string[][];
  readonly figures: Figure[];
}

/** Rounds of each mode, alternated after an untimed warm-up: the first mode measured would pay the JIT's warm-up. */
const ROUNDS = 3;

const median = (values: readonly number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

export async function benchIam(): Promise<IamBenchResult> {
  await sendsPerSecond('off');
  await sendsPerSecond('enforce');
  const rates: Record<'off' | 'enforce', number[]> = { off: [], enforce: [] };
  for (let round = 0; round < ROUNDS; round++) {
    for (const mode of round % 2 === 0 ? (['off', 'enforce'] as const) : (['enforce', 'off'] as const)) {
      rates[mode].push(await sendsPerSecond(mode));
    }
  }
  const off = median(rates.off);
  const enforce = median(rates.enforce);
  const figures = [
    figure({
      name: 'iam-sqs-send-enforce',
      label: 'iam: SQS send, enforce vs off',
      value: enforce,
      unit: 'msg/s',
      baseline: { name: '--iam off', value: off },
    }),
  ];
  return {
    header: ['mode', 'SendMessage/s', ''],
    rows: [
      ['--iam off', off.toFixed(0), `median of ${rates.off.map((r) => r.toFixed(0)).join(', ')}`],
      [
        '--iam enforce',
        enforce.toFixed(0),
        `${(enforce / off).toFixed(2)}× the throughput unchecked (median of ${rates.enforce.map((r) => r.toFixed(0)).join(', ')})`,
      ],
    ],
    figures,
  };
}

if (require.main === module) {
  void benchIam().then((result) => {
    for (const row of result.rows) console.log(row.join('  '));
  });
}
