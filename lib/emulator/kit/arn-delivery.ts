/**
 * Delivery to a destination named by ARN: an SQS queue, an SNS topic or a Lambda function. S3 event notifications,
 * Lambda destinations and CloudWatch alarm actions all hand their events over this way, as AWS's services do.
 */

/** What a delivery needs of each service (structural, so the kit does not depend on the services). */
export interface ArnTargets {
  readonly sqs?: {
    queueByArn(arn: string): { readonly url: string; readonly fifo: boolean } | undefined;
    sendMessage(input: {
      QueueUrl: string;
      MessageBody: string;
      MessageAttributes?: Record<string, QueueMessageAttribute>;
      MessageGroupId?: string;
      MessageDeduplicationId?: string;
    }): unknown;
  };
  readonly sns?: { publishInternal(topicArn: string, message: string, subject?: string): void };
  readonly functions?: { invokeAsync(functionArn: string, event: unknown): void };
}

/** A message attribute as SQS takes it. */
export interface QueueMessageAttribute {
  readonly DataType: string;
  readonly StringValue?: string;
  readonly BinaryValue?: Uint8Array;
}

/**
 * Permissions of an integration (`--iam`): whether the service principal acting for `sourceArn` may do `action`
 * on `resource`. Returns why not, or undefined when it may.
 */
export type IntegrationGuard = (call: {
  readonly service: string;
  readonly action: string;
  readonly resource: string;
  readonly sourceArn: string;
}) => string | undefined;

/** The action a delivery is, by the destination's service, as the destination's policy must allow it. */
export const DELIVERY_ACTIONS: Readonly<Record<string, string>> = {
  sqs: 'sqs:SendMessage',
  sns: 'sns:Publish',
  lambda: 'lambda:InvokeFunction',
};

export interface ArnDelivery {
  /** The event: a function receives it as is; queues and topics receive its JSON text (or the string itself). */
  readonly event: unknown;
  /** SNS only: the notification's Subject. */
  readonly subject?: string;
  /** SQS only: the message's attributes. */
  readonly messageAttributes?: Record<string, QueueMessageAttribute>;
  /** SQS only: the FIFO group and deduplication ids, passed on when the queue is FIFO. */
  readonly fifo?: { readonly groupId: string; readonly deduplicationId?: string };
  /** The service principal delivering (`sns.amazonaws.com` for a topic), checked by `guard` first. */
  readonly actingFor?: {
    readonly service: string;
    readonly sourceArn: string;
    readonly guard: IntegrationGuard;
  };
}

/** The service an ARN names: `arn:aws:sqs:…` → `sqs`. */
export function serviceOfArn(arn: string): string | undefined {
  const parts = arn.split(':', 3);
  return parts.length === 3 && parts[0] === 'arn' ? parts[2] : undefined;
}

/**
 * Sends one event to the destination the ARN names. Throws an Error that says why when it cannot (no such
 * destination, a type the emulator does not deliver to): callers decide whether AWS drops or records the failure.
 */
export function deliverToArn(targets: ArnTargets, arn: string, delivery: ArnDelivery): void {
  const text = typeof delivery.event === 'string' ? delivery.event : JSON.stringify(delivery.event);
  const service = serviceOfArn(arn);
  const acting = delivery.actingFor;
  const action = service === undefined ? undefined : DELIVERY_ACTIONS[service];
  if (acting !== undefined && action !== undefined) {
    const denied = acting.guard({
      service: acting.service,
      action,
      resource: arn,
      sourceArn: acting.sourceArn,
    });
    if (denied !== undefined) throw new Error(`${acting.service} may not ${action} on ${arn}: ${denied}`);
  }
  switch (service) {
    case 'sqs': {
      const queue = targets.sqs?.queueByArn(arn);
      if (!queue) throw new Error(`the destination queue ${arn} does not exist`);
      const attributes = delivery.messageAttributes ?? {};
      targets.sqs!.sendMessage({
        QueueUrl: queue.url,
        MessageBody: text,
        ...(Object.keys(attributes).length > 0 ? { MessageAttributes: attributes } : {}),
        ...(queue.fifo && delivery.fifo
          ? { MessageGroupId: delivery.fifo.groupId, MessageDeduplicationId: delivery.fifo.deduplicationId }
          : {}),
      });
      return;
    }
    case 'sns':
      if (!targets.sns) throw new Error('SNS is not available');
      targets.sns.publishInternal(arn, text, delivery.subject);
      return;
    case 'lambda':
      if (!targets.functions) throw new Error('Lambda is not available');
      targets.functions.invokeAsync(arn, delivery.event);
      return;
    default:
      throw new Error(`destinations of type ${service ?? 'unknown'} are not emulated (${arn})`);
  }
}
