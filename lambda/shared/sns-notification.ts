import type { SNSMessage, SQSRecord } from 'aws-lambda';

/** A message SNS delivered to an SQS queue: the text as published and its String attributes. */
export interface DeliveredMessage {
  readonly message: string;
  readonly attributes: Readonly<Record<string, string>>;
  /** Whether it came wrapped in the SNS JSON envelope (false for raw message delivery). */
  readonly enveloped: boolean;
}

/**
 * Reads an SQS record that SNS delivered. Without raw message delivery the body is SNS's JSON envelope
 * (`Type: "Notification"`, `Message`, `MessageAttributes` as `{Type, Value}`); with it the body is the message
 * itself and the attributes are SQS message attributes. Either way the caller gets the same shape.
 */
export function deliveredMessage(record: SQSRecord): DeliveredMessage {
  const envelope = snsEnvelope(record.body);
  if (envelope) {
    const attributes: Record<string, string> = {};
    for (const [name, attribute] of Object.entries(envelope.MessageAttributes ?? {})) {
      if (attribute.Type === 'String' || attribute.Type === 'Number') attributes[name] = attribute.Value;
    }
    return { message: envelope.Message, attributes, enveloped: true };
  }
  const attributes: Record<string, string> = {};
  for (const [name, attribute] of Object.entries(record.messageAttributes ?? {})) {
    if (attribute.stringValue !== undefined) attributes[name] = attribute.stringValue;
  }
  return { message: record.body, attributes, enveloped: false };
}

function snsEnvelope(body: string): SNSMessage | undefined {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const candidate = value as Partial<SNSMessage>;
  const isEnvelope =
    candidate.Type === 'Notification' &&
    typeof candidate.Message === 'string' &&
    typeof candidate.TopicArn === 'string' &&
    typeof candidate.MessageId === 'string';
  return isEnvelope ? (candidate as SNSMessage) : undefined;
}
