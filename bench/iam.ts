/**
 * Permissions row of `npm run bench`: SQS send throughput of a function's role session under `--iam enforce`
 * (its SigV4 signature verified, its policies evaluated on each call) against the same sends under `--iam off`,
 * measured in the same run, each on an emulator of its own in this process.
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

export async function benchIam(): Promise<IamBenchResult> {
  const off = await sendsPerSecond('off');
  const enforce = await sendsPerSecond('enforce');
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
      ['--iam off', off.toFixed(0), ''],
      ['--iam enforce', enforce.toFixed(0), `${(enforce / off).toFixed(2)}× the throughput unchecked`],
    ],
    figures,
  };
}

if (require.main === module) {
  void benchIam().then((result) => {
    for (const row of result.rows) console.log(row.join('  '));
  });
}
