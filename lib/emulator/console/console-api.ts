/**
 * The console's own JSON endpoints under `/_console/api/`: what the control API (`/_emulator/`) and the AWS wire do
 * not already answer in one call — stacks with their resources, a queue's page, topics and the filter tester,
 * buckets, functions with their invocations' log lines, dashboards, alarms and fleets. Reads come from the
 * services in-process; actions call the same service methods the AWS wire calls, so validation and errors are
 * AWS's. The console sends queue actions (send, receive, delete, move tasks) and object uploads straight to the
 * AWS wire.
 */
import type { Emulator } from '../emulator';
import { notEmulatedReason, RESOURCE_HANDLERS } from '../deploy/resources';
import { KEPT_HANDLERS } from '../deploy/resources/kept';
import { AwsError } from '../errors';
import type { WireRequest, WireResponse } from '../protocol/router';
import type { SnsMessageAttribute } from '../sns/model';
import { dashboardBodies, renderDashboard } from './dashboards';
import { testFilterPolicies } from './filter-tester';
import type { ConsoleObservations } from './observations';

/** A console API error: the status and AWS-style code the page shows. */
export class ConsoleApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const HOUR_MS = 3_600_000;
/** The ranges a chart may show, as the AWS console offers them. */
const RANGES: Readonly<Record<string, number>> = {
  '15m': HOUR_MS / 4,
  '1h': HOUR_MS,
  '3h': 3 * HOUR_MS,
  '12h': 12 * HOUR_MS,
  '1d': 24 * HOUR_MS,
  '1w': 7 * 24 * HOUR_MS,
};

export class ConsoleApi {
  constructor(
    private readonly emulator: () => Emulator,
    private readonly observations: ConsoleObservations,
  ) {}

  /** Answers `/_console/api/<path>`; the caller has checked method and content type. */
  async handle(request: WireRequest, path: string): Promise<WireResponse> {
    try {
      return json(200, await this.route(request, path));
    } catch (error) {
      if (error instanceof ConsoleApiError) return json(error.status, errorBody(error.code, error.message));
      if (error instanceof AwsError) return json(error.httpStatus, errorBody(error.code, error.message));
      throw error;
    }
  }

  private async route(request: WireRequest, path: string): Promise<unknown> {
    const [resource, ...rest] = path.split('/');
    const name = rest.length > 0 ? decodePart(rest.join('/')) : undefined;
    if (request.method === 'GET') {
      switch (resource) {
        case 'overview':
          return this.overview();
        case 'queue':
          return this.queue(required(name, 'queue name'));
        case 'topics':
          return this.topics();
        case 'buckets':
          return name === undefined
            ? this.buckets()
            : this.bucket(name, request.query.get('prefix') ?? '', request.query.get('after') ?? undefined);
        case 'functions':
          return name === undefined ? this.functions() : this.function(name);
        case 'streams':
          return this.streams();
        case 'metrics':
          return this.metrics(rangeOf(request.query.get('range')));
        case 'fleet':
          return this.fleet(rangeOf(request.query.get('range')));
      }
    } else if (request.method === 'POST') {
      const input = bodyOf(request);
      switch (`${resource}/${rest.join('/')}`) {
        case 'topics/test-filter':
          return this.testFilter(input);
        case 'topics/publish':
          return this.publish(input);
        case 'functions/invoke':
          return this.invoke(input);
        case 'queues/purge':
          return this.purge(input);
      }
    }
    throw new ConsoleApiError(404, 'NotFound', `The console has no ${request.method} /_console/api/${path}.`);
  }

  // ----- stacks --------------------------------------------------------------------------------------------------

  private overview(): unknown {
    const emulator = this.emulator();
    const cfn = emulator.cloudformation;
    const stacks = (cfn.describeStacks({}).Stacks as Array<Record<string, unknown>>).map((stack) => {
      const stackName = stack.StackName as string;
      const resources = (
        cfn.describeStackResources({ StackName: stackName }).StackResources as Array<Record<string, unknown>>
      ).map((r) => {
        const type = r.ResourceType as string;
        const physicalId = (r.PhysicalResourceId as string | undefined) ?? '';
        return {
          logicalId: r.LogicalResourceId,
          type,
          physicalId,
          resourceStatus: r.ResourceStatus,
          reason: r.ResourceStatusReason,
          ...emulationOf(type),
          page: pageOf(type, physicalId),
        };
      });
      return {
        stackName,
        status: stack.StackStatus,
        outputs: ((stack.Outputs as Array<Record<string, string>> | undefined) ?? []).map((o) => ({
          key: o.OutputKey,
          value: o.OutputValue,
          description: o.Description,
        })),
        tags: stack.Tags,
        resources,
      };
    });
    return {
      endpoint: emulator.endpoint,
      region: emulator.region,
      accountId: emulator.accountId,
      stacks,
    };
  }

  // ----- queues --------------------------------------------------------------------------------------------------

  private queue(name: string): unknown {
    const sqs = this.emulator().sqs;
    const url = sqs.getQueueUrl({ QueueName: name }).QueueUrl as string;
    const { Attributes = {} } = sqs.getQueueAttributes({ QueueUrl: url, AttributeNames: ['All'] });
    const { Tags = {} } = sqs.listQueueTags({ QueueUrl: url });
    const arn = Attributes.QueueArn ?? '';
    // move tasks run from a dead-letter queue: ListMessageMoveTasks by its ARN
    let moveTasks: unknown[] = [];
    try {
      moveTasks = sqs.listMessageMoveTasks({ SourceArn: arn, MaxResults: 10 }).Results ?? [];
    } catch (error) {
      if (!(error instanceof AwsError)) throw error;
    }
    return {
      name,
      url,
      attributes: Attributes,
      tags: Tags,
      redrivePolicy: parseOrUndefined(Attributes.RedrivePolicy),
      redriveAllowPolicy: parseOrUndefined(Attributes.RedriveAllowPolicy),
      purgeRefusal: purgeRefusal(Attributes.Policy, Tags),
      moveTasks,
    };
  }

  /**
   * PurgeQueue, refused as AWS refuses it when the queue's policy denies sqs:PurgeQueue to everyone (what the app's
   * prod stage deploys: allowQueuePurge=false), and otherwise by SQS itself (once a minute per queue).
   */
  private purge(input: Record<string, unknown>): unknown {
    const sqs = this.emulator().sqs;
    const url = stringMember(input, 'QueueUrl');
    const queue = sqs.queueOf(url);
    const { Attributes = {} } = sqs.getQueueAttributes({ QueueUrl: url, AttributeNames: ['Policy'] });
    const { Tags = {} } = sqs.listQueueTags({ QueueUrl: url });
    const refusal = purgeRefusal(Attributes.Policy, Tags);
    if (refusal !== undefined) throw new ConsoleApiError(403, 'AccessDenied', refusal);
    sqs.purgeQueue({ QueueUrl: url });
    return { purged: queue.name };
  }

  // ----- topics --------------------------------------------------------------------------------------------------

  private topics(): unknown {
    const sns = this.emulator().sns;
    return {
      topics: sns.topicArns().map((arn) => {
        const { Attributes = {} } = sns.getTopicAttributes({ TopicArn: arn });
        const { Subscriptions = [] } = sns.listSubscriptionsByTopic({ TopicArn: arn });
        return {
          arn,
          name: arn.slice(arn.lastIndexOf(':') + 1),
          fifo: Attributes.FifoTopic === 'true',
          subscriptions: Subscriptions.map((s) => {
            const attributes =
              sns.getSubscriptionAttributes({ SubscriptionArn: s.SubscriptionArn ?? '' }).Attributes ?? {};
            return {
              arn: s.SubscriptionArn,
              protocol: s.Protocol,
              endpoint: s.Endpoint,
              filterPolicy: attributes.FilterPolicy,
              filterPolicyScope: attributes.FilterPolicyScope,
              rawMessageDelivery: attributes.RawMessageDelivery === 'true',
              redrivePolicy: attributes.RedrivePolicy,
            };
          }),
        };
      }),
    };
  }

  private testFilter(input: Record<string, unknown>): unknown {
    const topicArn = stringMember(input, 'TopicArn');
    const message = typeof input.Message === 'string' ? input.Message : '';
    const attributes = snsAttributes(input.MessageAttributes);
    if (!this.emulator().sns.hasTopic(topicArn)) {
      throw new AwsError('NotFound', 'Topic does not exist', 404);
    }
    return { verdicts: testFilterPolicies(this.emulator(), topicArn, message, attributes) };
  }

  private publish(input: Record<string, unknown>): unknown {
    const optional = (member: string) => {
      const value = input[member];
      if (value === undefined || value === '') return undefined;
      if (typeof value !== 'string') throw badInput(`${member} must be a string`);
      return value;
    };
    return this.emulator().sns.publish({
      TopicArn: stringMember(input, 'TopicArn'),
      Message: typeof input.Message === 'string' ? input.Message : undefined,
      Subject: optional('Subject'),
      MessageGroupId: optional('MessageGroupId'),
      MessageDeduplicationId: optional('MessageDeduplicationId'),
      MessageAttributes: snsAttributes(input.MessageAttributes),
    });
  }

  // ----- buckets -------------------------------------------------------------------------------------------------

  private buckets(): unknown {
    const s3 = this.emulator().s3;
    return {
      buckets: s3
        .bucketNames()
        .map((name) => ({ name, notifications: notificationsOf(this.emulator(), name) })),
    };
  }

  private bucket(name: string, prefix: string, after: string | undefined): unknown {
    const emulator = this.emulator();
    const listing = emulator.s3.listObjectsV2({
      bucket: name,
      prefix,
      delimiter: '/',
      maxKeys: 200,
      continuationToken: after,
    });
    return {
      name,
      prefix,
      notifications: notificationsOf(emulator, name),
      folders: listing.commonPrefixes,
      objects: listing.contents.map((o) => ({
        key: o.key,
        size: o.body.length,
        etag: o.etag,
        lastModified: new Date(o.lastModified).toISOString(),
        contentType: o.headers.contentType,
        metadata: o.metadata,
      })),
      next: listing.isTruncated ? listing.nextContinuationToken : undefined,
    };
  }

  // ----- functions -----------------------------------------------------------------------------------------------

  private functions(): unknown {
    const { lambda } = this.emulator();
    return {
      functions: lambda.listFunctions().map((f) => ({
        name: f.FunctionName,
        runtime: f.Runtime,
        handler: f.Handler,
        invocations: this.observations.invocations(f.FunctionName).length,
      })),
      observing: this.observations.started,
    };
  }

  private function(name: string): unknown {
    const emulator = this.emulator();
    const description = emulator.lambda.getFunction(name);
    const mappings = emulator.lambda.listEventSourceMappings({ functionName: name });
    const invocations = [...this.observations.invocations(description.FunctionName)]
      .reverse()
      .slice(0, 50)
      .map((i) => ({ ...i, at: new Date(i.at).toISOString(), log: this.observations.linesOf(i.requestId) }));
    return {
      configuration: description,
      eventSources: mappings.map((m) => ({
        uuid: m.UUID,
        eventSourceArn: m.EventSourceArn,
        batchSize: m.BatchSize,
      })),
      invocations,
      templates: eventTemplates(emulator, description.FunctionName),
    };
  }

  private async invoke(input: Record<string, unknown>): Promise<unknown> {
    const name = stringMember(input, 'FunctionName');
    const text = typeof input.Payload === 'string' ? input.Payload : '{}';
    let payload: unknown;
    try {
      payload = JSON.parse(text);
    } catch {
      // AWS: Lambda refuses a payload that is not JSON before running anything
      throw new AwsError('InvalidRequestContentException', 'Could not parse request body into json', 400);
    }
    const output = await this.emulator().lambda.invoke(name, payload, 'RequestResponse', { tail: true });
    return {
      requestId: output.requestId,
      statusCode: output.statusCode,
      functionError: output.functionError,
      payload: output.payload,
      // LogType Tail's last 4 KB, base64 on the wire: the page shows the text
      log: output.log === undefined ? undefined : Buffer.from(output.log, 'base64').toString('utf8'),
    };
  }

  // ----- streams -------------------------------------------------------------------------------------------------

  /**
   * Kinesis data streams with their shards (the wire's DescribeStreamSummary and ListShards, so retention applies
   * as for an SDK), the event source mappings reading each, and the Firehose delivery streams.
   */
  private streams(): unknown {
    const { kinesis, lambda, firehose } = this.emulator();
    const deliveryStreams = firehose.deliveryStreamNames().map((name) => {
      const d = firehose.describeDeliveryStream({ DeliveryStreamName: name }).DeliveryStreamDescription;
      const s3 = d?.Destinations?.[0]?.ExtendedS3DestinationDescription;
      return {
        name,
        type: d?.DeliveryStreamType,
        sourceStreamArn: d?.Source?.KinesisStreamSourceDescription?.KinesisStreamARN,
        bucket: s3?.BucketARN?.replace(/^arn:aws:s3:::/, ''),
        prefix: s3?.Prefix ?? '',
        bufferedRecords: firehose.bufferedRecords(name),
      };
    });
    const streams = kinesis.allStreams().map((stream) => {
      const summary = kinesis.describeStreamSummary({ StreamName: stream.name }).StreamDescriptionSummary;
      const shards = kinesis.listShards({ StreamName: stream.name }).Shards ?? [];
      return {
        name: stream.name,
        arn: stream.arn,
        status: summary?.StreamStatus,
        mode: summary?.StreamModeDetails?.StreamMode,
        retentionHours: summary?.RetentionPeriodHours,
        encryption: summary?.EncryptionType,
        keyId: summary?.KeyId,
        openShardCount: summary?.OpenShardCount,
        shards: shards.map((s) => {
          const kept = stream.shard(s.ShardId ?? '');
          return {
            shardId: s.ShardId,
            parentShardId: s.ParentShardId,
            adjacentParentShardId: s.AdjacentParentShardId,
            startingHashKey: s.HashKeyRange?.StartingHashKey,
            endingHashKey: s.HashKeyRange?.EndingHashKey,
            // AWS: a closed shard is one with an ending sequence number
            open: s.SequenceNumberRange?.EndingSequenceNumber === undefined,
            records: kept?.retainedCount ?? 0,
            latestSequenceNumber: kept?.last()?.sequenceNumber,
          };
        }),
        eventSourceMappings: lambda.listEventSourceMappings({ eventSourceArn: stream.arn }).map((m) => ({
          uuid: m.UUID,
          functionName: m.FunctionArn?.slice(m.FunctionArn.lastIndexOf(':function:') + ':function:'.length),
          state: m.State,
          batchSize: m.BatchSize,
          startingPosition: m.StartingPosition,
        })),
        deliveryStreams: deliveryStreams.filter((f) => f.sourceStreamArn === stream.arn).map((f) => f.name),
      };
    });
    return { streams, deliveryStreams };
  }

  // ----- metrics, alarms and fleets ------------------------------------------------------------------------------

  private metrics(rangeMs: number): unknown {
    const emulator = this.emulator();
    const dashboards = dashboardBodies(emulator).map((d) => renderDashboard(emulator, d, rangeMs));
    return { now: emulator.clock.now(), rangeMs, dashboards, alarms: this.alarms() };
  }

  private alarms(names?: readonly string[]): unknown[] {
    const cloudwatch = this.emulator().cloudwatch;
    const { MetricAlarms = [] } = cloudwatch.describeAlarms(names ? { AlarmNames: [...names] } : {});
    return MetricAlarms.map((alarm) => ({
      name: alarm.AlarmName,
      state: alarm.StateValue,
      reason: alarm.StateReason,
      metric:
        alarm.MetricName ??
        (alarm.Metrics ?? []).map((m) => m.Expression ?? m.MetricStat?.Metric?.MetricName).join(', '),
      threshold: alarm.Threshold,
      comparison: alarm.ComparisonOperator,
      history: (
        cloudwatch.describeAlarmHistory({
          AlarmName: alarm.AlarmName,
          HistoryItemType: 'StateUpdate',
          MaxRecords: 20,
        }).AlarmHistoryItems ?? []
      ).map((h) => ({ at: new Date(h.Timestamp as Date).getTime(), summary: h.HistorySummary })),
    }));
  }

  private fleet(rangeMs: number): unknown {
    const emulator = this.emulator();
    const { autoscaling, cloudwatch } = emulator;
    const end = emulator.clock.now();
    const start = end - rangeMs;
    const { MetricAlarms = [] } = cloudwatch.describeAlarms({});
    const groups = autoscaling.describeAutoScalingGroups().AutoScalingGroups.map((group) => {
      const name = group.AutoScalingGroupName ?? '';
      const alarms = MetricAlarms.filter((a) =>
        [...(a.AlarmActions ?? []), ...(a.OKActions ?? [])].some(
          (arn) => arn.startsWith('arn:aws:autoscaling:') && arn.includes(`:autoScalingGroupName/${name}:`),
        ),
      );
      const queues = [
        ...new Set(
          alarms.flatMap((a) =>
            [
              ...(a.Namespace === 'AWS/SQS' ? (a.Dimensions ?? []) : []),
              ...(a.Metrics ?? []).flatMap((m) =>
                m.MetricStat?.Metric?.Namespace === 'AWS/SQS' ? (m.MetricStat.Metric.Dimensions ?? []) : [],
              ),
            ]
              .filter((d) => d.Name === 'QueueName' && d.Value !== undefined)
              .map((d) => d.Value as string),
          ),
        ),
      ];
      const backlog = queues.map((queueName) => {
        const result = cloudwatch.getMetricData({
          MetricDataQueries: [
            {
              Id: 'backlog',
              MetricStat: {
                Metric: {
                  Namespace: 'AWS/SQS',
                  MetricName: 'ApproximateNumberOfMessagesVisible',
                  Dimensions: [{ Name: 'QueueName', Value: queueName }],
                },
                Period: 60,
                Stat: 'Maximum',
              },
            },
          ],
          StartTime: new Date(start),
          EndTime: new Date(end),
          ScanBy: 'TimestampAscending',
        }).MetricDataResults?.[0];
        return {
          queueName,
          timestamps: (result?.Timestamps ?? []).map((t) => new Date(t).getTime()),
          values: [...(result?.Values ?? [])],
        };
      });
      const instances = (group.Instances ?? []).map((i) => ({
        instanceId: i.InstanceId,
        state: i.LifecycleState,
        health: i.HealthStatus,
        log: this.observations.instanceLog(i.InstanceId ?? '').slice(-20),
      }));
      return {
        name,
        min: group.MinSize,
        max: group.MaxSize,
        desired: group.DesiredCapacity,
        desiredHistory: autoscaling.desiredCapacityHistory(name).map((c) => ({ ...c })),
        capacity: this.observations.capacity(name),
        backlog,
        alarms: this.alarms(alarms.map((a) => a.AlarmName ?? '')),
        instances,
        activities: (
          autoscaling.describeScalingActivities({ AutoScalingGroupName: name, MaxRecords: 20 }).Activities ??
          []
        ).map((a) => ({
          at: a.StartTime === undefined ? undefined : new Date(a.StartTime).getTime(),
          description: a.Description,
          cause: a.Cause,
          status: a.StatusCode,
        })),
      };
    });
    return { now: end, rangeMs, groups };
  }
}

// ----- helpers of this API ---------------------------------------------------------------------------------------

function json(status: number, body: unknown): WireResponse {
  return {
    status,
    // the API's answers are the emulator's state: never cached, never sniffed as something else
    headers: {
      'content-type': 'application/json; charset=utf-8',
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
    },
    body: JSON.stringify(body),
  };
}

export function errorBody(code: string, message: string): unknown {
  return { error: { code, message } };
}

function badInput(message: string): ConsoleApiError {
  return new ConsoleApiError(400, 'ValidationError', message);
}

function decodePart(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    throw badInput('The path is not valid percent-encoding.');
  }
}

function required(value: string | undefined, what: string): string {
  if (value === undefined || value === '') throw badInput(`The path names no ${what}.`);
  return value;
}

function rangeOf(text: string | null): number {
  if (text === null) return 3 * HOUR_MS;
  const range = Object.hasOwn(RANGES, text) ? RANGES[text] : undefined;
  if (range === undefined)
    throw badInput(`range must be one of ${Object.keys(RANGES).join(', ')}, got '${text.slice(0, 20)}'`);
  return range;
}

function bodyOf(request: WireRequest): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(request.body.toString('utf8') || '{}');
  } catch {
    throw badInput('The request body is not JSON.');
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw badInput('The request body must be a JSON object.');
  }
  return parsed as Record<string, unknown>;
}

function stringMember(input: Record<string, unknown>, member: string): string {
  const value = input[member];
  if (typeof value !== 'string' || value === '')
    throw badInput(`${member} is required and must be a string.`);
  return value;
}

/** SNS MessageAttributes as the SNS JSON shape: `{ name: { DataType, StringValue } }` (binary is not offered). */
function snsAttributes(value: unknown): Record<string, SnsMessageAttribute> {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value))
    throw badInput('MessageAttributes must be an object.');
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length > 10) throw badInput('A message can have at most 10 attributes.');
  // own properties only, whatever the names (`__proto__` included): fromEntries defines, never assigns
  return Object.fromEntries(
    entries.map(([name, attribute]) => {
      const a = attribute as { DataType?: unknown; StringValue?: unknown } | null;
      if (
        a === null ||
        typeof a !== 'object' ||
        typeof a.DataType !== 'string' ||
        typeof a.StringValue !== 'string'
      ) {
        throw badInput(`Message attribute ${name.slice(0, 256)} needs a DataType and a StringValue.`);
      }
      return [name, { DataType: a.DataType, StringValue: a.StringValue }];
    }),
  );
}

function parseOrUndefined(text: string | undefined): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** Why purging this queue is refused: its policy denies sqs:PurgeQueue to every principal (the prod stage's). */
export function purgeRefusal(
  policyText: string | undefined,
  tags: Readonly<Record<string, string>>,
): string | undefined {
  if (!policyText) return undefined;
  let policy: { Statement?: unknown };
  try {
    policy = JSON.parse(policyText) as { Statement?: unknown };
  } catch {
    return undefined;
  }
  const statements = Array.isArray(policy.Statement) ? policy.Statement : [policy.Statement];
  const denies = statements.some(
    (s: { Effect?: unknown; Action?: unknown; Principal?: unknown; Condition?: unknown } | undefined) => {
      if (!s || s.Effect !== 'Deny' || s.Condition !== undefined) return false;
      const actions = Array.isArray(s.Action) ? s.Action : [s.Action];
      const everyone =
        s.Principal === '*' ||
        (typeof s.Principal === 'object' &&
          s.Principal !== null &&
          (s.Principal as { AWS?: unknown }).AWS === '*');
      return everyone && actions.some((a) => a === 'sqs:PurgeQueue' || a === 'sqs:*' || a === '*');
    },
  );
  if (!denies) return undefined;
  const stage = tags.stage === undefined ? '' : ` (stage ${tags.stage}: allowQueuePurge is false)`;
  return `Purge refused: the queue's policy denies sqs:PurgeQueue to every principal${stage}, as AWS would refuse it. Delete messages one by one, or redrive them.`;
}

/** How local mode deploys a type, as the start-up table classes it: emulated, kept (recorded only) or not, and why. */
function emulationOf(type: string): {
  readonly status: 'emulated' | 'kept' | 'not-emulated';
  readonly why?: string;
} {
  if (type === 'AWS::CloudWatch::Dashboard')
    return { status: 'kept', why: "drawn on this console's Metrics page" };
  if (Object.hasOwn(KEPT_HANDLERS, type))
    return { status: 'kept', why: 'recorded for later checks; not acted on locally' };
  if (Object.hasOwn(RESOURCE_HANDLERS, type)) return { status: 'emulated' };
  return { status: 'not-emulated', why: notEmulatedReason(type) };
}

/** The console page of a resource, by its type and physical id. */
function pageOf(type: string, physicalId: string): string | undefined {
  if (!physicalId) return undefined;
  const last = physicalId.slice(physicalId.lastIndexOf('/') + 1);
  switch (type) {
    case 'AWS::SQS::Queue':
      return `#/queues/${encodeURIComponent(last)}`;
    case 'AWS::SNS::Topic':
      return `#/topics/${encodeURIComponent(physicalId.slice(physicalId.lastIndexOf(':') + 1))}`;
    case 'AWS::S3::Bucket':
      return `#/buckets/${encodeURIComponent(physicalId)}`;
    case 'AWS::Lambda::Function':
      return `#/functions/${encodeURIComponent(physicalId)}`;
    case 'AWS::AutoScaling::AutoScalingGroup':
      return '#/fleet';
    case 'AWS::Kinesis::Stream':
    case 'AWS::KinesisFirehose::DeliveryStream':
      return '#/streams';
    case 'AWS::CloudWatch::Alarm':
    case 'AWS::CloudWatch::Dashboard':
      return '#/metrics';
  }
  return undefined;
}

function notificationsOf(emulator: Emulator, bucket: string): unknown {
  const config = emulator.s3.getBucketNotificationConfiguration(bucket);
  const describe = (kind: string) => (d: { id?: string; arn?: string; events?: readonly string[] }) => ({
    kind,
    id: d.id,
    arn: d.arn,
    events: d.events,
  });
  return [
    ...config.queues.map(describe('queue')),
    ...config.topics.map(describe('topic')),
    ...config.functions.map(describe('function')),
    ...(config.eventBridge ? [{ kind: 'eventbridge' }] : []),
  ];
}

/** Test events for Invoke, prefilled with the app's own resources: an S3 put, an SQS batch, an SNS notification. */
function eventTemplates(emulator: Emulator, functionName: string): Record<string, unknown> {
  const { region, accountId } = emulator;
  const bucket = emulator.s3.bucketNames()[0] ?? 'my-bucket';
  const mapping = emulator.lambda.listEventSourceMappings({ functionName })[0];
  const queueArn = mapping?.EventSourceArn ?? `arn:aws:sqs:${region}:${accountId}:my-queue`;
  const topicArn = emulator.sns.topicArns()[0] ?? `arn:aws:sns:${region}:${accountId}:my-topic`;
  const now = new Date(emulator.clock.now()).toISOString();
  return {
    's3-put': {
      Records: [
        {
          eventVersion: '2.1',
          eventSource: 'aws:s3',
          awsRegion: region,
          eventTime: now,
          eventName: 'ObjectCreated:Put',
          s3: {
            s3SchemaVersion: '1.0',
            bucket: { name: bucket, arn: `arn:aws:s3:::${bucket}` },
            object: { key: 'incoming/example.json', size: 2, eTag: '99914b932bd37a50b983c5e7c90ae93b' },
          },
        },
      ],
    },
    'sqs-batch': {
      Records: [
        {
          messageId: '00000000-0000-4000-8000-000000000001',
          receiptHandle: 'example',
          body: '{"jobId":"example"}',
          attributes: { ApproximateReceiveCount: '1', SentTimestamp: String(emulator.clock.now()) },
          messageAttributes: {},
          md5OfBody: '',
          eventSource: 'aws:sqs',
          eventSourceARN: queueArn,
          awsRegion: region,
        },
      ],
    },
    sns: {
      Records: [
        {
          EventSource: 'aws:sns',
          EventVersion: '1.0',
          EventSubscriptionArn: `${topicArn}:00000000-0000-4000-8000-000000000001`,
          Sns: {
            Type: 'Notification',
            MessageId: '00000000-0000-4000-8000-000000000002',
            TopicArn: topicArn,
            Subject: null,
            Message: '{"symbol":"ACME","price":42}',
            Timestamp: now,
            MessageAttributes: {},
          },
        },
      ],
    },
  };
}
