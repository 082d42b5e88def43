/**
 * The request log: one line per call, so a client that fails against the emulator is no mystery.
 *
 *   08:21:03.123 sqs SendMessage orders 200 2ms
 *   08:21:03.131 s3 GetObject uploads/orders/o-1.json 404 NoSuchKey 1ms
 *   08:21:04.002 s3 PutBucketLifecycleConfiguration uploads 501 NotImplemented 0ms
 *
 * `requests` prints every call; `failures` (the default) only what the emulator got wrong or does not emulate:
 * 5xx answers, 501s, operations and services it does not emulate.
 */
import type { CallSummary, WireResponse } from './router';

export type RequestLogMode = 'requests' | 'failures';

export const REQUEST_LOG_MODES: readonly RequestLogMode[] = ['requests', 'failures'];

/** What one logged call was, for a caller that wants more than the line (tests, the console). */
export interface LoggedCall {
  readonly time: Date;
  readonly service: string;
  readonly operation: string;
  readonly resource: string;
  readonly status: number;
  readonly errorCode?: string;
  readonly milliseconds: number;
}

/** Members that name what a call acts on, most specific first (a key within a bucket comes with it). */
const RESOURCE_MEMBERS = [
  'QueueUrl',
  'QueueName',
  'TopicArn',
  'TargetArn',
  'SubscriptionArn',
  'FunctionName',
  'AlarmName',
  'AlarmNames',
  'AutoScalingGroupName',
  'AutoScalingGroupNames',
  'logGroupName',
  'logGroupIdentifier',
  'StackName',
  'ChangeSetName',
  'RoleArn',
  'Name',
  'Namespace',
  'Bucket',
] as const;

/** A resource name longer than this is cut: the line stays one line of a terminal. */
const MAX_RESOURCE_CHARS = 120;

export class RequestLog {
  constructor(
    readonly mode: RequestLogMode,
    private readonly write: (line: string, call: LoggedCall) => void,
  ) {}

  /** Logs a call answered with `response`, `startedAt` from performance.now() when its request arrived. */
  record(response: WireResponse, startedAt: number, fallback: () => Partial<CallSummary>): void {
    const summary: CallSummary = response.summary ?? { service: '-', ...fallback() };
    const failed = response.status >= 500 || summary.unemulated === true;
    if (this.mode === 'failures' && !failed) return;
    const call: LoggedCall = {
      time: new Date(),
      service: printable(summary.service ?? '') || '-',
      operation: printable(summary.operation ?? '') || '-',
      resource: resourceOf(summary.input),
      status: response.status,
      errorCode: summary.errorCode === undefined ? undefined : printable(summary.errorCode),
      milliseconds: Math.max(0, Math.round(performance.now() - startedAt)),
    };
    this.write(lineOf(call), call);
  }
}

export function lineOf(call: LoggedCall): string {
  const fields = [clockTime(call.time), call.service, call.operation, call.resource, String(call.status)];
  if (call.errorCode) fields.push(call.errorCode);
  fields.push(`${call.milliseconds}ms`);
  return fields.join(' ');
}

/** The resource a call names: a queue or topic by name, `bucket/key`, a function, an alarm, a stack… */
export function resourceOf(input: Readonly<Record<string, unknown>> | undefined): string {
  if (!input) return '-';
  for (const member of RESOURCE_MEMBERS) {
    const value = input[member];
    const first = Array.isArray(value) ? value[0] : value;
    if (typeof first !== 'string' || first === '') continue;
    let name = member === 'QueueUrl' ? lastSegment(first, '/') : first;
    if (first.startsWith('arn:')) name = arnResource(first);
    if (member === 'Bucket' && typeof input.Key === 'string') name = `${first}/${input.Key}`;
    if (Array.isArray(value) && value.length > 1) name += ` (+${value.length - 1})`;
    return printable(name) || '-';
  }
  return '-';
}

/** A topic's or role's name out of its ARN; a subscription keeps its topic and id. */
function arnResource(arn: string): string {
  const parts = arn.split(':');
  if (parts.length < 6 || parts[0] !== 'arn') return arn;
  return parts
    .slice(5)
    .join(':')
    .replace(/^role\//, '');
}

function lastSegment(text: string, separator: string): string {
  const trimmed = text.endsWith(separator) ? text.slice(0, -1) : text;
  return trimmed.slice(trimmed.lastIndexOf(separator) + 1);
}

/**
 * Client-chosen text made safe for a terminal: control characters (an escape sequence in a key could rewrite the
 * operator's screen) and spaces shown as `\xNN`, cut to a line's worth.
 */
export function printable(text: string): string {
  let out = '';
  for (const char of text.slice(0, MAX_RESOURCE_CHARS + 1)) {
    const code = char.codePointAt(0)!;
    out +=
      code <= 0x20 || code === 0x7f || (code >= 0x80 && code <= 0x9f)
        ? `\\x${code.toString(16).padStart(2, '0')}`
        : char;
    if (out.length >= MAX_RESOURCE_CHARS) return `${out.slice(0, MAX_RESOURCE_CHARS)}…`;
  }
  return out;
}

/** `08:21:03.123`, the machine's local time of day: what an operator compares with their own terminal. */
function clockTime(time: Date): string {
  const two = (n: number) => String(n).padStart(2, '0');
  return `${two(time.getHours())}:${two(time.getMinutes())}:${two(time.getSeconds())}.${String(time.getMilliseconds()).padStart(3, '0')}`;
}
