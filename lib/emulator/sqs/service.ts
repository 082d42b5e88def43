/**
 * Amazon SQS: one method per AWS operation. Validates input, throws AwsError, drives the model with time from
 * the Clock. The mechanisms live beside it: long polling (long-polling.ts, woken by events, never a tick), FIFO
 * receive retries (receive-attempts.ts), dead-letter policies (redrive.ts), message move tasks (move-task.ts).
 */
import { randomUUID } from 'node:crypto';
import type {
  AddPermissionRequest,
  CancelMessageMoveTaskRequest,
  CancelMessageMoveTaskResult,
  ChangeMessageVisibilityBatchRequest,
  ChangeMessageVisibilityBatchResult,
  ChangeMessageVisibilityRequest,
  CreateQueueRequest,
  CreateQueueResult,
  DeleteMessageBatchRequest,
  DeleteMessageBatchResult,
  DeleteMessageRequest,
  DeleteQueueRequest,
  GetQueueAttributesRequest,
  GetQueueAttributesResult,
  GetQueueUrlRequest,
  GetQueueUrlResult,
  ListDeadLetterSourceQueuesRequest,
  ListDeadLetterSourceQueuesResult,
  ListMessageMoveTasksRequest,
  ListMessageMoveTasksResult,
  ListQueuesRequest,
  ListQueuesResult,
  ListQueueTagsRequest,
  ListQueueTagsResult,
  PurgeQueueRequest,
  ReceiveMessageRequest,
  ReceiveMessageResult,
  RemovePermissionRequest,
  SendMessageBatchRequest,
  SendMessageBatchRequestEntry,
  SendMessageBatchResult,
  SendMessageRequest,
  SendMessageResult,
  SetQueueAttributesRequest,
  StartMessageMoveTaskRequest,
  StartMessageMoveTaskResult,
  TagQueueRequest,
  UntagQueueRequest,
} from '@aws-sdk/client-sqs';
import type { ActivityLog } from '../activity';
import type { Clock } from '../clock';
import { AwsError, invalidParameterValue, missingParameter } from '../errors';
import { type Page, pageAfter } from '../kit/pagination';
import { batchEntries, failedEntry } from './batch-entries';
import {
  optionalInteger,
  optionalString,
  requireInteger,
  requireString,
  stringList,
  stringMap,
} from './input-guards';
import { LongPolls } from './long-polling';
import { attributesSize, fifoIdentifiers, type PreparedMessage, prepareMessage } from './new-message';
import { validateFifoToken } from './message-validation';
import { type MessageAttributes, MessageState, Queue, type QueueChanges, type StoredMessage } from './model';
import { MessageMoveTask, type MoveTaskQueues } from './move-task';
import {
  applyAttributes,
  defaultSettings,
  READABLE_ATTRIBUTES,
  storedAttribute,
  validateAttributes,
} from './queue-attributes';
import { queueAddress, queueDoesNotExist } from './queue-url';
import { ReceiveAttempts } from './receive-attempts';
import { type ReceiveShape, receivedMessage } from './received-message';
import { decodeReceiptHandle } from './receipt-handle';
import { redrivePolicyOf, validateRedrivePolicy } from './redrive';

export const LOCAL_ACCOUNT_ID = '000000000000';
const MAX_BATCH_BYTES = 1_048_576;
const MAX_VISIBILITY_TIMEOUT = 43_200;
const QUEUE_NAME = /^[a-zA-Z0-9_-]{1,80}$/;
/** AWS: one PurgeQueue per queue every 60 seconds; a deleted queue's name is blocked for 60 seconds. */
const PURGE_INTERVAL_MS = 60_000;
const RECREATE_DELAY_MS = 60_000;

export interface SqsServiceOptions {
  clock: Clock;
  region: string;
  accountId?: string;
  /** Base of queue URLs, e.g. `http://127.0.0.1:4566`; read on each use (the port is known only once listening). */
  endpoint: () => string;
  /** Told about sends and dead-lettering (the live log of `npm start`). */
  activity?: ActivityLog;
  /** AWS's one PurgeQueue per queue every 60 seconds; false lifts it (`--no-purge-limit`). @default true */
  purgeLimit?: boolean;
}

/** Options of an in-process receive: cancel a long poll when its caller goes away. */
export interface ReceiveOptions {
  signal?: AbortSignal;
}

/**
 * What CloudWatch's AWS/SQS metrics count, reported by the service as it happens (set with `observeMetrics`).
 * AWS: messages moved to a dead-letter queue are neither sent to it nor received from their source.
 */
export interface SqsMetricsListener {
  /** SendMessage or a SendMessageBatch entry stored a message of `bytes` (body and attributes); not a duplicate. */
  sent(queue: Queue, bytes: number): void;
  /** A ReceiveMessage call answered with `count` messages; 0 is an empty receive. */
  received(queue: Queue, count: number): void;
  /** DeleteMessage or a DeleteMessageBatch entry succeeded (a repeated delete of the same message too). */
  deleted(queue: Queue): void;
}

/** Told about every durable change (`--state-dir`): queues' settings and lifetimes, and their messages. */
export interface SqsChanges extends QueueChanges {
  /** Created, or its attributes, tags, policy or last purge time changed. */
  queueChanged(queue: Queue): void;
  queueDeleted(queue: Queue, atMs: number): void;
  /** Every deleted queue's name is free again (a reset). */
  deletionsForgotten(): void;
  /** A message move task started or was cancelled (its progress is read when the changes are written). */
  moveTasksChanged(): void;
}

export class SqsService {
  readonly clock: Clock;
  readonly region: string;
  readonly accountId: string;
  private readonly endpoint: () => string;
  private readonly activity: ActivityLog | undefined;
  /** Whether a second PurgeQueue within 60 seconds answers PurgeQueueInProgress, as on AWS. */
  readonly purgeLimit: boolean;
  private readonly queues = new Map<string, Queue>();
  private readonly queuesByUrl = new Map<string, Queue>();
  private readonly deletedAt = new Map<string, number>();
  private readonly longPolls: LongPolls;
  private readonly receiveAttempts = new ReceiveAttempts();
  private readonly moveTasks: MessageMoveTask[] = [];
  private readonly moveTaskQueues: MoveTaskQueues;
  private metrics: SqsMetricsListener | undefined;
  private changes: SqsChanges | undefined;

  constructor(options: SqsServiceOptions) {
    this.clock = options.clock;
    this.region = options.region;
    this.accountId = options.accountId ?? LOCAL_ACCOUNT_ID;
    this.endpoint = options.endpoint;
    this.activity = options.activity;
    this.purgeLimit = options.purgeLimit ?? true;
    this.longPolls = new LongPolls(this.clock);
    this.moveTaskQueues = {
      clock: this.clock,
      queueByArn: (arn) => this.queueByArn(arn),
      received: (queue) => this.longPolls.notify(queue),
      activity: this.activity,
    };
  }

  // ===== queues ==============================================================================================

  createQueue(input: CreateQueueRequest): CreateQueueResult {
    const name = requireString(input.QueueName, 'QueueName');
    const attributes = stringMap(input.Attributes, 'Attributes');
    const fifo = attributes.FifoQueue === 'true';
    validateQueueName(name, fifo);
    const now = this.clock.now();
    const existing = this.queues.get(name);
    if (existing) {
      const requested = validateAttributes(attributes, existing.fifo, true);
      for (const [key, value] of requested) {
        const current = key === 'FifoQueue' ? String(existing.fifo) : storedAttribute(existing.settings, key);
        if ((current ?? '') !== value) {
          throw new AwsError(
            'QueueAlreadyExists',
            `A queue already exists with the same name and a different value for attribute ${key}`,
          );
        }
      }
      return { QueueUrl: existing.url };
    }
    const deletedAt = this.deletedAt.get(name);
    if (deletedAt !== undefined && now - deletedAt < RECREATE_DELAY_MS) {
      throw new AwsError(
        'AWS.SimpleQueueService.QueueDeletedRecently',
        'You must wait 60 seconds after deleting a queue before you can create another with the same name.',
      );
    }
    const requested = validateAttributes(attributes, fifo, true);
    validateRedrivePolicy(requested, { arn: this.arnOf(name), fifo }, (arn) => this.queueByArn(arn));
    const settings = defaultSettings(fifo);
    requested.delete('FifoQueue');
    applyAttributes(settings, requested);
    this.checkThroughputLimit(settings.extra);
    const queue = new Queue(
      name,
      this.arnOf(name),
      `${this.endpoint()}/${this.accountId}/${name}`,
      fifo,
      settings,
      now,
    );
    const tags = stringMap(input.tags, 'tags');
    validateTags(tags, name, 0);
    for (const [k, v] of Object.entries(tags)) queue.tags.set(k, v);
    this.queues.set(name, queue);
    queue.changes = this.changes;
    this.changes?.queueChanged(queue);
    return { QueueUrl: queue.url };
  }

  deleteQueue(input: DeleteQueueRequest): void {
    const queue = this.queueOf(input.QueueUrl);
    const now = this.clock.now();
    this.queues.delete(queue.name);
    for (const [url, cached] of this.queuesByUrl) if (cached === queue) this.queuesByUrl.delete(url);
    this.deletedAt.set(queue.name, now);
    for (const [name, at] of this.deletedAt) if (now - at >= RECREATE_DELAY_MS) this.deletedAt.delete(name);
    this.receiveAttempts.forget(queue);
    queue.purge();
    this.changes?.queueDeleted(queue, now);
    this.longPolls.cancel(queue);
  }

  getQueueUrl(input: GetQueueUrlRequest): GetQueueUrlResult {
    const name = requireString(input.QueueName, 'QueueName');
    const owner = optionalString(input.QueueOwnerAWSAccountId, 'QueueOwnerAWSAccountId');
    const queue = this.queues.get(name);
    if (!queue || (owner !== undefined && owner !== this.accountId)) throw queueDoesNotExist();
    return { QueueUrl: queue.url };
  }

  listQueues(input: ListQueuesRequest = {}): ListQueuesResult {
    const prefix = optionalString(input.QueueNamePrefix, 'QueueNamePrefix') ?? '';
    const names = [...this.queues.keys()].filter((n) => n.startsWith(prefix)).sort();
    const page = pageOfNames(names, input.MaxResults, input.NextToken);
    const result: ListQueuesResult = {};
    if (page.items.length > 0) result.QueueUrls = page.items.map((n) => (this.queues.get(n) as Queue).url);
    if (page.nextToken) result.NextToken = page.nextToken;
    return result;
  }

  getQueueAttributes(input: GetQueueAttributesRequest): GetQueueAttributesResult {
    const queue = this.queueOf(input.QueueUrl);
    const requested = stringList(input.AttributeNames, 'AttributeNames');
    for (const name of requested) {
      if (!READABLE_ATTRIBUTES.has(name))
        throw new AwsError('InvalidAttributeName', `Unknown Attribute ${name}.`);
    }
    const now = this.clock.now();
    queue.refresh(now);
    const all = requested.includes('All');
    const wanted = (name: string) => all || requested.includes(name);
    const attributes: Record<string, string> = {};
    const put = (name: string, value: string | undefined) => {
      if (value !== undefined && wanted(name)) attributes[name] = value;
    };
    put('QueueArn', queue.arn);
    put('ApproximateNumberOfMessages', String(queue.visibleCount));
    put('ApproximateNumberOfMessagesNotVisible', String(queue.inFlightCount));
    put('ApproximateNumberOfMessagesDelayed', String(queue.delayedCount));
    put('CreatedTimestamp', String(Math.floor(queue.createdAt / 1000)));
    put('LastModifiedTimestamp', String(Math.floor(queue.lastModifiedAt / 1000)));
    for (const name of [
      'VisibilityTimeout',
      'MaximumMessageSize',
      'MessageRetentionPeriod',
      'DelaySeconds',
      'ReceiveMessageWaitTimeSeconds',
    ]) {
      put(name, storedAttribute(queue.settings, name));
    }
    for (const [name, value] of queue.settings.extra) put(name, value);
    return { Attributes: attributes };
  }

  setQueueAttributes(input: SetQueueAttributesRequest): void {
    const queue = this.queueOf(input.QueueUrl);
    if (input.Attributes === undefined || input.Attributes === null) throw missingParameter('Attributes');
    const requested = validateAttributes(stringMap(input.Attributes, 'Attributes'), queue.fifo, false);
    validateRedrivePolicy(requested, queue, (arn) => this.queueByArn(arn));
    const merged = new Map(queue.settings.extra);
    for (const [k, v] of requested) merged.set(k, v);
    this.checkThroughputLimit(merged);
    applyAttributes(queue.settings, requested);
    queue.lastModifiedAt = this.clock.now();
    this.changes?.queueChanged(queue);
    // a shorter retention period or a changed redrive policy can change what is deliverable right now
    this.longPolls.notify(queue);
  }

  purgeQueue(input: PurgeQueueRequest): void {
    const queue = this.queueOf(input.QueueUrl);
    const now = this.clock.now();
    if (this.purgeLimit && queue.lastPurgeAt !== undefined && now - queue.lastPurgeAt < PURGE_INTERVAL_MS) {
      throw new AwsError(
        'AWS.SimpleQueueService.PurgeQueueInProgress',
        `Only one PurgeQueue operation on ${queue.name} is allowed every 60 seconds.`,
        403,
      );
    }
    queue.lastPurgeAt = now;
    queue.purge();
    this.changes?.queueChanged(queue);
    this.receiveAttempts.forget(queue);
  }

  tagQueue(input: TagQueueRequest): void {
    const queue = this.queueOf(input.QueueUrl);
    if (input.Tags === undefined || input.Tags === null) throw missingParameter('Tags');
    const tags = stringMap(input.Tags, 'Tags');
    const added = Object.keys(tags).filter((k) => !queue.tags.has(k)).length;
    validateTags(tags, queue.name, queue.tags.size + added - Object.keys(tags).length);
    for (const [k, v] of Object.entries(tags)) queue.tags.set(k, v);
    this.changes?.queueChanged(queue);
  }

  untagQueue(input: UntagQueueRequest): void {
    const queue = this.queueOf(input.QueueUrl);
    if (input.TagKeys === undefined || input.TagKeys === null) throw missingParameter('TagKeys');
    for (const key of stringList(input.TagKeys, 'TagKeys')) queue.tags.delete(key);
    this.changes?.queueChanged(queue);
  }

  listQueueTags(input: ListQueueTagsRequest): ListQueueTagsResult {
    const queue = this.queueOf(input.QueueUrl);
    return { Tags: Object.fromEntries(queue.tags) };
  }

  addPermission(input: AddPermissionRequest): void {
    const queue = this.queueOf(input.QueueUrl);
    const label = requireString(input.Label, 'Label');
    if (!/^[a-zA-Z0-9_-]{1,80}$/.test(label)) {
      throw invalidParameterValue(
        `Value ${label} for parameter Label is invalid. Reason: Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length.`,
      );
    }
    const accounts = stringList(input.AWSAccountIds, 'AWSAccountIds');
    const actions = stringList(input.Actions, 'Actions');
    if (accounts.length === 0) throw missingParameter('AWSAccountIds');
    if (actions.length === 0) throw missingParameter('Actions');
    const policy = this.policyOf(queue);
    if (policy.Statement.some((s) => s.Sid === label)) {
      throw invalidParameterValue(`Value ${label} for parameter Label is invalid. Reason: Already exists.`);
    }
    const principals = accounts.map((a) => `arn:aws:iam::${a}:root`);
    const actionNames = actions.map((a) => `SQS:${a}`);
    policy.Statement.push({
      Sid: label,
      Effect: 'Allow',
      Principal: { AWS: principals.length === 1 ? principals[0] : principals },
      Action: actionNames.length === 1 ? actionNames[0] : actionNames,
      Resource: queue.arn,
    });
    queue.settings.extra.set('Policy', JSON.stringify(policy));
    this.changes?.queueChanged(queue);
  }

  removePermission(input: RemovePermissionRequest): void {
    const queue = this.queueOf(input.QueueUrl);
    const label = requireString(input.Label, 'Label');
    const policy = this.policyOf(queue);
    const index = policy.Statement.findIndex((s) => s.Sid === label);
    if (index < 0)
      throw invalidParameterValue(`Value ${label} for parameter Label is invalid. Reason: can't find label.`);
    policy.Statement.splice(index, 1);
    if (policy.Statement.length === 0) queue.settings.extra.delete('Policy');
    else queue.settings.extra.set('Policy', JSON.stringify(policy));
    this.changes?.queueChanged(queue);
  }

  listDeadLetterSourceQueues(input: ListDeadLetterSourceQueuesRequest): ListDeadLetterSourceQueuesResult {
    const queue = this.queueOf(input.QueueUrl);
    const names = [...this.queues.values()]
      .filter((q) => redrivePolicyOf(q)?.deadLetterTargetArn === queue.arn)
      .map((q) => q.name)
      .sort();
    const page = pageOfNames(names, input.MaxResults, input.NextToken);
    const result: ListDeadLetterSourceQueuesResult = {
      queueUrls: page.items.map((n) => (this.queues.get(n) as Queue).url),
    };
    if (page.nextToken) result.NextToken = page.nextToken;
    return result;
  }

  // ===== sending =============================================================================================

  sendMessage(input: SendMessageRequest): SendMessageResult {
    const queue = this.queueOf(input.QueueUrl);
    const now = this.clock.now();
    queue.refresh(now);
    const prepared = prepareMessage(queue, input, this.accountId, now, false);
    const result = this.store(queue, prepared, now);
    this.longPolls.notify(queue);
    return result;
  }

  sendMessageBatch(input: SendMessageBatchRequest): SendMessageBatchResult {
    const queue = this.queueOf(input.QueueUrl);
    const entries = batchEntries<SendMessageBatchRequestEntry>(input.Entries, 'SendMessageBatchRequestEntry');
    let total = 0;
    for (const entry of entries) {
      if (typeof entry.MessageBody === 'string') total += Buffer.byteLength(entry.MessageBody);
      total += attributesSize(entry.MessageAttributes as MessageAttributes | undefined);
    }
    if (total > MAX_BATCH_BYTES) {
      throw new AwsError(
        'AWS.SimpleQueueService.BatchRequestTooLong',
        `Batch requests cannot be longer than ${MAX_BATCH_BYTES} bytes. You have sent ${total} bytes.`,
      );
    }
    const now = this.clock.now();
    queue.refresh(now);
    if (queue.fifo) {
      // AWS: missing FIFO identifiers fail the whole batch, not one entry
      for (const entry of entries) fifoIdentifiers(queue, entry, true);
    }
    const result: SendMessageBatchResult = { Successful: [], Failed: [] };
    for (const entry of entries) {
      try {
        const prepared = prepareMessage(queue, entry, this.accountId, now, true);
        result.Successful?.push({ Id: entry.Id, ...this.store(queue, prepared, now) } as never);
      } catch (error) {
        result.Failed?.push(failedEntry(entry.Id as string, error));
      }
    }
    this.longPolls.notify(queue);
    return result;
  }

  // ===== receiving ===========================================================================================

  /** Resolves with the messages; rejects with an AwsError for invalid input (never throws synchronously). */
  receiveMessage(input: ReceiveMessageRequest, options: ReceiveOptions = {}): Promise<ReceiveMessageResult> {
    try {
      return this.startReceive(input, options);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  private startReceive(input: ReceiveMessageRequest, options: ReceiveOptions): Promise<ReceiveMessageResult> {
    const queue = this.queueOf(input.QueueUrl);
    const max = optionalInteger(input.MaxNumberOfMessages, 'MaxNumberOfMessages') ?? 1;
    if (max < 1 || max > 10) {
      throw invalidParameterValue(
        `Value ${max} for parameter MaxNumberOfMessages is invalid. Reason: Must be between 1 and 10, if provided.`,
      );
    }
    const wait =
      optionalInteger(input.WaitTimeSeconds, 'WaitTimeSeconds') ??
      queue.settings.ReceiveMessageWaitTimeSeconds;
    if (wait < 0 || wait > 20) {
      throw invalidParameterValue(
        `Value ${wait} for parameter WaitTimeSeconds is invalid. Reason: Must be >= 0 and <= 20, if provided.`,
      );
    }
    const visibility = optionalInteger(input.VisibilityTimeout, 'VisibilityTimeout');
    if (visibility !== undefined && (visibility < 0 || visibility > MAX_VISIBILITY_TIMEOUT)) {
      throw invalidParameterValue(
        `Value ${visibility} for parameter VisibilityTimeout is invalid. Reason: Must be >= 0 and <= 43200, if provided.`,
      );
    }
    const attemptId = optionalString(input.ReceiveRequestAttemptId, 'ReceiveRequestAttemptId');
    if (attemptId !== undefined) validateFifoToken('ReceiveRequestAttemptId', attemptId);
    const systemNames = [
      ...stringList(input.AttributeNames, 'AttributeNames'),
      ...stringList(input.MessageSystemAttributeNames, 'MessageSystemAttributeNames'),
    ];
    const messageAttributeNames = stringList(input.MessageAttributeNames, 'MessageAttributeNames');
    const shape: ReceiveShape = {
      max,
      visibilityTimeout: visibility ?? queue.settings.VisibilityTimeout,
      systemAttributeNames: systemNames.includes('All')
        ? 'All'
        : systemNames.length > 0
          ? new Set(systemNames)
          : undefined,
      messageAttributeNames: messageAttributeNames.length > 0 ? messageAttributeNames : undefined,
      attemptId: queue.fifo ? attemptId : undefined,
    };
    const first = this.receiveNow(queue, shape);
    if (first.length > 0 || wait === 0) return Promise.resolve(this.receiveResult(queue, first, shape));
    if (options.signal?.aborted) return Promise.resolve({ Messages: [] });
    return this.longPolls.wait(
      queue,
      wait,
      // a queue deleted while receivers wait has nothing more to give
      () => (this.queues.get(queue.name) === queue ? this.receiveNow(queue, shape) : []),
      (messages) => this.receiveResult(queue, messages, shape),
      options.signal,
    );
  }

  private receiveNow(queue: Queue, shape: ReceiveShape): StoredMessage[] {
    const now = this.clock.now();
    if (shape.attemptId !== undefined) {
      const replay = this.receiveAttempts.replay(queue, shape.attemptId, shape.visibilityTimeout, now);
      if (replay) return replay;
    }
    const policy = redrivePolicyOf(queue);
    const redrive = policy
      ? {
          maxReceiveCount: policy.maxReceiveCount,
          sink: (m: StoredMessage) => this.deadLetter(queue, policy.deadLetterTargetArn, m),
        }
      : undefined;
    const messages = queue.receive(shape.max, shape.visibilityTimeout, now, redrive);
    if (shape.attemptId !== undefined && messages.length > 0) {
      this.receiveAttempts.record(queue, shape.attemptId, messages, now);
    }
    if (messages.length > 0) this.notifyAfterMove(queue, policy?.deadLetterTargetArn);
    return messages;
  }

  private deadLetter(source: Queue, targetArn: string, message: StoredMessage): boolean {
    const target = this.queueByArn(targetArn);
    if (!target || target === source) return false;
    const now = this.clock.now();
    target.refresh(now);
    target.enqueue({ ...source.toNewMessage(message), deadLetterSourceArn: source.arn }, now);
    if (this.activity?.active) {
      this.activity.emit({
        kind: 'message-dead-lettered',
        queueName: source.name,
        deadLetterQueueName: target.name,
        messageId: source.messageId(message),
        receiveCount: message.receiveCount,
      });
    }
    return true;
  }

  private notifyAfterMove(_queue: Queue, deadLetterArn: string | undefined): void {
    if (deadLetterArn === undefined) return;
    const target = this.queueByArn(deadLetterArn);
    if (target && this.longPolls.hasWaiters(target)) queueMicrotask(() => this.longPolls.notify(target));
  }

  private receiveResult(queue: Queue, messages: StoredMessage[], shape: ReceiveShape): ReceiveMessageResult {
    this.metrics?.received(queue, messages.length);
    return { Messages: messages.map((m) => receivedMessage(queue, m, shape)) };
  }

  // ===== acknowledging =======================================================================================

  deleteMessage(input: DeleteMessageRequest): void {
    const queue = this.queueOf(input.QueueUrl);
    this.deleteByHandle(queue, requireString(input.ReceiptHandle, 'ReceiptHandle'));
    this.metrics?.deleted(queue);
  }

  deleteMessageBatch(input: DeleteMessageBatchRequest): DeleteMessageBatchResult {
    const queue = this.queueOf(input.QueueUrl);
    const entries = batchEntries<{ Id?: string; ReceiptHandle?: string }>(
      input.Entries,
      'DeleteMessageBatchRequestEntry',
    );
    const result: DeleteMessageBatchResult = { Successful: [], Failed: [] };
    for (const entry of entries) {
      try {
        this.deleteByHandle(queue, requireString(entry.ReceiptHandle, 'ReceiptHandle'));
        this.metrics?.deleted(queue);
        result.Successful?.push({ Id: entry.Id });
      } catch (error) {
        result.Failed?.push(failedEntry(entry.Id as string, error));
      }
    }
    return result;
  }

  changeMessageVisibility(input: ChangeMessageVisibilityRequest): void {
    const queue = this.queueOf(input.QueueUrl);
    const handle = requireString(input.ReceiptHandle, 'ReceiptHandle');
    this.changeVisibilityByHandle(queue, handle, input.VisibilityTimeout);
  }

  changeMessageVisibilityBatch(
    input: ChangeMessageVisibilityBatchRequest,
  ): ChangeMessageVisibilityBatchResult {
    const queue = this.queueOf(input.QueueUrl);
    const entries = batchEntries<{ Id?: string; ReceiptHandle?: string; VisibilityTimeout?: number }>(
      input.Entries,
      'ChangeMessageVisibilityBatchRequestEntry',
    );
    const result: ChangeMessageVisibilityBatchResult = { Successful: [], Failed: [] };
    for (const entry of entries) {
      try {
        this.changeVisibilityByHandle(
          queue,
          requireString(entry.ReceiptHandle, 'ReceiptHandle'),
          entry.VisibilityTimeout,
        );
        result.Successful?.push({ Id: entry.Id });
      } catch (error) {
        result.Failed?.push(failedEntry(entry.Id as string, error));
      }
    }
    return result;
  }

  private deleteByHandle(queue: Queue, handle: string): void {
    const now = this.clock.now();
    const found = this.messageOf(queue, handle);
    if (found === undefined) return; // AWS: deleting an already deleted message succeeds
    queue.refresh(now);
    const message = found.stored;
    if (message.state === MessageState.Gone) return;
    const current = message.state === MessageState.InFlight && message.receiptGeneration === found.generation;
    if (queue.fifo && !current) throw handleExpired(handle);
    // AWS (standard): a handle from an earlier receive "succeeds, but the message might not be deleted"
    if (message.receiptGeneration !== found.generation) return;
    queue.remove(message);
    if (queue.fifo) this.longPolls.notify(queue); // the group may be unlocked now
  }

  private changeVisibilityByHandle(queue: Queue, handle: string, timeout: unknown): void {
    const seconds = requireInteger(timeout, 'VisibilityTimeout');
    if (seconds < 0 || seconds > MAX_VISIBILITY_TIMEOUT) {
      throw invalidParameterValue(
        `Value ${seconds} for parameter VisibilityTimeout is invalid. Reason: Must be between 0 and 43200, if provided.`,
      );
    }
    const now = this.clock.now();
    const found = this.messageOf(queue, handle);
    queue.refresh(now);
    const message = found?.stored;
    if (
      message === undefined ||
      message.state === MessageState.Gone ||
      message.receiptGeneration !== found?.generation
    ) {
      throw notInFlight();
    }
    // AWS (standard): a message whose timeout just expired can still be hidden again with its latest handle
    if (message.state !== MessageState.InFlight && (queue.fifo || message.state !== MessageState.Ready)) {
      throw notInFlight();
    }
    // AWS: a message can stay invisible at most 12 hours after the receive that returned this handle
    if (queue.sinceLastReceive(message, now) / 1000 + seconds > MAX_VISIBILITY_TIMEOUT) {
      throw invalidParameterValue(
        `Value ${seconds} for parameter VisibilityTimeout is invalid. Reason: Total VisibilityTimeout for the message is beyond the limit [43200 seconds].`,
      );
    }
    queue.changeVisibility(message, seconds, now);
    this.longPolls.notify(queue);
  }

  /** Undefined if the handle is well-formed but its message is gone; throws if it is not this queue's handle. */
  private messageOf(queue: Queue, text: string): { stored: StoredMessage; generation: number } | undefined {
    const parts = decodeReceiptHandle(text, queue.receiptRun);
    if (parts === undefined || parts.queueId !== queue.id) {
      throw new AwsError(
        'ReceiptHandleIsInvalid',
        `The input receipt handle "${text}" is not a valid receipt handle.`,
        404,
      );
    }
    const stored = queue.message(parts.seq);
    return stored === undefined ? undefined : { stored, generation: parts.generation };
  }

  // ===== message move tasks ==================================================================================

  startMessageMoveTask(input: StartMessageMoveTaskRequest): StartMessageMoveTaskResult {
    const sourceArn = requireString(input.SourceArn, 'SourceArn');
    const destinationArn = optionalString(input.DestinationArn, 'DestinationArn');
    const rate = optionalInteger(input.MaxNumberOfMessagesPerSecond, 'MaxNumberOfMessagesPerSecond');
    if (rate !== undefined && (rate < 1 || rate > 500)) {
      throw invalidParameterValue(
        `Value ${rate} for parameter MaxNumberOfMessagesPerSecond is invalid. Reason: Must be between 1 and 500.`,
      );
    }
    const source = this.queueByArn(sourceArn);
    if (!source) {
      throw new AwsError(
        'ResourceNotFoundException',
        "The resource that you specified for the SourceArn parameter doesn't exist.",
        404,
      );
    }
    if (![...this.queues.values()].some((q) => redrivePolicyOf(q)?.deadLetterTargetArn === source.arn)) {
      throw invalidParameterValue('Source queue must be configured as a Dead Letter Queue.');
    }
    if (destinationArn !== undefined && !this.queueByArn(destinationArn)) {
      throw new AwsError(
        'ResourceNotFoundException',
        "The resource that you specified for the DestinationArn parameter doesn't exist.",
        404,
      );
    }
    if (this.moveTasks.some((t) => t.sourceArn === source.arn && t.status === 'RUNNING')) {
      throw invalidParameterValue(
        'There is already a task running. Only one active task is allowed for a source queue arn at a given time.',
      );
    }
    const now = this.clock.now();
    source.refresh(now);
    const task = new MessageMoveTask(
      randomUUID(),
      source.arn,
      destinationArn,
      rate,
      source.visibleCount,
      now,
    );
    this.moveTasks.push(task);
    task.run(this.moveTaskQueues);
    this.changes?.moveTasksChanged();
    return { TaskHandle: task.handle };
  }

  listMessageMoveTasks(input: ListMessageMoveTasksRequest): ListMessageMoveTasksResult {
    const sourceArn = requireString(input.SourceArn, 'SourceArn');
    const max = optionalInteger(input.MaxResults, 'MaxResults') ?? 1;
    if (max < 1 || max > 10) {
      throw invalidParameterValue(
        `Value ${max} for parameter MaxResults is invalid. Reason: Must be between 1 and 10.`,
      );
    }
    if (!this.queueByArn(sourceArn)) {
      throw new AwsError(
        'ResourceNotFoundException',
        "The resource that you specified for the SourceArn parameter doesn't exist.",
        404,
      );
    }
    const tasks = this.moveTasks
      .filter((t) => t.sourceArn === sourceArn)
      .reverse()
      .slice(0, max);
    return { Results: tasks.map((t) => t.toResultEntry()) };
  }

  cancelMessageMoveTask(input: CancelMessageMoveTaskRequest): CancelMessageMoveTaskResult {
    const handle = requireString(input.TaskHandle, 'TaskHandle');
    const decoded = MessageMoveTask.decodeHandle(handle);
    if (!decoded) throw invalidParameterValue('Value for parameter TaskHandle is invalid.');
    if (!this.queueByArn(decoded.sourceArn)) {
      throw new AwsError(
        'ResourceNotFoundException',
        "The resource that you specified for the SourceArn parameter doesn't exist.",
        404,
      );
    }
    const task = this.moveTasks.find((t) => t.id === decoded.taskId && t.sourceArn === decoded.sourceArn);
    if (!task) throw new AwsError('ResourceNotFoundException', 'Task does not exist.', 404);
    if (task.status !== 'RUNNING') {
      throw invalidParameterValue(
        `Value ${handle} for parameter TaskHandle is invalid. Reason: Task is not running.`,
      );
    }
    task.cancel(this.clock);
    this.changes?.moveTasksChanged();
    return { ApproximateNumberOfMessagesMoved: task.moved };
  }

  // ===== shared ==============================================================================================

  /** Resolves a queue URL (any host: only the path `/ACCOUNT/NAME` matters). */
  queueOf(url: unknown): Queue {
    const text = requireString(url, 'QueueUrl');
    // every request names its queue by URL: remember the answer (a deleted queue leaves the cache)
    const cached = this.queuesByUrl.get(text);
    if (cached !== undefined) return cached;
    const { account, name } = queueAddress(text);
    const queue = account === this.accountId ? this.queues.get(name) : undefined;
    if (!queue) throw queueDoesNotExist();
    if (this.queuesByUrl.size >= 10_000) this.queuesByUrl.clear();
    this.queuesByUrl.set(text, queue);
    return queue;
  }

  queueByArn(arn: string): Queue | undefined {
    const prefix = `arn:aws:sqs:${this.region}:${this.accountId}:`;
    return typeof arn === 'string' && arn.startsWith(prefix)
      ? this.queues.get(arn.slice(prefix.length))
      : undefined;
  }

  /** Receives currently long-polling, across all queues (for tooling and tests). */
  waitingReceivers(): number {
    return this.longPolls.waiting;
  }

  /** Queue names, for tooling and tests. */
  queueNames(): string[] {
    return [...this.queues.keys()];
  }

  /** Reset (`POST /_emulator/reset`): names of deleted queues are free again at once, as in a new emulator. */
  forgetDeletedQueues(): void {
    this.deletedAt.clear();
    this.changes?.deletionsForgotten();
  }

  /** Reports sends, receives and deletes to `listener` (CloudWatch's AWS/SQS metrics); undefined stops it. */
  observeMetrics(listener: SqsMetricsListener | undefined): void {
    this.metrics = listener;
  }

  /** Persistence (`--state-dir`): every durable change from now on is reported to `changes`. */
  persistTo(changes: SqsChanges): void {
    this.changes = changes;
    for (const queue of this.queues.values()) queue.changes = changes;
  }

  /** Restore: a queue as it was persisted (its messages put back by the caller). */
  adoptQueue(queue: Queue): void {
    queue.changes = this.changes;
    this.queues.set(queue.name, queue);
  }

  /** Message move tasks, oldest first (persistence). */
  moveTaskList(): readonly MessageMoveTask[] {
    return this.moveTasks;
  }

  /** Restore: a move task as persisted (one running at the stop comes back cancelled: it does not resume). */
  adoptMoveTask(task: MessageMoveTask): void {
    this.moveTasks.push(task);
  }

  /** Restore: a queue deleted at `atMs` blocks its name for 60 seconds, as before the restart. */
  adoptDeletion(name: string, atMs: number): void {
    this.deletedAt.set(name, atMs);
  }

  /** Every queue, for metrics. */
  allQueues(): IterableIterator<Queue> {
    return this.queues.values();
  }

  /** Cancels long polls and move-task timers (emulator shutdown). */
  close(): void {
    this.longPolls.close();
    for (const task of this.moveTasks) if (task.status === 'RUNNING') task.cancel(this.clock);
  }

  private arnOf(name: string): string {
    return `arn:aws:sqs:${this.region}:${this.accountId}:${name}`;
  }

  private policyOf(queue: Queue): { Version: string; Id: string; Statement: Record<string, unknown>[] } {
    const text = queue.settings.extra.get('Policy');
    if (text) {
      try {
        const parsed = JSON.parse(text);
        if (!Array.isArray(parsed.Statement)) parsed.Statement = parsed.Statement ? [parsed.Statement] : [];
        return parsed;
      } catch {
        // fall through: replace an unparsable policy
      }
    }
    return { Version: '2008-10-17', Id: `${queue.arn}/SQSDefaultPolicy`, Statement: [] };
  }

  private checkThroughputLimit(extra: Map<string, string>): void {
    if (
      extra.get('FifoThroughputLimit') === 'perMessageGroupId' &&
      extra.get('DeduplicationScope') === 'queue'
    ) {
      throw new AwsError(
        'InvalidAttributeValue',
        'Invalid value for the parameter FifoThroughputLimit. Reason: The perMessageGroupId value is allowed only when the value for DeduplicationScope is messageGroup.',
      );
    }
  }

  private store(queue: Queue, prepared: PreparedMessage, now: number): SendMessageResult {
    const { data, deduplicationKey } = prepared;
    const result: SendMessageResult = { MD5OfMessageBody: data.md5OfBody };
    if (data.md5OfAttributes !== undefined) result.MD5OfMessageAttributes = data.md5OfAttributes;
    if (data.md5OfSystemAttributes !== undefined)
      result.MD5OfMessageSystemAttributes = data.md5OfSystemAttributes;
    if (deduplicationKey !== undefined) {
      const duplicate = queue.findDuplicate(deduplicationKey, now);
      if (duplicate) {
        // AWS: a duplicate is accepted but not delivered again; the reply names the original message
        result.MessageId = duplicate.messageId;
        if (duplicate.sequenceNumber !== undefined) result.SequenceNumber = duplicate.sequenceNumber;
        return result;
      }
    }
    const stored = queue.enqueue(data, now, deduplicationKey);
    this.metrics?.sent(queue, Buffer.byteLength(data.body) + attributesSize(data.attributes));
    result.MessageId = queue.messageId(stored);
    if (this.activity?.active) {
      this.activity.emit({ kind: 'message-sent', queueName: queue.name, messageId: result.MessageId });
    }
    if (stored.group !== undefined) result.SequenceNumber = queue.view(stored).sequenceNumber;
    return result;
  }
}

// ===== helpers ===============================================================================================

function handleExpired(handle: string): AwsError {
  return invalidParameterValue(
    `Value ${handle} for parameter ReceiptHandle is invalid. Reason: The receipt handle has expired.`,
  );
}

function notInFlight(): AwsError {
  return new AwsError(
    'AWS.SimpleQueueService.MessageNotInflight',
    'Message does not exist or is not available for visibility timeout change.',
  );
}

export function validateQueueName(name: string, fifo: boolean): void {
  if (fifo) {
    if (!name.endsWith('.fifo') || !QUEUE_NAME.test(`${name.slice(0, -5)}_fifo`)) {
      throw invalidParameterValue(
        'The name of a FIFO queue can only include alphanumeric characters, hyphens, or underscores, must end with .fifo suffix and be 1 to 80 in length.',
      );
    }
    return;
  }
  if (!QUEUE_NAME.test(name)) {
    throw invalidParameterValue(
      'Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length',
    );
  }
}

function validateTags(tags: Record<string, string>, queueName: string, existing: number): void {
  const keys = Object.keys(tags);
  if (existing + keys.length > 50) throw invalidParameterValue(`Too many tags added for queue ${queueName}.`);
  for (const key of keys) {
    if (key.length < 1 || key.length > 128) {
      throw invalidParameterValue(`Tag keys must be between 1 and 128 characters in length.`);
    }
    if (tags[key].length > 256)
      throw invalidParameterValue(`Tag values may not exceed 256 characters in length.`);
  }
}

/**
 * A page of queue names, after the last name of the previous page (stable when queues are deleted in between).
 * AWS: without MaxResults the reply holds up to 1000 queues and no NextToken.
 */
function pageOfNames(names: string[], maxResults: unknown, nextToken: unknown): Page<string> {
  const max = optionalInteger(maxResults, 'MaxResults');
  if (max !== undefined && (max < 1 || max > 1000)) {
    throw invalidParameterValue(
      `Value ${max} for parameter MaxResults is invalid. Reason: MaxResults must be an integer between 1 and 1000.`,
    );
  }
  const page = pageAfter(names, (name) => name, {
    pageSize: max ?? 1000,
    token: optionalString(nextToken, 'NextToken'),
    invalidToken: () => invalidParameterValue('Invalid NextToken value.'),
  });
  return max === undefined ? { items: page.items } : page;
}
