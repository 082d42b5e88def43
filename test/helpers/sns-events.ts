import type { SQSEvent, SQSMessageAttributes } from 'aws-lambda';

export const QUOTE_TOPIC_ARN = 'arn:aws:sns:us-east-1:123456789012:quotes';

/**
 * The body SQS holds for an SNS subscription without raw delivery: AWS's JSON notification envelope
 * (note `SigningCertURL` and `UnsubscribeURL` here, unlike the Lambda event's casing). AWS leaves
 * `MessageAttributes` out when the message has none.
 */
export function snsEnvelopeBody(
  message: string,
  attributes: Record<string, string> = {},
  topicArn = QUOTE_TOPIC_ARN,
): string {
  const envelope: Record<string, unknown> = {
    Type: 'Notification',
    MessageId: '22b80b92-fdea-4c2c-8f9d-bdfb0c7bf324',
    TopicArn: topicArn,
    Message: message,
    Timestamp: '2026-11-21T10:00:00.000Z',
    SignatureVersion: '1',
    Signature:
      'EXAMPLEpH+DcEwjAPg8O9mY8dReBSwksfg2S7WKQcikcNKWLQjwu6A4VbeS0QHVCkhRS7fUQvi2egU3N858fiTDN6bkkOxYDVrY0Ad8L10Hs3zH81mtnPk5uvvolIC1CXGu43obcgFxeL3khZl8IKvO61GWB6jI9b5+gLPoBc1Q=',
    SigningCertURL:
      'https://sns.us-east-1.amazonaws.com/SimpleNotificationService-0000000000000000000000.pem',
    UnsubscribeURL: `https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe&SubscriptionArn=${topicArn}:1`,
  };
  if (Object.keys(attributes).length > 0) {
    envelope.MessageAttributes = Object.fromEntries(
      Object.entries(attributes).map(([name, value]) => [name, { Type: 'String', Value: value }]),
    );
  }
  return JSON.stringify(envelope, null, 2);
}

/** An SQS batch as raw message delivery leaves it: the SNS attributes become SQS String message attributes. */
export function withMessageAttributes(event: SQSEvent, attributes: Array<Record<string, string>>): SQSEvent {
  return {
    Records: event.Records.map((record, i) => ({
      ...record,
      messageAttributes: Object.fromEntries(
        Object.entries(attributes[i] ?? {}).map(([name, value]) => [
          name,
          { dataType: 'String', stringValue: value, stringListValues: [], binaryListValues: [] },
        ]),
      ) as SQSMessageAttributes,
    })),
  };
}
