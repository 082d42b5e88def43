/**
 * `decoupled peek QUEUE [-n N]`: a queue's messages read without changing them (no receive counted, visibility
 * unchanged), through the control API. Local only: on AWS every read is a ReceiveMessage.
 */
import type { PeekedMessage } from './control-api';
import { type CommandOutput, type ProjectCommand, wholeNumberFlag } from './project-command';
import type { Project } from './project';
import { resolveQueue } from './queue-reference';
import { formatAge } from './table';

/** The control API's bounds for `max`. */
const PEEK_LIMITS = { min: 1, max: 100, default: 10 } as const;

const STATE_NAMES: Readonly<Record<PeekedMessage['state'], string>> = {
  visible: 'visible',
  inFlight: 'in flight',
  delayed: 'delayed',
};

/** A body as JSON indented when it is JSON, else as sent. */
function prettyBody(body: string): string {
  const trimmed = body.trimStart();
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
    try {
      return JSON.stringify(JSON.parse(body), null, 2);
    } catch {
      // not JSON after all: shown as sent
    }
  }
  return body;
}

/** The lines of one message: a heading (state, receives, age, id, group), the body, its attributes. */
export function describeMessage(message: PeekedMessage, index: number, nowMillis: number): string[] {
  const age = formatAge((nowMillis - Date.parse(message.sentTimestamp)) / 1000);
  const heading = [
    `#${index + 1}`,
    STATE_NAMES[message.state] ?? message.state,
    `received ${message.receiveCount}×`,
    `age ${age}`,
    message.messageId,
    ...(message.messageGroupId !== undefined ? [`group ${message.messageGroupId}`] : []),
    ...(message.state !== 'visible' && message.visibleAt ? [`visible at ${message.visibleAt}`] : []),
  ].join('  ');
  const lines = [
    heading,
    ...prettyBody(message.body)
      .split('\n')
      .map((l) => `    ${l}`),
  ];
  const attributes = Object.entries(message.messageAttributes ?? {});
  if (attributes.length > 0) {
    const shown = attributes.map(([name, value]) => `${name}=${value.StringValue ?? `(${value.DataType})`}`);
    lines.push(`    attributes: ${shown.join(', ')}`);
  }
  return lines;
}

/** Prints up to `max` messages of the queue, in the control API's order, with the queue's counts. */
export async function peekMessages(
  project: Project,
  reference: string,
  max: number,
  out: CommandOutput,
): Promise<PeekedMessage[]> {
  const api = await project.requireEmulator('peek', 'AWS has no read that leaves a message untouched');
  const queue = await resolveQueue(project, reference);
  const [messages, clock, queues] = await Promise.all([
    api.messages(queue.name, max),
    api.clock(),
    api.queues(),
  ]);
  const numbers = queues.find((q) => q.name === queue.name);
  const total = numbers ? numbers.visible + numbers.inFlight + numbers.delayed : messages.length;
  const counts = numbers
    ? ` (${numbers.visible} visible, ${numbers.inFlight} in flight, ${numbers.delayed} delayed)`
    : '';
  out.print(
    `${queue.label}: ${messages.length} of ${total} message(s)${counts}; nothing was received or changed`,
  );
  messages.forEach((message, i) => {
    for (const line of describeMessage(message, i, clock.epochMillis)) out.print(line);
  });
  return messages;
}

export const PEEK: ProjectCommand = {
  name: 'peek',
  synopsis: 'peek QUEUE [-n N]',
  details: `Shows a queue's messages without receiving them: no receive is counted and none becomes invisible. For
each: its state (visible, in flight, delayed), how often it was received, its age, its id and group, the body (JSON
indented) and its attributes. Local only: on AWS every read is a ReceiveMessage, which hides the message and
counts a receive.

  QUEUE    an output name of the outputs file (WorkQueue, pipeline/DeadLetterQueue), a queue URL, ARN or name
  -n N     how many messages (${PEEK_LIMITS.min} to ${PEEK_LIMITS.max}; default ${PEEK_LIMITS.default})`,
  flags: { n: { takesValue: true } },
  positionals: [1, 1],
  localOnly: true,
  parse(line) {
    const max = wholeNumberFlag(line, 'n', '-n', PEEK_LIMITS.default, PEEK_LIMITS.min, PEEK_LIMITS.max);
    return async (project, out) => {
      await peekMessages(project, line.positionals[0], max, out);
    };
  },
};
