/**
 * SNS subscription filter policies: parsed and validated once (on Subscribe and SetSubscriptionAttributes, with
 * AWS's messages), then matched against each published message's attributes or JSON body. The pattern engine is
 * shared with Lambda's event filtering (kit/filter-patterns); SNS adds its scopes, its messages and attributes.
 */
import { AwsError } from '../errors';
import { type FilterPattern, type Scalar, matchesLookup, parseFilterPattern } from '../kit/filter-patterns';

export { matchesBody, type ParsedBody, parseBody } from '../kit/filter-patterns';

export type FilterPolicyScope = 'MessageAttributes' | 'MessageBody';

export interface FilterPolicy extends FilterPattern {
  readonly scope: FilterPolicyScope;
}

/** A message attribute as SNS carries it. */
export interface FilterableAttribute {
  readonly DataType: string;
  readonly StringValue?: string;
  readonly BinaryValue?: Uint8Array;
}

/**
 * Parses and validates a filter policy. `context` selects AWS's message prefix: Subscribe reports
 * `Invalid parameter: Attributes Reason: FilterPolicy: …`, SetSubscriptionAttributes `Invalid parameter: FilterPolicy: …`.
 */
export function parseFilterPolicy(
  text: string,
  scope: FilterPolicyScope,
  context: 'Subscribe' | 'SetSubscriptionAttributes',
): FilterPolicy {
  const prefix = context === 'Subscribe' ? 'Invalid parameter: Attributes Reason: ' : 'Invalid parameter: ';
  const fail = (message: string) => new AwsError('InvalidParameter', `${prefix}${message}`);
  const { branches } = parseFilterPattern(text, {
    invalid: (reason) => fail(`FilterPolicy: ${reason}`),
    refuseNestedKeys:
      scope === 'MessageAttributes'
        ? () => fail('Filter policy scope MessageAttributes does not support nested filter policy')
        : undefined,
  });
  return { scope, branches };
}

export function matchesAttributes(
  policy: FilterPolicy,
  attributes: Readonly<Record<string, FilterableAttribute>>,
): boolean {
  return matchesLookup(policy, (path) => {
    const key = path[0];
    if (path.length !== 1 || !Object.hasOwn(attributes, key)) return undefined;
    return attributeValues(attributes[key]);
  });
}

function attributeValues(attribute: FilterableAttribute): Scalar[] {
  const type = attribute.DataType.split('.', 1)[0];
  const text = attribute.StringValue;
  if (type === 'Binary' || text === undefined) return [];
  if (attribute.DataType === 'String.Array') {
    try {
      const array: unknown = JSON.parse(text);
      if (!Array.isArray(array)) return [];
      return array.filter((v): v is Scalar => v === null || typeof v !== 'object');
    } catch {
      return [];
    }
  }
  if (type === 'Number') {
    const n = Number(text);
    return Number.isFinite(n) ? [n] : [];
  }
  return [text];
}
