/** `decoupled purge QUEUE`: PurgeQueue, refused for a prod deployment as the prod queue policies refuse it on AWS. */
import { stageOfName } from './app-outputs';
import type { CommandOutput, ProjectCommand } from './project-command';
import type { Project } from './project';
import { resolveQueue, type ResolvedQueue } from './queue-reference';

/** The stage whose queues may not be purged (lib/config.ts: allowQueuePurge is false and cannot be true). */
const PROTECTED_STAGE = 'prod';

/** Why purging this queue is refused, or undefined when it may be purged. */
export function purgeRefusal(project: Project, queue: ResolvedQueue): string | undefined {
  // the queue's own stack, else its CloudFormation name (`decoupled-prod-…`), else the deployment the file describes
  const evidence: [string | undefined, string][] = [
    [queue.stackName && stageOfName(queue.stackName), `its stack ${queue.stackName}`],
    [stageOfName(queue.name), `its name ${queue.name}`],
    [
      project.outputs?.stages.includes(PROTECTED_STAGE) ? PROTECTED_STAGE : undefined,
      `the stacks of ${project.outputs?.file}`,
    ],
  ];
  const found = evidence.find(([stage]) => stage === PROTECTED_STAGE);
  if (found === undefined) return undefined;
  return (
    `refusing to purge ${queue.label}: it belongs to the prod stage (${found[1]}). ` +
    'The prod queue policies deny sqs:PurgeQueue to every principal (lib/config.ts: allowQueuePurge is false in prod), ' +
    'so AWS refuses it too; receive and delete the messages you mean to drop, or redrive a dead-letter queue instead'
  );
}

/** Purges the queue unless it is a prod queue; AWS deletes the messages within 60 seconds. */
export async function purgeQueue(project: Project, reference: string, out: CommandOutput): Promise<void> {
  const { PurgeQueueCommand, SQSClient } = await import('@aws-sdk/client-sqs');
  const queue = await resolveQueue(project, reference);
  const refusal = purgeRefusal(project, queue);
  if (refusal !== undefined) throw new Error(refusal);
  await project.client(SQSClient).send(new PurgeQueueCommand({ QueueUrl: queue.url }));
  // AWS: "the message deletion process takes up to 60 seconds"; the emulator deletes them at once
  out.print(`purged ${queue.label} (${queue.url})`);
}

export const PURGE: ProjectCommand = {
  name: 'purge',
  synopsis: 'purge QUEUE',
  details: `Deletes every message of the queue (PurgeQueue). Refused (exit 1) for the prod stage: when the queue's stack,
its name (decoupled-prod-…) or the outputs file's stacks say prod, as the prod queue policies deny PurgeQueue on
AWS. AWS allows one purge per queue every 60 seconds (so does the emulator, unless --no-purge-limit).

  QUEUE   an output name of the outputs file (WorkQueue, pipeline/DeadLetterQueue), a queue URL, ARN or name`,
  flags: {},
  positionals: [1, 1],
  parse(line) {
    return (project, out) => purgeQueue(project, line.positionals[0], out);
  },
};
