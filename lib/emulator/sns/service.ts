/**
 * Amazon SNS: one method per AWS operation. Validates input, throws AwsError, keeps topics and subscriptions,
 * and hands accepted messages to the deliverer (deliveries run after Publish answers, as in AWS).
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type {
  ConfirmSubscriptionInput,
  ConfirmSubscriptionResponse,
  CreateTopicInput,
  CreateTopicResponse,
  DeleteTopicInput,
  GetSubscriptionAttributesInput,
  GetSubscriptionAttributesResponse,
  GetTopicAttributesInput,
  GetTopicAttributesResponse,
  ListSubscriptionsByTopicInput,
  ListSubscriptionsByTopicResponse,
  ListSubscriptionsInput,
  ListSubscriptionsResponse,
  ListTagsForResourceRequest,
  ListTagsForResourceResponse,
  ListTopicsInput,
  ListTopicsResponse,
  PublishBatchInput,
  PublishBatchRequestEntry,
  PublishBatchResponse,
  PublishInput,
  PublishResponse,
  SetSubscriptionAttributesInput,
  SetTopicAttributesInput,
  SubscribeInput,
  SubscribeResponse,
  Subscription as SubscriptionShape,
  TagResourceRequest,
  UnsubscribeInput,
  UntagResourceRequest,
} from '@aws-sdk/client-sns';
import type { ActivityLog } from '../activity';
import type { Clock } from '../clock';
import { AwsError } from '../errors';
import type { DeliveryTracker, FunctionRegistry } from '../event-delivery';
import type { IntegrationGuard } from '../kit/arn-delivery';
import { validateFifoToken } from '../kit/fifo-tokens';
import { isObject } from '../kit/guards';
import type { SqsService } from '../sqs/service';
import { numberInRange, significantDigits } from '../sqs/message-validation';
import { SnsDeliverer, type HttpPoster } from './delivery';
import {
  subscriptionEffectivePolicyJson,
  topicEffectivePolicyJson,
  validateSubscriptionDeliveryPolicy,
  validateTopicDeliveryPolicy,
} from './delivery-policy';
import {
  matchesAttributes,
  matchesBody,
  type ParsedBody,
  parseBody,
  parseFilterPolicy,
  type FilterPolicyScope,
} from './filter-policy';
import { OutboundPolicy } from './outbound';
import {
  type PublishedMessage,
  type SnsMessageAttribute,
  Subscription,
  type SubscriptionProtocol,
  Topic,
} from './model';

/** A validated Publish (or batch entry) and the subscriptions it reaches, not yet published. */
interface PreparedMessage {
  readonly text: string;
  readonly perProtocol: Record<string, string> | undefined;
  readonly subject: string | undefined;
  readonly attributes: Record<string, SnsMessageAttribute>;
  readonly groupId: string | undefined;
  readonly deduplicationId: string | undefined;
  readonly targets: readonly Subscription[];
}

/** AWS: a message and its attributes may total 256 KiB. */
export const MAX_MESSAGE_BYTES = 262_144;
const MAX_SUBJECT_LENGTH = 100;
const MAX_BATCH_ENTRIES = 10;
const MAX_TAGS = 50;
const PAGE_SIZE = 100;
const TOPIC_NAME = /^[A-Za-z0-9_-]{1,256}$/;
const FIFO_TOPIC_NAME = /^[A-Za-z0-9_-]{1,251}\.fifo$/;
const BATCH_ENTRY_ID = /^[A-Za-z0-9_-]{1,80}$/;
const TOPIC_ATTRIBUTES = new Set([
  'DeliveryPolicy',
  'DisplayName',
  'Policy',
  'KmsMasterKeyId',
  'SignatureVersion',
  'TracingConfig',
  'ContentBasedDeduplication',
  'ArchivePolicy',
  'DataProtectionPolicy',
  'FifoThroughputScope',
]);
const SUBSCRIPTION_ATTRIBUTES = new Set([
  'DeliveryPolicy',
  'FilterPolicy',
  'FilterPolicyScope',
  'RawMessageDelivery',
  'RedrivePolicy',
  'SubscriptionRoleArn',
  'ReplayPolicy',
]);
const PROTOCOLS = new Set<string>(['sqs', 'lambda', 'http', 'https']);
/** Protocols AWS has that the emulator does not deliver to. */
const UNEMULATED_PROTOCOLS = new Set(['email', 'email-json', 'sms', 'application', 'firehose']);

/** AWS's default HTTP delivery policy, as GetTopicAttributes reports it. */
export const DEFAULT_EFFECTIVE_DELIVERY_POLICY = topicEffectivePolicyJson(undefined);

export interface SnsServiceOptions {
  clock: Clock;
  region: string;
  accountId: string;
  /** Base of the URLs in notifications (UnsubscribeURL, SubscribeURL); read on each use. */
  endpoint: () => string;
  sqs: SqsService;
  functions: FunctionRegistry;
  deliveries: DeliveryTracker;
  /** Sends one HTTP/S notification (the protocol layer provides it). */
  postHttp: HttpPoster;
  /**
   * Hosts (names or IP addresses) HTTP/S subscriptions may deliver to besides loopback (127.0.0.0/8, ::1,
   * `localhost`): the CLI's `--allow-outbound HOST`. @default none
   */
  allowOutbound?: readonly string[];
  /** Told about every accepted publish (the live log of `npm start`). */
  activity?: ActivityLog;
  /** `--iam`: whether sns.amazonaws.com may deliver to a subscribed queue or function. @default allowed */
  integrations?: IntegrationGuard;
}

/** Told about every durable change (`--state-dir`): a topic or one of its subscriptions changed, or it went. */
export interface SnsChanges {
  topicChanged(topicArn: string): void;
}

export class SnsService {
  readonly clock: Clock;
  private changes: SnsChanges | undefined;
  private readonly activity: ActivityLog | undefined;
  readonly region: string;
  readonly accountId: string;
  private readonly topics = new Map<string, Topic>();
  private readonly subscriptions = new Map<string, Subscription>();
  private readonly deliverer: SnsDeliverer;
  private readonly outbound: OutboundPolicy;

  constructor(options: SnsServiceOptions) {
    this.clock = options.clock;
    this.region = options.region;
    this.accountId = options.accountId;
    this.activity = options.activity;
    this.outbound = new OutboundPolicy(options.allowOutbound ?? []);
    this.deliverer = new SnsDeliverer({
      clock: options.clock,
      region: options.region,
      endpoint: options.endpoint,
      sqs: options.sqs,
      functions: options.functions,
      deliveries: options.deliveries,
      postHttp: options.postHttp,
      outbound: this.outbound,
      subscriptionOf: (arn) => this.subscriptions.get(arn),
      topicDeliveryPolicy: (arn) => this.topics.get(arn)?.attributes.get('DeliveryPolicy'),
      integrations: options.integrations,
    });
  }

  // ===== topics ==============================================================================================

  createTopic(input: CreateTopicInput): CreateTopicResponse {
    const name = requireString(input.Name, 'Name');
    const attributes = { ...(input.Attributes ?? {}) };
    const fifo = attributes.FifoTopic?.toLowerCase() === 'true';
    if (fifo ? !FIFO_TOPIC_NAME.test(name) : !TOPIC_NAME.test(name)) {
      throw invalidParameter(
        fifo
          ? 'Fifo Topic names must end with .fifo and must be made up of only uppercase and lowercase ASCII ' +
              'letters, numbers, underscores, and hyphens, and must be between 1 and 256 characters long.'
          : 'Topic Name',
      );
    }
    if ('FifoTopic' in attributes && !/^(true|false)$/i.test(attributes.FifoTopic)) {
      throw invalidParameter('Attributes Reason: FifoTopic: Invalid value');
    }
    delete attributes.FifoTopic;
    for (const [key, value] of Object.entries(attributes)) {
      this.validateTopicAttribute(key, value, fifo, 'CreateTopic');
    }
    const tags = tagList(input.Tags);
    const arn = this.topicArn(name);
    const existing = this.topics.get(arn);
    if (existing) {
      for (const [key, value] of Object.entries(attributes)) {
        if ((existing.attributes.get(key) ?? '') !== value) {
          throw invalidParameter('Attributes Reason: Topic already exists with different attributes');
        }
      }
      for (const [key, value] of tags) {
        if (existing.tags.get(key) !== value) {
          throw invalidParameter('Tags Reason: Topic already exists with different tags');
        }
      }
      return { TopicArn: arn };
    }
    const topic = new Topic(name, arn, fifo);
    for (const [key, value] of Object.entries(attributes)) topic.attributes.set(key, value);
    if (tags.size > MAX_TAGS) throw tagLimitExceeded();
    for (const [key, value] of tags) topic.tags.set(key, value);
    this.topics.set(arn, topic);
    this.changes?.topicChanged(arn);
    return { TopicArn: arn };
  }

  /** AWS: deleting a topic that does not exist succeeds. */
  deleteTopic(input: DeleteTopicInput): void {
    const arn = requireString(input.TopicArn, 'TopicArn');
    this.checkTopicArn(arn);
    const topic = this.topics.get(arn);
    if (!topic) return;
    for (const subscriptionArn of topic.subscriptions) {
      this.subscriptions.delete(subscriptionArn);
      this.deliverer.forget(subscriptionArn);
    }
    this.topics.delete(arn);
    this.changes?.topicChanged(arn);
  }

  listTopics(input: ListTopicsInput = {}): ListTopicsResponse {
    const arns = [...this.topics.keys()];
    const { page, nextToken } = paginate(arns, input.NextToken);
    return { Topics: page.map((TopicArn) => ({ TopicArn })), ...(nextToken ? { NextToken: nextToken } : {}) };
  }

  getTopicAttributes(input: GetTopicAttributesInput): GetTopicAttributesResponse {
    const topic = this.topicOf(input.TopicArn);
    let confirmed = 0;
    let pending = 0;
    for (const arn of topic.subscriptions) {
      if (this.subscriptions.get(arn)?.pendingConfirmation) pending++;
      else confirmed++;
    }
    const attributes: Record<string, string> = {
      Policy: this.defaultPolicy(topic),
      Owner: this.accountId,
      SubscriptionsPending: String(pending),
      TopicArn: topic.arn,
      EffectiveDeliveryPolicy: topicEffectivePolicyJson(topic.attributes.get('DeliveryPolicy')),
      SubscriptionsConfirmed: String(confirmed),
      DisplayName: '',
      SubscriptionsDeleted: '0',
    };
    if (topic.fifo) {
      attributes.FifoTopic = 'true';
      attributes.ContentBasedDeduplication = 'false';
    }
    for (const [key, value] of topic.attributes) attributes[key] = value;
    return { Attributes: attributes };
  }

  setTopicAttributes(input: SetTopicAttributesInput): void {
    const topic = this.topicOf(input.TopicArn);
    const name = requireString(input.AttributeName, 'AttributeName');
    const value = input.AttributeValue ?? '';
    this.validateTopicAttribute(name, value, topic.fifo, 'SetTopicAttributes');
    topic.attributes.set(name, value);
    this.changes?.topicChanged(topic.arn);
  }

  // ===== subscriptions =======================================================================================

  subscribe(input: SubscribeInput): SubscribeResponse {
    const topic = this.topicOf(input.TopicArn);
    const protocolText = requireString(input.Protocol, 'Protocol');
    if (UNEMULATED_PROTOCOLS.has(protocolText)) {
      throw invalidParameter(
        `Protocol Reason: the emulator does not deliver to ${protocolText} subscriptions`,
      );
    }
    if (!PROTOCOLS.has(protocolText)) {
      throw invalidParameter(`Amazon SNS does not support this protocol string: ${protocolText}`);
    }
    const protocol = protocolText as SubscriptionProtocol;
    const endpoint = input.Endpoint ?? '';
    this.validateEndpoint(topic, protocol, endpoint);
    const attributes = { ...(input.Attributes ?? {}) };
    for (const key of Object.keys(attributes)) {
      if (!SUBSCRIPTION_ATTRIBUTES.has(key))
        throw invalidParameter(`Attributes Reason: Unknown attribute: ${key}`);
    }
    const validated = this.validateSubscriptionAttributes(attributes, protocol, 'Subscribe');
    const existing = [...topic.subscriptions]
      .map((arn) => this.subscriptions.get(arn) as Subscription)
      .find((s) => s.protocol === protocol && s.endpoint === endpoint);
    if (existing) {
      for (const [key, value] of Object.entries(attributes)) {
        if (existing.attributes.get(key) !== value) {
          throw invalidParameter('Attributes Reason: Subscription already exists with different attributes');
        }
      }
      if (existing.pendingConfirmation) this.deliverer.requestConfirmation(existing);
      return { SubscriptionArn: this.visibleArn(existing, input.ReturnSubscriptionArn) };
    }
    const http = protocol === 'http' || protocol === 'https';
    const subscription = new Subscription(
      `${topic.arn}:${randomUUID()}`,
      topic.arn,
      protocol,
      endpoint,
      http,
    );
    for (const [key, value] of Object.entries(attributes)) subscription.attributes.set(key, value);
    subscription.filterPolicy = validated.filterPolicy;
    this.subscriptions.set(subscription.arn, subscription);
    topic.subscriptions.add(subscription.arn);
    if (http) {
      subscription.confirmationToken = randomBytes(64).toString('hex');
      this.deliverer.requestConfirmation(subscription);
    }
    this.changes?.topicChanged(topic.arn);
    return { SubscriptionArn: this.visibleArn(subscription, input.ReturnSubscriptionArn) };
  }

  confirmSubscription(input: ConfirmSubscriptionInput): ConfirmSubscriptionResponse {
    const topic = this.topicOf(input.TopicArn);
    const token = requireString(input.Token, 'Token');
    for (const arn of topic.subscriptions) {
      const subscription = this.subscriptions.get(arn) as Subscription;
      if (subscription.confirmationToken === token) {
        subscription.pendingConfirmation = false;
        this.changes?.topicChanged(topic.arn);
        return { SubscriptionArn: subscription.arn };
      }
    }
    throw invalidParameter('Token');
  }

  /** AWS: unsubscribing a subscription that no longer exists succeeds. */
  unsubscribe(input: UnsubscribeInput): void {
    const arn = requireString(input.SubscriptionArn, 'SubscriptionArn');
    const parts = arn.split(':');
    if (parts.length < 6 || parts[0] !== 'arn') {
      throw invalidParameter(
        `SubscriptionArn Reason: An ARN must have at least 6 elements, not ${parts.length}`,
      );
    }
    const subscription = this.subscriptions.get(arn);
    if (!subscription) return;
    this.subscriptions.delete(arn);
    this.deliverer.forget(arn);
    this.topics.get(subscription.topicArn)?.subscriptions.delete(arn);
    this.changes?.topicChanged(subscription.topicArn);
  }

  listSubscriptions(input: ListSubscriptionsInput = {}): ListSubscriptionsResponse {
    const { page, nextToken } = paginate([...this.subscriptions.values()], input.NextToken);
    return {
      Subscriptions: page.map((s) => this.subscriptionShape(s)),
      ...(nextToken ? { NextToken: nextToken } : {}),
    };
  }

  listSubscriptionsByTopic(input: ListSubscriptionsByTopicInput): ListSubscriptionsByTopicResponse {
    const topic = this.topicOf(input.TopicArn);
    const all = [...topic.subscriptions].map((arn) => this.subscriptions.get(arn) as Subscription);
    const { page, nextToken } = paginate(all, input.NextToken);
    return {
      Subscriptions: page.map((s) => this.subscriptionShape(s)),
      ...(nextToken ? { NextToken: nextToken } : {}),
    };
  }

  getSubscriptionAttributes(input: GetSubscriptionAttributesInput): GetSubscriptionAttributesResponse {
    const subscription = this.subscriptionOf(input.SubscriptionArn);
    const attributes: Record<string, string> = {
      ConfirmationWasAuthenticated: String(!subscription.pendingConfirmation),
      Endpoint: subscription.endpoint,
      Owner: this.accountId,
      PendingConfirmation: String(subscription.pendingConfirmation),
      Protocol: subscription.protocol,
      RawMessageDelivery: 'false',
      SubscriptionArn: subscription.arn,
      SubscriptionPrincipal: `arn:aws:iam::${this.accountId}:user/emulator`,
      TopicArn: subscription.topicArn,
    };
    if (subscription.protocol === 'http' || subscription.protocol === 'https') {
      attributes.EffectiveDeliveryPolicy = subscriptionEffectivePolicyJson(
        this.deliverer.policyOf(subscription),
      );
    }
    for (const [key, value] of subscription.attributes) attributes[key] = value;
    if (subscription.filterPolicy && !subscription.attributes.has('FilterPolicyScope')) {
      attributes.FilterPolicyScope = 'MessageAttributes';
    }
    return { Attributes: attributes };
  }

  setSubscriptionAttributes(input: SetSubscriptionAttributesInput): void {
    const subscription = this.subscriptionOf(input.SubscriptionArn);
    const name = requireString(input.AttributeName, 'AttributeName');
    if (!SUBSCRIPTION_ATTRIBUTES.has(name)) throw invalidParameter('AttributeName');
    const value = input.AttributeValue ?? '';
    const next = Object.fromEntries(subscription.attributes);
    if (value === '' && (name === 'FilterPolicy' || name === 'RedrivePolicy' || name === 'DeliveryPolicy')) {
      delete next[name];
    } else {
      next[name] = value;
    }
    const validated = this.validateSubscriptionAttributes(
      next,
      subscription.protocol,
      'SetSubscriptionAttributes',
    );
    subscription.attributes.clear();
    for (const [key, v] of Object.entries(next)) subscription.attributes.set(key, v);
    subscription.filterPolicy = validated.filterPolicy;
    this.changes?.topicChanged(subscription.topicArn);
  }

  // ===== publishing ==========================================================================================

  publish(input: PublishInput): PublishResponse {
    const arn = input.TopicArn ?? input.TargetArn;
    if (arn === undefined) {
      throw invalidParameter(
        input.PhoneNumber !== undefined
          ? 'PhoneNumber Reason: the emulator does not send SMS'
          : 'TopicArn or TargetArn Reason: no value for required parameter',
      );
    }
    const topic = this.topicOf(arn);
    const message = this.accept(topic, input, this.clock.now());
    return {
      MessageId: message.messageId,
      ...(message.sequenceNumber !== undefined ? { SequenceNumber: message.sequenceNumber } : {}),
    };
  }

  publishBatch(input: PublishBatchInput): PublishBatchResponse {
    const topic = this.topicOf(input.TopicArn);
    const entries = input.PublishBatchRequestEntries ?? [];
    if (entries.length === 0) {
      throw new AwsError('EmptyBatchRequest', "The batch request doesn't contain any entries.");
    }
    if (entries.length > MAX_BATCH_ENTRIES) {
      throw new AwsError(
        'TooManyEntriesInBatchRequest',
        'The batch request contains more entries than permissible.',
      );
    }
    const ids = new Set<string>();
    let total = 0;
    for (const entry of entries) {
      if (typeof entry.Id !== 'string' || !BATCH_ENTRY_ID.test(entry.Id)) {
        throw new AwsError(
          'InvalidBatchEntryId',
          "The Id of a batch entry in a batch request doesn't abide by the specification.",
        );
      }
      if (ids.has(entry.Id)) {
        throw new AwsError(
          'BatchEntryIdsNotDistinct',
          'Two or more batch entries in the request have the same Id.',
        );
      }
      ids.add(entry.Id);
      total += messageSize(entry.Message, entry.MessageAttributes);
    }
    if (total > MAX_MESSAGE_BYTES) {
      throw new AwsError(
        'BatchRequestTooLong',
        'The length of all the messages put together is more than the limit.',
      );
    }
    if (topic.fifo && entries.some((e) => e.MessageGroupId === undefined)) {
      throw invalidParameter('The MessageGroupId parameter is required for FIFO topics');
    }
    const now = this.clock.now();
    // AWS: entries succeed or fail one by one; every entry is validated and matched before any is published
    const prepared = entries.map((entry) => {
      try {
        return this.prepare(topic, entry);
      } catch (error) {
        if (!(error instanceof AwsError)) throw error;
        return error;
      }
    });
    const result: PublishBatchResponse = { Successful: [], Failed: [] };
    prepared.forEach((outcome, i) => {
      const id = entries[i].Id;
      if (outcome instanceof AwsError) {
        result.Failed?.push({ Id: id, Code: outcome.code, Message: outcome.message, SenderFault: true });
        return;
      }
      const message = this.commit(topic, outcome, now);
      result.Successful?.push({
        Id: id,
        MessageId: message.messageId,
        ...(message.sequenceNumber !== undefined ? { SequenceNumber: message.sequenceNumber } : {}),
      });
    });
    return result;
  }

  /** Validates one message, deduplicates it on FIFO topics, and fans it out to the matching subscriptions. */
  private accept(
    topic: Topic,
    input: PublishInput | PublishBatchRequestEntry,
    now: number,
  ): { messageId: string; sequenceNumber: string | undefined } {
    return this.commit(topic, this.prepare(topic, input), now);
  }

  /**
   * Everything that can fail, before anything changes: validation (AwsError), and which subscriptions the message
   * reaches. Filter matching never throws: a body it cannot read simply does not match.
   */
  private prepare(topic: Topic, input: PublishInput | PublishBatchRequestEntry): PreparedMessage {
    const text = input.Message;
    if (text === undefined || text === '') throw invalidParameter('Empty message');
    if (messageSize(text, input.MessageAttributes) > MAX_MESSAGE_BYTES) {
      throw invalidParameter('Message too long');
    }
    const subject = input.Subject;
    if (
      subject !== undefined &&
      (subject === '' || subject.length > MAX_SUBJECT_LENGTH || !/^[\x20-\x7e]+$/.test(subject))
    ) {
      throw invalidParameter('Subject');
    }
    let perProtocol: Record<string, string> | undefined;
    if (input.MessageStructure !== undefined) {
      if (input.MessageStructure !== 'json') throw invalidParameter('MessageStructure');
      perProtocol = messageStructure(text);
    }
    const attributes = validateAttributes(input.MessageAttributes);
    let groupId: string | undefined;
    let deduplicationId: string | undefined;
    if (topic.fifo) {
      groupId = input.MessageGroupId;
      if (groupId === undefined)
        throw invalidParameter('The MessageGroupId parameter is required for FIFO topics');
      validateFifoToken('MessageGroupId', groupId, invalidFifoToken);
      deduplicationId = input.MessageDeduplicationId;
      if (deduplicationId === undefined) {
        if (topic.attributes.get('ContentBasedDeduplication')?.toLowerCase() !== 'true') {
          throw invalidParameter(
            'The topic should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly',
          );
        }
        // AWS: content-based deduplication hashes the message body only
        deduplicationId = createHash('sha256').update(text).digest('hex');
      } else {
        validateFifoToken('MessageDeduplicationId', deduplicationId, invalidFifoToken);
      }
    } else if (input.MessageDeduplicationId !== undefined) {
      throw invalidParameter(
        'MessageDeduplicationId Reason: The request includes MessageDeduplicationId parameter that is not valid for this topic type',
      );
    }
    const targets = this.matchingSubscriptions(topic, text, attributes);
    return { text, perProtocol, subject, attributes, groupId, deduplicationId, targets };
  }

  /** Records a prepared message (FIFO: sequence number and deduplication) and starts its deliveries. */
  private commit(
    topic: Topic,
    prepared: PreparedMessage,
    now: number,
  ): { messageId: string; sequenceNumber: string | undefined } {
    const { deduplicationId } = prepared;
    if (deduplicationId !== undefined) {
      const duplicate = topic.duplicateOf(deduplicationId, now);
      if (duplicate) {
        // AWS: a duplicate is accepted and answered with the original's ids, and not delivered again
        return { messageId: duplicate.messageId, sequenceNumber: duplicate.sequence };
      }
    }
    const message: PublishedMessage = {
      messageId: randomUUID(),
      topicArn: topic.arn,
      message: prepared.text,
      perProtocol: prepared.perProtocol,
      subject: prepared.subject,
      attributes: prepared.attributes,
      timestamp: now,
      groupId: prepared.groupId,
      deduplicationId,
      sequenceNumber: topic.fifo ? topic.nextSequenceNumber() : undefined,
    };
    if (deduplicationId !== undefined) {
      topic.rememberDeduplication(deduplicationId, message.messageId, message.sequenceNumber as string, now);
    }
    if (this.activity?.active) {
      this.activity.emit({
        kind: 'notification-published',
        topicName: topic.name,
        messageId: message.messageId,
      });
    }
    for (const subscription of prepared.targets) this.deliverer.deliver(subscription, message);
    return message;
  }

  /** The confirmed subscriptions whose filter policy lets the message through; the body is parsed at most once. */
  private matchingSubscriptions(
    topic: Topic,
    text: string,
    attributes: Record<string, SnsMessageAttribute>,
  ): Subscription[] {
    let body: ParsedBody | undefined;
    const targets: Subscription[] = [];
    for (const arn of topic.subscriptions) {
      const subscription = this.subscriptions.get(arn) as Subscription;
      if (subscription.pendingConfirmation) continue;
      const policy = subscription.filterPolicy;
      let passes = true;
      if (policy) {
        try {
          passes =
            policy.scope === 'MessageBody'
              ? matchesBody(policy, (body ??= parseBody(text)))
              : matchesAttributes(policy, attributes);
        } catch (error) {
          // not expected; a message the matcher cannot handle does not match (AWS: a non-JSON body never does)
          console.error('emulator: SNS filter policy matching failed', error);
          passes = false;
        }
      }
      if (passes) targets.push(subscription);
    }
    return targets;
  }

  // ===== tags ================================================================================================

  tagResource(input: TagResourceRequest): void {
    const topic = this.taggedTopic(input.ResourceArn);
    const tags = tagList(input.Tags);
    const merged = new Map([...topic.tags, ...tags]);
    if (merged.size > MAX_TAGS) throw tagLimitExceeded();
    for (const [key, value] of tags) topic.tags.set(key, value);
    this.changes?.topicChanged(topic.arn);
  }

  untagResource(input: UntagResourceRequest): void {
    const topic = this.taggedTopic(input.ResourceArn);
    for (const key of input.TagKeys ?? []) topic.tags.delete(key);
    this.changes?.topicChanged(topic.arn);
  }

  /** Persistence (`--state-dir`): every durable change from now on is reported to `changes`. */
  persistTo(changes: SnsChanges): void {
    this.changes = changes;
  }

  /** A topic and its subscriptions as kept (persistence); undefined once deleted. */
  topicState(arn: string): { topic: Topic; subscriptions: Subscription[] } | undefined {
    const topic = this.topics.get(arn);
    if (!topic) return undefined;
    const subscriptions = [...topic.subscriptions].map((s) => this.subscriptions.get(s) as Subscription);
    return { topic, subscriptions };
  }

  /** Restore: a topic and its subscriptions as persisted (their filter policies parsed again). */
  adoptTopic(topic: Topic, subscriptions: readonly Subscription[]): void {
    this.topics.set(topic.arn, topic);
    for (const subscription of subscriptions) {
      const attributes = Object.fromEntries(subscription.attributes);
      const validated = this.validateSubscriptionAttributes(attributes, subscription.protocol, 'Subscribe');
      subscription.filterPolicy = validated.filterPolicy;
      this.subscriptions.set(subscription.arn, subscription);
      topic.subscriptions.add(subscription.arn);
    }
  }

  listTagsForResource(input: ListTagsForResourceRequest): ListTagsForResourceResponse {
    const topic = this.taggedTopic(input.ResourceArn);
    return { Tags: [...topic.tags].map(([Key, Value]) => ({ Key, Value })) };
  }

  // ===== shared ==============================================================================================

  /** Topic ARNs (for tooling and tests). */
  topicArns(): string[] {
    return [...this.topics.keys()];
  }

  /** Whether a topic exists (S3 checks notification destinations with it). */
  hasTopic(arn: string): boolean {
    return this.topics.has(arn);
  }

  /** Publishes on behalf of another service (S3, CloudWatch, Auto Scaling, Lambda destinations), skipping the wire. */
  publishInternal(topicArn: string, message: string, subject?: string): void {
    const topic = this.topics.get(topicArn);
    if (!topic) throw new AwsError('NotFound', 'Topic does not exist', 404);
    // AWS: a service's own subject ("Auto Scaling: termination for group …") is cut to SNS's limit, not refused
    const Subject = subject?.slice(0, MAX_SUBJECT_LENGTH);
    this.accept(
      topic,
      { Message: message, Subject, ...(topic.fifo ? { MessageGroupId: 'default' } : {}) },
      this.clock.now(),
    );
  }

  /** Cancels retry timers (emulator shutdown). */
  close(): void {
    this.deliverer.close();
  }

  private topicArn(name: string): string {
    return `arn:aws:sns:${this.region}:${this.accountId}:${name}`;
  }

  private checkTopicArn(arn: string): void {
    const parts = arn.split(':');
    if (parts.length !== 6 || parts[0] !== 'arn' || parts[2] !== 'sns') throw invalidParameter('TopicArn');
  }

  private topicOf(arn: unknown): Topic {
    const text = requireString(arn, 'TopicArn');
    this.checkTopicArn(text);
    const topic = this.topics.get(text);
    if (!topic) throw new AwsError('NotFound', 'Topic does not exist', 404);
    return topic;
  }

  private taggedTopic(arn: unknown): Topic {
    const text = requireString(arn, 'ResourceArn');
    const topic = this.topics.get(text);
    if (!topic) throw new AwsError('ResourceNotFound', 'Resource does not exist', 404);
    return topic;
  }

  private subscriptionOf(arn: unknown): Subscription {
    const text = requireString(arn, 'SubscriptionArn');
    const subscription = this.subscriptions.get(text);
    if (!subscription) throw new AwsError('NotFound', 'Subscription does not exist', 404);
    return subscription;
  }

  private visibleArn(subscription: Subscription, returnArn: boolean | undefined): string {
    return subscription.pendingConfirmation && !returnArn ? 'pending confirmation' : subscription.arn;
  }

  private subscriptionShape(subscription: Subscription): SubscriptionShape {
    return {
      SubscriptionArn: subscription.pendingConfirmation ? 'PendingConfirmation' : subscription.arn,
      Owner: this.accountId,
      Protocol: subscription.protocol,
      Endpoint: subscription.endpoint,
      TopicArn: subscription.topicArn,
    };
  }

  private validateEndpoint(topic: Topic, protocol: SubscriptionProtocol, endpoint: string): void {
    switch (protocol) {
      case 'sqs': {
        const match = /^arn:aws:sqs:[a-z0-9-]+:\d{12}:([A-Za-z0-9_-]{1,80}(\.fifo)?)$/.exec(endpoint);
        if (!match) throw invalidParameter('SQS endpoint ARN');
        if (match[2] !== undefined && !topic.fifo) {
          throw invalidParameter(
            'Invalid parameter: Endpoint Reason: FIFO SQS Queues can not be subscribed to standard SNS topics',
          );
        }
        return;
      }
      case 'lambda':
        if (
          !/^arn:aws:lambda:[a-z0-9-]+:\d{12}:function:[A-Za-z0-9_-]{1,64}(:[A-Za-z0-9$_-]+)?$/.test(endpoint)
        ) {
          throw invalidParameter('Lambda endpoint ARN');
        }
        break;
      case 'http':
      case 'https':
        if (!endpoint.toLowerCase().startsWith(`${protocol}://`) || !URL.canParse(endpoint)) {
          throw invalidParameter('Endpoint must match the specified protocol');
        }
        if (!this.outbound.permits(endpoint)) throw outboundRefused(endpoint);
        break;
    }
    // AWS: FIFO topics deliver to SQS queues only
    if (topic.fifo) throw invalidParameter('Invalid parameter: Endpoint Reason: Please use FIFO SQS queue');
  }

  private validateTopicAttribute(
    name: string,
    value: string,
    fifo: boolean,
    context: 'CreateTopic' | 'SetTopicAttributes',
  ): void {
    const prefix = 'Invalid parameter: ';
    if (!TOPIC_ATTRIBUTES.has(name)) throw new AwsError('InvalidParameter', `${prefix}AttributeName`);
    switch (name) {
      case 'ContentBasedDeduplication':
        if (!fifo) {
          throw new AwsError(
            'InvalidParameter',
            `${prefix}ContentBasedDeduplication Reason: Content based deduplication can only be set for FIFO topics`,
          );
        }
        if (!/^(true|false)$/i.test(value)) {
          throw new AwsError(
            'InvalidParameter',
            `${prefix}ContentBasedDeduplication Reason: Invalid value [${value}]`,
          );
        }
        break;
      case 'DeliveryPolicy':
        // AWS words CreateTopic's attribute errors `Attributes Reason: …`
        if (value !== '') {
          validateTopicDeliveryPolicy(
            value,
            context === 'CreateTopic' ? 'Invalid parameter: Attributes Reason: ' : prefix,
          );
        }
        break;
      case 'Policy':
      case 'DataProtectionPolicy':
      case 'ArchivePolicy':
        if (value !== '' && !isJsonObject(value)) {
          throw new AwsError('InvalidParameter', `${prefix}${name}: failed to parse JSON.`);
        }
        break;
      case 'SignatureVersion':
        if (value !== '1' && value !== '2')
          throw new AwsError('InvalidParameter', `${prefix}SignatureVersion`);
        break;
    }
  }

  private validateSubscriptionAttributes(
    attributes: Record<string, string>,
    protocol: SubscriptionProtocol,
    context: 'Subscribe' | 'SetSubscriptionAttributes',
  ): { filterPolicy: ReturnType<typeof parseFilterPolicy> | undefined } {
    const prefix = context === 'Subscribe' ? 'Attributes Reason: ' : '';
    const raw = attributes.RawMessageDelivery;
    if (raw !== undefined && !/^(true|false)$/i.test(raw)) {
      throw invalidParameter(`${prefix}RawMessageDelivery: Invalid value [${raw}]. Must be true or false.`);
    }
    if (raw?.toLowerCase() === 'true' && protocol === 'lambda') {
      throw invalidParameter(`${prefix}Delivery protocol [lambda] does not support raw message delivery.`);
    }
    const scope = attributes.FilterPolicyScope;
    if (scope !== undefined && scope !== 'MessageAttributes' && scope !== 'MessageBody') {
      throw invalidParameter(
        `${prefix}FilterPolicyScope: Invalid value [${scope}]. Please use either MessageBody or MessageAttributes`,
      );
    }
    const redrive = attributes.RedrivePolicy;
    if (redrive !== undefined) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(redrive);
      } catch {
        throw invalidParameter(`${prefix}RedrivePolicy: failed to parse JSON.`);
      }
      const target = isObject(parsed) ? parsed.deadLetterTargetArn : undefined;
      if (typeof target !== 'string' || !/^arn:aws:sqs:[a-z0-9-]+:\d{12}:[A-Za-z0-9_.-]+$/.test(target)) {
        throw invalidParameter(`${prefix}RedrivePolicy: deadLetterTargetArn is not a valid SQS queue ARN`);
      }
    }
    if (attributes.DeliveryPolicy !== undefined && attributes.DeliveryPolicy !== '') {
      validateSubscriptionDeliveryPolicy(attributes.DeliveryPolicy, `Invalid parameter: ${prefix}`);
    }
    const filterPolicy =
      attributes.FilterPolicy !== undefined
        ? parseFilterPolicy(
            attributes.FilterPolicy,
            (scope as FilterPolicyScope) ?? 'MessageAttributes',
            context,
          )
        : undefined;
    return { filterPolicy };
  }

  private defaultPolicy(topic: Topic): string {
    return JSON.stringify({
      Version: '2008-10-17',
      Id: '__default_policy_ID',
      Statement: [
        {
          Sid: '__default_statement_ID',
          Effect: 'Allow',
          Principal: { AWS: '*' },
          Action: [
            'SNS:GetTopicAttributes',
            'SNS:SetTopicAttributes',
            'SNS:AddPermission',
            'SNS:RemovePermission',
            'SNS:DeleteTopic',
            'SNS:Subscribe',
            'SNS:ListSubscriptionsByTopic',
            'SNS:Publish',
          ],
          Resource: topic.arn,
          Condition: { StringEquals: { 'AWS:SourceOwner': this.accountId } },
        },
      ],
    });
  }
}

// ----- validation -------------------------------------------------------------------------------------------

function invalidParameter(reason: string): AwsError {
  return new AwsError('InvalidParameter', `Invalid parameter: ${reason}`);
}

function invalidFifoToken(name: string, _value: string, reason: string): AwsError {
  return invalidParameter(`${name} Reason: ${reason}`);
}

function requireString(value: unknown, name: string): string {
  if (typeof value !== 'string' || value === '') {
    throw new AwsError(
      'InvalidParameter',
      `Invalid parameter: ${name} Reason: no value for required parameter`,
    );
  }
  return value;
}

function tagLimitExceeded(): AwsError {
  return new AwsError('TagLimitExceeded', 'Could not complete request: tag quota of per resource exceeded');
}

function tagList(tags: { Key?: string; Value?: string }[] | undefined): Map<string, string> {
  const out = new Map<string, string>();
  for (const tag of tags ?? []) {
    if (typeof tag.Key !== 'string' || tag.Key.length < 1 || tag.Key.length > 128) {
      throw new AwsError(
        'InvalidParameter',
        'Invalid parameter: Tags Reason: Tag keys must be 1 to 128 characters',
      );
    }
    out.set(tag.Key, tag.Value ?? '');
  }
  return out;
}

function isJsonObject(text: string): boolean {
  try {
    return isObject(JSON.parse(text));
  } catch {
    return false;
  }
}

/** Subscribe refuses HTTP/S endpoints off this machine unless the emulator was started to allow them. */
function outboundRefused(endpoint: string): AwsError {
  const host = OutboundPolicy.hostOf(endpoint) ?? endpoint;
  const shown = host.length > 255 ? `${host.slice(0, 255)}…` : host;
  return invalidParameter(
    `Endpoint Reason: The emulator delivers HTTP/S notifications only to loopback addresses ` +
      `(127.0.0.0/8, ::1, localhost), not to ${shown}. Start it with --allow-outbound ${shown} to allow that host.`,
  );
}

function messageSize(message: string | undefined, attributes: PublishInput['MessageAttributes']): number {
  let size = message === undefined ? 0 : Buffer.byteLength(message);
  for (const [name, a] of Object.entries(attributes ?? {})) {
    size += Buffer.byteLength(name) + Buffer.byteLength(a.DataType ?? '');
    if (a.StringValue !== undefined) size += Buffer.byteLength(a.StringValue);
    if (a.BinaryValue !== undefined) size += a.BinaryValue.byteLength;
  }
  return size;
}

/** MessageStructure json: a JSON object of strings with a `default` entry. */
function messageStructure(text: string): Record<string, string> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw invalidParameter('Message Structure - JSON message body failed to parse');
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw invalidParameter('Message Structure - JSON message body failed to parse');
  }
  const map = parsed as Record<string, unknown>;
  if (!Object.hasOwn(map, 'default'))
    throw invalidParameter('Message Structure - No default entry in JSON message body');
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(map)) {
    if (typeof value !== 'string') {
      throw invalidParameter('Message Structure - JSON message body failed to parse');
    }
    out[key] = value;
  }
  return out;
}

function validateAttributes(
  attributes: PublishInput['MessageAttributes'],
): Record<string, SnsMessageAttribute> {
  const out: Record<string, SnsMessageAttribute> = {};
  for (const [name, attribute] of Object.entries(attributes ?? {})) {
    const invalid = (message: string) => new AwsError('ParameterValueInvalid', message);
    const type = attribute.DataType;
    if (!type)
      throw invalid(`The message attribute '${name}' must contain non-empty message attribute type.`);
    const base = type.split('.', 1)[0];
    if (base !== 'String' && base !== 'Number' && base !== 'Binary') {
      throw invalid(
        `The message attribute '${name}' has an invalid message attribute type, the set of supported type prefixes is Binary, Number, and String.`,
      );
    }
    if (base === 'Binary') {
      if (attribute.BinaryValue === undefined) {
        throw invalid(`The message attribute '${name}' with type 'Binary' must use field 'Binary'.`);
      }
      out[name] = { DataType: type, BinaryValue: attribute.BinaryValue };
      continue;
    }
    const value = attribute.StringValue;
    if (value === undefined) {
      throw invalid(
        `The message attribute '${name}' must contain non-empty message attribute value for message attribute type '${base}'.`,
      );
    }
    if (base === 'Number') {
      // one pass over the text: a regular expression backtracking on a megabyte of digits froze the server
      const trimmed = value.trim();
      const digits = significantDigits(trimmed);
      if (digits === undefined) throw invalid(`Could not cast message attribute '${name}' value to number.`);
      if (!numberInRange(trimmed, digits)) {
        throw invalid(
          `The message attribute '${name}' with type 'Number' is out of range: Number values can have up to 38 digits of precision and range from -10^128 to 10^126.`,
        );
      }
    }
    if (type === 'String.Array') {
      let array: unknown;
      try {
        array = JSON.parse(value);
      } catch {
        array = undefined;
      }
      if (!Array.isArray(array)) {
        throw invalid(`The message attribute '${name}' with type 'String.Array' must be a JSON array.`);
      }
    }
    out[name] = { DataType: type, StringValue: value };
  }
  return out;
}

function paginate<T>(items: T[], token: string | undefined): { page: T[]; nextToken: string | undefined } {
  let start = 0;
  if (token !== undefined && token !== '') {
    start = Number.parseInt(Buffer.from(token, 'base64url').toString('utf8'), 10);
    if (!Number.isSafeInteger(start) || start < 0 || start > items.length)
      throw invalidParameter('NextToken');
  }
  const end = start + PAGE_SIZE;
  return {
    page: items.slice(start, end),
    nextToken: end < items.length ? Buffer.from(String(end), 'utf8').toString('base64url') : undefined,
  };
}
