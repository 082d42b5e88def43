/**
 * Asynchronous invocation (InvocationType Event), as Lambda runs it: the caller gets an answer at once, the
 * event is tried, retried after function errors (1 minute, then 2 minutes later, on the emulator's clock), and
 * its outcome recorded to the onSuccess or onFailure destination in Lambda's invocation record shape.
 */
import { randomUUID } from 'node:crypto';
import type { Clock } from '../clock';
import type { DeliveryTracker } from '../event-delivery';
import type { InvocationResult } from './function-runtime';

/** A function's EventInvokeConfig. */
export interface AsyncInvokeConfig {
  /** 0–2. @default 2 */
  readonly maximumRetryAttempts?: number;
  /** 60–21,600 s. @default 21,600 (6 hours) */
  readonly maximumEventAgeSeconds?: number;
  /** ARN of an SQS queue, SNS topic or Lambda function. */
  readonly onSuccess?: string;
  readonly onFailure?: string;
}

/** Why an event's processing ended. */
export type InvocationCondition = 'Success' | 'RetriesExhausted' | 'EventAgeExceeded';

/** The record Lambda sends to a destination. */
export interface InvocationRecord {
  readonly version: '1.0';
  readonly timestamp: string;
  readonly requestContext: {
    readonly requestId: string;
    readonly functionArn: string;
    readonly condition: InvocationCondition;
    readonly approximateInvokeCount: number;
  };
  readonly requestPayload: unknown;
  readonly responseContext: {
    readonly statusCode: number;
    readonly executedVersion: string;
    readonly functionError?: string;
  };
  readonly responsePayload: unknown;
}

export interface AsyncInvocationHost {
  readonly clock: Clock;
  /** Runs attempts so that `emu.idle()` waits for them. */
  readonly deliveries: DeliveryTracker;
  invoke(functionName: string, event: unknown, requestId: string): Promise<InvocationResult>;
  /** Sends a record to a destination ARN; throws when the destination does not exist. */
  sendToDestination(destinationArn: string, record: InvocationRecord): Promise<void> | void;
  /** Told about every attempt and every recorded outcome, for the live log of `npm start`. */
  onOutcome?(functionName: string, record: InvocationRecord, destination: string | undefined): void;
}

/** AWS: after a function error, the second attempt comes 1 minute later, the third 2 minutes after that. */
const RETRY_DELAYS_MS = [60_000, 120_000];
const DEFAULT_RETRIES = 2;
const DEFAULT_MAX_AGE_SECONDS = 21_600;

interface PendingEvent {
  readonly functionName: string;
  readonly functionArn: string;
  readonly requestId: string;
  readonly event: unknown;
  readonly enqueuedAt: number;
  attempts: number;
}

export class AsyncInvoker {
  private readonly configs = new Map<string, AsyncInvokeConfig>();

  constructor(private readonly host: AsyncInvocationHost) {}

  /** Sets a function's EventInvokeConfig (retries, event age, destinations). */
  configure(functionName: string, config: AsyncInvokeConfig): void {
    this.configs.set(functionName, config);
  }

  /** Queues the event and returns its request id at once, as the 202 of an Event invoke does. */
  invoke(functionName: string, functionArn: string, event: unknown): string {
    const pending: PendingEvent = {
      functionName,
      functionArn,
      requestId: randomUUID(),
      event,
      enqueuedAt: this.host.clock.now(),
      attempts: 0,
    };
    this.host.deliveries.run(() => this.attempt(pending));
    return pending.requestId;
  }

  private async attempt(pending: PendingEvent): Promise<void> {
    const config = this.configs.get(pending.functionName) ?? {};
    pending.attempts++;
    const result = await this.host.invoke(pending.functionName, pending.event, pending.requestId);
    if (result.ok) return this.record(pending, 'Success', result, config.onSuccess);

    const retries = config.maximumRetryAttempts ?? DEFAULT_RETRIES;
    if (pending.attempts > retries) return this.record(pending, 'RetriesExhausted', result, config.onFailure);
    const retryAt =
      this.host.clock.now() + RETRY_DELAYS_MS[Math.min(pending.attempts - 1, RETRY_DELAYS_MS.length - 1)];
    const maxAgeMs = (config.maximumEventAgeSeconds ?? DEFAULT_MAX_AGE_SECONDS) * 1000;
    if (retryAt - pending.enqueuedAt > maxAgeMs) {
      // AWS: an event too old to retry is discarded (and recorded) once its age passes the maximum.
      this.host.clock.setTimer(pending.enqueuedAt + maxAgeMs, () =>
        this.host.deliveries.run(() => this.record(pending, 'EventAgeExceeded', result, config.onFailure)),
      );
      return;
    }
    this.host.clock.setTimer(retryAt, () => this.host.deliveries.run(() => this.attempt(pending)));
  }

  private async record(
    pending: PendingEvent,
    condition: InvocationCondition,
    result: InvocationResult,
    destination: string | undefined,
  ): Promise<void> {
    const record: InvocationRecord = {
      version: '1.0',
      timestamp: new Date(this.host.clock.now()).toISOString(),
      requestContext: {
        requestId: pending.requestId,
        functionArn: `${pending.functionArn}:$LATEST`,
        condition,
        approximateInvokeCount: pending.attempts,
      },
      requestPayload: pending.event,
      responseContext: result.ok
        ? { statusCode: 200, executedVersion: '$LATEST' }
        : { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
      responsePayload: result.ok
        ? result.payload
        : {
            errorType: result.error.errorType,
            errorMessage: result.error.errorMessage,
            trace: result.error.trace ?? [],
          },
    };
    this.host.onOutcome?.(pending.functionName, record, destination);
    if (destination === undefined) return;
    try {
      await this.host.sendToDestination(destination, record);
    } catch (error) {
      // AWS: a record that cannot be delivered is counted (DestinationDeliveryFailures) and dropped.
      console.error(
        `${pending.functionName}: cannot send the invocation record to ${destination}: ${(error as Error).message}`,
      );
    }
  }
}
