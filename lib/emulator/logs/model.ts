/** What CloudWatch Logs keeps: log groups, their streams, and each stream's events in time order. */

/** One stored event; `eventId` sorts as (timestamp, arrival) and is the key of pages and tokens. */
export interface StoredLogEvent {
  readonly eventId: string;
  /** Epoch milliseconds the caller gave (when the event happened). */
  readonly timestamp: number;
  readonly message: string;
  /** The message's UTF-8 bytes, for the memory bounds and storedBytes. */
  readonly size: number;
  /** Epoch milliseconds on the emulator clock when it was stored. */
  readonly ingestionTime: number;
}

export interface LogStreamRecord {
  readonly name: string;
  readonly creationTime: number;
  /** Sorted by eventId (so by timestamp): batches may arrive out of order between calls. */
  readonly events: StoredLogEvent[];
  lastIngestionTime?: number;
}

export type LogGroupClass = 'STANDARD' | 'INFREQUENT_ACCESS' | 'DELIVERY' | 'ESSENTIALS';

export interface LogGroupRecord {
  readonly name: string;
  readonly creationTime: number;
  /** Days events are kept; absent: never expire. */
  retentionInDays?: number;
  /** Recorded and reported (AssociateKmsKey changes it); events are not encrypted locally. */
  kmsKeyId?: string;
  readonly logGroupClass: LogGroupClass;
  readonly tags: Map<string, string>;
  /** In creation order (the oldest goes first when the stream cap is reached). */
  readonly streams: Map<string, LogStreamRecord>;
  /** Events across the streams and their bytes, for the memory bounds. */
  eventCount: number;
  storedBytes: number;
}
