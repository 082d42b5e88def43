/** Queue attributes: validation of what callers set, defaults, and the string map AWS returns. */
import { AwsError } from '../errors';
import { boundedJsonObject } from '../kit/json-nesting';
import type { QueueSettings } from './model';

const INTEGER_RANGES: Record<string, [number, number]> = {
  DelaySeconds: [0, 900],
  MaximumMessageSize: [1024, 1_048_576],
  MessageRetentionPeriod: [60, 1_209_600],
  ReceiveMessageWaitTimeSeconds: [0, 20],
  VisibilityTimeout: [0, 43_200],
  KmsDataKeyReusePeriodSeconds: [60, 86_400],
};

type IntegerSetting =
  | 'DelaySeconds'
  | 'MaximumMessageSize'
  | 'MessageRetentionPeriod'
  | 'ReceiveMessageWaitTimeSeconds'
  | 'VisibilityTimeout';
const INTEGER_SETTINGS = new Set<string>([
  'DelaySeconds',
  'MaximumMessageSize',
  'MessageRetentionPeriod',
  'ReceiveMessageWaitTimeSeconds',
  'VisibilityTimeout',
]);

/** Attributes any queue accepts in CreateQueue and SetQueueAttributes. */
const SETTABLE = new Set<string>([
  ...INTEGER_SETTINGS,
  'Policy',
  'RedrivePolicy',
  'RedriveAllowPolicy',
  'KmsMasterKeyId',
  'KmsDataKeyReusePeriodSeconds',
  'SqsManagedSseEnabled',
]);
const FIFO_SETTABLE = new Set<string>([
  'ContentBasedDeduplication',
  'DeduplicationScope',
  'FifoThroughputLimit',
]);

/** Every name GetQueueAttributes accepts. */
export const READABLE_ATTRIBUTES = new Set<string>([
  ...SETTABLE,
  ...FIFO_SETTABLE,
  'FifoQueue',
  'All',
  'ApproximateNumberOfMessages',
  'ApproximateNumberOfMessagesNotVisible',
  'ApproximateNumberOfMessagesDelayed',
  'CreatedTimestamp',
  'LastModifiedTimestamp',
  'QueueArn',
]);

export function defaultSettings(fifo: boolean): QueueSettings {
  const extra = new Map<string, string>([['SqsManagedSseEnabled', 'true']]);
  if (fifo) {
    extra.set('FifoQueue', 'true');
    extra.set('ContentBasedDeduplication', 'false');
    extra.set('DeduplicationScope', 'queue');
    extra.set('FifoThroughputLimit', 'perQueue');
  }
  return {
    DelaySeconds: 0,
    MaximumMessageSize: 1_048_576,
    MessageRetentionPeriod: 345_600,
    ReceiveMessageWaitTimeSeconds: 0,
    VisibilityTimeout: 30,
    extra,
  };
}

function invalidValue(name: string, reason?: string): AwsError {
  return new AwsError(
    'InvalidAttributeValue',
    reason
      ? `Invalid value for the parameter ${name}. Reason: ${reason}`
      : `Invalid value for the parameter ${name}.`,
  );
}

function unknownAttribute(name: string): AwsError {
  return new AwsError('InvalidAttributeName', `Unknown Attribute ${name}.`);
}

/**
 * Checks names and value syntax and returns the attributes normalized (AWS echoes integers without
 * leading zeros). Cross-queue checks (the dead-letter target exists) are the service's job.
 */
export function validateAttributes(
  attributes: Record<string, string>,
  fifo: boolean,
  creating: boolean,
): Map<string, string> {
  const out = new Map<string, string>();
  for (const [name, raw] of Object.entries(attributes)) {
    if (typeof raw !== 'string') throw invalidValue(name);
    const value = raw;
    if (name === 'FifoQueue') {
      if (!creating) {
        if (fifo) throw invalidValue(name, 'Modifying queue type is not supported.');
        throw unknownAttribute(name);
      }
      if (value !== 'true' && value !== 'false') throw invalidValue(name);
      out.set(name, value);
      continue;
    }
    if (FIFO_SETTABLE.has(name)) {
      if (!fifo) throw unknownAttribute(name);
      if (name === 'ContentBasedDeduplication' && value !== 'true' && value !== 'false')
        throw invalidValue(name);
      if (name === 'DeduplicationScope' && value !== 'messageGroup' && value !== 'queue')
        throw invalidValue(name);
      if (name === 'FifoThroughputLimit' && value !== 'perQueue' && value !== 'perMessageGroupId')
        throw invalidValue(name);
      out.set(name, value);
      continue;
    }
    if (!SETTABLE.has(name)) throw unknownAttribute(name);
    const range = INTEGER_RANGES[name];
    if (range) {
      if (!/^\s*[+-]?\d{1,12}\s*$/.test(value)) throw invalidValue(name);
      const n = Number.parseInt(value, 10);
      if (n < range[0] || n > range[1]) throw invalidValue(name);
      out.set(name, String(n));
      continue;
    }
    switch (name) {
      case 'SqsManagedSseEnabled':
        if (value !== 'true' && value !== 'false') throw invalidValue(name);
        break;
      case 'Policy':
        if (value !== '' && !isJsonObject(value)) throw invalidValue(name);
        break;
      case 'RedriveAllowPolicy':
        if (value !== '') validateRedriveAllowPolicy(value);
        break;
    }
    out.set(name, value);
  }
  if (out.get('SqsManagedSseEnabled') === 'true' && out.get('KmsMasterKeyId')) {
    throw new AwsError(
      'InvalidAttributeName',
      'You can use one type of server-side encryption (SSE) at one time. You can either enable KMS SSE or SQS SSE.',
    );
  }
  return out;
}

/** A JSON object of bounded nesting: policies are stringified and walked later, which a deep one would overflow. */
export function isJsonObject(text: string): boolean {
  return boundedJsonObject(text) !== undefined;
}

function validateRedriveAllowPolicy(text: string): void {
  const reason = (why: string) =>
    new AwsError(
      'InvalidParameterValue',
      `Value ${text} for parameter RedriveAllowPolicy is invalid. Reason: ${why}`,
    );
  const policy = boundedJsonObject(text) as
    { redrivePermission?: unknown; sourceQueueArns?: unknown } | undefined;
  if (!policy) throw reason('Invalid JSON.');
  const permission = policy.redrivePermission;
  if (permission !== 'allowAll' && permission !== 'denyAll' && permission !== 'byQueue') {
    throw reason('Invalid value for redrivePermission.');
  }
  const arns = policy.sourceQueueArns;
  if (permission === 'byQueue') {
    if (
      !Array.isArray(arns) ||
      arns.length === 0 ||
      arns.length > 10 ||
      arns.some((a) => typeof a !== 'string')
    ) {
      throw reason(
        'sourceQueueArns must contain between 1 and 10 queue ARNs when redrivePermission is byQueue.',
      );
    }
  } else if (arns !== undefined) {
    throw reason('sourceQueueArns can be specified only when redrivePermission is byQueue.');
  }
}

/** Applies validated attributes to a queue's settings. */
export function applyAttributes(settings: QueueSettings, attributes: Map<string, string>): void {
  for (const [name, value] of attributes) {
    if (INTEGER_SETTINGS.has(name)) {
      settings[name as IntegerSetting] = Number(value);
    } else if (
      value === '' &&
      (name === 'Policy' || name === 'RedrivePolicy' || name === 'RedriveAllowPolicy')
    ) {
      settings.extra.delete(name); // AWS: an empty value removes these
    } else if (name === 'KmsMasterKeyId') {
      if (value === '') settings.extra.delete(name);
      else {
        settings.extra.set(name, value);
        settings.extra.set('SqsManagedSseEnabled', 'false');
        if (!settings.extra.has('KmsDataKeyReusePeriodSeconds'))
          settings.extra.set('KmsDataKeyReusePeriodSeconds', '300');
      }
    } else {
      settings.extra.set(name, value);
    }
  }
}

/** The value GetQueueAttributes reports for a stored (non-computed) attribute. */
export function storedAttribute(settings: QueueSettings, name: string): string | undefined {
  if (INTEGER_SETTINGS.has(name)) return String(settings[name as IntegerSetting]);
  return settings.extra.get(name);
}
