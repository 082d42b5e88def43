/**
 * `send-jobs`: the spike of the worker fleet chapter from the command line. It sends N encode jobs to the jobs
 * queue (SendMessageBatch, 10 at a time, several batches at once), on AWS or, with --endpoint-url, on the local
 * emulator: `npx tsx bin/decoupled.ts send-jobs --outputs-file outputs.json` (or run this file with tsx).
 */
import { lastValue, readFlags } from '../command-line';
import { outputOf, runWorkshopCommand, workshopClient, WorkshopUsageError } from './command';
import type { WorkshopOptions } from './command';
import { readFileSync } from 'node:fs';
import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { parseEncodeJob } from '../../lambda/worker/encode-job';

export const SEND_JOBS_USAGE = `usage: send-jobs (--queue-url URL | --outputs-file F) [--count N] [--seconds S] [--endpoint-url URL]

  --queue-url URL      the jobs queue (the WorkerFleet stack's output JobsQueueUrl)
  --outputs-file F     or read JobsQueueUrl from a 'cdk deploy --outputs-file' / 'npm start -- --outputs-file' file
  --count N            how many jobs (1 to 100,000; default 1,000)
  --seconds S          the work each job takes (0 to 43,200; default 6)
  --endpoint-url URL   an SQS endpoint such as http://127.0.0.1:4566 (default: AWS, or AWS_ENDPOINT_URL)`;

/** The output of the WorkerFleet stack that names the jobs queue. */
export const JOBS_QUEUE_OUTPUT = 'JobsQueueUrl';

export interface SendJobsOptions extends WorkshopOptions {
  readonly queueUrl?: string;
  readonly outputsFile?: string;
  readonly count: number;
  readonly seconds: number;
}

/** A command line we cannot run: printed with the usage, exit code 2. */
export class SendJobsUsageError extends WorkshopUsageError {}

export function parseSendJobsArgs(args: readonly string[]): SendJobsOptions {
  const reading = readFlags(args, ['queue-url', 'outputs-file', 'count', 'seconds', 'endpoint-url']);
  const problems: string[] = [];
  const number = (name: string, fallback: number, min: number, max: number, whole: boolean) => {
    const text = lastValue(reading, name);
    if (text === undefined) return fallback;
    const n = Number(text);
    if (!Number.isFinite(n) || n < min || n > max || (whole && !Number.isInteger(n))) {
      problems.push(
        `--${name} must be a${whole ? ' whole' : ''} number from ${min} to ${max}, not '${text}'`,
      );
    }
    return n;
  };
  const options: SendJobsOptions = {
    queueUrl: lastValue(reading, 'queue-url'),
    outputsFile: lastValue(reading, 'outputs-file'),
    count: number('count', 1000, 1, 100_000, true),
    seconds: number('seconds', 6, 0, 43_200, false),
    endpointUrl: lastValue(reading, 'endpoint-url'),
  };
  // the values' problems, then the unreadable arguments, then what is missing
  problems.push(...reading.problems);
  if ((options.queueUrl === undefined) === (options.outputsFile === undefined)) {
    problems.push('give either --queue-url or --outputs-file');
  }
  if (problems.length > 0) throw new SendJobsUsageError(problems.join('; '));
  return options;
}

/** Finds the jobs queue in an outputs file (`{"<stack name>": {"JobsQueueUrl": "...", ...}, ...}`). */
export function jobsQueueFromOutputs(outputs: unknown, file = 'the outputs file'): string {
  return outputOf(outputs, JOBS_QUEUE_OUTPUT, file, { stack: 'WorkerFleet', flag: '--queue-url' });
}

/** Sends the jobs (`video-0000`, `video-0001`, …), 10 per batch, 8 batches at a time; returns the queue URL. */
export async function sendJobs(
  options: SendJobsOptions,
  sqs: SQSClient,
  print: (line: string) => void = console.log,
): Promise<string> {
  const queueUrl =
    options.queueUrl ??
    jobsQueueFromOutputs(
      JSON.parse(readFileSync(options.outputsFile as string, 'utf8')),
      options.outputsFile,
    );
  const width = String(options.count - 1).length;
  const body = (i: number) =>
    JSON.stringify({
      jobId: `video-${String(i).padStart(Math.max(4, width), '0')}`,
      seconds: options.seconds,
    });
  parseEncodeJob(body(0)); // the same check the worker makes
  const started = Date.now();
  let next = 0;
  const failures: string[] = [];
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (next < options.count) {
        const first = next;
        next = Math.min(next + 10, options.count);
        const { Failed } = await sqs.send(
          new SendMessageBatchCommand({
            QueueUrl: queueUrl,
            Entries: Array.from({ length: next - first }, (_, j) => ({
              Id: `job${j}`,
              MessageBody: body(first + j),
            })),
          }),
        );
        for (const f of Failed ?? []) failures.push(`${f.Id}: ${f.Code} ${f.Message}`);
      }
    }),
  );
  if (failures.length > 0)
    throw new Error(`${failures.length} job(s) were not sent: ${failures.slice(0, 3).join('; ')}`);
  print(`sent ${options.count} job(s) of ${options.seconds} s to ${queueUrl} in ${Date.now() - started} ms`);
  return queueUrl;
}

/** The SQS client: AWS's default configuration, or the given endpoint (any credentials do for the emulator). */
export function sqsClientFor(endpointUrl: string | undefined, env = process.env): SQSClient {
  return workshopClient(SQSClient, endpointUrl, env);
}

/** Runs the command: exit code 2 for a bad command line, 1 when sending fails. */
export function runSendJobsCli(args: string[]): Promise<void> {
  return runWorkshopCommand(
    {
      name: 'send-jobs',
      usage: SEND_JOBS_USAGE,
      parse: parseSendJobsArgs,
      Client: SQSClient,
      run: sendJobs,
    },
    args,
  );
}

if (require.main === module) void runSendJobsCli(process.argv.slice(2));
