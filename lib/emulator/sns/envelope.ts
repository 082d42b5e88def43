/**
 * What SNS writes to subscribers: the JSON notification envelope (SQS, HTTP/S), the Lambda event, and the
 * subscription confirmation. Field order and layout follow what AWS sends.
 */
import { createHmac } from 'node:crypto';
import type { PublishedMessage, SnsMessageAttributes, Subscription } from './model';

/** Where the envelope's URLs point: the emulator itself, so UnsubscribeURL and SubscribeURL work locally. */
export interface EnvelopeContext {
  readonly endpoint: string;
  readonly region: string;
}

/** The message text a subscription receives (MessageStructure json picks its protocol's entry, else `default`). */
export function messageFor(message: PublishedMessage, subscription: Subscription): string {
  if (!message.perProtocol) return message.message;
  return message.perProtocol[subscription.protocol] ?? message.perProtocol.default;
}

/** The JSON notification as AWS formats it: `"Key" : value` lines, attributes one compact object per line. */
export function notificationEnvelope(
  message: PublishedMessage,
  subscription: Subscription,
  context: EnvelopeContext,
): string {
  const fifo = message.sequenceNumber !== undefined;
  const fields: [string, string][] = [
    ['Type', 'Notification'],
    ['MessageId', message.messageId],
  ];
  if (fifo) fields.push(['SequenceNumber', message.sequenceNumber as string]);
  fields.push(['TopicArn', message.topicArn]);
  if (message.subject !== undefined) fields.push(['Subject', message.subject]);
  fields.push(['Message', messageFor(message, subscription)], ['Timestamp', isoTime(message.timestamp)]);
  // AWS: FIFO topics do not sign their notifications
  if (!fifo) {
    fields.push(
      ['SignatureVersion', '1'],
      ['Signature', signatureOf(fields)],
      ['SigningCertURL', signingCertUrl(context)],
    );
  }
  fields.push(['UnsubscribeURL', unsubscribeUrl(context, subscription.arn)]);
  let body = '{\n' + fields.map(([k, v]) => `  ${JSON.stringify(k)} : ${JSON.stringify(v)}`).join(',\n');
  const attributes = Object.entries(message.attributes);
  if (attributes.length > 0) {
    body +=
      ',\n  "MessageAttributes" : {\n' +
      attributes
        .map(([name, a]) => `    ${JSON.stringify(name)} : ${JSON.stringify(envelopeAttribute(a))}`)
        .join(',\n') +
      '\n  }';
  }
  return `${body}\n}`;
}

/** The event an SNS-subscribed function receives (note AWS's `SigningCertUrl`/`UnsubscribeUrl` casing here). */
export function lambdaEvent(
  message: PublishedMessage,
  subscription: Subscription,
  context: EnvelopeContext,
): unknown {
  const base: [string, string][] = [
    ['Type', 'Notification'],
    ['MessageId', message.messageId],
    ['TopicArn', message.topicArn],
    ['Message', messageFor(message, subscription)],
    ['Timestamp', isoTime(message.timestamp)],
  ];
  return {
    Records: [
      {
        EventSource: 'aws:sns',
        EventVersion: '1.0',
        EventSubscriptionArn: subscription.arn,
        Sns: {
          Type: 'Notification',
          MessageId: message.messageId,
          TopicArn: message.topicArn,
          Subject: message.subject ?? null,
          Message: messageFor(message, subscription),
          Timestamp: isoTime(message.timestamp),
          SignatureVersion: '1',
          Signature: signatureOf(base),
          SigningCertUrl: signingCertUrl(context),
          UnsubscribeUrl: unsubscribeUrl(context, subscription.arn),
          MessageAttributes: Object.fromEntries(
            Object.entries(message.attributes).map(([name, a]) => [name, envelopeAttribute(a)]),
          ),
        },
      },
    ],
  };
}

/** The SubscriptionConfirmation an HTTP/S endpoint receives before any notification. */
export function subscriptionConfirmation(
  messageId: string,
  subscription: Subscription,
  token: string,
  timestamp: number,
  context: EnvelopeContext,
): string {
  const fields: [string, string][] = [
    ['Type', 'SubscriptionConfirmation'],
    ['MessageId', messageId],
    ['Token', token],
    ['TopicArn', subscription.topicArn],
    [
      'Message',
      `You have chosen to subscribe to the topic ${subscription.topicArn}.\n` +
        'To confirm the subscription, visit the SubscribeURL included in this message.',
    ],
    [
      'SubscribeURL',
      `${context.endpoint}/?Action=ConfirmSubscription&TopicArn=${encodeURIComponent(subscription.topicArn)}` +
        `&Token=${token}`,
    ],
    ['Timestamp', isoTime(timestamp)],
  ];
  fields.push(
    ['SignatureVersion', '1'],
    ['Signature', signatureOf(fields)],
    ['SigningCertURL', signingCertUrl(context)],
  );
  return '{\n' + fields.map(([k, v]) => `  ${JSON.stringify(k)} : ${JSON.stringify(v)}`).join(',\n') + '\n}';
}

function envelopeAttribute(attribute: SnsMessageAttributes[string]): { Type: string; Value: string } {
  const value =
    attribute.BinaryValue !== undefined
      ? Buffer.from(attribute.BinaryValue).toString('base64')
      : (attribute.StringValue ?? '');
  return { Type: attribute.DataType, Value: value };
}

export function isoTime(epochMs: number): string {
  return new Date(epochMs).toISOString();
}

function unsubscribeUrl(context: EnvelopeContext, subscriptionArn: string): string {
  return `${context.endpoint}/?Action=Unsubscribe&SubscriptionArn=${subscriptionArn}`;
}

function signingCertUrl(context: EnvelopeContext): string {
  return `${context.endpoint}/SimpleNotificationService-emulator.pem`;
}

/**
 * A stand-in signature with AWS's shape (344 base64 characters, as an RSA-2048 signature), derived from the signed
 * fields. The emulator has no certificate: subscribers that verify signatures must skip that check locally.
 */
function signatureOf(fields: [string, string][]): string {
  const canonical = fields.map(([k, v]) => `${k}\n${v}\n`).join('');
  const digest = createHmac('sha256', 'decoupled-emulator').update(canonical).digest();
  return Buffer.concat(Array.from({ length: 8 }, () => digest)).toString('base64');
}
