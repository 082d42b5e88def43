/**
 * A queue as the commands take it: an output name of the outputs file (`WorkQueue`, `pipeline/DeadLetterQueue`),
 * a queue URL, a queue ARN, or a queue name.
 */
import { isQueueUrl, queueNameOfUrl, type QueueOutput, shortStackName } from './app-outputs';
import type { Project } from './project';

export interface ResolvedQueue {
  /** How the commands print it: the output name when the outputs file has it, else the queue name. */
  readonly label: string;
  readonly url: string;
  readonly name: string;
  /** The stack that exports it, when the outputs file has it. */
  readonly stackName?: string;
}

/** A queue reference that names nothing: exit 1 with what was tried. */
export class QueueNotFoundError extends Error {}

/** The queue behind a reference; throws a {@link QueueNotFoundError} saying what was tried. */
export async function resolveQueue(project: Project, reference: string): Promise<ResolvedQueue> {
  const outputs = project.outputs;
  if (reference.startsWith('http://') || reference.startsWith('https://')) {
    if (!isQueueUrl(reference)) {
      throw new QueueNotFoundError(`${reference} is not a queue URL (https://HOST/ACCOUNT/NAME)`);
    }
    return fromUrl(project, reference);
  }
  if (reference.startsWith('arn:')) {
    const parts = reference.split(':');
    if (parts.length !== 6 || parts[2] !== 'sqs' || parts[5] === '') {
      throw new QueueNotFoundError(`${reference} is not a queue ARN (arn:aws:sqs:REGION:ACCOUNT:NAME)`);
    }
    return queueByName(project, parts[5], parts[4]);
  }
  const named = outputs?.queuesNamed(reference) ?? [];
  if (named.length === 1) return fromOutput(project, named[0]);
  if (named.length > 1) {
    const stacks = named.map((q) => q.stackName);
    throw new QueueNotFoundError(
      `${reference} is a queue of several stacks in ${outputs?.file} (${stacks.join(', ')}): name one, ` +
        `e.g. ${shortStackName(named[0].stackName)}/${named[0].name}`,
    );
  }
  if (reference.includes('/')) {
    throw new QueueNotFoundError(
      `${reference}: no such queue output in ${outputs?.file ?? 'any outputs file'}`,
    );
  }
  return queueByName(project, reference);
}

function fromOutput(project: Project, queue: QueueOutput): ResolvedQueue {
  return {
    label: project.outputs?.referenceOf(queue) ?? queue.name,
    url: queue.url,
    name: queueNameOfUrl(queue.url),
    stackName: queue.stackName,
  };
}

/** A URL: labelled by its output name when the outputs file exports it. */
function fromUrl(project: Project, url: string): ResolvedQueue {
  const name = queueNameOfUrl(url);
  const output = project.outputs?.queues.find((q) => queueNameOfUrl(q.url) === name);
  return output ? { ...fromOutput(project, output), url } : { label: name, url, name };
}

/** GetQueueUrl of a queue name: not an output, so it must be a queue's own name at the endpoint. */
async function queueByName(project: Project, name: string, account?: string): Promise<ResolvedQueue> {
  const { GetQueueUrlCommand, SQSClient } = await import('@aws-sdk/client-sqs');
  const sqs = project.client(SQSClient);
  try {
    const { QueueUrl } = await sqs.send(
      new GetQueueUrlCommand({ QueueName: name, ...(account ? { QueueOwnerAWSAccountId: account } : {}) }),
    );
    return fromUrl(project, QueueUrl as string);
  } catch (error) {
    if ((error as Error).name !== 'QueueDoesNotExist') throw error;
    const outputs = project.outputs;
    const known = outputs?.queues.map((q) => outputs.referenceOf(q)) ?? [];
    const listed = known.length > 8 ? [...known.slice(0, 8), '…'] : known;
    throw new QueueNotFoundError(
      `no queue ${name} at ${project.endpoint ?? 'AWS'}` +
        (outputs
          ? `, and ${outputs.file} has no queue output of that name (it has ${listed.join(', ')})`
          : ''),
    );
  }
}
