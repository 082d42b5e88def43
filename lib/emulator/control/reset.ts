/**
 * `POST /_emulator/reset`: back to an empty emulator, through the services' own operations. Stacks are deleted
 * by their engine first (it knows what it made, and stops instance processes), then whatever is left is deleted
 * service by service: delivery streams, data streams, queues, topics, buckets with their objects and uploads, functions and their mappings,
 * alarms and metrics, groups (instances stopped), parameters, log groups, and what the console remembers (recent
 * invocations, capacity samples). Local mode then deploys its stacks again.
 */
import type { Emulator } from '../emulator';

/** How long a reset waits, in real time, for groups' instances to stop. */
const GROUP_STOP_WAIT_MS = 10_000;

/** Context for S3 deletes made by the emulator itself. */
const RESET_CONTEXT = { requestId: 'emulator-reset', hostId: 'emulator-reset', sourceIp: '127.0.0.1' };

export async function resetEmulator(emulator: Emulator): Promise<void> {
  const { cloudformation } = emulator;
  await emulator.idle();
  await cloudformation.settled();
  // objects first: a stack's bucket that still holds objects fails to delete, as on AWS
  emptyBuckets(emulator);
  const stacks = liveStacks(emulator);
  // the last created first: a stack that imports another's exports goes before it
  for (const stack of [...stacks].reverse()) {
    cloudformation.updateTerminationProtection({ StackName: stack, EnableTerminationProtection: false });
    cloudformation.deleteStack({ StackName: stack });
    await cloudformation.settled();
  }
  await deleteLeftovers(emulator);
  // a stack whose resources were deleted above (or are retained) is deleted without them
  for (const stack of liveStacks(emulator).reverse()) {
    const retain = cloudformation
      .listStackResources({ StackName: stack })
      .StackResourceSummaries.map((r) => (r as { LogicalResourceId: string }).LogicalResourceId);
    cloudformation.deleteStack({ StackName: stack, RetainResources: retain });
    await cloudformation.settled();
  }
  emulator.cloudwatch.store.pruneBefore(Infinity);
  // log groups the functions made themselves (a stack's own groups went with it)
  for (const logGroupName of emulator.logs.logGroupNames()) emulator.logs.deleteLogGroup({ logGroupName });
  emulator.webConsole.observations.forget();
  emulator.sqs.forgetDeletedQueues();
  await emulator.idle();
}

function liveStacks(emulator: Emulator): string[] {
  const names: string[] = [];
  let token: string | undefined;
  do {
    const page = emulator.cloudformation.describeStacks({ NextToken: token });
    for (const stack of page.Stacks) names.push((stack as { StackName: string }).StackName);
    token = page.NextToken;
  } while (token !== undefined);
  return names;
}

/** Every object version, delete marker and multipart upload of every bucket, without notifications. */
function emptyBuckets(emulator: Emulator): void {
  const { s3 } = emulator;
  for (const name of s3.bucketNames()) {
    // a reset sends no ObjectRemoved events
    s3.putBucketNotificationConfiguration(
      name,
      { topics: [], queues: [], functions: [], eventBridge: false },
      RESET_CONTEXT,
    );
    for (;;) {
      const uploads = s3.listMultipartUploads(name, { maxUploads: 1000 }).uploads;
      if (uploads.length === 0) break;
      for (const upload of uploads) s3.abortMultipartUpload(name, upload.key, upload.uploadId);
    }
    for (;;) {
      const versions = s3.listObjectVersions(name, { maxKeys: 1000 }).versions;
      if (versions.length === 0) break;
      for (const { version } of versions) {
        s3.deleteObject(name, version.key, RESET_CONTEXT, version.versionId ?? 'null');
      }
    }
  }
}

async function deleteLeftovers(emulator: Emulator): Promise<void> {
  const { lambda, sqs, sns, s3, cloudwatch, autoscaling, ssm } = emulator;
  for (const mapping of lambda.listEventSourceMappings()) {
    await lambda.deleteEventSourceMapping(mapping.UUID as string);
  }
  for (const fn of lambda.listFunctions()) lambda.deleteFunction(fn.FunctionName);
  // delivery streams read the data streams: they go first
  emulator.firehose.reset();
  emulator.kinesis.deleteAllStreams();
  for (const group of autoscaling.describeAutoScalingGroups().AutoScalingGroups) {
    autoscaling.deleteAutoScalingGroup({
      AutoScalingGroupName: group.AutoScalingGroupName,
      ForceDelete: true,
    });
  }
  for (;;) {
    const { MetricAlarms = [], CompositeAlarms = [] } = cloudwatch.describeAlarms({ MaxRecords: 100 });
    const names = [...MetricAlarms, ...CompositeAlarms].map((a) => a.AlarmName as string);
    if (names.length === 0) break;
    cloudwatch.deleteAlarms({ AlarmNames: names });
  }
  for (const queue of [...sqs.allQueues()]) sqs.deleteQueue({ QueueUrl: queue.url });
  for (const arn of sns.topicArns()) sns.deleteTopic({ TopicArn: arn });
  emptyBuckets(emulator);
  for (const name of s3.bucketNames()) s3.deleteBucket(name);
  for (;;) {
    const names = (ssm.describeParameters({ MaxResults: 50 }).Parameters ?? []).map((p) => p.Name as string);
    if (names.length === 0) break;
    for (let i = 0; i < names.length; i += 10) ssm.deleteParameters({ Names: names.slice(i, i + 10) });
  }
  // instances get their shutdown signal; the groups go once every instance has stopped
  const until = Date.now() + GROUP_STOP_WAIT_MS;
  while (autoscaling.describeAutoScalingGroups().AutoScalingGroups.length > 0 && Date.now() < until) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
