/**
 * What `npm start` prints: a summary per stack (the full tables with `--verbose`), the next commands, and the
 * text of each live event (lib/local/log-live.ts decides when lines are printed and summarizes bursts).
 */
import type { ActivityEvent } from '../emulator/activity';
import type { DeployedResource, LocalDeployment } from '../emulator/deploy/local-deployment';

const STATUS_LABEL: Record<DeployedResource['status'], string> = {
  emulated: 'emulated',
  kept: 'kept',
  'not-emulated': 'NOT EMULATED',
  skipped: 'skipped',
};

/** `WorkQueueAD162499` → `WorkQueue`: CDK's logical ids end in an 8-digit hash that says nothing to a reader. */
export function shortLogicalId(logicalId: string): string {
  const short = logicalId.replace(/[0-9A-F]{8}$/, '');
  return short.length > 0 ? short : logicalId;
}

export function formatResourceTable(deployment: LocalDeployment): string {
  const lines: string[] = [];
  for (const stack of deployment.stacks) {
    const count = (status: DeployedResource['status']) =>
      stack.resources.filter((r) => r.status === status).length;
    lines.push(
      '',
      `Stack ${stack.stackName} (${stack.id}): ${count('emulated')} emulated, ${count('kept')} kept, ` +
        `${count('not-emulated')} not emulated${count('skipped') ? `, ${count('skipped')} skipped` : ''}`,
    );
    const rows = stack.resources.map((r) => [
      r.type,
      shortLogicalId(r.logicalId),
      STATUS_LABEL[r.status],
      r.display,
      r.note ?? '',
    ]);
    const header = ['TYPE', 'LOGICAL ID', 'STATUS', 'NAME / URL', 'NOTE'];
    const widths = header.slice(0, 3).map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
    const format = (row: string[]) =>
      `  ${row
        .slice(0, 3)
        .map((cell, i) => cell.padEnd(widths[i]))
        .join('  ')}  ${row[3]}${row[4] ? `  (${row[4]})` : ''}`;
    lines.push(format(header).replace('  (NOTE)', '  NOTE'));
    for (const row of rows) lines.push(format(row));
    const outputs = Object.entries(stack.outputs);
    if (outputs.length > 0) {
      lines.push('  Outputs:');
      const width = Math.max(...outputs.map(([key]) => key.length));
      for (const [key, value] of outputs) lines.push(`    ${key.padEnd(width)}  ${value}`);
    }
  }
  return lines.join('\n');
}

/** What the summary calls each emulated type (others count as `other`), in the order it lists them. */
const KINDS: ReadonlyArray<readonly [string, string, string]> = [
  ['AWS::SQS::Queue', 'queue', 'queues'],
  ['AWS::SNS::Topic', 'topic', 'topics'],
  ['AWS::SNS::Subscription', 'subscription', 'subscriptions'],
  ['AWS::S3::Bucket', 'bucket', 'buckets'],
  ['AWS::Lambda::Function', 'function', 'functions'],
  ['AWS::Lambda::EventSourceMapping', 'event source', 'event sources'],
  ['AWS::AutoScaling::AutoScalingGroup', 'group', 'groups'],
  ['AWS::CloudWatch::Alarm', 'alarm', 'alarms'],
  ['AWS::Logs::LogGroup', 'log group', 'log groups'],
];

/**
 * One line per stack: `Pipeline  22 resources: 4 queues, 2 topics, …  (9 kept, 3 not emulated)`, the resource
 * count being the emulated ones; `--verbose` prints the full tables ({@link formatResourceTable}) instead.
 */
export function formatStackSummaries(deployment: LocalDeployment): string {
  const width = Math.max(0, ...deployment.stacks.map((s) => s.id.length));
  return deployment.stacks
    .map((stack) => {
      const emulated = stack.resources.filter((r) => r.status === 'emulated');
      const kinds = KINDS.map(([type, one, many]) => {
        const n = emulated.filter((r) => r.type === type).length;
        return n === 0 ? '' : `${n} ${n === 1 ? one : many}`;
      }).filter((text) => text !== '');
      const other = emulated.filter((r) => !KINDS.some(([type]) => type === r.type)).length;
      if (other > 0) kinds.push(`${other} other`);
      const rest = (['kept', 'not-emulated', 'skipped'] as const)
        .map((status) => [status, stack.resources.filter((r) => r.status === status).length] as const)
        .filter(([, n]) => n > 0)
        .map(([status, n]) => `${n} ${status.replace('-', ' ')}`);
      const restText = rest.length > 0 ? `  (${rest.join(', ')})` : '';
      return `  ${stack.id.padEnd(width)}  ${emulated.length} resources${kinds.length > 0 ? `: ${kinds.join(', ')}` : ''}${restText}`;
    })
    .join('\n');
}

/**
 * The workshop's next steps with this deployment's real names, for the outputs that exist. The same commands
 * work on AWS without the endpoint variable and the `aws` function.
 */
export function formatNextCommands(deployment: LocalDeployment, endpoint: string, region: string): string {
  const output = (key: string) => {
    for (const stack of deployment.stacks) if (stack.outputs[key] !== undefined) return stack.outputs[key];
    return undefined;
  };
  const lines = [
    '',
    'Next, in another terminal (the AWS CLI and SDKs read these variables; the keys can be anything locally):',
    `  export AWS_ENDPOINT_URL=${endpoint} AWS_REGION=${region} AWS_DEFAULT_REGION=${region} AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local`,
    // AWS CLI v2 reads AWS_ENDPOINT_URL only from 2.13, v1 not for SQS: --endpoint-url works with every version
    `  aws() { command aws --endpoint-url ${endpoint} "$@"; }   # every AWS CLI version (see docs/local-mode.md)`,
  ];
  const bucket = output('BucketName');
  if (bucket !== undefined) {
    lines.push(
      '  # the pipeline: upload orders, the producer queues them, the consumer writes results/',
      `  aws s3 cp docs/workshop/samples/orders.json s3://${bucket}/uploads/orders.json`,
      `  aws s3 ls s3://${bucket}/results/`,
      `  aws s3 cp docs/workshop/samples/mixed-orders.json s3://${bucket}/uploads/mixed-orders.json`,
    );
  }
  const dlq = output('DeadLetterQueueUrl');
  if (dlq !== undefined) lines.push(`  aws sqs receive-message --queue-url ${dlq}`);
  const destination = output('DestinationQueueUrl');
  if (destination !== undefined) lines.push(`  aws sqs receive-message --queue-url ${destination}`);
  const fifo = output('FifoQueueUrl');
  if (fifo !== undefined) {
    lines.push(
      '  # queue basics: a FIFO queue keeps order per group and drops duplicates',
      `  aws sqs send-message --queue-url ${fifo} --message-body first --message-group-id g1 --message-deduplication-id 1`,
      `  aws sqs receive-message --queue-url ${fifo} --max-number-of-messages 10`,
    );
  }
  const topic = output('QuoteTopicArn');
  if (topic !== undefined) {
    lines.push(
      '  # fan-out: each quote reaches the queues whose filter it matches',
      `  aws sns publish --topic-arn ${topic} --message '{"quoteId":"q-1"}' --message-attributes '{"type":{"DataType":"String","StringValue":"car"}}'`,
    );
  }
  lines.push(
    '  # every queue of the app: visible, in flight, delayed, dead-lettered',
    '  npx decoupled status',
    'Stop with Ctrl-C. The walkthrough is in docs/workshop/.',
  );
  return lines.join('\n');
}

/** Names the live log uses: physical names and URLs → the short logical id, as the template names them. */
export class ResourceLabels {
  private readonly labels = new Map<string, string>();

  constructor(deployment: LocalDeployment) {
    for (const stack of deployment.stacks) {
      for (const r of stack.resources) {
        if (r.status !== 'emulated') continue;
        const label = shortLogicalId(r.logicalId);
        this.labels.set(r.ref, label);
        const name = r.attributes.QueueName ?? r.attributes.TopicName;
        if (typeof name === 'string') this.labels.set(name, label);
      }
    }
  }

  of(name: string): string {
    return this.labels.get(name) ?? name;
  }
}

/** One live line: `HH:MM:SS  service  what happened`. */
export function liveLine(now: Date, service: string, text: string): string {
  return `${now.toISOString().slice(11, 19)}  ${service.padEnd(6)}  ${text}`;
}

/** The first 8 characters of a request id tell invocations apart, as in Lambda's log stream names. */
export function shortRequestId(requestId: string | undefined): string {
  return requestId?.slice(0, 8) ?? '--------';
}

/** An alarm's StateReason, without the part that repeats the alarm's configuration. */
export function reasonGist(reason: string): string {
  // AWS: "Threshold Crossed: 1 out of the last 1 datapoints [5.0 (21/11/26 09:09:00)] was greater than or equal
  // to the threshold (1.0) (minimum 1 datapoint for OK -> ALARM transition)."
  const cut = reason.indexOf(' (minimum ');
  let gist = (cut > 0 ? reason.slice(0, cut) : reason).replace(/\.$/, '');
  // of the datapoints listed, the latest (listed first) says enough
  const open = gist.indexOf('[');
  const close = gist.indexOf(']', open);
  const more = gist.indexOf('), ', open);
  if (open >= 0 && more > open && more < close) gist = `${gist.slice(0, more + 1)}, …${gist.slice(close)}`;
  return gist.length > 160 ? `${gist.slice(0, 159)}…` : gist;
}

/** What an event says, by service (`sqs`, `lambda`…): the live line without its time. */
export function describeActivity(
  event: ActivityEvent,
  labels: ResourceLabels,
): { readonly service: string; readonly text: string } {
  switch (event.kind) {
    case 'object-created':
      return {
        service: 's3',
        text: `uploaded s3://${labels.of(event.bucket)}/${event.key} (${event.size ?? 0} B)`,
      };
    case 'object-removed':
      return { service: 's3', text: `deleted s3://${labels.of(event.bucket)}/${event.key}` };
    case 'message-sent':
      return { service: 'sqs', text: `message ${event.messageId} sent to ${labels.of(event.queueName)}` };
    case 'message-dead-lettered':
      return {
        service: 'sqs',
        text: `message ${event.messageId} DEAD-LETTERED: ${labels.of(event.queueName)} → ${labels.of(event.deadLetterQueueName)} after ${event.receiveCount} receives`,
      };
    case 'notification-published':
      return { service: 'sns', text: `published ${event.messageId} to ${labels.of(event.topicName)}` };
    case 'function-invoked': {
      const batch =
        event.records !== undefined
          ? ` batch of ${event.records}${event.failedRecords ? `, ${event.failedRecords} failed` : ''}`
          : '';
      const outcome = event.ok ? 'ok' : `FAILED (${event.error})`;
      return {
        service: 'lambda',
        text: `${labels.of(event.functionName)} ${shortRequestId(event.requestId)} ← ${event.trigger}${batch}: ${outcome} in ${Math.round(event.durationMs)} ms`,
      };
    }
    case 'alarm-state-changed': {
      // why an alarm fires or clears is news; why it has data at last is not
      const why =
        event.oldState === 'ALARM' || event.newState === 'ALARM' ? `: ${reasonGist(event.reason)}` : '';
      return {
        service: 'alarm',
        text: `${labels.of(event.alarmName)} ${event.oldState} → ${event.newState}${why}`,
      };
    }
    case 'message-move-task':
      return { service: 'sqs', text: describeMoveTask(event, labels) };
    case 'access-denied':
      return {
        service: 'iam',
        text: `${event.enforced ? 'DENIED' : 'would deny (audit)'} ${event.principal}: ${event.action} on ${event.resource}: ${event.reason}`,
      };
  }
}

function describeMoveTask(
  event: Extract<ActivityEvent, { kind: 'message-move-task' }>,
  labels: ResourceLabels,
): string {
  const to =
    event.destinationQueueName === undefined ? 'their source queues' : labels.of(event.destinationQueueName);
  const task = `redrive ${labels.of(event.sourceQueueName)} → ${to}`;
  switch (event.status) {
    case 'started':
      return `${task} started: ${event.toMove} message${event.toMove === 1 ? '' : 's'} to move`;
    case 'progress':
      return `${task}: ${event.moved} of ${event.toMove} moved`;
    case 'completed':
      return `${task} done: ${event.moved} of ${event.toMove} moved`;
    case 'failed':
      return `${task} FAILED after ${event.moved} of ${event.toMove}: ${event.failureReason ?? 'unknown reason'}`;
    case 'cancelled':
      return `${task} cancelled after ${event.moved} of ${event.toMove}`;
  }
}
