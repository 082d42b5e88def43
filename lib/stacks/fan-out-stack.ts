import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';
import type { StageConfig } from '../config';
import { GuardedTopicDestination } from '../constructs/guarded-topic-destination';
import { acknowledgeNagRule } from '../constructs/nag-acknowledgment';
import type { QueueConsumer } from '../constructs/queue-consumer';
import {
  type FilterPolicy,
  FilterPolicyScope,
  QueueSubscription,
  type QueueSubscriptionProps,
} from '../constructs/queue-subscription';
import {
  type IQueueWithDeadLetter,
  QueueWithDeadLetter,
  type QueueWithDeadLetterProps,
} from '../constructs/queue-with-dead-letter';
import { TopicProducer } from '../constructs/topic-producer';
import {
  accessLogBucketProps,
  acknowledgeBucketNotificationsFindings,
  acknowledgeSecureBucketFindings,
  secureBucketProps,
} from './secure-bucket-props';
import { lambdaEntry, stageFunctionProps, stageQueueProps } from './shared-props';
import { CONSUMED_QUEUE_VISIBILITY_TIMEOUT, stageConsumer } from './stage-consumer';

/** Properties of the {@link FanOutStack}. */
export interface FanOutStackProps extends StackProps {
  /** The stage's removal policy, retention and purge rules. */
  readonly config: StageConfig;
}

/** Objects created under this prefix of the image bucket are announced on the image events topic. */
export const IMAGES_PREFIX = 'images/';

/** Quotes covering at least this much (in any currency) also go to underwriting, by a filter on the body. */
export const UNDERWRITING_THRESHOLD = 100_000;

/** The filter policy of each filtered quote subscriber, as SNS evaluates it. */
export const QUOTE_FILTERS = {
  /** Attribute `type` is car or boat. */
  vehicleSales: { type: ['car', 'boat'] },
  /** Attribute `type` is life. */
  lifeSales: { type: ['life'] },
  /** Body property coverage.amount ≥ the threshold (MessageBody scope, nested key). */
  underwriting: { coverage: { amount: [{ numeric: ['>=', UNDERWRITING_THRESHOLD] }] } },
} as const satisfies Record<string, FilterPolicy>;

/** A subscriber queue and its subscription. */
export interface Subscriber {
  readonly queues: QueueWithDeadLetter;
  readonly subscription: QueueSubscription;
}

/**
 * Chapter 3 of the workshop, fan-out: one message, many independent consumers.
 *
 * - Insurance quotes: an SNS topic whose messages carry the attribute `type` (car, boat, life), fanned out to
 *   vehicle sales (car or boat), life sales (life), analytics (everything, raw delivery) and underwriting (a
 *   MessageBody filter on the nested coverage.amount). A producer Lambda publishes quotes; a consumer Lambda
 *   prices vehicle quotes (partial batch failures) and sends offers to an offers queue; its dead-letter alarm
 *   notifies an encrypted alarm topic.
 * - S3 events: objects created under images/ → an SNS topic → thumbnails and audit queues.
 * - FIFO: an SNS FIFO topic of order events → fulfillment and billing FIFO queues, ordered per order id and
 *   deduplicated.
 *
 * Every subscriber queue has its DLQ and its subscription its own DLQ (RedrivePolicy); each pattern encrypts
 * its topic and queues with one customer-managed key whose policy lets SNS (and S3) use it for this topic
 * (and bucket) only.
 */
export class FanOutStack extends Stack {
  readonly quoteTopic: sns.Topic;
  readonly vehicleSales: Subscriber;
  readonly lifeSales: Subscriber;
  readonly analytics: Subscriber;
  readonly underwriting: Subscriber;
  readonly offers: QueueWithDeadLetter;
  readonly quoteProducer: TopicProducer;
  readonly vehicleSalesConsumer: QueueConsumer;
  /** The topic the dead-letter alarms notify. */
  readonly alarmTopic: sns.Topic;

  readonly imageBucket: s3.Bucket;
  readonly imageEventsTopic: sns.Topic;
  readonly thumbnails: Subscriber;
  readonly audit: Subscriber;

  readonly orderEventsTopic: sns.Topic;
  readonly fulfillment: Subscriber;
  readonly billing: Subscriber;

  private readonly accessLogBucket: s3.Bucket;
  private readonly config: StageConfig;

  constructor(scope: Construct, id: string, props: FanOutStackProps) {
    super(scope, id, props);
    this.config = props.config;
    const { config } = props;
    const queueDefaults = stageQueueProps(config);
    const functionDefaults = stageFunctionProps(config);

    // Insurance quotes.
    const quoteKey = this.messagingKey('QuoteKey', 'insurance quotes: the topic and its subscriber queues');
    this.quoteTopic = new sns.Topic(this, 'QuoteTopic', {
      displayName: 'Insurance quote requests',
      masterKey: quoteKey,
      enforceSSL: true,
    });
    this.vehicleSales = this.subscribe('VehicleSales', this.quoteTopic, {
      queue: {
        encryptionKey: quoteKey,
        visibilityTimeout: CONSUMED_QUEUE_VISIBILITY_TIMEOUT,
      },
      filterPolicy: QUOTE_FILTERS.vehicleSales,
    });
    this.lifeSales = this.subscribe('LifeSales', this.quoteTopic, {
      queue: { encryptionKey: quoteKey },
      filterPolicy: QUOTE_FILTERS.lifeSales,
    });
    this.analytics = this.subscribe('Analytics', this.quoteTopic, {
      queue: { encryptionKey: quoteKey },
      rawMessageDelivery: true,
    });
    this.underwriting = this.subscribe('Underwriting', this.quoteTopic, {
      queue: { encryptionKey: quoteKey },
      filterPolicy: QUOTE_FILTERS.underwriting,
      filterPolicyScope: FilterPolicyScope.MESSAGE_BODY,
    });
    this.offers = new QueueWithDeadLetter(this, 'Offers', queueDefaults);

    this.quoteProducer = new TopicProducer(this, 'QuoteProducer', {
      ...functionDefaults,
      entry: lambdaEntry('quote-producer'),
      serviceName: 'quote-producer',
      topic: this.quoteTopic,
    });
    const { consumer, alarms } = stageConsumer(this, 'VehicleSalesConsumer', config, {
      entry: lambdaEntry('quote-consumer'),
      serviceName: 'vehicle-sales',
      source: this.vehicleSales.queues,
      environment: { OFFERS_QUEUE_URL: this.offers.queue.queueUrl },
    });
    this.vehicleSalesConsumer = consumer;
    this.alarmTopic = alarms.topic;
    this.offers.queue.grantSendMessages(this.vehicleSalesConsumer.function);

    // S3 events fanned out through SNS.
    this.accessLogBucket = new s3.Bucket(this, 'AccessLogBucket', accessLogBucketProps(config));
    this.imageBucket = new s3.Bucket(this, 'ImageBucket', {
      ...secureBucketProps(config),
      serverAccessLogsBucket: this.accessLogBucket,
      serverAccessLogsPrefix: 'image-bucket/',
    });
    const imageKey = this.messagingKey('ImageEventsKey', 'image upload events: the topic and its queues');
    this.imageEventsTopic = new sns.Topic(this, 'ImageEventsTopic', {
      displayName: 'Images uploaded',
      masterKey: imageKey,
      enforceSSL: true,
    });
    this.imageBucket.addEventNotification(
      s3.EventType.OBJECT_CREATED,
      new GuardedTopicDestination(this.imageEventsTopic),
      { prefix: IMAGES_PREFIX },
    );
    // Thumbnail workers read the S3 event itself; audit keeps the SNS envelope (its id and timestamp).
    this.thumbnails = this.subscribe('Thumbnails', this.imageEventsTopic, {
      queue: { encryptionKey: imageKey },
      rawMessageDelivery: true,
    });
    this.audit = this.subscribe('Audit', this.imageEventsTopic, { queue: { encryptionKey: imageKey } });

    // FIFO fan-out: order events stay in order per order id (the message group) in every queue.
    const orderKey = this.messagingKey('OrderEventsKey', 'order events: the FIFO topic and its queues');
    this.orderEventsTopic = new sns.Topic(this, 'OrderEventsTopic', {
      fifo: true,
      contentBasedDeduplication: true,
      masterKey: orderKey,
      enforceSSL: true,
    });
    this.fulfillment = this.subscribe('Fulfillment', this.orderEventsTopic, {
      queue: { fifo: true, encryptionKey: orderKey },
    });
    this.billing = this.subscribe('Billing', this.orderEventsTopic, {
      queue: { fifo: true, encryptionKey: orderKey },
    });

    this.addOutputs();
    this.acknowledgeNagFindings();
  }

  /** A queue with its DLQ, subscribed to `topic` with its own subscription DLQ, all per the stage. */
  private subscribe(
    name: string,
    topic: sns.ITopic,
    options: { queue: QueueWithDeadLetterProps } & Omit<QueueSubscriptionProps, 'topic' | 'subscriber'>,
  ): Subscriber {
    const { queue, ...subscription } = options;
    const queues = new QueueWithDeadLetter(this, name, { ...stageQueueProps(this.config), ...queue });
    return {
      queues,
      subscription: new QueueSubscription(this, `${name}Subscription`, {
        topic,
        subscriber: queues,
        deadLetterRetentionPeriod: this.config.deadLetterRetention,
        allowPurge: this.config.allowQueuePurge,
        removalPolicy: this.config.removalPolicy,
        ...subscription,
      }),
    };
  }

  /** One rotating key per pattern; the subscriptions and the bucket notification add the service grants. */
  private messagingKey(id: string, what: string): kms.Key {
    return new kms.Key(this, id, {
      description: `Encrypts ${what}`,
      enableKeyRotation: true,
      removalPolicy: this.config.removalPolicy,
    });
  }

  private addOutputs(): void {
    const topics: Record<string, [sns.Topic, string]> = {
      QuoteTopicArn: [
        this.quoteTopic,
        'Insurance quotes: publish with the String attribute type = car, boat or life',
      ],
      ImageEventsTopicArn: [this.imageEventsTopic, `S3 events for objects created under ${IMAGES_PREFIX}`],
      OrderEventsTopicArn: [
        this.orderEventsTopic,
        'FIFO order events: publish with the order id as message group id',
      ],
    };
    for (const [id, [topic, description]] of Object.entries(topics)) {
      new CfnOutput(this, id, { value: topic.topicArn, description });
    }
    const subscribers: Record<string, [Subscriber, string]> = {
      VehicleSales: [this.vehicleSales, 'car and boat quotes'],
      LifeSales: [this.lifeSales, 'life quotes'],
      Analytics: [this.analytics, 'every quote, raw (no SNS envelope)'],
      Underwriting: [
        this.underwriting,
        `quotes covering ${UNDERWRITING_THRESHOLD.toLocaleString('en-US')} or more`,
      ],
      Thumbnails: [this.thumbnails, `S3 events under ${IMAGES_PREFIX}, raw`],
      Audit: [this.audit, `S3 events under ${IMAGES_PREFIX}, in the SNS envelope`],
      Fulfillment: [this.fulfillment, 'order events, in order per order id (FIFO)'],
      Billing: [this.billing, 'order events, in order per order id (FIFO)'],
    };
    for (const [name, [subscriber, what]] of Object.entries(subscribers)) {
      this.queueOutputs(name, subscriber.queues, what);
      new CfnOutput(this, `${name}SubscriptionDeadLetterQueueUrl`, {
        value: subscriber.subscription.deadLetterQueue.queueUrl,
        description: `Messages SNS could not deliver to the ${name} queue`,
      });
    }
    this.queueOutputs('Offers', this.offers, 'priced offers from the vehicle-sales consumer');
    new CfnOutput(this, 'ImageBucketName', {
      value: this.imageBucket.bucketName,
      description: `Upload under ${IMAGES_PREFIX} to fan out to the thumbnails and audit queues`,
    });
    new CfnOutput(this, 'QuoteProducerFunctionName', {
      value: this.quoteProducer.function.functionName,
      description: 'Invoke with {"quotes": [...]} to publish quotes',
    });
    new CfnOutput(this, 'VehicleSalesConsumerFunctionName', {
      value: this.vehicleSalesConsumer.function.functionName,
      description: 'Prices car and boat quotes from the vehicle-sales queue into offers',
    });
    new CfnOutput(this, 'AlarmTopicArn', {
      value: this.alarmTopic.topicArn,
      description: "SNS topic the vehicle-sales consumer's dead-letter alarm notifies",
    });
  }

  private queueOutputs(name: string, queues: IQueueWithDeadLetter, what: string): void {
    new CfnOutput(this, `${name}QueueUrl`, { value: queues.queue.queueUrl, description: `Queue of ${what}` });
    new CfnOutput(this, `${name}DeadLetterQueueUrl`, {
      value: queues.deadLetterQueue.queueUrl,
      description: `Dead-letter queue of the ${name} queue`,
    });
  }

  /** Each cdk-nag finding accepted on purpose, on the exact resource, with the reason. */
  private acknowledgeNagFindings(): void {
    acknowledgeBucketNotificationsFindings(this.imageBucket);
    acknowledgeNagRule(
      this.quoteProducer.function,
      'LambdaDLQ',
      'The quote producer is invoked synchronously (aws lambda invoke), so a failure goes back to the caller with its error; a Lambda dead-letter queue only receives failed asynchronous invocations',
    );
    acknowledgeSecureBucketFindings(this.accessLogBucket, this.config, 'access logs');
    acknowledgeSecureBucketFindings(this.imageBucket, this.config, 'data');
  }
}
