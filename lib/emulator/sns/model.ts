/** SNS state: topics and their subscriptions. Pure data and invariants; time comes in as arguments. */
import type { FilterPolicy, FilterPolicyScope } from './filter-policy';

export type SubscriptionProtocol = 'sqs' | 'lambda' | 'http' | 'https';

/** A published message attribute, as SNS keeps it (binary values as bytes). */
export interface SnsMessageAttribute {
  readonly DataType: string;
  readonly StringValue?: string;
  readonly BinaryValue?: Uint8Array;
}

export type SnsMessageAttributes = Readonly<Record<string, SnsMessageAttribute>>;

/** One accepted Publish (or PublishBatch entry), as every subscription's delivery sees it. */
export interface PublishedMessage {
  readonly messageId: string;
  readonly topicArn: string;
  /** `Message` as published; with MessageStructure json, `perProtocol` holds the parsed map. */
  readonly message: string;
  readonly perProtocol: Readonly<Record<string, string>> | undefined;
  readonly subject: string | undefined;
  readonly attributes: SnsMessageAttributes;
  /** Epoch ms of the Publish. */
  readonly timestamp: number;
  readonly groupId: string | undefined;
  readonly deduplicationId: string | undefined;
  readonly sequenceNumber: string | undefined;
}

/** AWS: SNS FIFO topics deduplicate for 5 minutes. */
export const DEDUPLICATION_WINDOW_MS = 5 * 60_000;

export class Topic {
  readonly attributes = new Map<string, string>();
  readonly tags = new Map<string, string>();
  /** Subscription ARNs in creation order. */
  readonly subscriptions = new Set<string>();
  private sequence = 10_000_000_000_000_000_000n;
  private readonly deduplication = new Map<
    string,
    { messageId: string; sequence: string; expiresAt: number }
  >();

  constructor(
    readonly name: string,
    readonly arn: string,
    readonly fifo: boolean,
  ) {}

  /** The next FIFO sequence number: 20 digits, increasing per topic. */
  nextSequenceNumber(): string {
    this.sequence += 1n;
    return this.sequence.toString();
  }

  /** A message with this deduplication id published within the window, if any. */
  duplicateOf(deduplicationId: string, now: number): { messageId: string; sequence: string } | undefined {
    const seen = this.deduplication.get(deduplicationId);
    if (seen && seen.expiresAt > now) return seen;
    if (seen) this.deduplication.delete(deduplicationId);
    return undefined;
  }

  rememberDeduplication(deduplicationId: string, messageId: string, sequence: string, now: number): void {
    // drop expired entries now and then so the map stays the size of one window
    if (this.deduplication.size > 1000) {
      for (const [id, entry] of this.deduplication) if (entry.expiresAt <= now) this.deduplication.delete(id);
    }
    this.deduplication.set(deduplicationId, {
      messageId,
      sequence,
      expiresAt: now + DEDUPLICATION_WINDOW_MS,
    });
  }
}

export class Subscription {
  /** Attributes as set (FilterPolicy, FilterPolicyScope, RawMessageDelivery, RedrivePolicy, DeliveryPolicy, …). */
  readonly attributes = new Map<string, string>();
  filterPolicy: FilterPolicy | undefined;
  /** HTTP/S subscriptions wait for ConfirmSubscription with this token. */
  confirmationToken: string | undefined;

  constructor(
    readonly arn: string,
    readonly topicArn: string,
    readonly protocol: SubscriptionProtocol,
    readonly endpoint: string,
    public pendingConfirmation: boolean,
  ) {}

  get rawMessageDelivery(): boolean {
    return this.attributes.get('RawMessageDelivery')?.toLowerCase() === 'true';
  }

  get filterPolicyScope(): FilterPolicyScope {
    return (this.attributes.get('FilterPolicyScope') as FilterPolicyScope | undefined) ?? 'MessageAttributes';
  }

  /** The SQS queue ARN of the RedrivePolicy, if one is set. */
  get deadLetterTargetArn(): string | undefined {
    const policy = this.attributes.get('RedrivePolicy');
    if (!policy) return undefined;
    return (JSON.parse(policy) as { deadLetterTargetArn: string }).deadLetterTargetArn;
  }
}
