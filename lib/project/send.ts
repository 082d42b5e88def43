/** `decoupled send QUEUE BODY`: SendMessage to one of the app's queues, printing the message id. */
import { readFileSync } from 'node:fs';
import type { MessageAttributeValue } from '@aws-sdk/client-sqs';
import { flagValue, type CommandOutput, type ProjectCommand, ProjectUsageError } from './project-command';
import type { Project } from './project';
import { resolveQueue } from './queue-reference';

export interface SendOptions {
  readonly queue: string;
  readonly body: string;
  readonly groupId?: string;
  readonly deduplicationId?: string;
  /** `Name=Value` (a String attribute) or `Name:Number=Value`. */
  readonly attributes?: readonly string[];
}

/** The data types an attribute may be given with on the command line (Binary would need base64: use the SDK). */
const ATTRIBUTE_TYPES = ['String', 'Number'];

/** `Name=Value` / `Name:Number=Value` → SQS message attributes; a usage error for anything else. */
export function messageAttributes(given: readonly string[]): Record<string, MessageAttributeValue> {
  const attributes: Record<string, MessageAttributeValue> = {};
  for (const text of given) {
    const equals = text.indexOf('=');
    if (equals <= 0) throw new ProjectUsageError(`--attribute needs Name=Value, got '${text}'`);
    const key = text.slice(0, equals);
    const colon = key.indexOf(':');
    const [name, type] = colon < 0 ? [key, 'String'] : [key.slice(0, colon), key.slice(colon + 1)];
    if (!ATTRIBUTE_TYPES.includes(type)) {
      throw new ProjectUsageError(
        `--attribute ${name}: the type must be ${ATTRIBUTE_TYPES.join(' or ')} (Name:Number=Value), not '${type}'`,
      );
    }
    if (Object.hasOwn(attributes, name)) throw new ProjectUsageError(`--attribute ${name} given twice`);
    attributes[name] = { DataType: type, StringValue: text.slice(equals + 1) };
  }
  return attributes;
}

/** Sends one message; prints and returns its id (and sequence number on a FIFO queue). */
export async function sendMessage(
  project: Project,
  options: SendOptions,
  out: CommandOutput,
): Promise<{ messageId: string; sequenceNumber?: string }> {
  const { SendMessageCommand, SQSClient } = await import('@aws-sdk/client-sqs');
  const queue = await resolveQueue(project, options.queue);
  const attributes = messageAttributes(options.attributes ?? []);
  const sent = await project.client(SQSClient).send(
    new SendMessageCommand({
      QueueUrl: queue.url,
      MessageBody: options.body,
      MessageGroupId: options.groupId,
      MessageDeduplicationId: options.deduplicationId,
      MessageAttributes: Object.keys(attributes).length > 0 ? attributes : undefined,
    }),
  );
  const messageId = sent.MessageId as string;
  out.print(
    `sent ${messageId} to ${queue.label}${sent.SequenceNumber ? ` (sequence number ${sent.SequenceNumber})` : ''}`,
  );
  return { messageId, ...(sent.SequenceNumber ? { sequenceNumber: sent.SequenceNumber } : {}) };
}

export const SEND: ProjectCommand = {
  name: 'send',
  synopsis: 'send QUEUE (BODY | --file F) [--group-id G] [--dedup-id D] [--attribute Name=Value]...',
  details: `Sends one message (SendMessage) and prints its id.

  QUEUE                  an output name of the outputs file (WorkQueue, pipeline/DeadLetterQueue), a queue
                         URL, ARN or name
  BODY                   the message body (or --file F: the body is the file's content)
  --group-id G           the message group (FIFO queues)
  --dedup-id D           the deduplication id (FIFO queues without content-based deduplication)
  --attribute Name=Value a String message attribute (Name:Number=Value for a Number); repeat for more`,
  flags: {
    file: { takesValue: true },
    'group-id': { takesValue: true },
    'dedup-id': { takesValue: true },
    attribute: { takesValue: true, multiple: true },
  },
  positionals: [1, 2],
  parse(line) {
    const [queue, bodyArgument] = line.positionals;
    const file = flagValue(line, 'file');
    if ((bodyArgument === undefined) === (file === undefined)) {
      throw new ProjectUsageError('give the body either as BODY or as --file F');
    }
    const attributes = line.values.attribute ?? [];
    messageAttributes(attributes); // a bad attribute is a usage error before anything runs
    return async (project, out) => {
      let body = bodyArgument;
      if (body === undefined) {
        try {
          body = readFileSync(file as string, 'utf8');
        } catch (error) {
          throw new Error(
            `cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
            { cause: error },
          );
        }
      }
      await sendMessage(
        project,
        {
          queue,
          body,
          groupId: flagValue(line, 'group-id'),
          deduplicationId: flagValue(line, 'dedup-id'),
          attributes,
        },
        out,
      );
    };
  },
};
