import type { SQSClient } from '@aws-sdk/client-sqs';
import { requireEnv } from '../shared/env';
import { QueueWorker, type WorkerClock, type WorkerEvent } from '../shared/queue-worker';
import { sqsWorkQueue } from '../shared/sqs-work-queue';
import { encodeJobHandler } from './encode-job';

/** The worker's settings, from the environment the instance's user data (or the local fleet) gives it. */
export interface WorkerConfig {
  /** `QUEUE_URL`: the jobs queue. */
  readonly queueUrl: string;
  /** `VISIBILITY_TIMEOUT_SECONDS`: the queue's visibility timeout, which each heartbeat renews. */
  readonly visibilityTimeoutSeconds: number;
  /** `WORKER_CONCURRENCY`: jobs at once. @default 1 */
  readonly concurrency: number;
  /** `STOP_GRACE_SECONDS`: on SIGTERM, how long jobs may finish before they are released. @default 30 */
  readonly stopGraceSeconds: number;
}

/** Thrown at start-up when the environment is incomplete or wrong; lists every problem. */
export class WorkerConfigError extends Error {
  constructor(problems: readonly string[]) {
    super(`The worker's environment is invalid:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'WorkerConfigError';
  }
}

export function readWorkerConfig(env: NodeJS.ProcessEnv = process.env): WorkerConfig {
  const problems: string[] = [];
  const required = (name: string): string => {
    try {
      return requireEnv(name, env);
    } catch (error) {
      problems.push((error as Error).message);
      return '';
    }
  };
  const whole = (name: string, fallback: number | undefined, min: number, max: number): number => {
    const raw = env[name];
    if (raw === undefined || raw === '') {
      if (fallback === undefined) problems.push(`Environment variable ${name} is not set`);
      return fallback ?? 0;
    }
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min || value > max) {
      problems.push(`${name} must be a whole number from ${min} to ${max}, but '${raw}' was provided`);
    }
    return value;
  };
  const config = {
    queueUrl: required('QUEUE_URL'),
    visibilityTimeoutSeconds: whole('VISIBILITY_TIMEOUT_SECONDS', undefined, 1, 43_200),
    concurrency: whole('WORKER_CONCURRENCY', 1, 1, 10),
    stopGraceSeconds: whole('STOP_GRACE_SECONDS', 30, 0, 3_600),
  };
  if (problems.length > 0) throw new WorkerConfigError(problems);
  return config;
}

/** The fleet's worker: encode jobs from the queue, with the given SQS client and clock. */
export function createJobWorker(
  config: WorkerConfig,
  ports: {
    readonly sqs: SQSClient;
    readonly clock: WorkerClock;
    readonly onEvent?: (e: WorkerEvent) => void;
  },
): QueueWorker {
  return new QueueWorker({
    queue: sqsWorkQueue(ports.sqs, config.queueUrl),
    handler: encodeJobHandler,
    clock: ports.clock,
    visibilityTimeoutSeconds: config.visibilityTimeoutSeconds,
    concurrency: config.concurrency,
    stopGraceSeconds: config.stopGraceSeconds,
    onEvent: ports.onEvent,
  });
}
