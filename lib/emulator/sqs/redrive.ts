/** Dead-letter queues: a queue's RedrivePolicy, checked when set and read when messages are received. */
import { invalidParameterValue } from '../errors';
import { boundedJsonObject } from '../kit/json-nesting';
import type { Queue } from './model';

export interface RedrivePolicy {
  readonly deadLetterTargetArn: string;
  readonly maxReceiveCount: number;
}

/** The queue's redrive policy, as stored by validateRedrivePolicy. */
export function redrivePolicyOf(queue: Queue): RedrivePolicy | undefined {
  const text = queue.settings.extra.get('RedrivePolicy');
  if (!text) return undefined;
  return JSON.parse(text);
}

/**
 * Checks a RedrivePolicy being set (its JSON, its dead-letter target and that target's RedriveAllowPolicy) and
 * stores it as AWS does, maxReceiveCount as a number.
 */
export function validateRedrivePolicy(
  attributes: Map<string, string>,
  source: { readonly arn: string; readonly fifo: boolean },
  queueByArn: (arn: string) => Queue | undefined,
): void {
  const text = attributes.get('RedrivePolicy');
  if (text === undefined || text === '') return;
  const reason = (why: string) =>
    invalidParameterValue(`Value ${text} for parameter RedrivePolicy is invalid. Reason: ${why}`);
  const policy = boundedJsonObject(text) as
    { deadLetterTargetArn?: unknown; maxReceiveCount?: unknown } | undefined;
  if (!policy) throw reason('Redrive policy is not a valid JSON map.');
  const arn = policy.deadLetterTargetArn;
  if (arn === undefined)
    throw reason('Redrive policy does not contain mandatory attribute: deadLetterTargetArn.');
  if (policy.maxReceiveCount === undefined) {
    throw reason('Redrive policy does not contain mandatory attribute: maxReceiveCount.');
  }
  if (typeof arn !== 'string' || !/^arn:aws:sqs:[a-z0-9-]+:\d{12}:[a-zA-Z0-9_.-]+$/.test(arn)) {
    throw reason('Invalid value for deadLetterTargetArn.');
  }
  // AWS takes the count as a number or a numeric string; anything else is simply invalid (never stringified whole)
  const raw = policy.maxReceiveCount;
  const count = typeof raw === 'number' || typeof raw === 'string' ? Number(raw) : Number.NaN;
  if (!Number.isInteger(count) || count < 1 || count > 1000) {
    const shown = typeof raw === 'number' || typeof raw === 'string' ? String(raw) : JSON.stringify(raw);
    throw reason(
      `Invalid value for maxReceiveCount: ${shown}, valid values are from 1 to 1000 both inclusive.`,
    );
  }
  const target = queueByArn(arn);
  if (!target) throw reason('Dead letter target does not exist.');
  if (target.fifo !== source.fifo)
    throw reason('Dead-letter queue must be same type of queue as the source.');
  const allow = target.settings.extra.get('RedriveAllowPolicy');
  if (allow) {
    const parsed = JSON.parse(allow) as { redrivePermission: string; sourceQueueArns?: string[] };
    const sourceArn = source.arn;
    if (
      parsed.redrivePermission === 'denyAll' ||
      (parsed.redrivePermission === 'byQueue' && !parsed.sourceQueueArns?.includes(sourceArn))
    ) {
      throw reason(
        `Queue ${sourceArn} is not allowed to use ${arn} as a dead-letter queue (RedriveAllowPolicy).`,
      );
    }
  }
  // AWS stores maxReceiveCount as a number
  attributes.set('RedrivePolicy', JSON.stringify({ deadLetterTargetArn: arn, maxReceiveCount: count }));
}
