/** What ReceiveMessage returns of a stored message, as the receive asked for it. */
import type { Message } from '@aws-sdk/client-sqs';
import { md5OfMessageAttributes } from './message-digest';
import type { MessageAttributes, Queue, StoredMessage } from './model';
import { encodeReceiptHandle } from './receipt-handle';

/** What one ReceiveMessage asked for. */
export interface ReceiveShape {
  max: number;
  visibilityTimeout: number;
  systemAttributeNames: Set<string> | 'All' | undefined;
  messageAttributeNames: string[] | undefined;
  attemptId: string | undefined;
}

/** A received message as ReceiveMessage answers it: the system and message attributes the receive asked for. */
export function receivedMessage(queue: Queue, stored: StoredMessage, shape: ReceiveShape): Message {
  const view = queue.view(stored);
  const extras = view.extras;
  const out: Message = {
    MessageId: view.id,
    ReceiptHandle: encodeReceiptHandle(queue.id, stored.seq, stored.receiptGeneration, queue.receiptRun),
    MD5OfBody: view.md5OfBody,
    Body: view.body,
  };
  const names = shape.systemAttributeNames;
  if (names !== undefined) {
    const all = names === 'All';
    const attributes: Record<string, string> = {};
    const put = (name: string, value: string | undefined) => {
      if (value !== undefined && (all || (names as Set<string>).has(name))) attributes[name] = value;
    };
    put('SenderId', view.senderId);
    put('SentTimestamp', String(view.sentAt));
    put('ApproximateReceiveCount', String(view.receiveCount));
    put('ApproximateFirstReceiveTimestamp', String(view.firstReceivedAt));
    put('AWSTraceHeader', extras?.systemAttributes?.AWSTraceHeader?.StringValue);
    put('SequenceNumber', view.sequenceNumber);
    put('MessageDeduplicationId', extras?.deduplicationId);
    put('MessageGroupId', stored.group?.id ?? extras?.groupId);
    put('DeadLetterQueueSourceArn', extras?.deadLetterSourceArn);
    out.Attributes = attributes;
  }
  const wanted = shape.messageAttributeNames;
  const storedAttributes = extras?.attributes;
  if (wanted !== undefined && storedAttributes !== undefined) {
    const selected = selectAttributes(storedAttributes, wanted);
    out.MessageAttributes = selected;
    const count = Object.keys(selected).length;
    if (count > 0) {
      out.MD5OfMessageAttributes =
        count === Object.keys(storedAttributes).length
          ? extras?.md5OfAttributes
          : md5OfMessageAttributes(selected);
    }
  }
  return out;
}

/** AWS: message attribute names select by name, by `prefix.*`, or all with `All` or `.*`. */
function selectAttributes(attributes: MessageAttributes, wanted: string[]): MessageAttributes {
  if (wanted.includes('All') || wanted.includes('.*')) return attributes;
  const out: MessageAttributes = {};
  for (const name of Object.keys(attributes)) {
    for (const pattern of wanted) {
      if (pattern === name || (pattern.endsWith('.*') && name.startsWith(pattern.slice(0, -2)))) {
        out[name] = attributes[name];
        break;
      }
    }
  }
  return out;
}
