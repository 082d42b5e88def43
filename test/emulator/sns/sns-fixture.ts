/** SNS test fixture: the shared emulator fixture plus an SNS client and helpers to read what queues received. */
import { SNSClient } from '@aws-sdk/client-sns';
import { CreateQueueCommand, type Message, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { startTestEmulator, TEST_CREDENTIALS, type TestEmulator } from '../../helpers/emulator';

export interface SnsTestEmulator extends TestEmulator {
  sns: SNSClient;
  /** Creates a queue, returns its URL and ARN. */
  queue(name: string, attributes?: Record<string, string>): Promise<{ url: string; arn: string }>;
  /** Waits for deliveries, then receives up to 10 messages from a queue. */
  received(url: string): Promise<Message[]>;
}

export function snsClientFor(endpoint: string): SNSClient {
  return new SNSClient({ endpoint, region: 'us-east-1', credentials: TEST_CREDENTIALS, maxAttempts: 1 });
}

export async function startSnsTestEmulator(): Promise<SnsTestEmulator> {
  const base = await startTestEmulator();
  const sns = snsClientFor(base.emulator.endpoint);
  return {
    ...base,
    sns,
    queue: async (name, attributes) => {
      const url = (await base.sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes })))
        .QueueUrl as string;
      return { url, arn: `arn:aws:sqs:us-east-1:000000000000:${name}` };
    },
    received: async (url) => {
      await base.emulator.idle();
      const result = await base.sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: url,
          MaxNumberOfMessages: 10,
          MessageAttributeNames: ['All'],
          MessageSystemAttributeNames: ['All'],
        }),
      );
      return result.Messages ?? [];
    },
    stop: async () => {
      sns.destroy();
      await base.stop();
    },
  };
}
