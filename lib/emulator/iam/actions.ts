/**
 * Which IAM actions on which resources an AWS call needs, per service, as the Service Authorization Reference
 * lists them: `sqs:SendMessage` on the queue for SendMessageBatch, `s3:ListBucket` on the bucket for
 * ListObjectsV2, `s3:GetObject` on the object for HeadObject, `lambda:InvokeFunction` for Invoke.
 */

/** One permission a call needs. */
export interface RequiredPermission {
  readonly action: string;
  readonly resource: string;
}

export interface CallToAuthorize {
  /** The SigV4 signing name of the service: `sqs`, `s3`, `monitoring`. */
  readonly service: string;
  readonly operation: string;
  readonly input: Readonly<Record<string, unknown>>;
}

export interface Place {
  readonly region: string;
  readonly accountId: string;
}

/** AWS: these calls need no permission (anyone may ask who they are). */
const UNAUTHORIZED_CALLS: ReadonlySet<string> = new Set(['sts:GetCallerIdentity']);

/** The IAM prefix of a signing name, where they differ (CloudWatch signs as `monitoring`). */
const ACTION_PREFIXES: ReadonlyMap<string, string> = new Map([['monitoring', 'cloudwatch']]);

/** The permissions a call needs; an empty list for calls AWS does not authorize. */
export function requiredPermissions(call: CallToAuthorize, place: Place): RequiredPermission[] {
  const prefix = ACTION_PREFIXES.get(call.service) ?? call.service;
  if (UNAUTHORIZED_CALLS.has(`${prefix}:${call.operation}`)) return [];
  const table = TABLES[prefix];
  const found = table?.(call.operation, call.input, place);
  return found ?? [{ action: `${prefix}:${call.operation}`, resource: '*' }];
}

type Table = (
  operation: string,
  input: Readonly<Record<string, unknown>>,
  place: Place,
) => RequiredPermission[] | undefined;

const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

// ----- SQS --------------------------------------------------------------------------------------------------

/** AWS: a batch call is authorized as its single-message action. */
const SQS_ACTIONS: Readonly<Record<string, string>> = {
  SendMessageBatch: 'SendMessage',
  DeleteMessageBatch: 'DeleteMessage',
  ChangeMessageVisibilityBatch: 'ChangeMessageVisibility',
};

/** A queue's ARN from its URL (`http://host/ACCOUNT/NAME`): the last path segment is the name. */
export function queueArnOfUrl(url: string, place: Place): string {
  const trimmed = url.endsWith('/') ? url.slice(0, -1) : url;
  const name = trimmed.slice(trimmed.lastIndexOf('/') + 1);
  return `arn:aws:sqs:${place.region}:${place.accountId}:${name}`;
}

const sqs: Table = (operation, input, place) => {
  const action = `sqs:${SQS_ACTIONS[operation] ?? operation}`;
  const url = text(input.QueueUrl);
  if (url !== undefined) return [{ action, resource: queueArnOfUrl(url, place) }];
  const name = text(input.QueueName);
  if (name !== undefined) {
    return [{ action, resource: `arn:aws:sqs:${place.region}:${place.accountId}:${name}` }];
  }
  const source = text(input.SourceArn) ?? text(input.TaskHandle);
  if (operation === 'StartMessageMoveTask' || operation === 'ListMessageMoveTasks') {
    return [{ action, resource: source ?? '*' }];
  }
  return [{ action, resource: '*' }];
};

// ----- SNS --------------------------------------------------------------------------------------------------

/** A topic's ARN from a subscription's (`TOPIC_ARN:ID`). */
function topicOfSubscription(arn: string): string {
  return arn.slice(0, arn.lastIndexOf(':'));
}

const sns: Table = (operation, input) => {
  const action = `sns:${operation === 'PublishBatch' ? 'Publish' : operation}`;
  const topic =
    text(input.TopicArn) ??
    text(input.TargetArn) ??
    (text(input.SubscriptionArn) && topicOfSubscription(text(input.SubscriptionArn) as string)) ??
    text(input.ResourceArn);
  return [{ action, resource: topic ?? '*' }];
};

// ----- S3 ---------------------------------------------------------------------------------------------------

/** S3 operations whose IAM action has another name (the rest are `s3:<Operation>`). */
const S3_ACTIONS: Readonly<Record<string, string>> = {
  HeadObject: 'GetObject',
  HeadBucket: 'ListBucket',
  ListObjects: 'ListBucket',
  ListObjectsV2: 'ListBucket',
  ListObjectVersions: 'ListBucketVersions',
  ListBuckets: 'ListAllMyBuckets',
  CreateMultipartUpload: 'PutObject',
  UploadPart: 'PutObject',
  UploadPartCopy: 'PutObject',
  CompleteMultipartUpload: 'PutObject',
  CopyObject: 'PutObject',
  DeleteObjects: 'DeleteObject',
  ListParts: 'ListMultipartUploadParts',
  ListMultipartUploads: 'ListBucketMultipartUploads',
  GetBucketNotificationConfiguration: 'GetBucketNotification',
  PutBucketNotificationConfiguration: 'PutBucketNotification',
  GetBucketEncryption: 'GetEncryptionConfiguration',
  PutBucketEncryption: 'PutEncryptionConfiguration',
  DeleteBucketEncryption: 'PutEncryptionConfiguration',
  DeleteBucketOwnershipControls: 'PutBucketOwnershipControls',
  DeleteBucketTagging: 'PutBucketTagging',
  GetBucketLifecycleConfiguration: 'GetLifecycleConfiguration',
  PutBucketLifecycleConfiguration: 'PutLifecycleConfiguration',
};

/** AWS: reading or deleting a specific version needs the `…Version` action. */
const S3_VERSION_ACTIONS: ReadonlySet<string> = new Set([
  'GetObject',
  'DeleteObject',
  'GetObjectTagging',
  'PutObjectTagging',
  'DeleteObjectTagging',
  'GetObjectAcl',
  'PutObjectAcl',
]);

const s3: Table = (operation, input) => {
  let action = S3_ACTIONS[operation] ?? operation;
  if (text(input.VersionId) !== undefined && S3_VERSION_ACTIONS.has(action)) action = `${action}Version`;
  const bucket = text(input.Bucket);
  if (operation === 'ListBuckets' || bucket === undefined) return [{ action: `s3:${action}`, resource: '*' }];
  const key = text(input.Key);
  const needs: RequiredPermission[] = [];
  if (operation === 'DeleteObjects') {
    const objects = (input.Delete as { Objects?: Array<{ Key?: string }> } | undefined)?.Objects ?? [];
    for (const o of objects)
      needs.push({ action: 's3:DeleteObject', resource: `arn:aws:s3:::${bucket}/${o.Key ?? ''}` });
    return needs.length > 0 ? needs : [{ action: 's3:DeleteObject', resource: `arn:aws:s3:::${bucket}/*` }];
  }
  needs.push({
    action: `s3:${action}`,
    resource: key === undefined ? `arn:aws:s3:::${bucket}` : `arn:aws:s3:::${bucket}/${key}`,
  });
  // AWS: a copy reads its source too
  const source = text(input.CopySource);
  if (source !== undefined) {
    const decoded = safeDecode(source.startsWith('/') ? source.slice(1) : source);
    const [path, query] = decoded.split('?versionId=');
    needs.push({ action: query ? 's3:GetObjectVersion' : 's3:GetObject', resource: `arn:aws:s3:::${path}` });
  }
  return needs;
};

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

// ----- Lambda -----------------------------------------------------------------------------------------------

const LAMBDA_ACTIONS: Readonly<Record<string, string>> = {
  Invoke: 'InvokeFunction',
  InvokeAsync: 'InvokeAsync',
  InvokeWithResponseStream: 'InvokeFunction',
  GetFunctionConfiguration: 'GetFunctionConfiguration',
};

/** A function's ARN from a name, a partial ARN (`ACCOUNT:function:NAME`) or a full one (a qualifier dropped). */
function functionArn(name: string, place: Place): string {
  if (name.startsWith('arn:')) return name.split(':').slice(0, 7).join(':');
  const parts = name.split(':');
  const bare = parts.length >= 3 ? parts[2] : parts[0];
  return `arn:aws:lambda:${place.region}:${place.accountId}:function:${bare}`;
}

const lambda: Table = (operation, input, place) => {
  const action = `lambda:${LAMBDA_ACTIONS[operation] ?? operation}`;
  const fn = text(input.FunctionName);
  if (fn !== undefined) return [{ action, resource: functionArn(fn, place) }];
  const uuid = text(input.UUID);
  if (uuid !== undefined) {
    return [
      { action, resource: `arn:aws:lambda:${place.region}:${place.accountId}:event-source-mapping:${uuid}` },
    ];
  }
  return [{ action, resource: '*' }];
};

// ----- CloudWatch, Logs, SSM --------------------------------------------------------------------------------

const cloudwatch: Table = (operation, input, place) => {
  const action = `cloudwatch:${operation}`;
  const alarm = (name: string) => `arn:aws:cloudwatch:${place.region}:${place.accountId}:alarm:${name}`;
  const one = text(input.AlarmName);
  if (one !== undefined) return [{ action, resource: alarm(one) }];
  const many = input.AlarmNames;
  if (Array.isArray(many) && many.length > 0 && operation !== 'DescribeAlarms') {
    return many.map((n) => ({ action, resource: alarm(String(n)) }));
  }
  return [{ action, resource: '*' }];
};

const logs: Table = (operation, input, place) => {
  const action = `logs:${operation}`;
  const group = text(input.logGroupName);
  if (group === undefined) return [{ action, resource: '*' }];
  const base = `arn:aws:logs:${place.region}:${place.accountId}:log-group:${group}`;
  const stream = text(input.logStreamName);
  return [{ action, resource: stream === undefined ? `${base}:*` : `${base}:log-stream:${stream}` }];
};

function parameterArn(name: string, place: Place): string {
  if (name.startsWith('arn:')) return name;
  return `arn:aws:ssm:${place.region}:${place.accountId}:parameter${name.startsWith('/') ? '' : '/'}${name}`;
}

const ssm: Table = (operation, input, place) => {
  const action = `ssm:${operation}`;
  const name = text(input.Name) ?? text(input.Path);
  if (name !== undefined) return [{ action, resource: parameterArn(name, place) }];
  const names = input.Names;
  if (Array.isArray(names) && names.length > 0) {
    return names.map((n) => ({ action, resource: parameterArn(String(n), place) }));
  }
  return [{ action, resource: '*' }];
};

const kinesis: Table = (operation, input, place) => {
  const action = `kinesis:${operation}`;
  const arn = text(input.StreamARN);
  const name = text(input.StreamName);
  if (arn !== undefined) return [{ action, resource: arn }];
  if (name !== undefined) {
    return [{ action, resource: `arn:aws:kinesis:${place.region}:${place.accountId}:stream/${name}` }];
  }
  return [{ action, resource: '*' }];
};

const TABLES: Readonly<Record<string, Table>> = { sqs, sns, s3, lambda, cloudwatch, logs, ssm, kinesis };
