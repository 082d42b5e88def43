import { PublishBatchCommand, type SNSClient } from '@aws-sdk/client-sns';
import type { QuoteProducerPorts } from './quote-producer';

/** The producer's port on a real SNS client (the Lambda's, or the workshop command's). */
export function snsQuotePublisher(sns: SNSClient, topicArn: string): QuoteProducerPorts {
  return {
    async publishBatch(messages) {
      const response = await sns.send(
        new PublishBatchCommand({
          TopicArn: topicArn,
          PublishBatchRequestEntries: messages.map((m) => ({
            Id: m.id,
            Message: m.message,
            MessageAttributes: { type: { DataType: 'String', StringValue: m.attributes.type } },
          })),
        }),
      );
      return {
        published: (response.Successful ?? []).map((s) => ({
          id: s.Id ?? '?',
          messageId: s.MessageId ?? '',
        })),
        failed: (response.Failed ?? []).map((f) => ({ id: f.Id ?? '?', reason: `${f.Code}: ${f.Message}` })),
      };
    },
  };
}
