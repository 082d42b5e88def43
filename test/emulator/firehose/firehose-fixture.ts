/** The Firehose suites' set-up: an emulator, Firehose and S3 clients, and the destination bucket. */
import { FirehoseClient } from '@aws-sdk/client-firehose';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { startTestEmulator, TEST_CREDENTIALS, type TestEmulator } from '../../helpers/emulator';

export interface FirehoseTestEmulator {
  readonly t: TestEmulator;
  readonly firehose: FirehoseClient;
  readonly s3: S3Client;
  /** What any other SDK client of the suite is made with. */
  readonly clientConfig: {
    readonly endpoint: string;
    readonly region: string;
    readonly credentials: typeof TEST_CREDENTIALS;
    readonly maxAttempts: number;
  };
  /** Destroys the clients and stops the emulator. */
  stop(): Promise<void>;
}

export async function startFirehoseTestEmulator(bucket: string): Promise<FirehoseTestEmulator> {
  const t = await startTestEmulator();
  const clientConfig = {
    endpoint: t.emulator.endpoint,
    region: 'us-east-1',
    credentials: TEST_CREDENTIALS,
    maxAttempts: 1,
  };
  const firehose = new FirehoseClient(clientConfig);
  const s3 = new S3Client({ ...clientConfig, forcePathStyle: true });
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  return {
    t,
    firehose,
    s3,
    clientConfig,
    stop: async () => {
      firehose.destroy();
      s3.destroy();
      await t.stop();
    },
  };
}
