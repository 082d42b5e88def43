/**
 * `decoupled redrive DLQ [--to QUEUE]`: a message move task (StartMessageMoveTask) out of a dead-letter queue, back
 * to the queues its messages came from (as the SQS console's "Start DLQ redrive" does) or to another queue, with a
 * progress line until it ends; Ctrl-C cancels the task (CancelMessageMoveTask).
 */
import type { ListMessageMoveTasksResultEntry } from '@aws-sdk/client-sqs';
import {
  CommandCancelled,
  flagValue,
  type CommandOutput,
  type ProjectCommand,
  wholeNumberFlag,
} from './project-command';
import type { Project } from './project';
import { resolveQueue, type ResolvedQueue } from './queue-reference';

export interface RedriveOptions {
  /** The dead-letter queue. */
  readonly deadLetterQueue: string;
  /** Where to move the messages. @default each message's source queue */
  readonly to?: string;
  /** MaxNumberOfMessagesPerSecond (1 to 500). @default as fast as SQS moves them */
  readonly rate?: number;
  /** How often the task is looked at. @default 1 s (AWS), 200 ms (the emulator) */
  readonly pollMs?: number;
}

export interface RedriveResult {
  readonly status: string;
  readonly moved: number;
  readonly toMove: number;
}

/** Starts the move task and follows it until it completes, fails, or `signal` cancels it. */
export async function redrive(
  project: Project,
  options: RedriveOptions,
  out: CommandOutput,
  signal: AbortSignal = new AbortController().signal,
): Promise<RedriveResult> {
  const {
    CancelMessageMoveTaskCommand,
    GetQueueAttributesCommand,
    ListMessageMoveTasksCommand,
    SQSClient,
    StartMessageMoveTaskCommand,
  } = await import('@aws-sdk/client-sqs');
  const sqs = project.client(SQSClient);
  const source = await resolveQueue(project, options.deadLetterQueue);
  const destination = options.to === undefined ? undefined : await resolveQueue(project, options.to);
  const arnOf = async (queue: ResolvedQueue) =>
    (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queue.url, AttributeNames: ['QueueArn'] })))
      .Attributes?.QueueArn as string;
  const sourceArn = await arnOf(source);
  const destinationArn = destination === undefined ? undefined : await arnOf(destination);
  const target = destination?.label ?? (await sourceQueuesOf(project, source));

  const { TaskHandle } = await sqs.send(
    new StartMessageMoveTaskCommand({
      SourceArn: sourceArn,
      DestinationArn: destinationArn,
      MaxNumberOfMessagesPerSecond: options.rate,
    }),
  );
  const api = await project.emulator();
  const pollMs = options.pollMs ?? (api ? 200 : 1000);
  const line = (task: ListMessageMoveTasksResultEntry) =>
    `redrive ${source.label} → ${target}: moved ${task.ApproximateNumberOfMessagesMoved ?? 0}/${task.ApproximateNumberOfMessagesToMove ?? 0}`;
  let hinted = false;
  for (;;) {
    const { Results } = await sqs.send(
      new ListMessageMoveTasksCommand({ SourceArn: sourceArn, MaxResults: 1 }),
    );
    const task = Results?.[0];
    if (task === undefined) throw new Error(`the move task out of ${source.label} is gone`);
    const result = {
      status: task.Status ?? 'UNKNOWN',
      moved: task.ApproximateNumberOfMessagesMoved ?? 0,
      toMove: task.ApproximateNumberOfMessagesToMove ?? 0,
    };
    if (result.status === 'COMPLETED') {
      out.print(`moved ${result.moved} message(s) from ${source.label} to ${target}`);
      return result;
    }
    if (result.status === 'FAILED') {
      throw new Error(
        `the move task out of ${source.label} failed: ${task.FailureReason ?? 'no reason given'} (moved ${result.moved} of ${result.toMove})`,
      );
    }
    if (result.status === 'CANCELLED') {
      // cancelled elsewhere (the console, another terminal): a failure of this command, not a Ctrl-C
      throw new Error(
        `the move task out of ${source.label} was cancelled after ${result.moved} of ${result.toMove} message(s)`,
      );
    }
    out.progress(line(task));
    if (!hinted && api !== undefined && (await api.clock()).mode === 'manual') {
      // a rate-limited task moves one second's worth per emulated second
      out.print(
        `the emulator's clock is manual: the task moves on as it advances (npx decoupled clock advance 1m)`,
      );
      hinted = true;
    }
    const interrupted = await pause(pollMs, signal);
    if (interrupted) {
      const { ApproximateNumberOfMessagesMoved } = await sqs.send(
        new CancelMessageMoveTaskCommand({ TaskHandle: task.TaskHandle ?? TaskHandle }),
      );
      throw new CommandCancelled(
        `cancelled the move task (CancelMessageMoveTask) after ${ApproximateNumberOfMessagesMoved ?? result.moved} of ` +
          `${result.toMove} message(s): the rest stay in ${source.label}`,
      );
    }
  }
}

/** The queues whose redrive policy names the dead-letter queue: where its messages go back to by default. */
async function sourceQueuesOf(project: Project, deadLetterQueue: ResolvedQueue): Promise<string> {
  const { ListDeadLetterSourceQueuesCommand, SQSClient } = await import('@aws-sdk/client-sqs');
  const { queueUrls } = await project
    .client(SQSClient)
    .send(new ListDeadLetterSourceQueuesCommand({ QueueUrl: deadLetterQueue.url, MaxResults: 10 }));
  const labels = await Promise.all(
    (queueUrls ?? []).map(async (url) => (await resolveQueue(project, url)).label),
  );
  return labels.length === 0 ? 'its source queues' : labels.join(', ');
}

/** Waits `ms`; true when `signal` aborted first. */
function pause(ms: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve(false);
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      resolve(true);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

export const REDRIVE: ProjectCommand = {
  name: 'redrive',
  synopsis: 'redrive DLQ [--to QUEUE] [--rate N]',
  details: `Moves the messages of a dead-letter queue back (StartMessageMoveTask), to the queues they came from or to
QUEUE, printing the progress (moved/total) until the task completes; Ctrl-C cancels the task
(CancelMessageMoveTask) and says how many moved. With the emulator's manual clock, a task with --rate moves on
only as the clock advances.

  DLQ          the dead-letter queue: an output name (DeadLetterQueue, pipeline/DeadLetterQueue), a URL, ARN or name
  --to QUEUE   the destination instead of each message's source queue
  --rate N     at most N messages per second (1 to 500; default: as fast as SQS moves them)`,
  flags: { to: { takesValue: true }, rate: { takesValue: true } },
  positionals: [1, 1],
  cancellable: true,
  parse(line) {
    const rate =
      flagValue(line, 'rate') === undefined ? undefined : wholeNumberFlag(line, 'rate', '--rate', 0, 1, 500);
    return async (project, out, signal) => {
      await redrive(
        project,
        { deadLetterQueue: line.positionals[0], to: flagValue(line, 'to'), rate },
        out,
        signal,
      );
    };
  },
};
