/** CloudWatch test fixture: the shared emulator fixture (manual clock) plus a CloudWatch client. */
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { startTestEmulator, TEST_CREDENTIALS, type TestEmulator } from '../../helpers/emulator';

export interface CloudWatchTestEmulator extends TestEmulator {
  cw: CloudWatchClient;
  /** Moves the clock to `minutes` whole minutes after the start (the emulator evaluates alarms on each minute). */
  atMinute(minutes: number): void;
  /** The start of the test's clock, epoch ms (a whole minute). */
  readonly start: number;
}

export function cloudWatchClientFor(endpoint: string): CloudWatchClient {
  return new CloudWatchClient({
    endpoint,
    region: 'us-east-1',
    credentials: TEST_CREDENTIALS,
    maxAttempts: 1,
  });
}

export async function startCloudWatchTestEmulator(): Promise<CloudWatchTestEmulator> {
  const base = await startTestEmulator();
  const cw = cloudWatchClientFor(base.emulator.endpoint);
  const start = base.clock.now();
  return {
    ...base,
    cw,
    start,
    atMinute: (minutes) => base.clock.advanceTo(start + minutes * 60_000),
    stop: async () => {
      cw.destroy();
      await base.stop();
    },
  };
}

/** Seconds since the epoch as a Date: metric timestamps in tests read as "minute N of the test". */
export function minute(t: CloudWatchTestEmulator, n: number, seconds = 0): Date {
  return new Date(t.start + n * 60_000 + seconds * 1000);
}
