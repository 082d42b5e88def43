import type { JobHandler } from '../shared/queue-worker';

/** One job of the fleet: "encode" a video, simulated by `seconds` of work. */
export interface EncodeJob {
  readonly jobId: string;
  /** How long the work takes; the worker's heartbeat keeps the message hidden meanwhile. */
  readonly seconds: number;
}

/** AWS: a message stays in flight 12 hours at most, so no job can take longer. */
const MAX_JOB_SECONDS = 43_200;

/** Thrown for a body that is not a valid job; the message is retried and ends in the dead-letter queue. */
export class InvalidJobError extends Error {
  constructor(problems: readonly string[]) {
    super(`Invalid job: ${problems.join('; ')}`);
    this.name = 'InvalidJobError';
  }
}

/** Parses and checks a job message body, reporting every problem at once. */
export function parseEncodeJob(body: string): EncodeJob {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    throw new InvalidJobError(['the body is not JSON']);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InvalidJobError(['the body is not a JSON object']);
  }
  const { jobId, seconds } = value as Record<string, unknown>;
  const problems: string[] = [];
  if (typeof jobId !== 'string' || jobId.length === 0 || jobId.length > 128) {
    problems.push('jobId must be a string of 1 to 128 characters');
  }
  if (typeof seconds !== 'number' || !Number.isFinite(seconds) || seconds < 0 || seconds > MAX_JOB_SECONDS) {
    problems.push(`seconds must be a number from 0 to ${MAX_JOB_SECONDS}`);
  }
  if (problems.length > 0) throw new InvalidJobError(problems);
  return { jobId: jobId as string, seconds: seconds as number };
}

/** Runs an encode job: its simulated work follows the worker's clock and stops when the job is cancelled. */
export const encodeJobHandler: JobHandler = async (message, { signal, clock }) => {
  const job = parseEncodeJob(message.body);
  await clock.sleep(job.seconds * 1000, signal);
  if (signal.aborted) throw signal.reason ?? new Error(`job ${job.jobId} was cancelled`);
};
