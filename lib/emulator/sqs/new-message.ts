/** What a producer sends (SendMessage, a SendMessageBatch entry) made into a message to store: validated, digested. */
import type { SendMessageBatchRequestEntry, SendMessageRequest } from '@aws-sdk/client-sqs';
import { invalidParameterValue, missingParameter } from '../errors';
import { optionalAttributes, optionalInteger, optionalString } from './input-guards';
import { md5Hex, md5OfMessageAttributes, sha256Hex } from './message-digest';
import {
  validateBody,
  validateFifoToken,
  validateMessageAttributes,
  validateSystemAttributes,
} from './message-validation';
import type { MessageAttributes, NewMessage, Queue } from './model';

export interface PreparedMessage {
  readonly data: NewMessage;
  /** FIFO queues: what a duplicate within the deduplication window shares (scoped to the group if so set). */
  readonly deduplicationKey?: string;
}

/** A FIFO message's group and deduplication ids: given, or (deduplication) from the body's SHA-256. */
export function fifoIdentifiers(
  queue: Queue,
  entry: SendMessageRequest | SendMessageBatchRequestEntry,
  inBatch: boolean,
): { groupId: string; deduplicationId: string } {
  const groupId = optionalString(entry.MessageGroupId, 'MessageGroupId');
  if (groupId === undefined || groupId === '') {
    if (inBatch) throw invalidParameterValue('The request must contain the parameter MessageGroupId.');
    throw missingParameter('MessageGroupId');
  }
  validateFifoToken('MessageGroupId', groupId);
  let deduplicationId = optionalString(entry.MessageDeduplicationId, 'MessageDeduplicationId');
  if (deduplicationId !== undefined) validateFifoToken('MessageDeduplicationId', deduplicationId);
  else if (
    queue.settings.extra.get('ContentBasedDeduplication') === 'true' &&
    typeof entry.MessageBody === 'string'
  ) {
    deduplicationId = sha256Hex(entry.MessageBody);
  } else {
    throw invalidParameterValue(
      'The queue should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly',
    );
  }
  return { groupId, deduplicationId };
}

/**
 * A message as SendMessage or a SendMessageBatch entry asks to send it, validated as AWS validates it, with its
 * digests and, in a FIFO queue, the key that finds duplicates.
 */
export function prepareMessage(
  queue: Queue,
  entry: SendMessageRequest | SendMessageBatchRequestEntry,
  senderId: string,
  now: number,
  inBatch: boolean,
): PreparedMessage {
  const body = validateBody(entry.MessageBody);
  const delay = optionalInteger(entry.DelaySeconds, 'DelaySeconds');
  if (delay !== undefined && (delay < 0 || delay > 900)) {
    throw invalidParameterValue(
      `Value ${delay} for parameter DelaySeconds is invalid. Reason: DelaySeconds must be >= 0 and <= 900.`,
    );
  }
  const attributes = optionalAttributes(entry.MessageAttributes, 'MessageAttributes');
  const systemAttributes = optionalAttributes(entry.MessageSystemAttributes, 'MessageSystemAttributes');
  const size =
    Buffer.byteLength(body) +
    validateMessageAttributes(attributes) +
    validateSystemAttributes(systemAttributes);
  if (size > queue.settings.MaximumMessageSize) {
    throw invalidParameterValue(
      `One or more parameters are invalid. Reason: Message must be shorter than ${queue.settings.MaximumMessageSize} bytes.`,
    );
  }
  const data: NewMessage = {
    body,
    md5OfBody: md5Hex(body),
    senderId,
    sentAt: now,
    delaySeconds: delay ?? queue.settings.DelaySeconds,
  };
  if (attributes !== undefined && Object.keys(attributes).length > 0) {
    data.attributes = attributes;
    data.md5OfAttributes = md5OfMessageAttributes(attributes);
  }
  if (systemAttributes !== undefined && Object.keys(systemAttributes).length > 0) {
    data.systemAttributes = systemAttributes;
    data.md5OfSystemAttributes = md5OfMessageAttributes(systemAttributes);
  }
  if (!queue.fifo) {
    if (entry.MessageDeduplicationId !== undefined && entry.MessageDeduplicationId !== null) {
      throw invalidParameterValue(
        `Value ${String(entry.MessageDeduplicationId)} for parameter MessageDeduplicationId is invalid. Reason: The request include parameter that is not valid for this queue type.`,
      );
    }
    const groupId = optionalString(entry.MessageGroupId, 'MessageGroupId');
    if (groupId !== undefined) {
      validateFifoToken('MessageGroupId', groupId);
      data.groupId = groupId; // AWS: standard queues accept a group id (fair queues)
    }
    return { data };
  }
  if (delay !== undefined && delay !== 0) {
    throw invalidParameterValue(
      `Value ${delay} for parameter DelaySeconds is invalid. Reason: The request include parameter that is not valid for this queue type.`,
    );
  }
  const ids = fifoIdentifiers(queue, entry, inBatch);
  data.groupId = ids.groupId;
  data.deduplicationId = ids.deduplicationId;
  const scopeIsGroup = queue.settings.extra.get('DeduplicationScope') === 'messageGroup';
  return {
    data,
    deduplicationKey: scopeIsGroup ? `${ids.groupId}\u0000${ids.deduplicationId}` : ids.deduplicationId,
  };
}

/** The size AWS counts for a message's attributes: names, types and values. */
export function attributesSize(attributes: MessageAttributes | undefined): number {
  if (!attributes || typeof attributes !== 'object') return 0;
  let size = 0;
  for (const [name, value] of Object.entries(attributes)) {
    size += Buffer.byteLength(name);
    if (value && typeof value === 'object') {
      if (typeof value.DataType === 'string') size += Buffer.byteLength(value.DataType);
      if (typeof value.StringValue === 'string') size += Buffer.byteLength(value.StringValue);
      if (value.BinaryValue instanceof Uint8Array) size += value.BinaryValue.length;
    }
  }
  return size;
}
