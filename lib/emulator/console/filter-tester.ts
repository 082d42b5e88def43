/**
 * The topic page's filter tester: which of a topic's subscriptions a message with these attributes would reach,
 * matched by the same filter-policy engine SNS delivers with, and for each one it would not reach, the policy
 * keys that fail (each key is tried alone: AWS ANDs the top-level keys of a policy).
 */
import type { Emulator } from '../emulator';
import { AwsError } from '../errors';
import {
  type FilterableAttribute,
  type FilterPolicyScope,
  matchesAttributes,
  matchesBody,
  parseBody,
  parseFilterPolicy,
} from '../sns/filter-policy';

export interface FilterVerdict {
  readonly subscriptionArn: string;
  readonly protocol: string;
  readonly endpoint: string;
  readonly filterPolicy?: string;
  readonly scope: FilterPolicyScope;
  readonly reached: boolean;
  /** Why it is not reached: one line per failing policy key. */
  readonly reasons: readonly string[];
}

export function testFilterPolicies(
  emulator: Emulator,
  topicArn: string,
  message: string,
  attributes: Readonly<Record<string, FilterableAttribute>>,
): FilterVerdict[] {
  const { Subscriptions = [] } = emulator.sns.listSubscriptionsByTopic({ TopicArn: topicArn });
  return Subscriptions.map((subscription) => {
    const arn = subscription.SubscriptionArn ?? '';
    const { Attributes = {} } = emulator.sns.getSubscriptionAttributes({ SubscriptionArn: arn });
    const scope = (Attributes.FilterPolicyScope as FilterPolicyScope | undefined) ?? 'MessageAttributes';
    const text = Attributes.FilterPolicy;
    const base = {
      subscriptionArn: arn,
      protocol: subscription.Protocol ?? '',
      endpoint: subscription.Endpoint ?? '',
      filterPolicy: text,
      scope,
    };
    if (Attributes.PendingConfirmation === 'true') {
      return { ...base, reached: false, reasons: ['the subscription is pending confirmation'] };
    }
    if (!text) return { ...base, reached: true, reasons: [] };
    const matches = (policyText: string) => {
      const policy = parseFilterPolicy(policyText, scope, 'SetSubscriptionAttributes');
      return scope === 'MessageBody'
        ? matchesBody(policy, parseBody(message))
        : matchesAttributes(policy, attributes);
    };
    if (matches(text)) return { ...base, reached: true, reasons: [] };
    const policy = JSON.parse(text) as Record<string, unknown>;
    const reasons = Object.entries(policy)
      .filter(([key, value]) => !safeMatches(matches, JSON.stringify({ [key]: value })))
      .map(([key, value]) => reasonFor(scope, key, value, attributes));
    return {
      ...base,
      reached: false,
      reasons: reasons.length > 0 ? reasons : ['the policy as a whole does not match'],
    };
  });
}

function safeMatches(matches: (text: string) => boolean, text: string): boolean {
  try {
    return matches(text);
  } catch (error) {
    if (error instanceof AwsError) return false;
    throw error;
  }
}

function reasonFor(
  scope: FilterPolicyScope,
  key: string,
  wanted: unknown,
  attributes: Readonly<Record<string, FilterableAttribute>>,
): string {
  const want = JSON.stringify(wanted);
  if (key === '$or') return `none of the $or alternatives ${want} matches`;
  if (scope === 'MessageBody') {
    return `body key "${key}" does not match ${want}`;
  }
  const attribute = Object.hasOwn(attributes, key) ? attributes[key] : undefined;
  if (attribute === undefined) return `attribute "${key}" is missing (the policy wants ${want})`;
  return `attribute "${key}" is ${attribute.DataType} ${JSON.stringify(attribute.StringValue ?? '')}, the policy wants ${want}`;
}
