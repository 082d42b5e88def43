/** The emulator on a state directory with a CloudWatch client, for the CloudWatch restart suites. */
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import type { ManualClock } from '../../../lib/emulator/clock';
import { type Emulator, startEmulator } from '../../../lib/emulator/emulator';
import { TEST_CREDENTIALS } from '../../helpers/emulator';

/** Runs `act` against an emulator keeping its state in `stateDirectory`, then stops it (state written). */
export async function withCloudWatchEmulator<T>(
  stateDirectory: string,
  clock: ManualClock,
  act: (cloudwatch: CloudWatchClient, emulator: Emulator) => Promise<T>,
): Promise<T> {
  const emulator = await startEmulator({ port: 0, clock, region: 'us-east-1', stateDirectory });
  const cloudwatch = new CloudWatchClient({
    endpoint: emulator.endpoint,
    region: 'us-east-1',
    credentials: TEST_CREDENTIALS,
    maxAttempts: 1,
  });
  try {
    return await act(cloudwatch, emulator);
  } finally {
    cloudwatch.destroy();
    await emulator.stop();
  }
}
