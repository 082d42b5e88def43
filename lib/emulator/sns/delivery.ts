/**
 * SNS deliveries: SQS (in-process, through the SQS service), Lambda (through the function hook) and HTTP/S
 * (through a poster the protocol layer provides). Runs after Publish answers; retries wait on the Clock.
 *
 * AWS behavior honored: client-side failures (the queue or function does not exist, SQS rejects the message, an
 * HTTP 4xx other than 429) are not retried; server-side failures (HTTP 5xx or 429, no connection, timeout) are
 * retried per the delivery policy (HTTP default: 3 retries, 20 s apart). A message that still fails goes to the
 * subscription's RedrivePolicy dead-letter queue, if it has one.
 */
import { randomUUID } from 'node:crypto';
import type { MessageAttributeValue } from '@aws-sdk/client-sqs';
import type { Clock, Timer } from '../clock';
import type { DeliveryTracker, FunctionRegistry } from '../event-delivery';
import type { SqsService } from '../sqs/service';
import {
  type EnvelopeContext,
  lambdaEvent,
  messageFor,
  notificationEnvelope,
  subscriptionConfirmation,
} from './envelope';
import type { PublishedMessage, Subscription } from './model';

/** One HTTP/S POST to a subscriber: resolves with the status code, rejects when no answer came (refused, timeout). */
export type HttpPoster = (url: string, headers: Record<string, string>, body: string) => Promise<number>;

export interface SnsDelivererOptions {
  clock: Clock;
  region: string;
  endpoint: () => string;
  sqs: SqsService;
  functions: FunctionRegistry;
  deliveries: DeliveryTracker;
  postHttp: HttpPoster;
  subscriptionOf: (arn: string) => Subscription | undefined;
}

type Outcome = 'delivered' | 'client-error' | 'server-error';

interface RetryPolicy {
  numRetries: number;
  minDelayTarget: number;
  maxDelayTarget: number;
}

/** AWS's default healthy retry policy for HTTP/S endpoints. */
const DEFAULT_HTTP_RETRY: RetryPolicy = { numRetries: 3, minDelayTarget: 20, maxDelayTarget: 20 };

export class SnsDeliverer {
  private readonly timers = new Set<Timer>();

  constructor(private readonly options: SnsDelivererOptions) {}

  private get context(): EnvelopeContext {
    return { endpoint: this.options.endpoint(), region: this.options.region };
  }

  /** Delivers `message` to `subscription` after the caller returns. */
  deliver(subscription: Subscription, message: PublishedMessage): void {
    this.options.deliveries.run(() => this.attempt(subscription.arn, message, 0));
  }

  /** Sends an HTTP/S subscription its SubscriptionConfirmation (retried like notifications, never dead-lettered). */
  requestConfirmation(subscription: Subscription): void {
    this.options.deliveries.run(() => this.confirm(subscription.arn, 0));
  }

  close(): void {
    for (const timer of this.timers) this.options.clock.clearTimer(timer);
    this.timers.clear();
  }

  private async attempt(subscriptionArn: string, message: PublishedMessage, retries: number): Promise<void> {
    const subscription = this.options.subscriptionOf(subscriptionArn);
    if (!subscription) return; // unsubscribed meanwhile
    const outcome = await this.send(subscription, message);
    if (outcome === 'delivered') return;
    if (
      outcome === 'server-error' &&
      this.retryLater(subscription, retries, () => this.attempt(subscriptionArn, message, retries + 1))
    ) {
      return;
    }
    this.deadLetter(subscription, message);
  }

  private async confirm(subscriptionArn: string, retries: number): Promise<void> {
    const subscription = this.options.subscriptionOf(subscriptionArn);
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
    const outcome = await this.post(subscription.endpoint, body, {
      'x-amz-sns-message-type': 'SubscriptionConfirmation',
      'x-amz-sns-message-id': messageId,
      'x-amz-sns-topic-arn': subscription.topicArn,
    });
    if (outcome === 'server-error')
      this.retryLater(subscription, retries, () => this.confirm(subscriptionArn, retries + 1));
  }

  private async send(subscription: Subscription, message: PublishedMessage): Promise<Outcome> {
    switch (subscription.protocol) {
      case 'sqs':
        return this.toQueue(subscription.endpoint, subscription, message);
      case 'lambda':
        try {
          this.options.functions.invokeAsync(
            subscription.endpoint,
            lambdaEvent(message, subscription, this.context),
          );
          return 'delivered';
        } catch {
          return 'client-error';
        }
      case 'http':
      case 'https': {
        const headers: Record<string, string> = {
          'x-amz-sns-message-type': 'Notification',
          'x-amz-sns-message-id': message.messageId,
          'x-amz-sns-topic-arn': message.topicArn,
          'x-amz-sns-subscription-arn': subscription.arn,
        };
        if (subscription.rawMessageDelivery) headers['x-amz-sns-rawdelivery'] = 'true';
        return this.post(subscription.endpoint, this.bodyFor(subscription, message), headers);
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
    const queue = this.options.sqs.queueByArn(queueArn);
    if (!queue) return 'client-error';
    const raw = subscription.rawMessageDelivery;
    const attributes: Record<string, MessageAttributeValue> = {};
    if (raw) {
      for (const [name, a] of Object.entries(message.attributes)) {
        attributes[name] =
          a.BinaryValue !== undefined
            ? { DataType: a.DataType, BinaryValue: a.BinaryValue }
            : { DataType: a.DataType, StringValue: a.StringValue };
      }
    }
    try {
      this.options.sqs.sendMessage({
        QueueUrl: queue.url,
        MessageBody: this.bodyFor(subscription, message),
        ...(Object.keys(attributes).length > 0 ? { MessageAttributes: attributes } : {}),
        ...(queue.fifo && message.groupId !== undefined
          ? { MessageGroupId: message.groupId, MessageDeduplicationId: message.deduplicationId }
          : {}),
      });
      return 'delivered';
    } catch {
      return 'client-error';
    }
  }

  private async post(url: string, body: string, headers: Record<string, string>): Promise<Outcome> {
    try {
      const status = await this.options.postHttp(
        url,
        {
          ...headers,
          'content-type': 'text/plain; charset=UTF-8',
          'user-agent': 'Amazon Simple Notification Service Agent',
        },
        body,
      );
      if (status >= 200 && status < 300) return 'delivered';
      return status === 429 || status >= 500 ? 'server-error' : 'client-error';
    } catch {
      return 'server-error';
    }
  }

  /** Schedules the next attempt on the clock; false when the retry policy is used up. */
  private retryLater(subscription: Subscription, retries: number, next: () => Promise<void>): boolean {
    const policy = retryPolicyOf(subscription);
    if (retries >= policy.numRetries) return false;
    // linear backoff from minDelayTarget to maxDelayTarget over the retries
    const span = policy.maxDelayTarget - policy.minDelayTarget;
    const delaySeconds =
      policy.numRetries <= 1
        ? policy.minDelayTarget
        : policy.minDelayTarget + (span * retries) / (policy.numRetries - 1);
    const clock = this.options.clock;
    const timer = clock.setTimer(clock.now() + delaySeconds * 1000, () => {
      this.timers.delete(timer);
      this.options.deliveries.run(next);
    });
    this.timers.add(timer);
    return true;
  }

  private deadLetter(subscription: Subscription, message: PublishedMessage): void {
    const target = subscription.deadLetterTargetArn;
    if (target === undefined) return; // AWS: without a DLQ an undeliverable message is dropped
    this.toQueue(target, subscription, message);
  }
}

function retryPolicyOf(subscription: Subscription): RetryPolicy {
  if (subscription.protocol !== 'http' && subscription.protocol !== 'https') {
    return { numRetries: 0, minDelayTarget: 0, maxDelayTarget: 0 };
  }
  const text = subscription.attributes.get('DeliveryPolicy');
  if (!text) return DEFAULT_HTTP_RETRY;
  try {
    const policy =
      (JSON.parse(text) as { healthyRetryPolicy?: Partial<RetryPolicy> }).healthyRetryPolicy ?? {};
    return {
      numRetries: policy.numRetries ?? DEFAULT_HTTP_RETRY.numRetries,
      minDelayTarget: policy.minDelayTarget ?? DEFAULT_HTTP_RETRY.minDelayTarget,
      maxDelayTarget: policy.maxDelayTarget ?? policy.minDelayTarget ?? DEFAULT_HTTP_RETRY.maxDelayTarget,
    };
  } catch {
    return DEFAULT_HTTP_RETRY;
  }
}
