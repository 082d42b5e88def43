/**
 * Splits an uploaded file into message bodies: a JSON array gives one message per element; anything else
 * (one order, or text that is not even JSON) is sent whole, so that the consumer, not the producer, decides
 * what is malformed and a bad upload ends in the dead-letter queue instead of vanishing.
 */
export function messagesInUpload(content: string): string[] {
  const text = content.trim();
  if (text === '') return [];
  if (text.startsWith('[')) {
    try {
      const parsed: unknown = JSON.parse(text);
      if (Array.isArray(parsed)) return parsed.map((element) => JSON.stringify(element));
    } catch {
      // not a JSON array after all: sent whole below
    }
  }
  return [text];
}

/** AWS: SendMessageBatch takes at most 10 entries. */
export const SQS_BATCH_LIMIT = 10;

/** Splits items into consecutive groups of at most `size`. */
export function inBatches<T>(items: readonly T[], size = SQS_BATCH_LIMIT): T[][] {
  const batches: T[][] = [];
  for (let i = 0; i < items.length; i += size) batches.push(items.slice(i, i + size));
  return batches;
}

/** S3 event keys are URL-encoded with '+' for spaces (AWS: "uploads/my+order.json"). */
export function decodeS3Key(key: string): string {
  return decodeURIComponent(key.replace(/\+/g, ' '));
}
