import { ManualClock } from '../../../lib/emulator/clock';
import { AwsError } from '../../../lib/emulator/errors';
import { SqsService } from '../../../lib/emulator/sqs/service';

function service() {
  const clock = new ManualClock();
  const sqs = new SqsService({ clock, region: 'eu-west-1', endpoint: () => 'http://127.0.0.1:4566' });
  const { QueueUrl } = sqs.createQueue({ QueueName: 'direct' });
  return { clock, sqs, QueueUrl: QueueUrl as string };
}

describe('SqsService called in-process', () => {
  it('runs the same operations without HTTP, in the configured region', async () => {
    // Prepare
    const { sqs, QueueUrl } = service();
    // Act
    const sent = sqs.sendMessage({ QueueUrl, MessageBody: 'direct' });
    const { Messages = [] } = await sqs.receiveMessage({ QueueUrl });
    sqs.deleteMessage({ QueueUrl, ReceiptHandle: Messages[0].ReceiptHandle });
    const { Attributes } = sqs.getQueueAttributes({
      QueueUrl,
      AttributeNames: ['QueueArn', 'ApproximateNumberOfMessages'],
    });
    // Assess
    expect(QueueUrl).toBe('http://127.0.0.1:4566/000000000000/direct');
    expect(Messages[0].MessageId).toBe(sent.MessageId);
    expect(Attributes).toEqual({
      QueueArn: 'arn:aws:sqs:eu-west-1:000000000000:direct',
      ApproximateNumberOfMessages: '0',
    });
  });

  it('rejects invalid input with an AwsError instead of throwing synchronously', async () => {
    // Prepare
    const { sqs, QueueUrl } = service();
    // Act
    const pending = sqs.receiveMessage({ QueueUrl, MaxNumberOfMessages: 0 });
    // Assess
    await expect(pending).rejects.toBeInstanceOf(AwsError);
    await expect(pending).rejects.toMatchObject({
      code: 'InvalidParameterValue',
      httpStatus: 400,
      fault: 'Sender',
    });
  });

  it('wakes an in-process long poll on send, and ends one whose caller aborts', async () => {
    // Prepare
    const { sqs, QueueUrl } = service();
    const controller = new AbortController();
    const abandoned = sqs.receiveMessage({ QueueUrl, WaitTimeSeconds: 20 }, { signal: controller.signal });
    const waiting = sqs.receiveMessage({ QueueUrl, WaitTimeSeconds: 20 });
    // Act
    controller.abort();
    sqs.sendMessage({ QueueUrl, MessageBody: 'for the one still waiting' });
    // Assess
    expect((await abandoned).Messages).toEqual([]);
    expect((await waiting).Messages?.map((m) => m.Body)).toEqual(['for the one still waiting']);
    expect(sqs.waitingReceivers()).toBe(0);
  });
});
