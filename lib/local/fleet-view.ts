/**
 * `npm start`'s live view of Auto Scaling fleets: each capacity change and instance launch or termination as it
 * happens, and at the end of each emulated minute in which something changed, the group's backlog (the queues its
 * scaling alarms watch), the states of those alarms, and its desired and running instances.
 */
import type { MetricAlarm } from '@aws-sdk/client-cloudwatch';
import type { Emulator } from '../emulator/emulator';
import { liveLine, type ResourceLabels } from './report';

/** Starts watching; returns the function that stops it. */
export function watchFleets(
  emulator: Emulator,
  labels: ResourceLabels,
  print: (line: string) => void,
): () => void {
  const now = () => new Date(emulator.clock.now());
  const stopEvents = emulator.autoscaling.observe((event) => {
    const group = labels.of(event.groupName);
    switch (event.kind) {
      case 'desired-capacity-changed':
        print(
          liveLine(
            now(),
            'fleet',
            `${group} desired ${event.from} → ${event.to}: ${shortCause(event.cause, labels)}`,
          ),
        );
        return;
      case 'instance-launched':
        print(liveLine(now(), 'fleet', `${group} launched ${event.instanceId}`));
        return;
      case 'instance-terminated':
        print(liveLine(now(), 'fleet', `${group} terminated ${event.instanceId}`));
        return;
    }
  });
  const last = new Map<string, string>();
  const stopMinutes = emulator.cloudwatch.onMinute(() => {
    // minute listeners run before the alarms are evaluated: report once this minute's evaluation is done
    queueMicrotask(() => {
      for (const status of fleetStatus(emulator, labels)) {
        if (last.get(status.group) === status.text) continue;
        last.set(status.group, status.text);
        print(liveLine(now(), 'fleet', `${status.group}: ${status.text}`));
      }
    });
  });
  return () => {
    stopEvents();
    stopMinutes();
  };
}

/** Each group's backlog, alarm states and instances, as one line of text. */
export function fleetStatus(
  emulator: Emulator,
  labels: ResourceLabels,
): Array<{ group: string; text: string }> {
  const { AutoScalingGroups } = emulator.autoscaling.describeAutoScalingGroups();
  const { MetricAlarms = [] } = emulator.cloudwatch.describeAlarms({});
  return AutoScalingGroups.map((group) => {
    const name = group.AutoScalingGroupName ?? '';
    const alarms = MetricAlarms.filter((a) => actsOn(a, name));
    const queues = [...new Set(alarms.flatMap(queueNamesOf))];
    const backlog = queues.map((queueName) => {
      const queue = emulator.sqs.queueByArn(
        `arn:aws:sqs:${emulator.region}:${emulator.accountId}:${queueName}`,
      );
      if (!queue) return `${labels.of(queueName)} gone`;
      const { Attributes = {} } = emulator.sqs.getQueueAttributes({
        QueueUrl: queue.url,
        AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
      });
      return `${labels.of(queueName)} ${Attributes.ApproximateNumberOfMessages} waiting, ${Attributes.ApproximateNumberOfMessagesNotVisible} in flight`;
    });
    const running = (group.Instances ?? []).filter((i) => i.LifecycleState === 'InService').length;
    const parts = [
      ...(backlog.length > 0 ? [`backlog ${backlog.join('; ')}`] : []),
      `desired ${group.DesiredCapacity}, running ${running}`,
      ...(alarms.length > 0
        ? [`alarms ${alarms.map((a) => `${labels.of(a.AlarmName ?? '')} ${a.StateValue}`).join(', ')}`]
        : []),
    ];
    return { group: labels.of(name), text: parts.join('; ') };
  });
}

/** Whether an alarm's actions run a scaling policy of this group (policy ARNs name their group). */
function actsOn(alarm: MetricAlarm, groupName: string): boolean {
  return [...(alarm.AlarmActions ?? []), ...(alarm.OKActions ?? [])].some(
    (arn) => arn.startsWith('arn:aws:autoscaling:') && arn.includes(`:autoScalingGroupName/${groupName}:`),
  );
}

/** The SQS queues an alarm watches: QueueName dimensions of its metric or of its metric-math queries. */
function queueNamesOf(alarm: MetricAlarm): string[] {
  const dimensionSets = [
    alarm.Namespace === 'AWS/SQS' ? (alarm.Dimensions ?? []) : [],
    ...(alarm.Metrics ?? [])
      .filter((m) => m.MetricStat?.Metric?.Namespace === 'AWS/SQS')
      .map((m) => m.MetricStat?.Metric?.Dimensions ?? []),
  ];
  return dimensionSets.flatMap((dimensions) =>
    dimensions.filter((d) => d.Name === 'QueueName' && d.Value !== undefined).map((d) => d.Value as string),
  );
}

/**
 * AWS's cause of a capacity change (`At … a monitor alarm NAME in state ALARM triggered policy POLICY changing the
 * desired capacity from 1 to 2…`) as `ScaleOutAlarm in ALARM`; other causes as they are.
 */
function shortCause(cause: string, labels: ResourceLabels): string {
  const alarm = cause.indexOf('a monitor alarm ');
  const state = cause.indexOf(' in state ', alarm);
  if (alarm < 0 || state < 0) return cause;
  const stateValue = cause.slice(state + ' in state '.length).split(' ')[0];
  return `${labels.of(cause.slice(alarm + 'a monitor alarm '.length, state))} in ${stateValue}`;
}
