/** What `npm start` prints: the table of deployed resources, the next commands, and one live line per event. */
import type { ActivityEvent } from '../emulator/activity';
import type { InstanceLogLine } from '../emulator/autoscaling/instances';
import type { DeployedResource, LocalDeployment } from '../emulator/deploy/local-deployment';
import type { FunctionLogLine } from '../emulator/lambda/function-runtime';

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

/**
 * The workshop's next steps with this deployment's real names, for the outputs that exist. The same commands
 * work on AWS without the endpoint variable.
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
  lines.push('Stop with Ctrl-C. The walkthrough is in docs/workshop/.');
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

export function formatActivity(event: ActivityEvent, labels: ResourceLabels, now: Date): string {
  const line = (service: string, text: string) => liveLine(now, service, text);
  switch (event.kind) {
    case 'object-created':
      return line('s3', `uploaded s3://${labels.of(event.bucket)}/${event.key} (${event.size ?? 0} B)`);
    case 'object-removed':
      return line('s3', `deleted s3://${labels.of(event.bucket)}/${event.key}`);
    case 'message-sent':
      return line('sqs', `message ${event.messageId} sent to ${labels.of(event.queueName)}`);
    case 'message-dead-lettered':
      return line(
        'sqs',
        `message ${event.messageId} DEAD-LETTERED: ${labels.of(event.queueName)} → ${labels.of(event.deadLetterQueueName)} after ${event.receiveCount} receives`,
      );
    case 'notification-published':
      return line('sns', `published ${event.messageId} to ${labels.of(event.topicName)}`);
    case 'function-invoked': {
      const batch =
        event.records !== undefined
          ? ` batch of ${event.records}${event.failedRecords ? `, ${event.failedRecords} failed` : ''}`
          : '';
      const outcome = event.ok ? 'ok' : `FAILED (${event.error})`;
      return line(
        'lambda',
        `${labels.of(event.functionName)} ← ${event.trigger}${batch}: ${outcome} in ${Math.round(event.durationMs)} ms`,
      );
    }
  }
}

export function formatFunctionLog(log: FunctionLogLine, labels: ResourceLabels): string {
  // Lambda prefixes each line with the request id; the first 8 characters tell invocations apart
  return `          ${labels.of(log.functionName)} ${log.requestId?.slice(0, 8) ?? '--------'} │ ${log.line}`;
}

/** A line a local instance (a worker process of an Auto Scaling group) printed. */
export function formatInstanceLog(log: InstanceLogLine): string {
  return `          ${log.instanceId} │ ${log.line}`;
}
