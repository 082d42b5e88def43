/**
 * HTTP/S delivery policies: the DeliveryPolicy attribute of subscriptions (`healthyRetryPolicy`, `throttlePolicy`,
 * `requestPolicy`) and of topics (the same under `http.default…`). Validated against AWS's documented limits with
 * AWS's messages, resolved to what one subscription's deliveries follow, and turned into retry delays.
 *
 * AWS: numRetries 0 to 100 in total; minDelayTarget 1 s to maxDelayTarget; maxDelayTarget up to 3,600 s; the
 * immediate (numNoDelayRetries), pre-backoff (numMinDelayRetries) and post-backoff (numMaxDelayRetries) retries
 * together at most numRetries, the rest are the backoff phase; backoffFunction linear, arithmetic, geometric or
 * exponential; maxReceivesPerSecond 1 or more; and the whole retry schedule ends within 3,600 seconds.
 */
import { AwsError } from '../errors';
import { isObject } from '../kit/guards';

export type BackoffFunction = 'linear' | 'arithmetic' | 'geometric' | 'exponential';

export interface RetryPolicy {
  readonly minDelayTarget: number;
  readonly maxDelayTarget: number;
  readonly numRetries: number;
  readonly numNoDelayRetries: number;
  readonly numMinDelayRetries: number;
  readonly numMaxDelayRetries: number;
  readonly backoffFunction: BackoffFunction;
}

/** What one subscription's HTTP/S deliveries follow. */
export interface EffectiveDeliveryPolicy {
  readonly retry: RetryPolicy;
  /** Undefined: no throttling. */
  readonly maxReceivesPerSecond: number | undefined;
  readonly headerContentType: string;
}

/** AWS's default for HTTP/S: 3 retries, 20 seconds apart. */
export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  minDelayTarget: 20,
  maxDelayTarget: 20,
  numRetries: 3,
  numMaxDelayRetries: 0,
  numNoDelayRetries: 0,
  numMinDelayRetries: 0,
  backoffFunction: 'linear',
};
export const DEFAULT_CONTENT_TYPE = 'text/plain; charset=UTF-8';

/** AWS: the total retry time of an HTTP/S delivery policy cannot exceed 3,600 seconds (a hard limit). */
export const MAX_RETRY_SECONDS = 3600;
const MAX_RETRIES = 100;
const BACKOFF_FUNCTIONS = new Set<string>(['linear', 'arithmetic', 'geometric', 'exponential']);
const RETRY_COUNTS = ['numRetries', 'numNoDelayRetries', 'numMinDelayRetries', 'numMaxDelayRetries'] as const;
const SUBSCRIPTION_MEMBERS = new Set([
  'healthyRetryPolicy',
  'sicklyRetryPolicy',
  'throttlePolicy',
  'requestPolicy',
  'guaranteed',
]);
const TOPIC_HTTP_MEMBERS = new Set([
  'defaultHealthyRetryPolicy',
  'defaultSicklyRetryPolicy',
  'disableSubscriptionOverrides',
  'defaultThrottlePolicy',
  'defaultRequestPolicy',
]);
/** Top-level members of a topic's policy: one per protocol (only `http` shapes HTTP/S deliveries here). */
const TOPIC_MEMBERS = new Set([
  'http',
  'https',
  'sqs',
  'lambda',
  'firehose',
  'application',
  'email',
  'email-json',
  'sms',
]);

type Json = Record<string, unknown>;

/**
 * Validates a subscription's DeliveryPolicy; `prefix` is AWS's per-operation wording (`Invalid parameter: Attributes
 * Reason: ` on Subscribe, `Invalid parameter: ` on SetSubscriptionAttributes).
 */
export function validateSubscriptionDeliveryPolicy(text: string, prefix: string): void {
  const fail = failWith(prefix);
  const policy = jsonObject(text, fail);
  for (const key of Object.keys(policy)) {
    if (!SUBSCRIPTION_MEMBERS.has(key)) throw fail(`Unexpected JSON member: ${key}`);
  }
  checkRetryPolicy(policy.healthyRetryPolicy, 'healthyRetryPolicy', fail);
  checkThrottlePolicy(policy.throttlePolicy, 'throttlePolicy', fail);
  checkRequestPolicy(policy.requestPolicy, 'requestPolicy', fail);
}

/** Validates a topic's DeliveryPolicy (`{"http": {"defaultHealthyRetryPolicy": …}}`). */
export function validateTopicDeliveryPolicy(text: string, prefix: string): void {
  const fail = failWith(prefix);
  const policy = jsonObject(text, fail);
  for (const [key, value] of Object.entries(policy)) {
    if (!TOPIC_MEMBERS.has(key)) throw fail(`Unexpected JSON member: ${key}`);
    if (value !== null && !isObject(value)) throw fail(`${key} must be a JSON object`);
  }
  const http = policy.http;
  if (!isObject(http)) return;
  for (const key of Object.keys(http)) {
    if (!TOPIC_HTTP_MEMBERS.has(key)) throw fail(`Unexpected JSON member: http.${key}`);
  }
  checkRetryPolicy(http.defaultHealthyRetryPolicy, 'http.defaultHealthyRetryPolicy', fail);
  checkThrottlePolicy(http.defaultThrottlePolicy, 'http.defaultThrottlePolicy', fail);
  checkRequestPolicy(http.defaultRequestPolicy, 'http.defaultRequestPolicy', fail);
  const disable = http.disableSubscriptionOverrides;
  if (disable !== undefined && disable !== null && typeof disable !== 'boolean') {
    throw fail('http.disableSubscriptionOverrides must be a boolean');
  }
}

/**
 * The policy a subscription's HTTP/S deliveries follow: the subscription's own settings over the topic's defaults
 * (unless the topic disables subscription overrides), over AWS's defaults. Both texts were validated when set.
 */
export function effectiveDeliveryPolicy(
  topicPolicy: string | undefined,
  subscriptionPolicy: string | undefined,
): EffectiveDeliveryPolicy {
  const topic = parseStored(topicPolicy)?.http;
  const topicHttp = isObject(topic) ? topic : {};
  const overrides =
    topicHttp.disableSubscriptionOverrides === true ? undefined : parseStored(subscriptionPolicy);
  const pick = (own: unknown, inherited: unknown): Json | undefined =>
    isObject(own) ? own : isObject(inherited) ? inherited : undefined;
  const retry = pick(overrides?.healthyRetryPolicy, topicHttp.defaultHealthyRetryPolicy);
  const throttle = pick(overrides?.throttlePolicy, topicHttp.defaultThrottlePolicy);
  const request = pick(overrides?.requestPolicy, topicHttp.defaultRequestPolicy);
  const rate = throttle?.maxReceivesPerSecond;
  const contentType = request?.headerContentType;
  return {
    retry: retry ? resolveRetryPolicy(retry) : DEFAULT_RETRY_POLICY,
    maxReceivesPerSecond: typeof rate === 'number' ? rate : undefined,
    headerContentType: typeof contentType === 'string' ? contentType : DEFAULT_CONTENT_TYPE,
  };
}

/** EffectiveDeliveryPolicy as GetSubscriptionAttributes reports it for an HTTP/S subscription. */
export function subscriptionEffectivePolicyJson(policy: EffectiveDeliveryPolicy): string {
  return JSON.stringify({
    healthyRetryPolicy: policy.retry,
    sicklyRetryPolicy: null,
    throttlePolicy:
      policy.maxReceivesPerSecond === undefined
        ? null
        : { maxReceivesPerSecond: policy.maxReceivesPerSecond },
    requestPolicy: { headerContentType: policy.headerContentType },
    guaranteed: false,
  });
}

/** EffectiveDeliveryPolicy as GetTopicAttributes reports it: AWS's defaults with the topic's `http` settings. */
export function topicEffectivePolicyJson(topicPolicy: string | undefined): string {
  const topic = parseStored(topicPolicy)?.http;
  const http = isObject(topic) ? topic : {};
  const effective = effectiveDeliveryPolicy(topicPolicy, undefined);
  return JSON.stringify({
    http: {
      defaultHealthyRetryPolicy: effective.retry,
      disableSubscriptionOverrides: http.disableSubscriptionOverrides === true,
      ...(effective.maxReceivesPerSecond === undefined
        ? {}
        : { defaultThrottlePolicy: { maxReceivesPerSecond: effective.maxReceivesPerSecond } }),
      defaultRequestPolicy: { headerContentType: effective.headerContentType },
    },
  });
}

/**
 * Seconds to wait before retry number `retry` (1-based), or undefined when the policy allows no more. The phases
 * come in AWS's order: immediate, pre-backoff (minDelayTarget apart), backoff (from minDelayTarget to
 * maxDelayTarget along the backoff function), post-backoff (maxDelayTarget apart). AWS adds jitter; the emulator
 * does not, so tests can move a manual clock to the exact moment.
 */
export function retryDelaySeconds(policy: RetryPolicy, retry: number): number | undefined {
  if (retry < 1 || retry > policy.numRetries) return undefined;
  if (retry <= policy.numNoDelayRetries) return 0;
  let step = retry - policy.numNoDelayRetries;
  if (step <= policy.numMinDelayRetries) return policy.minDelayTarget;
  step -= policy.numMinDelayRetries;
  const backoff =
    policy.numRetries - policy.numNoDelayRetries - policy.numMinDelayRetries - policy.numMaxDelayRetries;
  if (step > backoff) return policy.maxDelayTarget;
  return backoffDelay(policy, step, backoff);
}

/** Delay of backoff retry `step` of `count`: the first waits minDelayTarget, the last maxDelayTarget. */
function backoffDelay(policy: RetryPolicy, step: number, count: number): number {
  const min = policy.minDelayTarget;
  const max = policy.maxDelayTarget;
  if (count <= 1 || min === max) return min;
  const t = (step - 1) / (count - 1);
  switch (policy.backoffFunction) {
    case 'linear':
      return min + (max - min) * t;
    case 'arithmetic':
      return min + (max - min) * t * t;
    case 'geometric':
      return min * (max / min) ** t;
    case 'exponential':
      return min + ((max - min) * (2 ** (step - 1) - 1)) / (2 ** (count - 1) - 1);
  }
}

// ----- validation -------------------------------------------------------------------------------------------

function failWith(prefix: string): (reason: string) => AwsError {
  return (reason) => new AwsError('InvalidParameter', `${prefix}DeliveryPolicy: ${reason}`);
}

function jsonObject(text: string, fail: (reason: string) => AwsError): Json {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw fail('failed to parse JSON.');
  }
  if (!isObject(value)) throw fail('failed to parse JSON.');
  return value;
}

function checkRetryPolicy(value: unknown, path: string, fail: (reason: string) => AwsError): void {
  if (value === undefined || value === null) return;
  if (!isObject(value)) throw fail(`${path} must be a JSON object`);
  for (const field of ['minDelayTarget', 'maxDelayTarget', ...RETRY_COUNTS] as const) {
    const n = value[field];
    if (n !== undefined && n !== null && (typeof n !== 'number' || !Number.isInteger(n))) {
      throw fail(`${path}.${field} must be an integer`);
    }
  }
  const atLeast = (field: string, n: unknown, min: number) => {
    if (typeof n === 'number' && n < min)
      throw fail(`${path}.${field} must be greater than or equal to ${min}`);
  };
  const atMost = (field: string, n: unknown, max: number) => {
    if (typeof n === 'number' && n > max) throw fail(`${path}.${field} must be less than or equal to ${max}`);
  };
  for (const field of RETRY_COUNTS) atLeast(field, value[field], 0);
  atMost('numRetries', value.numRetries, MAX_RETRIES);
  atLeast('minDelayTarget', value.minDelayTarget, 1);
  atMost('minDelayTarget', value.minDelayTarget, MAX_RETRY_SECONDS);
  atLeast('maxDelayTarget', value.maxDelayTarget, 1);
  atMost('maxDelayTarget', value.maxDelayTarget, MAX_RETRY_SECONDS);
  const backoff = value.backoffFunction;
  if (
    backoff !== undefined &&
    backoff !== null &&
    (typeof backoff !== 'string' || !BACKOFF_FUNCTIONS.has(backoff.toLowerCase()))
  ) {
    throw fail(`${path}.backoffFunction must be one of linear, arithmetic, geometric, exponential`);
  }
  const resolved = resolveRetryPolicy(value);
  if (resolved.minDelayTarget > resolved.maxDelayTarget) {
    throw fail(`${path}.maxDelayTarget must be greater than or equal to minDelayTarget`);
  }
  if (
    resolved.numNoDelayRetries + resolved.numMinDelayRetries + resolved.numMaxDelayRetries >
    resolved.numRetries
  ) {
    throw fail(
      `${path}.numRetries must be greater than or equal to total of numMinDelayRetries, numNoDelayRetries and numMaxDelayRetries`,
    );
  }
}

function checkThrottlePolicy(value: unknown, path: string, fail: (reason: string) => AwsError): void {
  if (value === undefined || value === null) return;
  if (!isObject(value)) throw fail(`${path} must be a JSON object`);
  const rate = value.maxReceivesPerSecond;
  if (rate === undefined || rate === null) return;
  if (typeof rate !== 'number' || !Number.isInteger(rate))
    throw fail(`${path}.maxReceivesPerSecond must be an integer`);
  if (rate < 1) throw fail(`${path}.maxReceivesPerSecond must be greater than or equal to 1`);
}

function checkRequestPolicy(value: unknown, path: string, fail: (reason: string) => AwsError): void {
  if (value === undefined || value === null) return;
  if (!isObject(value)) throw fail(`${path} must be a JSON object`);
  const type = value.headerContentType;
  if (type === undefined || type === null) return;
  // it becomes a request header: printable ASCII only (a CR or LF would make Node refuse the request)
  if (typeof type !== 'string' || type.length < 1 || type.length > 256 || !/^[\x20-\x7e]+$/.test(type)) {
    throw fail(`${path}.headerContentType is not a supported content type`);
  }
}

/** A validated retry policy with AWS's defaults filled in (a missing maxDelayTarget follows minDelayTarget up). */
function resolveRetryPolicy(value: Json): RetryPolicy {
  const int = (n: unknown): number | undefined => (typeof n === 'number' ? n : undefined);
  const min = int(value.minDelayTarget);
  const max = int(value.maxDelayTarget);
  const backoff = typeof value.backoffFunction === 'string' ? value.backoffFunction.toLowerCase() : 'linear';
  return {
    minDelayTarget:
      min ?? Math.min(DEFAULT_RETRY_POLICY.minDelayTarget, max ?? DEFAULT_RETRY_POLICY.minDelayTarget),
    maxDelayTarget:
      max ?? Math.max(DEFAULT_RETRY_POLICY.maxDelayTarget, min ?? DEFAULT_RETRY_POLICY.maxDelayTarget),
    numRetries: int(value.numRetries) ?? DEFAULT_RETRY_POLICY.numRetries,
    numNoDelayRetries: int(value.numNoDelayRetries) ?? 0,
    numMinDelayRetries: int(value.numMinDelayRetries) ?? 0,
    numMaxDelayRetries: int(value.numMaxDelayRetries) ?? 0,
    backoffFunction: (BACKOFF_FUNCTIONS.has(backoff) ? backoff : 'linear') as BackoffFunction,
  };
}

function parseStored(text: string | undefined): Json | undefined {
  if (!text) return undefined;
  try {
    const value: unknown = JSON.parse(text);
    return isObject(value) ? value : undefined;
  } catch {
    return undefined;
  }
}
