/**
 * S3 event notifications: the bucket's configuration (validated as AWS does, destinations included), matching
 * events against it (event type wildcards, key prefix and suffix), and the event records AWS writes.
 */
import { randomUUID } from 'node:crypto';
import { DELIVERY_ACTIONS, deliverToArn, type IntegrationGuard } from '../kit/arn-delivery';
import type { DeliveryTracker, FunctionRegistry } from '../event-delivery';
import type { SnsService } from '../sns/service';
import type { SqsService } from '../sqs/service';
import { S3Error } from './errors';

export interface KeyFilter {
  readonly prefix?: string;
  readonly suffix?: string;
}

export interface DestinationConfiguration {
  readonly id: string;
  /** Queue, topic or function ARN. */
  readonly arn: string;
  readonly events: readonly string[];
  readonly filter: KeyFilter | undefined;
}

export interface NotificationConfiguration {
  readonly topics: readonly DestinationConfiguration[];
  readonly queues: readonly DestinationConfiguration[];
  readonly functions: readonly DestinationConfiguration[];
  readonly eventBridge: boolean;
}

/** A configuration as it arrives (the protocol layer reads it from XML); filter rule names in any case. */
export interface RequestedDestination {
  id?: string;
  arn?: string;
  events: string[];
  filterRules: { name?: string; value?: string }[];
}

export interface RequestedNotificationConfiguration {
  topics: RequestedDestination[];
  queues: RequestedDestination[];
  functions: RequestedDestination[];
  eventBridge: boolean;
}

/** Event types a configuration may name (AWS's list; the emulator raises ObjectCreated and ObjectRemoved). */
const SUPPORTED_EVENTS = new Set([
  's3:ObjectCreated:*',
  's3:ObjectCreated:Put',
  's3:ObjectCreated:Post',
  's3:ObjectCreated:Copy',
  's3:ObjectCreated:CompleteMultipartUpload',
  's3:ObjectRemoved:*',
  's3:ObjectRemoved:Delete',
  's3:ObjectRemoved:DeleteMarkerCreated',
  's3:ObjectRestore:*',
  's3:ObjectRestore:Post',
  's3:ObjectRestore:Completed',
  's3:ObjectRestore:Delete',
  's3:ReducedRedundancyLostObject',
  's3:Replication:*',
  's3:Replication:OperationFailedReplication',
  's3:Replication:OperationMissedThreshold',
  's3:Replication:OperationReplicatedAfterThreshold',
  's3:Replication:OperationNotTracked',
  's3:LifecycleExpiration:*',
  's3:LifecycleExpiration:Delete',
  's3:LifecycleExpiration:DeleteMarkerCreated',
  's3:LifecycleTransition',
  's3:IntelligentTiering',
  's3:ObjectTagging:*',
  's3:ObjectTagging:Put',
  's3:ObjectTagging:Delete',
  's3:ObjectAcl:Put',
]);

const ARN_SHAPES = {
  topics: { argument: 'Topic', pattern: /^arn:aws:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_.-]+$/, kind: 'topic' },
  queues: { argument: 'Queue', pattern: /^arn:aws:sqs:[a-z0-9-]+:\d{12}:[A-Za-z0-9_.-]+$/, kind: 'queue' },
  functions: {
    argument: 'CloudFunction',
    pattern: /^arn:aws:lambda:[a-z0-9-]+:\d{12}:function:[A-Za-z0-9_-]+(:[A-Za-z0-9$_-]+)?$/,
    kind: 'function',
  },
} as const;

export interface NotificationTargets {
  sqs: SqsService;
  sns: SnsService;
  functions: FunctionRegistry;
  deliveries: DeliveryTracker;
  /** `--iam`: whether s3.amazonaws.com may deliver to a destination (its policy, its key). @default allowed */
  integrations?: IntegrationGuard;
}

/**
 * The emulator's bound on a bucket's destination configurations (AWS publishes none): every pair is compared
 * for overlap, so the check costs the square of the count.
 */
export const LOCAL_MAX_NOTIFICATION_CONFIGURATIONS = 100;

/** Validates a requested configuration with AWS's InvalidArgument errors, destinations included. */
export function validateNotificationConfiguration(
  requested: RequestedNotificationConfiguration,
  targets: NotificationTargets,
  bucket?: string,
): NotificationConfiguration {
  const count = requested.topics.length + requested.queues.length + requested.functions.length;
  if (count > LOCAL_MAX_NOTIFICATION_CONFIGURATIONS) {
    throw new S3Error(
      'InvalidArgument',
      `The emulator accepts at most ${LOCAL_MAX_NOTIFICATION_CONFIGURATIONS} notification configurations per bucket; this one has ${count}.`,
      400,
      [
        ['ArgumentName', 'NotificationConfiguration'],
        ['ArgumentValue', String(count)],
      ],
    );
  }
  const out = { topics: [], queues: [], functions: [], eventBridge: requested.eventBridge } as {
    topics: DestinationConfiguration[];
    queues: DestinationConfiguration[];
    functions: DestinationConfiguration[];
    eventBridge: boolean;
  };
  for (const kind of ['topics', 'queues', 'functions'] as const) {
    const shape = ARN_SHAPES[kind];
    for (const destination of requested[kind]) {
      const arn = destination.arn ?? '';
      if (!shape.pattern.test(arn)) {
        throw new S3Error('InvalidArgument', 'The ARN could not be parsed', 400, [
          ['ArgumentName', shape.argument],
          ['ArgumentValue', arn],
        ]);
      }
      if (destination.events.length === 0) {
        throw new S3Error(
          'MalformedXML',
          'The XML you provided was not well-formed or did not validate against our published schema',
        );
      }
      for (const event of destination.events) {
        if (!SUPPORTED_EVENTS.has(event)) {
          throw new S3Error('InvalidArgument', 'The event is not supported for notifications', 400, [
            ['ArgumentName', 'Event'],
            ['ArgumentValue', event],
          ]);
        }
      }
      out[kind].push({
        id: destination.id || randomUUID(),
        arn,
        events: [...new Set(destination.events)],
        filter: keyFilter(destination.filterRules),
      });
    }
  }
  checkOverlap([...out.topics, ...out.queues, ...out.functions]);
  // AWS: every destination must exist; all failures are reported at once, numbered
  const failures: [string, string][] = [];
  for (const c of out.queues) {
    if (!targets.sqs.queueByArn(c.arn)) failures.push([c.arn, 'The destination queue does not exist']);
  }
  for (const c of out.topics) {
    if (!targets.sns.hasTopic(c.arn)) failures.push([c.arn, 'The destination topic does not exist']);
  }
  for (const c of out.functions) {
    if (!targets.functions.exists(c.arn))
      failures.push([c.arn, 'The destination Lambda function does not exist']);
  }
  // AWS: the destination's policy must let S3 deliver for this bucket (--iam; checked only where nothing else failed)
  const guard = targets.integrations;
  if (guard && bucket !== undefined && failures.length === 0) {
    const checks = [
      ...out.queues.map(
        (c) =>
          [
            c.arn,
            'Permissions on the destination queue do not allow S3 to publish notifications from this bucket',
          ] as const,
      ),
      ...out.topics.map(
        (c) =>
          [
            c.arn,
            'Permissions on the destination topic do not allow S3 to publish notifications from this bucket',
          ] as const,
      ),
      ...out.functions.map((c) => [c.arn, `Not authorized to invoke function [${c.arn}]`] as const),
    ];
    for (const [arn, message] of checks) {
      const action = DELIVERY_ACTIONS[arn.split(':')[2]];
      if (
        guard({ service: 's3.amazonaws.com', action, resource: arn, sourceArn: `arn:aws:s3:::${bucket}` })
      ) {
        failures.push([arn, message]);
      }
    }
  }
  if (failures.length > 0) {
    throw new S3Error(
      'InvalidArgument',
      'Unable to validate the following destination configurations',
      400,
      failures.flatMap(([arn, reason], i) => [
        [`ArgumentName${i + 1}`, arn],
        [`ArgumentValue${i + 1}`, reason],
      ]),
    );
  }
  return out;
}

function keyFilter(rules: { name?: string; value?: string }[]): KeyFilter | undefined {
  if (rules.length === 0) return undefined;
  const filter: { prefix?: string; suffix?: string } = {};
  for (const rule of rules) {
    const name = (rule.name ?? '').toLowerCase();
    if (name !== 'prefix' && name !== 'suffix') {
      throw new S3Error('InvalidArgument', 'filter rule name must be either prefix or suffix', 400, [
        ['ArgumentName', 'FilterRule.Name'],
        ['ArgumentValue', rule.name ?? ''],
      ]);
    }
    if (filter[name] !== undefined) {
      throw new S3Error('InvalidArgument', 'Cannot specify more than one prefix rule in a filter.', 400, [
        ['ArgumentName', 'FilterRule.Name'],
        ['ArgumentValue', rule.name ?? ''],
      ]);
    }
    filter[name] = rule.value ?? '';
  }
  return filter;
}

/** AWS: two configurations may not share an event type for overlapping key ranges. */
function checkOverlap(configurations: DestinationConfiguration[]): void {
  for (let i = 0; i < configurations.length; i++) {
    for (let j = i + 1; j < configurations.length; j++) {
      const a = configurations[i];
      const b = configurations[j];
      const sharedEvent = a.events.some((x) => b.events.some((y) => eventsOverlap(x, y)));
      if (sharedEvent && affixesOverlap(a.filter, b.filter)) {
        throw new S3Error(
          'InvalidArgument',
          'Configurations overlap. Configurations on the same bucket cannot share a common event type.',
          400,
          [
            ['ArgumentName', 'Event'],
            ['ArgumentValue', a.events.find((x) => b.events.some((y) => eventsOverlap(x, y))) as string],
          ],
        );
      }
    }
  }
}

function eventsOverlap(x: string, y: string): boolean {
  const family = (e: string) => e.split(':').slice(0, 2).join(':');
  if (x === y) return true;
  if (family(x) !== family(y)) return false;
  return x.endsWith(':*') || y.endsWith(':*');
}

function affixesOverlap(a: KeyFilter | undefined, b: KeyFilter | undefined): boolean {
  const related = (x = '', y = '', test: (s: string, t: string) => boolean) => test(x, y) || test(y, x);
  return (
    related(a?.prefix, b?.prefix, (s, t) => s.startsWith(t)) &&
    related(a?.suffix, b?.suffix, (s, t) => s.endsWith(t))
  );
}

/** One S3 event to notify about. */
export interface ObjectEvent {
  /** e.g. `ObjectCreated:Put`, `ObjectRemoved:Delete`. */
  readonly name: string;
  readonly bucket: string;
  readonly key: string;
  readonly size?: number;
  /** Without quotes. */
  readonly etag?: string;
  /** The version written or removed (or the delete marker made), in a bucket that has versioning configured. */
  readonly versionId?: string;
  readonly sequencer: string;
  readonly time: number;
  readonly requestId: string;
  readonly hostId: string;
  readonly sourceIp: string;
}

/** Sends event records and test events to the configured destinations, after the request answers. */
export class S3Notifier {
  constructor(
    private readonly targets: NotificationTargets,
    private readonly region: string,
    private readonly accountId: string,
  ) {}

  /** Delivers `event` to every configuration of `configuration` that selects it. */
  notify(configuration: NotificationConfiguration, event: ObjectEvent): void {
    const matching = (list: readonly DestinationConfiguration[]) =>
      list.filter((c) => selects(c, event.name, event.key));
    // one event per configuration that selects it, each to its destination
    for (const c of [...matching(configuration.queues), ...matching(configuration.topics)]) {
      const body = JSON.stringify(this.recordsOf(c, event));
      this.targets.deliveries.run(() => this.deliver(c.arn, body, event.bucket));
    }
    for (const c of matching(configuration.functions)) {
      const records = this.recordsOf(c, event);
      this.targets.deliveries.run(() => this.deliver(c.arn, records, event.bucket));
    }
  }

  /** AWS: setting a configuration sends `s3:TestEvent` to each queue and topic destination. */
  sendTestEvents(
    configuration: NotificationConfiguration,
    bucket: string,
    time: number,
    requestId: string,
    hostId: string,
  ): void {
    const body = JSON.stringify({
      Service: 'Amazon S3',
      Event: 's3:TestEvent',
      Time: new Date(time).toISOString(),
      Bucket: bucket,
      RequestId: requestId,
      HostId: hostId,
    });
    for (const arn of new Set([...configuration.queues, ...configuration.topics].map((c) => c.arn))) {
      this.targets.deliveries.run(() => this.deliver(arn, body, bucket));
    }
  }

  private deliver(arn: string, event: unknown, bucket: string): void {
    try {
      deliverToArn(this.targets, arn, {
        event,
        subject: 'Amazon S3 Notification',
        actingFor: this.targets.integrations && {
          service: 's3.amazonaws.com',
          sourceArn: `arn:aws:s3:::${bucket}`,
          guard: this.targets.integrations,
        },
      });
    } catch {
      // AWS: an event for a destination deleted (or refusing it) after the configuration was set is lost
    }
  }

  private recordsOf(configuration: DestinationConfiguration, event: ObjectEvent): { Records: unknown[] } {
    const object: Record<string, unknown> = { key: encodeEventKey(event.key) };
    if (event.size !== undefined) object.size = event.size;
    if (event.etag !== undefined) object.eTag = event.etag;
    // AWS: versionId follows eTag, in buckets with versioning enabled or suspended
    if (event.versionId !== undefined) object.versionId = event.versionId;
    object.sequencer = event.sequencer;
    return {
      Records: [
        {
          eventVersion: '2.1',
          eventSource: 'aws:s3',
          awsRegion: this.region,
          eventTime: new Date(event.time).toISOString(),
          eventName: event.name,
          userIdentity: { principalId: `AWS:${this.accountId}` },
          requestParameters: { sourceIPAddress: event.sourceIp },
          responseElements: { 'x-amz-request-id': event.requestId, 'x-amz-id-2': event.hostId },
          s3: {
            s3SchemaVersion: '1.0',
            configurationId: configuration.id,
            bucket: {
              name: event.bucket,
              ownerIdentity: { principalId: this.accountId },
              arn: `arn:aws:s3:::${event.bucket}`,
            },
            object,
          },
        },
      ],
    };
  }
}

/** Whether a configuration selects an event: its type (with `*` wildcards) and the key's prefix and suffix. */
export function selects(configuration: DestinationConfiguration, eventName: string, key: string): boolean {
  const full = `s3:${eventName}`;
  const typeMatches = configuration.events.some((e) =>
    e.endsWith(':*') ? full.startsWith(e.slice(0, -1)) : e === full,
  );
  if (!typeMatches) return false;
  const filter = configuration.filter;
  if (filter?.prefix !== undefined && !key.startsWith(filter.prefix)) return false;
  if (filter?.suffix !== undefined && !key.endsWith(filter.suffix)) return false;
  return true;
}

/** AWS URL-encodes keys in event records as HTML forms do: spaces become `+`, `/` stays. */
export function encodeEventKey(key: string): string {
  return encodeURIComponent(key)
    .replace(/[!'()~]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%20/g, '+')
    .replace(/%2F/g, '/');
}
