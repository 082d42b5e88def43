/**
 * Asynchronous delivery between emulated services (SNS → SQS/Lambda/HTTP, S3 → SQS/SNS/Lambda).
 *
 * As in AWS, a Publish or PutObject answers before its deliveries run. Tests and tooling await them with
 * `DeliveryTracker.idle()`; retries wait on the Clock, so a manual clock moves them forward.
 */
import { AwsError } from './errors';

/** Work in flight: every delivery runs through `run`, and `idle()` resolves once none is running. */
export class DeliveryTracker {
  private readonly inFlight = new Set<Promise<void>>();

  /** Starts `task` after the current call stack (the caller answers first, as AWS does), and tracks it. */
  run(task: () => Promise<void> | void): void {
    const promise: Promise<void> = Promise.resolve()
      .then(task)
      .catch((error: unknown) => console.error('emulator: delivery failed unexpectedly', error))
      .finally(() => this.inFlight.delete(promise));
    this.inFlight.add(promise);
  }

  /** Deliveries running now (retries waiting on the clock are not running). */
  get size(): number {
    return this.inFlight.size;
  }

  /** Resolves when no delivery is running, including deliveries started by the ones awaited. */
  async idle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }
}

/** A function as an event source sees it: takes the event, returns (or resolves) a result. */
export type FunctionHandler = (event: unknown) => unknown;

/** One failed asynchronous invocation, kept for tests and tooling. */
export interface FailedInvocation {
  readonly functionArn: string;
  readonly event: unknown;
  readonly error: unknown;
}

const FUNCTION_ARN =
  /^arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:function:([a-zA-Z0-9_-]{1,64})(?::[a-zA-Z0-9$_-]+)?$/;

/**
 * The function-invocation hook: SNS `lambda` subscriptions and S3 Lambda notifications invoke functions
 * asynchronously (InvocationType Event) through it. Local mode registers each deployed function's runtime here;
 * tests register in-process handlers:
 *
 *   emu.functions.register('arn:aws:lambda:us-east-1:000000000000:function:fn', async (event) => { ... });
 */
export class FunctionRegistry {
  private readonly handlers = new Map<string, FunctionHandler>();
  /** Invocations whose handler threw or rejected (the Lambda runtime will own retries and destinations). */
  readonly failedInvocations: FailedInvocation[] = [];

  constructor(private readonly deliveries: DeliveryTracker) {}

  /** Registers (or replaces) the handler of a function ARN; a qualified ARN registers that version or alias only. */
  register(functionArn: string, handler: FunctionHandler): void {
    if (!FUNCTION_ARN.test(functionArn)) throw new Error(`not a Lambda function ARN: ${functionArn}`);
    this.handlers.set(functionArn, handler);
  }

  unregister(functionArn: string): void {
    this.handlers.delete(functionArn);
  }

  /** Whether an invoke of `functionArn` would find a function (qualified ARNs fall back to the function). */
  exists(functionArn: string): boolean {
    return this.handlerOf(functionArn) !== undefined;
  }

  /**
   * Asynchronous invoke: checks the function exists (AWS: `ResourceNotFoundException`), then runs the handler on
   * the delivery tracker with a JSON copy of the event (what a real runtime would receive) and returns at once.
   */
  invokeAsync(functionArn: string, event: unknown): void {
    const handler = this.handlerOf(functionArn);
    if (!handler) {
      throw new AwsError('ResourceNotFoundException', `Function not found: ${functionArn}`, 404);
    }
    const payload: unknown = JSON.parse(JSON.stringify(event));
    this.deliveries.run(async () => {
      try {
        await handler(payload);
      } catch (error) {
        this.failedInvocations.push({ functionArn, event: payload, error });
      }
    });
  }

  private handlerOf(functionArn: string): FunctionHandler | undefined {
    const exact = this.handlers.get(functionArn);
    if (exact) return exact;
    const match = FUNCTION_ARN.exec(functionArn);
    if (!match) return undefined;
    const unqualified = functionArn.split(':').slice(0, 7).join(':');
    return this.handlers.get(unqualified);
  }
}
