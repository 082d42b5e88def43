/**
 * The deploy engine's AWS::Lambda::Function with Code.S3Bucket/S3Key: CDK's asset .zip, uploaded to the
 * bootstrap bucket of the emulator's S3 (as `cdk deploy` does), is unpacked and runs; a hotswap of its code
 * through UpdateFunctionCode then runs on the next invocation.
 */
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { InvokeCommand, LambdaClient, UpdateFunctionCodeCommand } from '@aws-sdk/client-lambda';
import { deployStacks } from '../../../lib/emulator/deploy/local-deployment';
import { startTestEmulator, TEST_CREDENTIALS, type TestEmulator } from '../../helpers/emulator';
import { zipOf } from '../../helpers/zip';

const BUCKET = 'cdk-hnb659fds-assets-000000000000-us-east-1';
let t: TestEmulator;
let s3: S3Client;
let lambda: LambdaClient;

beforeAll(async () => {
  t = await startTestEmulator();
  const config = { endpoint: t.emulator.endpoint, region: 'us-east-1', credentials: TEST_CREDENTIALS };
  s3 = new S3Client({ ...config, forcePathStyle: true });
  lambda = new LambdaClient(config);
});
afterAll(async () => {
  s3.destroy();
  lambda.destroy();
  await t.stop();
});

const handler = (label: string) =>
  zipOf({ 'index.js': `exports.handler = async () => ({ code: '${label}', env: process.env.STAGE });` });

test('a function whose code is an S3 asset .zip deploys, runs, and takes a hotswapped .zip', async () => {
  // Prepare: the asset as `cdk deploy` publishes it
  await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
  await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'abc123.zip', Body: handler('deployed') }));
  await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'def456.zip', Body: handler('hotswapped') }));
  const invoke = async () => {
    const reply = await lambda.send(new InvokeCommand({ FunctionName: 'from-asset' }));
    return JSON.parse(Buffer.from(reply.Payload!).toString());
  };

  // Act
  await deployStacks(t.emulator, [
    {
      id: 'Assets',
      stackName: 'local-assets',
      dependsOn: [],
      assets: new Map(),
      template: {
        Resources: {
          Fn: {
            Type: 'AWS::Lambda::Function',
            Properties: {
              FunctionName: 'from-asset',
              Runtime: 'nodejs22.x',
              Handler: 'index.handler',
              Role: 'arn:aws:iam::000000000000:role/fn',
              Code: { S3Bucket: BUCKET, S3Key: 'abc123.zip' },
              Environment: { Variables: { STAGE: 'local' } },
            },
          },
        },
      },
    },
  ]);
  const deployed = await invoke();
  await lambda.send(
    new UpdateFunctionCodeCommand({ FunctionName: 'from-asset', S3Bucket: BUCKET, S3Key: 'def456.zip' }),
  );
  const swapped = await invoke();

  // Assess
  expect(deployed).toEqual({ code: 'deployed', env: 'local' });
  expect(swapped).toEqual({ code: 'hotswapped', env: 'local' });
});
