import { Logger } from '@aws-lambda-powertools/logger';
import { SQSClient } from '@aws-sdk/client-sqs';
import { EMULATOR_CLOCK_VARIABLE, emulatorWorkerClock } from '../shared/emulator-clock';
import { systemWorkerClock } from '../shared/queue-worker';
import { createJobWorker, readWorkerConfig } from './worker';

/**
 * The EC2 queue worker's process (user data starts it as a systemd service): works until SIGTERM, which
 * systemd sends when the instance shuts down (Auto Scaling scale-in), then exits 0 once its jobs are done or
 * released.
 */
const logger = new Logger({ serviceName: 'queue-worker' });

async function main(): Promise<void> {
  const config = readWorkerConfig();
  const sqs = new SQSClient({});
  // a local instance keeps the emulator's time (--clock manual or fast:N); on EC2, the system's
  const clockUrl = process.env[EMULATOR_CLOCK_VARIABLE];
  const worker = createJobWorker(config, {
    sqs,
    clock: clockUrl ? await emulatorWorkerClock(clockUrl) : systemWorkerClock,
    onEvent: (event) => {
      if (event.type === 'job-failed' || event.type === 'receive-failed' || event.type === 'lease-lost') {
        logger.warn(event.type, { ...event });
      } else {
        logger.info(event.type, { ...event });
      }
    },
  });
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      logger.info('signal', { signal });
      void worker.stop();
    });
  }
  logger.info('started', { queueUrl: config.queueUrl, concurrency: config.concurrency });
  await worker.run();
  sqs.destroy();
}

main().catch((error: unknown) => {
  logger.error('fatal', { error: error instanceof Error ? error.message : String(error) });
  process.exitCode = 1;
});
