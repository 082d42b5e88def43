/**
 * `decoupled status`: the app at a glance. Every queue of the app (visible, in flight, delayed, its DLQ's depth, the
 * age of its oldest message), the alarms in ALARM, and the Auto Scaling groups' capacity. Against the emulator the
 * queue numbers are the control API's (the console shows the same); against AWS, GetQueueAttributes and
 * CloudWatch's ApproximateAgeOfOldestMessage.
 */
import { queueNameOfUrl, shortStackName } from './app-outputs';
import type { CommandOutput, ProjectCommand } from './project-command';
import type { Project } from './project';
import { formatAge, formatTable } from './table';

export interface QueueStatus {
  /** The output name (`WorkQueue`), or the queue name when there is no outputs file. */
  readonly label: string;
  readonly name: string;
  /** The stack that exports it (`pipeline`), when the outputs file names it. */
  readonly stack?: string;
  readonly visible: number;
  readonly inFlight: number;
  readonly delayed: number;
  /** Visible messages of its dead-letter queue; null without one. */
  readonly deadLetterDepth: number | null;
  readonly oldestAgeSeconds: number | null;
  /** The queue the outputs file names no longer exists. */
  readonly gone?: boolean;
}

export interface AlarmStatus {
  readonly name: string;
  readonly reason: string;
  readonly since?: Date;
}

export interface GroupStatus {
  readonly name: string;
  readonly desired: number;
  readonly inService: number;
  readonly min: number;
  readonly max: number;
}

export interface AppStatus {
  /** Where the queue numbers came from. */
  readonly source: 'control-api' | 'aws';
  readonly queues: readonly QueueStatus[];
  readonly alarms: readonly AlarmStatus[];
  readonly groups: readonly GroupStatus[];
}

/** The app's queues: the outputs file's queue URLs, or every queue of the endpoint (`undefined`). */
function appQueues(
  project: Project,
): { label: string; name: string; url: string; stack?: string }[] | undefined {
  const outputs = project.outputs;
  if (outputs === undefined) return undefined;
  const seen = new Set<string>();
  return outputs.queues
    .map((q) => ({
      label: outputs.referenceOf(q),
      name: queueNameOfUrl(q.url),
      url: q.url,
      stack: shortStackName(q.stackName),
    }))
    .filter((q) => !seen.has(q.name) && seen.add(q.name));
}

/** Whether a resource named by CloudFormation (`<stack>-<LogicalId>-<SUFFIX>`) belongs to the outputs' stacks. */
function ofApp(project: Project, name: string): boolean {
  const stacks = project.outputs?.stackNames;
  return stacks === undefined || stacks.some((stack) => name.startsWith(`${stack}-`));
}

/** The queue numbers from the control API: the same the console shows. */
async function queuesFromControlApi(project: Project): Promise<QueueStatus[]> {
  const api = await project.emulator();
  if (api === undefined) throw new Error('not the emulator');
  const all = await api.queues();
  const byName = new Map(all.map((q) => [q.name, q]));
  const wanted =
    appQueues(project) ?? all.map((q) => ({ label: q.name, name: q.name, url: q.url, stack: undefined }));
  return wanted.map(({ label, name, stack }) => {
    const q = byName.get(name);
    if (q === undefined) return goneQueue(label, name, stack);
    const deadLetter = q.deadLetterQueue === null ? undefined : byName.get(q.deadLetterQueue);
    return {
      label,
      name,
      stack,
      visible: q.visible,
      inFlight: q.inFlight,
      delayed: q.delayed,
      deadLetterDepth: deadLetter?.visible ?? null,
      oldestAgeSeconds: q.oldestAgeSeconds,
    };
  });
}

function goneQueue(label: string, name: string, stack: string | undefined): QueueStatus {
  return {
    label,
    name,
    stack,
    visible: 0,
    inFlight: 0,
    delayed: 0,
    deadLetterDepth: null,
    oldestAgeSeconds: null,
    gone: true,
  };
}

/** At most this many queues are listed without an outputs file (ListQueues pages of 1,000). */
const MAX_LISTED_QUEUES = 1000;

/** Runs `task` over `items`, `width` at a time (a few calls in flight, not hundreds). */
async function inBatches<T, R>(
  items: readonly T[],
  width: number,
  task: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = [];
  for (let i = 0; i < items.length; i += width) {
    results.push(...(await Promise.all(items.slice(i, i + width).map(task))));
  }
  return results;
}

/** The queue numbers from SQS's attributes and CloudWatch's ApproximateAgeOfOldestMessage (AWS has no control API). */
async function queuesFromAws(project: Project): Promise<QueueStatus[]> {
  const { GetQueueAttributesCommand, GetQueueUrlCommand, ListQueuesCommand, SQSClient } =
    await import('@aws-sdk/client-sqs');
  const sqs = project.client(SQSClient);
  let wanted = appQueues(project);
  if (wanted === undefined) {
    const urls: string[] = [];
    let NextToken: string | undefined;
    do {
      const page = await sqs.send(new ListQueuesCommand({ MaxResults: 1000, NextToken }));
      urls.push(...(page.QueueUrls ?? []));
      NextToken = page.NextToken;
    } while (NextToken !== undefined && urls.length < MAX_LISTED_QUEUES);
    wanted = urls
      .slice(0, MAX_LISTED_QUEUES)
      .map((url) => ({ label: queueNameOfUrl(url), name: queueNameOfUrl(url), url, stack: undefined }));
  }
  const attributesOf = async (url: string) => {
    try {
      return (
        (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['All'] })))
          .Attributes ?? {}
      );
    } catch (error) {
      if ((error as Error).name === 'QueueDoesNotExist') return undefined;
      throw error;
    }
  };
  const attributes = await inBatches(wanted, 8, (q) => attributesOf(q.url));
  const visibleByArn = new Map<string, number>();
  attributes.forEach(
    (a) => a?.QueueArn && visibleByArn.set(a.QueueArn, Number(a.ApproximateNumberOfMessages ?? 0)),
  );
  // a DLQ outside the app's queues (or outside the listed ones) is looked up by its ARN's account and name
  const deadLetterArns = attributes
    .map((a) => (a?.RedrivePolicy ? (JSON.parse(a.RedrivePolicy).deadLetterTargetArn as string) : undefined))
    .filter((arn): arn is string => arn !== undefined && !visibleByArn.has(arn));
  await inBatches([...new Set(deadLetterArns)], 8, async (arn) => {
    const [, , , , account, name] = arn.split(':');
    try {
      const { QueueUrl } = await sqs.send(
        new GetQueueUrlCommand({ QueueName: name, QueueOwnerAWSAccountId: account }),
      );
      const a = await attributesOf(QueueUrl as string);
      if (a) visibleByArn.set(arn, Number(a.ApproximateNumberOfMessages ?? 0));
    } catch (error) {
      if ((error as Error).name !== 'QueueDoesNotExist') throw error;
    }
  });
  const oldest = await oldestAges(
    project,
    wanted.map((q) => q.name),
  );
  return wanted.map(({ label, name, stack }, i) => {
    const a = attributes[i];
    if (a === undefined) return goneQueue(label, name, stack);
    const deadLetterArn = a.RedrivePolicy
      ? (JSON.parse(a.RedrivePolicy).deadLetterTargetArn as string)
      : undefined;
    return {
      label,
      name,
      stack,
      visible: Number(a.ApproximateNumberOfMessages ?? 0),
      inFlight: Number(a.ApproximateNumberOfMessagesNotVisible ?? 0),
      delayed: Number(a.ApproximateNumberOfMessagesDelayed ?? 0),
      deadLetterDepth: deadLetterArn === undefined ? null : (visibleByArn.get(deadLetterArn) ?? null),
      oldestAgeSeconds: oldest.get(name) ?? null,
    };
  });
}

/** AWS: GetMetricData takes at most 500 queries a call. */
const METRIC_QUERIES_PER_CALL = 500;

/** The latest ApproximateAgeOfOldestMessage of each queue over the last 10 minutes (SQS reports it each minute). */
async function oldestAges(project: Project, names: readonly string[]): Promise<Map<string, number>> {
  const { CloudWatchClient, GetMetricDataCommand } = await import('@aws-sdk/client-cloudwatch');
  const cloudwatch = project.client(CloudWatchClient);
  const ages = new Map<string, number>();
  const end = new Date();
  for (let i = 0; i < names.length; i += METRIC_QUERIES_PER_CALL) {
    const chunk = names.slice(i, i + METRIC_QUERIES_PER_CALL);
    let NextToken: string | undefined;
    do {
      const page = await cloudwatch.send(
        new GetMetricDataCommand({
          StartTime: new Date(end.getTime() - 10 * 60_000),
          EndTime: end,
          ScanBy: 'TimestampDescending',
          NextToken,
          MetricDataQueries: chunk.map((name, j) => ({
            Id: `q${i + j}`,
            MetricStat: {
              Metric: {
                Namespace: 'AWS/SQS',
                MetricName: 'ApproximateAgeOfOldestMessage',
                Dimensions: [{ Name: 'QueueName', Value: name }],
              },
              Period: 60,
              Stat: 'Maximum',
            },
          })),
        }),
      );
      for (const result of page.MetricDataResults ?? []) {
        const name = names[Number(result.Id?.slice(1))];
        const latest = result.Values?.[0];
        if (name !== undefined && latest !== undefined && !ages.has(name)) ages.set(name, latest);
      }
      NextToken = page.NextToken;
    } while (NextToken !== undefined);
  }
  return ages;
}

/** The app's alarms in ALARM (DescribeAlarms, StateValue=ALARM). */
async function alarmsInAlarm(project: Project): Promise<AlarmStatus[]> {
  const { CloudWatchClient, DescribeAlarmsCommand } = await import('@aws-sdk/client-cloudwatch');
  const cloudwatch = project.client(CloudWatchClient);
  const alarms: AlarmStatus[] = [];
  let NextToken: string | undefined;
  do {
    const page = await cloudwatch.send(new DescribeAlarmsCommand({ StateValue: 'ALARM', NextToken }));
    for (const alarm of [...(page.MetricAlarms ?? []), ...(page.CompositeAlarms ?? [])]) {
      if (alarm.AlarmName === undefined || !ofApp(project, alarm.AlarmName)) continue;
      alarms.push({
        name: alarm.AlarmName,
        reason: alarm.StateReason ?? '',
        since: alarm.StateUpdatedTimestamp,
      });
    }
    NextToken = page.NextToken;
  } while (NextToken !== undefined);
  return alarms;
}

/** The app's Auto Scaling groups: desired, in service, min and max. */
async function groupCapacities(project: Project): Promise<GroupStatus[]> {
  const { AutoScalingClient, DescribeAutoScalingGroupsCommand } =
    await import('@aws-sdk/client-auto-scaling');
  const autoscaling = project.client(AutoScalingClient);
  const named = project.outputs?.valuesOf('AutoScalingGroupName') ?? [];
  const groups: GroupStatus[] = [];
  let NextToken: string | undefined;
  do {
    const page = await autoscaling.send(new DescribeAutoScalingGroupsCommand({ NextToken }));
    for (const group of page.AutoScalingGroups ?? []) {
      const name = group.AutoScalingGroupName ?? '';
      if (!named.includes(name) && !ofApp(project, name)) continue;
      groups.push({
        name,
        desired: group.DesiredCapacity ?? 0,
        inService: (group.Instances ?? []).filter((i) => i.LifecycleState === 'InService').length,
        min: group.MinSize ?? 0,
        max: group.MaxSize ?? 0,
      });
    }
    NextToken = page.NextToken;
  } while (NextToken !== undefined);
  return groups;
}

/** Reads the status; `via` forces a source (the default: the control API when the endpoint is the emulator). */
export async function readStatus(project: Project, via?: AppStatus['source']): Promise<AppStatus> {
  const source = via ?? ((await project.emulator()) ? 'control-api' : 'aws');
  const [queues, alarms, groups] = await Promise.all([
    source === 'control-api' ? queuesFromControlApi(project) : queuesFromAws(project),
    alarmsInAlarm(project),
    groupCapacities(project),
  ]);
  return { source, queues, alarms, groups };
}

/** The status as the command prints it: a queue table, the alarms in ALARM, a group table. */
export function describeStatus(project: Project, status: AppStatus): string[] {
  const where = project.endpoint ?? 'AWS';
  const stacks = project.outputs?.stackNames.map(shortStackName);
  const lines = [
    `${stacks ? `${project.outputs?.file} (${stacks.join(', ')})` : 'every queue'} at ${where}` +
      (status.source === 'control-api' ? ', numbers from the emulator' : ''),
    '',
  ];
  if (status.queues.length === 0) lines.push('Queues: none');
  else {
    // grouped under their stack's name when the outputs file names the stacks
    const indent = status.queues.some((q) => q.stack !== undefined) ? '  ' : '';
    const [header, ...rows] = formatTable(
      ['QUEUE', 'VISIBLE', 'IN FLIGHT', 'DELAYED', 'DLQ', 'OLDEST'],
      status.queues.map((q) =>
        q.gone
          ? [`${indent}${q.label}`, 'gone', '', '', '', '']
          : [
              `${indent}${q.label}`,
              String(q.visible),
              String(q.inFlight),
              String(q.delayed),
              q.deadLetterDepth === null ? '-' : String(q.deadLetterDepth),
              formatAge(q.oldestAgeSeconds),
            ],
      ),
      [false, true, true, true, true, true],
    );
    lines.push(header);
    status.queues.forEach((q, i) => {
      if (q.stack !== undefined && q.stack !== status.queues[i - 1]?.stack) lines.push(q.stack);
      lines.push(rows[i]);
    });
  }
  lines.push('');
  if (status.alarms.length === 0) lines.push('Alarms in ALARM: none');
  else {
    lines.push(`Alarms in ALARM (${status.alarms.length}):`);
    for (const alarm of status.alarms) lines.push(`  ${alarm.name}: ${alarm.reason}`);
  }
  lines.push('');
  if (status.groups.length === 0) lines.push('Auto Scaling groups: none');
  else {
    lines.push(
      ...formatTable(
        ['AUTO SCALING GROUP', 'DESIRED', 'IN SERVICE', 'MIN', 'MAX'],
        status.groups.map((g) => [
          g.name,
          String(g.desired),
          String(g.inService),
          String(g.min),
          String(g.max),
        ]),
        [false, true, true, true, true],
      ),
    );
  }
  return lines;
}

export async function printStatus(project: Project, out: CommandOutput): Promise<AppStatus> {
  const status = await readStatus(project);
  for (const line of describeStatus(project, status)) out.print(line);
  return status;
}

export const STATUS: ProjectCommand = {
  name: 'status',
  synopsis: 'status',
  details: `The app at a glance: every queue of the outputs file (or every queue of the endpoint without one) with its
visible, in-flight and delayed messages, its dead-letter queue's visible messages (DLQ) and the age of its oldest
message; the app's alarms in ALARM; its Auto Scaling groups' desired and in-service capacity. Against the local
emulator the queue numbers are those of its control API, which the console shows too; against AWS they come from
GetQueueAttributes and CloudWatch's ApproximateAgeOfOldestMessage (reported each minute).`,
  flags: {},
  positionals: [0, 0],
  parse() {
    return async (project, out) => {
      await printStatus(project, out);
    };
  },
};
