/** Batch requests (SendMessageBatch, DeleteMessageBatch, ChangeMessageVisibilityBatch): their entries and failures. */
import { AwsError, invalidParameterValue } from '../errors';

/** AWS: at most 10 entries per batch. */
const MAX_BATCH_ENTRIES = 10;
const BATCH_ENTRY_ID = /^[a-zA-Z0-9_-]{1,80}$/;

/**
 * The entries of a batch, checked as AWS checks them before any entry runs: present, at most 10, ids well-formed
 * and distinct. `entryName` is the entry's name in AWS's message (`SendMessageBatchRequestEntry`).
 */
export function batchEntries<T extends { Id?: string }>(entries: unknown, entryName: string): T[] {
  if (entries === undefined || entries === null || (Array.isArray(entries) && entries.length === 0)) {
    throw new AwsError(
      'AWS.SimpleQueueService.EmptyBatchRequest',
      `There should be at least one ${entryName} in the request.`,
    );
  }
  if (!Array.isArray(entries) || entries.some((e) => e === null || typeof e !== 'object')) {
    throw invalidParameterValue(`Value for parameter Entries is invalid.`);
  }
  if (entries.length > MAX_BATCH_ENTRIES) {
    throw new AwsError(
      'AWS.SimpleQueueService.TooManyEntriesInBatchRequest',
      `Maximum number of entries per request are ${MAX_BATCH_ENTRIES}. You have sent ${entries.length}.`,
    );
  }
  const seen = new Set<string>();
  for (const entry of entries as T[]) {
    const id = entry.Id;
    if (typeof id !== 'string' || !BATCH_ENTRY_ID.test(id)) {
      throw new AwsError(
        'AWS.SimpleQueueService.InvalidBatchEntryId',
        'A batch entry id can only contain alphanumeric characters, hyphens and underscores. It can be at most 80 letters long.',
      );
    }
    if (seen.has(id))
      throw new AwsError('AWS.SimpleQueueService.BatchEntryIdsNotDistinct', `Id ${id} repeated.`);
    seen.add(id);
  }
  return entries as T[];
}

/** A failed entry of a batch reply: AWS's code and message of the entry's error. */
export function failedEntry(
  id: string,
  error: unknown,
): { Id: string; SenderFault: boolean; Code: string; Message: string } {
  if (error instanceof AwsError) {
    return { Id: id, SenderFault: error.fault === 'Sender', Code: error.code, Message: error.message };
  }
  return { Id: id, SenderFault: false, Code: 'InternalError', Message: 'We encountered an internal error.' };
}
