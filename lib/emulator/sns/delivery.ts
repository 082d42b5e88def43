/**
 * SNS deliveries: SQS (in-process, through the SQS service), Lambda (through the function hook) and HTTP/S
 * (through a poster the protocol layer provides). Runs after Publish answers; retries wait on the Clock.
 *
 * AWS behavior honored: client-side failures (the queue or function does not exist, SQS rejects the message, an
 * HTTP 4xx other than 429) are not retried; server-side failures (HTTP 5xx or 429, no connection, timeout) are
 * retried per the delivery policy (HTTP default: 3 retries, 20 s apart; a DeliveryPolicy sets the immediate,
 * pre-backoff, backoff and post-backoff phases, within 3,600 seconds in all), and `maxReceivesPerSecond` spaces
 * the POSTs to one subscription. A message that still fails goes to the subscription's RedrivePolicy dead-letter
 * queue, if it has one. HTTP/S POSTs go only where the OutboundPolicy lets them, checked again before each one.
 */
import { randomUUID } from 'node:crypto';
import type { Clock, Timer } from '../clock';
import {
  type ArnDelivery,
  deliverToArn,
  type IntegrationGuard,
  type QueueMessageAttribute,
} from '../kit/arn-delivery';
import type { DeliveryTracker, FunctionRegistry } from '../event-delivery';
import type { SqsService } from '../sqs/service';
import {
  type EffectiveDeliveryPolicy,
  effectiveDeliveryPolicy,
  MAX_RETRY_SECONDS,
  retryDelaySeconds,
} from './delivery-policy';
import {
  type EnvelopeContext,
  lambdaEvent,
  messageFor,
  notificationEnvelope,
  subscriptionConfirmation,
} from './envelope';
import type { PublishedMessage, Subscription } from './model';
import type { OutboundPolicy, ResolvedAddress } from './outbound';

/**
 * One HTTP/S POST to a subscriber: resolves with the status code, rejects when no answer came (refused, timeout).
 * `connectTo`, when given, is the checked address to connect to instead of resolving the URL's host again.
 */
export type HttpPoster = (
  url: string,
  headers: Record<string, string>,
  body: string,
  connectTo?: ResolvedAddress,
) => Promise<number>;

export interface SnsDelivererOptions {
  clock: Clock;
  region: string;
  endpoint: () => string;
  sqs: SqsService;
  functions: FunctionRegistry;
  deliveries: DeliveryTracker;
  postHttp: HttpPoster;
  /** Where HTTP/S deliveries may go (loopback, plus the hosts the emulator was started with). */
  outbound: OutboundPolicy;
  subscriptionOf: (arn: string) => Subscription | undefined;
  /** The DeliveryPolicy attribute of a topic, if set (its `http` defaults apply to HTTP/S subscriptions). */
  topicDeliveryPolicy: (topicArn: string) => string | undefined;
  /** `--iam`: whether sns.amazonaws.com may deliver to a queue or function (its policy, its key). @default allowed */
  integrations?: IntegrationGuard;
}

type Outcome = 'delivered' | 'client-error' | 'server-error';

/** AWS does not retry deliveries to SQS and Lambda endpoints that refuse a message (client errors). */
const NO_RETRIES: EffectiveDeliveryPolicy = {
  retry: {
    minDelayTarget: 1,
    maxDelayTarget: 1,
    numRetries: 0,
    numNoDelayRetries: 0,
    numMinDelayRetries: 0,
    numMaxDelayRetries: 0,
    backoffFunction: 'linear',
  },
  maxReceivesPerSecond: undefined,
  headerContentType: 'text/plain; charset=UTF-8',
};

/** One delivery of one message (or confirmation) to one subscription, across its retries. */
interface Attempt {
  readonly subscriptionArn: string;
  /** Epoch ms of the first attempt: AWS ends every retry schedule within 3,600 seconds of it. */
  readonly firstAt: number;
  /** Retries done so far. */
  retries: number;
}

export class SnsDeliverer {
  private readonly timers = new Set<Timer>();
  /** Per subscription with maxReceivesPerSecond: the clock second whose slots are being handed out, and how many. */
  private readonly slots = new Map<string, { second: number; used: number }>();

  constructor(private readonly options: SnsDelivererOptions) {}

  private get context(): EnvelopeContext {
    return { endpoint: this.options.endpoint(), region: this.options.region };
  }

  /** Delivers `message` to `subscription` after the caller returns. */
  deliver(subscription: Subscription, message: PublishedMessage): void {
    const attempt: Attempt = {
      subscriptionArn: subscription.arn,
      firstAt: this.options.clock.now(),
      retries: 0,
    };
    this.options.deliveries.run(() => this.attempt(attempt, message));
  }

  /** Sends an HTTP/S subscription its SubscriptionConfirmation (retried like notifications, never dead-lettered). */
  requestConfirmation(subscription: Subscription): void {
    const attempt: Attempt = {
      subscriptionArn: subscription.arn,
      firstAt: this.options.clock.now(),
      retries: 0,
    };
    this.options.deliveries.run(() => this.confirm(attempt));
  }

  /** The policy an HTTP/S subscription's deliveries follow now (topic defaults, the subscription's own settings). */
  policyOf(subscription: Subscription): EffectiveDeliveryPolicy {
    if (subscription.protocol !== 'http' && subscription.protocol !== 'https') return NO_RETRIES;
    return effectiveDeliveryPolicy(
      this.options.topicDeliveryPolicy(subscription.topicArn),
      subscription.attributes.get('DeliveryPolicy'),
    );
  }

  close(): void {
    for (const timer of this.timers) this.options.clock.clearTimer(timer);
    this.timers.clear();
  }

  /** Forgets a deleted subscription's throttling state. */
  forget(subscriptionArn: string): void {
    this.slots.delete(subscriptionArn);
  }

  private async attempt(attempt: Attempt, message: PublishedMessage): Promise<void> {
    const subscription = this.options.subscriptionOf(attempt.subscriptionArn);
    if (!subscription) return; // unsubscribed meanwhile
    const policy = this.policyOf(subscription);
    const wait = this.throttle(subscription, policy);
    if (wait > 0) {
      this.after(wait, () => this.send(attempt, message));
      return;
    }
    await this.send(attempt, message);
  }

  private async send(attempt: Attempt, message: PublishedMessage): Promise<void> {
    const subscription = this.options.subscriptionOf(attempt.subscriptionArn);
    if (!subscription) return;
    const policy = this.policyOf(subscription);
    const outcome = await this.sendOnce(subscription, message, policy);
    if (outcome === 'delivered') return;
    if (
      outcome === 'server-error' &&
      this.retryLater(attempt, policy, () => this.attempt(attempt, message))
    ) {
      return;
    }
    this.deadLetter(subscription, message);
  }

  private async confirm(attempt: Attempt): Promise<void> {
    const subscription = this.options.subscriptionOf(attempt.subscriptionArn);
    if (!subscription?.pendingConfirmation || !subscription.confirmationToken) return;
    const now = this.options.clock.now();
    const messageId = randomUUID();
    const body = subscriptionConfirmation(
      messageId,
      subscription,
      subscription.confirmationToken,
      now,
      this.context,
    );
    const policy = this.policyOf(subscription);
    const outcome = await this.post(subscription.endpoint, body, policy, {
      'x-amz-sns-message-type': 'SubscriptionConfirmation',
      'x-amz-sns-message-id': messageId,
      'x-amz-sns-topic-arn': subscription.topicArn,
    });
    if (outcome === 'server-error') this.retryLater(attempt, policy, () => this.confirm(attempt));
  }

  private async sendOnce(
    subscription: Subscription,
    message: PublishedMessage,
    policy: EffectiveDeliveryPolicy,
  ): Promise<Outcome> {
    switch (subscription.protocol) {
      case 'sqs':
        return this.toQueue(subscription.endpoint, subscription, message);
      case 'lambda':
        return this.toArn(subscription.endpoint, {
          event: lambdaEvent(message, subscription, this.context),
          actingFor: this.actingFor(subscription),
        });
      case 'http':
      case 'https': {
        const headers: Record<string, string> = {
          'x-amz-sns-message-type': 'Notification',
          'x-amz-sns-message-id': message.messageId,
          'x-amz-sns-topic-arn': message.topicArn,
          'x-amz-sns-subscription-arn': subscription.arn,
        };
        if (subscription.rawMessageDelivery) headers['x-amz-sns-rawdelivery'] = 'true';
        return this.post(subscription.endpoint, this.bodyFor(subscription, message), policy, headers);
      }
    }
  }

  private bodyFor(subscription: Subscription, message: PublishedMessage): string {
    return subscription.rawMessageDelivery
      ? messageFor(message, subscription)
      : notificationEnvelope(message, subscription, this.context);
  }

  /** SQS in-process: the envelope (or the raw body with SNS attributes as SQS attributes), FIFO ids passed on. */
  private toQueue(queueArn: string, subscription: Subscription, message: PublishedMessage): Outcome {
    const attributes: Record<string, QueueMessageAttribute> = {};
    if (subscription.rawMessageDelivery) {
      for (const [name, a] of Object.entries(message.attributes)) {
        attributes[name] =
          a.BinaryValue !== undefined
            ? { DataType: a.DataType, BinaryValue: a.BinaryValue }
            : { DataType: a.DataType, StringValue: a.StringValue };
      }
    }
    return this.toArn(queueArn, {
      event: this.bodyFor(subscription, message),
      actingFor: this.actingFor(subscription),
      messageAttributes: attributes,
      ...(message.groupId !== undefined
        ? { fifo: { groupId: message.groupId, deduplicationId: message.deduplicationId } }
        : {}),
    });
  }

  /** AWS: SNS delivers to queues and functions as sns.amazonaws.com, for the topic (aws:SourceArn). */
  private actingFor(subscription: Subscription): ArnDelivery['actingFor'] {
    const guard = this.options.integrations;
    return guard && { service: 'sns.amazonaws.com', sourceArn: subscription.topicArn, guard };
  }

  /** A queue or function endpoint: one in-process delivery; one it refuses (or that is gone) is a client error. */
  private toArn(arn: string, delivery: ArnDelivery): Outcome {
    try {
      deliverToArn(this.options, arn, delivery);
      return 'delivered';
    } catch {
      return 'client-error';
    }
  }

  /** One POST, to the address the outbound policy allows right now (refused: a client error, never retried). */
  private async post(
    url: string,
    body: string,
    policy: EffectiveDeliveryPolicy,
    headers: Record<string, string>,
  ): Promise<Outcome> {
    const verdict = await this.options.outbound.check(url);
    if (verdict.kind === 'refused') {
      console.warn(`emulator: SNS did not deliver to ${url}: ${verdict.reason} (see --allow-outbound)`);
      return 'client-error';
    }
    if (verdict.kind === 'unresolved') return 'server-error'; // AWS: an unreachable endpoint is retried
    try {
      const status = await this.options.postHttp(
        url,
        {
          ...headers,
          'content-type': policy.headerContentType,
          'user-agent': 'Amazon Simple Notification Service Agent',
        },
        body,
        verdict.pinned,
      );
      if (status >= 200 && status < 300) return 'delivered';
      return status === 429 || status >= 500 ? 'server-error' : 'client-error';
    } catch {
      return 'server-error';
    }
  }

  /**
   * Schedules the next attempt per the retry policy; false when the policy is used up or the next retry would end
   * past 3,600 seconds after the first attempt. Immediate-phase retries run at once, after the failed one.
   */
  private retryLater(attempt: Attempt, policy: EffectiveDeliveryPolicy, next: () => Promise<void>): boolean {
    const seconds = retryDelaySeconds(policy.retry, attempt.retries + 1);
    if (seconds === undefined) return false;
    const delayMs = Math.round(seconds * 1000);
    if (this.options.clock.now() + delayMs - attempt.firstAt > MAX_RETRY_SECONDS * 1000) return false;
    attempt.retries++;
    if (delayMs === 0) this.options.deliveries.run(next);
    else this.after(delayMs, next);
    return true;
  }

  /**
   * AWS `maxReceivesPerSecond`: at most that many POSTs to one subscription per clock second; a POST over the
   * budget takes the next free second. Returns how long to wait (0: go now).
   */
  private throttle(subscription: Subscription, policy: EffectiveDeliveryPolicy): number {
    const max = policy.maxReceivesPerSecond;
    if (max === undefined) return 0;
    const now = this.options.clock.now();
    const current = Math.floor(now / 1000);
    let slot = this.slots.get(subscription.arn);
    if (!slot || slot.second < current) {
      slot = { second: current, used: 0 };
      this.slots.set(subscription.arn, slot);
    }
    if (slot.used >= max) {
      slot.second += 1;
      slot.used = 0;
    }
    slot.used++;
    return slot.second > current ? slot.second * 1000 - now : 0;
  }

  private after(delayMs: number, next: () => Promise<void>): void {
    const clock = this.options.clock;
    const timer = clock.setTimer(clock.now() + delayMs, () => {
      this.timers.delete(timer);
      this.options.deliveries.run(next);
    });
    this.timers.add(timer);
  }

  private deadLetter(subscription: Subscription, message: PublishedMessage): void {
    const target = subscription.deadLetterTargetArn;
    if (target === undefined) return; // AWS: without a DLQ an undeliverable message is dropped
    this.toQueue(target, subscription, message);
  }
}
