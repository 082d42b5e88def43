/**
 * SNS's durable state as records: each topic whole, with its attributes, tags and subscriptions (their
 * attributes, confirmation state and token). FIFO topics' sequence numbers and deduplication window are not kept.
 */
import { Subscription, type SubscriptionProtocol, Topic } from '../sns/model';
import type { SnsChanges, SnsService } from '../sns/service';
import type { RecordSource } from './journal';
import type { StateRecord } from './state-directory';

/** A topic as persisted (key: its ARN). */
interface TopicValue {
  name: string;
  fifo: boolean;
  attributes: Record<string, string>;
  tags: Record<string, string>;
  subscriptions: {
    arn: string;
    protocol: SubscriptionProtocol;
    endpoint: string;
    pendingConfirmation: boolean;
    confirmationToken?: string;
    attributes: Record<string, string>;
  }[];
}

/** Collects the topics changed between two journal batches. */
export class SnsRecorder implements SnsChanges, RecordSource {
  private changedTopics = new Set<string>();

  constructor(
    private readonly sns: SnsService,
    private readonly changed: () => void,
  ) {}

  topicChanged(topicArn: string): void {
    this.changedTopics.add(topicArn);
    this.changed();
  }

  drain(out: StateRecord[]): void {
    for (const arn of this.changedTopics) out.push(this.recordOf(arn));
    this.changedTopics = new Set();
  }

  snapshot(out: StateRecord[]): void {
    for (const arn of this.sns.topicArns()) out.push(this.recordOf(arn));
  }

  private recordOf(arn: string): StateRecord {
    const state = this.sns.topicState(arn);
    if (!state) return { svc: 'sns', kind: 'topic', key: [arn], value: null };
    const { topic, subscriptions } = state;
    const value: TopicValue = {
      name: topic.name,
      fifo: topic.fifo,
      attributes: Object.fromEntries(topic.attributes),
      tags: Object.fromEntries(topic.tags),
      subscriptions: subscriptions.map((s) => ({
        arn: s.arn,
        protocol: s.protocol,
        endpoint: s.endpoint,
        pendingConfirmation: s.pendingConfirmation,
        ...(s.confirmationToken === undefined ? {} : { confirmationToken: s.confirmationToken }),
        attributes: Object.fromEntries(s.attributes),
      })),
    };
    return { svc: 'sns', kind: 'topic', key: [arn], value };
  }
}

/** Replays SNS's records into `sns` (empty, not yet serving). */
export function restoreSns(records: readonly StateRecord[], sns: SnsService): void {
  const topics = new Map<string, TopicValue>();
  for (const record of records) {
    if (record.svc !== 'sns') continue;
    if (record.kind !== 'topic') throw new Error(`unknown record kind sns/${record.kind}`);
    const arn = String(record.key[0]);
    if (record.value === null) topics.delete(arn);
    else topics.set(arn, record.value as TopicValue);
  }
  for (const [arn, value] of topics) {
    const topic = new Topic(value.name, arn, value.fifo);
    for (const [key, v] of Object.entries(value.attributes)) topic.attributes.set(key, v);
    for (const [key, v] of Object.entries(value.tags)) topic.tags.set(key, v);
    const subscriptions = value.subscriptions.map((s) => {
      const subscription = new Subscription(s.arn, arn, s.protocol, s.endpoint, s.pendingConfirmation);
      subscription.confirmationToken = s.confirmationToken;
      for (const [key, v] of Object.entries(s.attributes)) subscription.attributes.set(key, v);
      return subscription;
    });
    sns.adoptTopic(topic, subscriptions);
  }
}
