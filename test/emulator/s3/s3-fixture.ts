/** S3 test fixture: the shared emulator fixture plus a path-style S3 client. */
import { S3Client } from '@aws-sdk/client-s3';
import { startTestEmulator, TEST_CREDENTIALS, type TestEmulator } from '../../helpers/emulator';

export interface S3TestEmulator extends TestEmulator {
  s3: S3Client;
}

export function s3ClientFor(endpoint: string): S3Client {
  return new S3Client({
    endpoint,
    region: 'us-east-1',
    credentials: TEST_CREDENTIALS,
    forcePathStyle: true,
    maxAttempts: 1,
  });
}

export async function startS3TestEmulator(): Promise<S3TestEmulator> {
  const base = await startTestEmulator();
  const s3 = s3ClientFor(base.emulator.endpoint);
  return {
    ...base,
    s3,
    stop: async () => {
      s3.destroy();
      await base.stop();
    },
  };
}
